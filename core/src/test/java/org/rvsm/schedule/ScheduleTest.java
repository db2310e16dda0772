package org.rvsm.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The pruning and beta schedules against their formulas worked by hand. */
class ScheduleTest {

    @Test
    void gradualPruningFollowsZhuAndGuptasCubic() {
        GradualPruning g = new GradualPruning(0.0, 0.9, 0, 100, 10);
        // Zhu & Gupta (2017) eq. 1 by hand: s_t = 0.9 + (0 - 0.9)(1 - t/100)^3
        assertEquals(0.0, g.sparsityAt(0), 0.0);
        assertEquals(0.9 - 0.9 * 0.125, g.sparsityAt(50), 1e-15);        // (1 - 0.5)^3 = 0.125
        assertEquals(g.sparsityAt(50), g.sparsityAt(59), 0.0, "held between pruning steps");
        assertEquals(0.9 - 0.9 * 0.729, g.sparsityAt(10), 1e-15);        // (1 - 0.1)^3 = 0.729
        assertEquals(0.9, g.sparsityAt(100), 0.0);
        assertEquals(0.9, g.sparsityAt(1_000), 0.0);
        assertEquals(0.0, new GradualPruning(0.1, 0.9, 20, 100, 10).sparsityAt(19), 0.0, "nothing before begin");
        assertEquals(0.1, new GradualPruning(0.1, 0.9, 20, 100, 10).sparsityAt(20), 1e-15, "s_i at begin");
        double previous = -1;
        for (long t = 0; t <= 120; t++) {
            assertTrue(g.sparsityAt(t) >= previous, "non-decreasing at " + t);
            previous = g.sparsityAt(t);
        }
        List<Long> steps = new ArrayList<>();
        GradualPruning odd = new GradualPruning(0.0, 0.5, 5, 32, 10);
        for (long t = 0; t < 50; t++) {
            if (odd.prunesAt(t)) {
                steps.add(t);
            }
        }
        assertEquals(List.of(5L, 15L, 25L, 32L), steps, "every 10 steps from begin, and end");
    }

    @Test
    void badSchedulesAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new GradualPruning(0, 1.0, 0, 10, 1));
        assertThrows(IllegalArgumentException.class, () -> new GradualPruning(0.6, 0.5, 0, 10, 1));
        assertThrows(IllegalArgumentException.class, () -> new GradualPruning(0, 0.5, 10, 10, 1));
        assertThrows(IllegalArgumentException.class, () -> new GradualPruning(0, 0.5, 0, 10, 0));
        assertThrows(IllegalArgumentException.class, () -> new BetaSchedule(0.1, 0.9, 1));
        assertThrows(IllegalArgumentException.class, () -> new BetaSchedule(0.1, 2, 0.05));
        assertThrows(IllegalArgumentException.class, () -> new BetaSchedule(Double.NaN, 2, 1));
    }

    @Test
    void betaGrowsGeometricallyUpToItsCap() {
        BetaSchedule b = new BetaSchedule(0.1, 1.5, 1.0);
        assertEquals(0.1, b.at(0), 0.0);
        assertEquals(0.1 * 1.5 * 1.5 * 1.5, b.at(3), 0.0, "beta_0 growth^3, as a product");
        assertEquals(1.0, b.at(50), 0.0, "capped");
        assertEquals(0.25, BetaSchedule.constant(0.25).at(40), 0.0);
        for (int e = 1; e < 30; e++) {
            assertTrue(b.at(e) >= b.at(e - 1));
        }
    }
}
