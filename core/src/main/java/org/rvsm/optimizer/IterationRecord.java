package org.rvsm.optimizer;

/**
 * The state (w^t, u^t) of one iteration.
 *
 * @param iteration  t (0 is the starting point)
 * @param loss       l(w^t) as returned by the objective
 * @param lagrangian L_beta(w^t, u^t) = l(w^t) + lambda P(u^t) + beta/2 |w^t - u^t|^2 for RVSM;
 *                   l(w^t) + lambda P(w^t) for proximal gradient; l(w^t) for gradient descent
 * @param splitGap   |w^t - u^t| (0 for the methods without a split)
 * @param sparsity   fraction of exact zeros in u^t
 * @param monitored  the run's monitor applied to u^t, NaN without a monitor
 */
public record IterationRecord(int iteration, double loss, double lagrangian, double splitGap,
                              double sparsity, double monitored) {
}
