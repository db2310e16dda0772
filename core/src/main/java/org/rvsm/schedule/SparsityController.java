package org.rvsm.schedule;

/**
 * Target-sparsity mode: adjusts lambda after each epoch so that the fraction of zeros in u approaches
 * a requested target (docs/math.md section 6, "Schedules"). Sparsity grows with lambda, but how fast depends on
 * the network and the penalty, so the controller works in log lambda and brackets the target:
 *
 * <ul>
 *   <li>until the target is bracketed, lambda is multiplied (sparsity below target) or divided
 *       (above) by {@code step}, a geometric search;</li>
 *   <li>once one lambda gave too little sparsity and another too much, the next lambda is their
 *       geometric mean (bisection in log lambda); each new measurement narrows the bracket from the
 *       side it falls on, and when the bracket turns out stale (the network changed under it) it
 *       widens again by {@code step}.</li>
 * </ul>
 *
 * Deterministic: the same measurements give the same lambdas. Measurements are fractions in [0, 1].
 */
public final class SparsityController {

    private final double target;
    private final double tolerance;
    private final double step;
    private final double minLambda;
    private final double maxLambda;
    private double lambda;
    private double low = Double.NaN;  // the largest lambda seen with sparsity below the target
    private double high = Double.NaN; // the smallest lambda seen with sparsity above it

    /**
     * @param target        the fraction of zeros wanted, in (0, 1)
     * @param tolerance     how close counts as reached (lambda is then kept), in [0, 1)
     * @param initialLambda the first lambda, > 0
     * @param step          the geometric search's factor, > 1
     * @param minLambda     lambda never goes below this (> 0)
     * @param maxLambda     nor above this (>= minLambda)
     */
    public SparsityController(double target, double tolerance, double initialLambda, double step, double minLambda,
                              double maxLambda) {
        if (!(target > 0 && target < 1)) {
            throw new IllegalArgumentException("target sparsity must be in (0, 1), got " + target);
        }
        if (!(tolerance >= 0 && tolerance < 1)) {
            throw new IllegalArgumentException("tolerance must be in [0, 1), got " + tolerance);
        }
        if (!(step > 1) || Double.isInfinite(step)) {
            throw new IllegalArgumentException("step must be finite and > 1, got " + step);
        }
        if (!(minLambda > 0 && maxLambda >= minLambda) || Double.isInfinite(maxLambda)) {
            throw new IllegalArgumentException("need 0 < min lambda <= max lambda, got " + minLambda + ", " + maxLambda);
        }
        if (!(initialLambda >= minLambda && initialLambda <= maxLambda)) {
            throw new IllegalArgumentException("initial lambda must be in [" + minLambda + ", " + maxLambda + "], got "
                    + initialLambda);
        }
        this.target = target;
        this.tolerance = tolerance;
        this.step = step;
        this.minLambda = minLambda;
        this.maxLambda = maxLambda;
        this.lambda = initialLambda;
    }

    /** The lambda to train with now. */
    public double lambda() {
        return lambda;
    }

    /** Takes the sparsity that the current lambda gave and returns the lambda for the next epoch. */
    public double update(double sparsity) {
        if (!(sparsity >= 0 && sparsity <= 1)) {
            throw new IllegalArgumentException("sparsity must be a fraction in [0, 1], got " + sparsity);
        }
        if (Math.abs(sparsity - target) <= tolerance) {
            return lambda;
        }
        if (sparsity < target) {
            low = Double.isNaN(low) ? lambda : Math.max(low, lambda);
            if (!Double.isNaN(high) && high <= low) {
                high = Double.NaN; // stale: more lambda than this once gave too much, now too little
            }
        } else {
            high = Double.isNaN(high) ? lambda : Math.min(high, lambda);
            if (!Double.isNaN(low) && low >= high) {
                low = Double.NaN;
            }
        }
        double next;
        if (!Double.isNaN(low) && !Double.isNaN(high)) {
            next = Math.sqrt(low * high);
        } else {
            next = sparsity < target ? lambda * step : lambda / step;
        }
        lambda = Math.min(maxLambda, Math.max(minLambda, next));
        return lambda;
    }
}
