package org.rvsm.optimizer;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.ToDoubleFunction;
import org.rvsm.Vectors;
import org.rvsm.penalty.Penalty;

/**
 * Runs RVSM and its two baselines over any {@link DifferentiableObjective} (docs/math.md section 2).
 *
 * <p>RVSM, from w^0 with u^0 = T(w^0):
 * <pre>
 *   w^{t+1} = w^t - eta grad l(w^t) - eta beta (w^t - u^t)
 *   u^{t+1} = T_{lambda/beta}(w^{t+1})
 * </pre>
 * Proximal gradient: w^{t+1} = T_{eta lambda}(w^t - eta grad l(w^t)). Gradient descent:
 * w^{t+1} = w^t - eta grad l(w^t). The loop records every state, including the start and the end, so
 * a run of T steps evaluates the objective T + 1 times. State lives in the call; the solver is
 * stateless.
 */
public final class Solver {

    private Solver() {
    }

    /** Runs without a monitor. */
    public static RunResult run(DifferentiableObjective objective, double[] w0, SolverConfig config) {
        return run(objective, w0, config, null);
    }

    /**
     * Runs the configured method from w0 (not modified).
     *
     * @param monitor optional measurement of u^t recorded in {@link IterationRecord#monitored()}
     */
    public static RunResult run(DifferentiableObjective objective, double[] w0, SolverConfig config,
                                ToDoubleFunction<double[]> monitor) {
        return run(objective, w0, config, monitor, null);
    }

    /**
     * Runs the configured method from w0 (not modified).
     *
     * @param monitor  optional measurement of u^t recorded in {@link IterationRecord#monitored()}
     * @param listener optional, told of every record as it is made (progress reporting)
     */
    public static RunResult run(DifferentiableObjective objective, double[] w0, SolverConfig config,
                                ToDoubleFunction<double[]> monitor, Consumer<IterationRecord> listener) {
        int d = objective.dimension();
        if (w0.length != d) {
            throw new IllegalArgumentException("w0 has " + w0.length + " entries, expected dimension " + d);
        }
        Method method = config.method();
        Penalty penalty = config.penalty();
        double lambda = method == Method.GRADIENT_DESCENT ? 0.0 : config.lambda();
        double beta = config.beta();
        double eta = config.eta();
        double mu = lambda / beta;

        double[] w = w0.clone();
        double[] next = new double[d];
        double[] gradient = new double[d];
        // u is a separate array only for RVSM; the other methods' sparse iterate is w itself
        double[] u = method == Method.RVSM ? new double[d] : w;
        if (method == Method.RVSM) {
            penalty.prox(w, u, mu);
        }

        List<IterationRecord> trace = new ArrayList<>();
        RunStatus status = RunStatus.MAX_ITERATIONS;
        boolean converged = false;
        for (int t = 0; ; t++) {
            double loss = objective.lossAndGradient(w, gradient);
            double gap = method == Method.RVSM ? Vectors.distance(w, u) : 0.0;
            double penaltyTerm = lambda == 0.0 ? 0.0 : lambda * penalty.value(u);
            double lagrangian = loss + penaltyTerm + 0.5 * beta * gap * gap;
            double monitored = monitor == null ? Double.NaN : monitor.applyAsDouble(u);
            IterationRecord record = new IterationRecord(t, loss, lagrangian, gap, Vectors.sparsity(u), monitored);
            trace.add(record);
            if (listener != null) {
                listener.accept(record);
            }
            if (!Double.isFinite(loss) || !Vectors.allFinite(w) || !Vectors.allFinite(gradient)) {
                status = RunStatus.DIVERGED;
                break;
            }
            if (converged) {
                status = RunStatus.CONVERGED;
                break;
            }
            if (t == config.maxIterations()) {
                break;
            }
            switch (method) {
                case RVSM -> {
                    for (int i = 0; i < d; i++) {
                        next[i] = w[i] - eta * gradient[i] - eta * beta * (w[i] - u[i]);
                    }
                }
                case PROXIMAL_GRADIENT -> {
                    for (int i = 0; i < d; i++) {
                        next[i] = w[i] - eta * gradient[i];
                    }
                    penalty.prox(next, next, eta * lambda);
                }
                case GRADIENT_DESCENT -> {
                    for (int i = 0; i < d; i++) {
                        next[i] = w[i] - eta * gradient[i];
                    }
                }
            }
            double step = Vectors.distance(next, w);
            System.arraycopy(next, 0, w, 0, d);
            if (method == Method.RVSM) {
                penalty.prox(w, u, mu);
            }
            converged = step < config.tolerance();
        }
        return new RunResult(w.clone(), u.clone(), trace, status);
    }
}
