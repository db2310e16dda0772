package org.rvsm.optimizer;

import org.rvsm.penalty.Penalty;

/**
 * Hyper-parameters of one optimisation run.
 *
 * @param method        RVSM, proximal gradient or plain gradient descent
 * @param penalty       P; ignored by gradient descent
 * @param lambda        penalty weight lambda >= 0; ignored by gradient descent
 * @param beta          splitting weight beta > 0 of L_beta = l(w) + lambda P(u) + beta/2 |w-u|^2 (RVSM only)
 * @param eta           step size eta > 0
 * @param maxIterations the most steps taken (>= 0)
 * @param tolerance     stop (converged) once |w^{t+1} - w^t| < tolerance; 0 disables the test
 */
public record SolverConfig(Method method, Penalty penalty, double lambda, double beta, double eta,
                           int maxIterations, double tolerance) {

    public SolverConfig {
        if (method == null) {
            throw new IllegalArgumentException("method must not be null");
        }
        if (penalty == null) {
            throw new IllegalArgumentException("penalty must not be null");
        }
        requireFinite("lambda", lambda);
        if (lambda < 0.0) {
            throw new IllegalArgumentException("lambda must be >= 0, got " + lambda);
        }
        requirePositive("beta", beta);
        requirePositive("eta", eta);
        if (maxIterations < 0) {
            throw new IllegalArgumentException("maxIterations must be >= 0, got " + maxIterations);
        }
        requireFinite("tolerance", tolerance);
        if (tolerance < 0.0) {
            throw new IllegalArgumentException("tolerance must be >= 0, got " + tolerance);
        }
    }

    /** RVSM with the given penalty. */
    public static SolverConfig rvsm(Penalty penalty, double lambda, double beta, double eta,
                                    int maxIterations, double tolerance) {
        return new SolverConfig(Method.RVSM, penalty, lambda, beta, eta, maxIterations, tolerance);
    }

    /** The same settings with another method. */
    public SolverConfig withMethod(Method other) {
        return new SolverConfig(other, penalty, lambda, beta, eta, maxIterations, tolerance);
    }

    /** The same settings with another lambda. */
    public SolverConfig withLambda(double other) {
        return new SolverConfig(method, penalty, other, beta, eta, maxIterations, tolerance);
    }

    /** The same settings with another penalty. */
    public SolverConfig withPenalty(Penalty other) {
        return new SolverConfig(method, other, lambda, beta, eta, maxIterations, tolerance);
    }

    private static void requireFinite(String name, double value) {
        if (!Double.isFinite(value)) {
            throw new IllegalArgumentException(name + " must be finite, got " + value);
        }
    }

    private static void requirePositive(String name, double value) {
        requireFinite(name, value);
        if (value <= 0.0) {
            throw new IllegalArgumentException(name + " must be > 0, got " + value);
        }
    }
}
