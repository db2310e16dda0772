package org.rvsm.optimizer;

/** How a run ended. Divergence is a status, not an exception. */
public enum RunStatus {
    /** |w^{t+1} - w^t| fell below the tolerance. */
    CONVERGED("converged"),
    /** The iteration budget ran out first. */
    MAX_ITERATIONS("max-iterations"),
    /** A loss or weight became NaN or infinite. */
    DIVERGED("diverged");

    private final String label;

    RunStatus(String label) {
        this.label = label;
    }

    /** Name used in reports. */
    public String label() {
        return label;
    }
}
