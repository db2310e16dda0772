package org.rvsm.optimizer;

/**
 * A loss l(w) over a flat parameter vector, evaluated together with its gradient (the two usually
 * share one pass over the data). Implementations may keep scratch buffers and are then not
 * thread-safe; a stochastic objective may return a different value at each call.
 */
public interface DifferentiableObjective {

    /** Length of the parameter vector w. */
    int dimension();

    /**
     * Returns l(w) and writes grad l(w) into {@code gradient}.
     *
     * @param w        parameters, length {@link #dimension()}; not modified
     * @param gradient output, length {@link #dimension()}; modified
     */
    double lossAndGradient(double[] w, double[] gradient);
}
