package org.rvsm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.rvsm.penalty.Penalty;

/** Thresholds.muFor inverts each penalty's threshold(mu). */
class ThresholdsTest {

    @Test
    void muForIsTheInverseOfThreshold() {
        Penalty[] penalties = {Choices.penalty("l1", 1.0), Choices.penalty("l0", 1.0), Choices.penalty("tl1", 1.0),
            Choices.penalty("tl1", 0.1), Choices.penalty("tl1", 10.0)};
        for (Penalty p : penalties) {
            for (double t : new double[] {0.01, 0.03, 0.15, 0.5, 1.0, 3.0}) {
                double mu = Thresholds.muFor(p, t);
                assertEquals(t, p.threshold(mu), 1e-12 * Math.max(1, t), p.label() + " at t = " + t);
            }
        }
    }

    @Test
    void byHand() {
        assertEquals(0.05, Thresholds.muFor(Choices.penalty("l1", 1.0), 0.05), 0.0);
        assertEquals(0.00125, Thresholds.muFor(Choices.penalty("l0", 1.0), 0.05), 1e-15);
        // tl1, a = 1, continuous regime: t = mu (a + 1) / a
        assertEquals(0.025, Thresholds.muFor(Choices.penalty("tl1", 1.0), 0.05), 1e-15);
    }
}
