package org.rvsm.nn.optim;

import java.util.Arrays;

/**
 * One sparsified layer's summary: its parameter name, shape and the non-zeros of its deployed
 * weights (u where RVSM splits, else w).
 */
public record LayerInfo(String name, long[] shape, long nonZeros) {

    /** Entries of the tensor. */
    public long size() {
        return Arrays.stream(shape).reduce(1, (x, y) -> x * y);
    }

    /** Fraction of exact zeros. */
    public double sparsity() {
        return (double) (size() - nonZeros) / size();
    }
}
