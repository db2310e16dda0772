package org.rvsm.schedule;

/**
 * Target-sparsity mode: adjusts lambda after each epoch so that the fraction of zeros in u approaches
 * a requested target (docs/math.md section 6, "Schedules"). Sparsity grows with lambda, but how fast
 * depends on the network and the penalty, and a training answers a new lambda only over a few epochs,
 * so the controller is a sign search in log lambda (as Rprop's step control):
 *
 * <ul>
 *   <li>sparsity below the target: lambda is multiplied by the current step factor; above: divided;
 *       within the tolerance: kept;</li>
 *   <li>each time the error changes sign (the target was crossed), the step factor's logarithm halves
 *       (factor 2, then sqrt 2, ...), so lambda settles however the response lags.</li>
 * </ul>
 *
 * On a response s = 1 - exp(-lambda / c) with an unknown scale c, the target is reached within 20
 * epochs when the response is immediate and within 45 when each epoch moves only half way to it
 * (ScheduleTest). Deterministic: the same measurements give the same lambdas.
 */
public final class SparsityController {

    /** The smallest step factor's logarithm: lambda never moves by less than 0.1% once it has settled. */
    private static final double MIN_LOG_STEP = Math.log(1.001);

    private final double target;
    private final double tolerance;
    private final double minLambda;
    private final double maxLambda;
    private double lambda;
    private double logStep;
    private int lastSign; // +1: the last error said "more lambda", -1 "less", 0 none yet

    /**
     * @param target        the fraction of zeros wanted, in (0, 1)
     * @param tolerance     how close counts as reached (lambda is then kept), in [0, 1)
     * @param initialLambda the first lambda, > 0
     * @param step          the first step factor, > 1
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
        this.logStep = Math.log(step);
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
        int sign = sparsity < target ? 1 : -1;
        if (lastSign != 0 && sign != lastSign) {
            logStep = Math.max(MIN_LOG_STEP, logStep / 2);
        }
        lastSign = sign;
        lambda = Math.min(maxLambda, Math.max(minLambda, lambda * Math.exp(sign * logStep)));
        return lambda;
    }
}
