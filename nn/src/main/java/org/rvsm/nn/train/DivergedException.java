package org.rvsm.nn.train;

/** Thrown by {@link SparseTrainer#trainEpoch} when the run diverges; carries where. */
public final class DivergedException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final transient Divergence divergence;

    DivergedException(Divergence divergence) {
        super(divergence.describe());
        this.divergence = divergence;
    }

    public Divergence divergence() {
        return divergence;
    }
}
