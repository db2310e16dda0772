package org.rvsm.nn.optim;

import java.util.Arrays;
import java.util.List;

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

    /** Fraction of exact zeros over all the layers together (0 for none). */
    public static double overallSparsity(List<LayerInfo> layers) {
        long nonZeros = layers.stream().mapToLong(LayerInfo::nonZeros).sum();
        long total = layers.stream().mapToLong(LayerInfo::size).sum();
        return total == 0 ? 0.0 : (double) (total - nonZeros) / total;
    }
}
