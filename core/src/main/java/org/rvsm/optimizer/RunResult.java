package org.rvsm.optimizer;

import java.util.List;

/**
 * What one run produced: the final w (training variable) and u (the sparse model), the trace of every
 * iteration, and how it ended.
 */
public record RunResult(double[] w, double[] u, List<IterationRecord> trace, RunStatus status) {

    public RunResult {
        trace = List.copyOf(trace);
    }

    /** Steps taken (the trace holds iterations 0..iterations()). */
    public int iterations() {
        return trace.size() - 1;
    }

    /** The record of the final state. */
    public IterationRecord last() {
        return trace.get(trace.size() - 1);
    }
}
