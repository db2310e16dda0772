package org.rvsm.schedule;

/**
 * Beta continuation: the splitting weight beta grows geometrically over training, as ADMM's penalty
 * parameter rho does, so that w is held ever closer to its sparse copy u (docs/math.md section 6, "Schedules"):
 *
 * <pre>  beta_e = min(beta_max, beta_0 growth^e)      (e: the 0-based epoch)</pre>
 *
 * {@code growth = 1} is a constant beta, today's RVSM. The trainer keeps mu = lambda / beta, the
 * threshold of u = T_mu(w), where it was: lambda grows with beta, so the sparsity pattern that u can
 * take does not shift with the schedule; only the pull of w toward u strengthens.
 *
 * @param initial beta_0 > 0
 * @param growth  the factor per epoch, >= 1
 * @param max     the cap, >= initial
 */
public record BetaSchedule(double initial, double growth, double max) {

    public BetaSchedule {
        if (!(initial > 0) || Double.isInfinite(initial)) {
            throw new IllegalArgumentException("beta must be finite and > 0, got " + initial);
        }
        if (!(growth >= 1) || Double.isInfinite(growth)) {
            throw new IllegalArgumentException("beta growth must be finite and >= 1, got " + growth);
        }
        if (!(max >= initial) || Double.isInfinite(max)) {
            throw new IllegalArgumentException("beta max must be finite and >= beta " + initial + ", got " + max);
        }
    }

    /** A constant beta. */
    public static BetaSchedule constant(double beta) {
        return new BetaSchedule(beta, 1.0, beta);
    }

    /** beta of epoch e (0-based). */
    public double at(int epoch) {
        if (epoch < 0) {
            throw new IllegalArgumentException("epoch must be >= 0, got " + epoch);
        }
        // a product, not Math.pow: the same bits whatever the platform's pow
        double beta = initial;
        for (int e = 0; e < epoch && beta < max; e++) {
            beta *= growth;
        }
        return Math.min(max, beta);
    }
}
