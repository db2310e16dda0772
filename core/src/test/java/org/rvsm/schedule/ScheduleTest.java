package org.rvsm.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** The pruning, beta and target-sparsity schedules against their formulas worked by hand. */
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
        assertThrows(IllegalArgumentException.class, () -> new SparsityController(1.0, 0.01, 1e-4, 2, 1e-8, 1));
        assertThrows(IllegalArgumentException.class, () -> new SparsityController(0.9, 0.01, 1e-4, 1, 1e-8, 1));
        assertThrows(IllegalArgumentException.class, () -> new SparsityController(0.9, 0.01, 2, 2, 1e-8, 1));
        assertThrows(IllegalArgumentException.class, () -> new SparsityController(0.9, 0.01, 1e-4, 2, 1e-8, 1)
                .update(Double.NaN));
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

    /**
     * On a made-up network whose sparsity responds to lambda as s(lambda) = 1 - exp(-lambda / scale),
     * with a scale and a start unknown to the controller, and (for lag > 0) a response that moves only
     * part of the way toward s(lambda) each epoch, as a training does: the target is reached.
     */
    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20})
    void targetSparsityIsReachedWhateverTheScale(long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        double scale = Math.pow(10, -5 + 3 * rng.nextDouble());      // 1e-5 .. 1e-2
        double start = Math.pow(10, -6 + 4 * rng.nextDouble());      // 1e-6 .. 1e-2
        double target = 0.5 + 0.48 * rng.nextDouble();               // 0.50 .. 0.98
        double lag = seed % 2 == 0 ? 0.0 : 0.5;
        SparsityController c = new SparsityController(target, 0.005, start, 2.0, 1e-9, 1.0);
        double s = 0;
        int epochs = 0;
        int limit = lag == 0 ? 20 : 45;
        for (; epochs < limit; epochs++) {
            double steady = 1 - Math.exp(-c.lambda() / scale);
            s = lag * s + (1 - lag) * steady;
            if (Math.abs(s - target) <= 0.005 && Math.abs(steady - target) <= 0.005) {
                break;
            }
            c.update(s);
        }
        assertTrue(epochs < limit, "seed " + seed + ": " + s + " against " + target + " after " + limit + " epochs");
        double ideal = -scale * Math.log(1 - target);
        assertEquals(Math.log(ideal), Math.log(c.lambda()), 0.1, "lambda near the one that gives the target");
    }

    @Test
    void theSameMeasurementsGiveTheSameLambdas() {
        double[] measured = {0.2, 0.5, 0.97, 0.8, 0.93, 0.91};
        SparsityController a = new SparsityController(0.9, 0.005, 1e-4, 2, 1e-9, 1);
        SparsityController b = new SparsityController(0.9, 0.005, 1e-4, 2, 1e-9, 1);
        for (double m : measured) {
            assertEquals(Double.doubleToLongBits(a.update(m)), Double.doubleToLongBits(b.update(m)));
        }
        // by hand: x2, x2 (too little twice), then too much: the step halves in log (/ sqrt 2), then again
        SparsityController h = new SparsityController(0.9, 0.005, 1e-4, 2, 1e-9, 1);
        assertEquals(2e-4, h.update(0.2), 1e-18);
        assertEquals(4e-4, h.update(0.5), 1e-18);
        assertEquals(4e-4 / Math.sqrt(2), h.update(0.97), 1e-18);
        assertEquals(4e-4 / Math.sqrt(2), h.update(0.9), 1e-18, "within tolerance: kept");
        assertEquals(4e-4 / Math.sqrt(2) * Math.pow(2, 0.25), h.update(0.8), 1e-17, "crossed again: 2^(1/4)");
    }
}
