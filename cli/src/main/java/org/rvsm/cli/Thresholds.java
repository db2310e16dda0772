package org.rvsm.cli;

import org.rvsm.penalty.Penalty;
import org.rvsm.penalty.TransformedL1;

/**
 * The inverse of a penalty's threshold: the mu (= lambda / beta) whose dead zone ends at a given |w|.
 * Used where a grid is given as thresholds (sweep).
 */
final class Thresholds {

    private Thresholds() {
    }

    /** The mu whose threshold {@code p.threshold(mu)} is t (t > 0). */
    static double muFor(Penalty p, double t) {
        if (p instanceof TransformedL1 tl1) {
            double a = tl1.a();
            double continuous = t * a / (a + 1.0); // t = mu (a+1)/a
            return tl1.isContinuousRegime(continuous) ? continuous : (t + a / 2) * (t + a / 2) / (2 * (a + 1.0));
        }
        return p.label().equals("l0") ? t * t / 2.0 : t;
    }
}
