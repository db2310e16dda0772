package org.rvsm.teacher;

import java.util.random.RandomGenerator;

/**
 * The paper's one-hidden-layer no-overlap ReLU network (docs/math.md section 1.1): an input Z holds k
 * disjoint patches Z_1..Z_k of dimension d, one shared filter w, and
 *
 * <pre>  f(Z, w) = (1/k) sum_i max(Z_i . w, 0)</pre>
 *
 * <p>Samples are stored flat: n inputs as a {@code double[]} of shape (n, k, d), row-major.
 */
public record NoOverlapNetwork(int k, int d) {

    public NoOverlapNetwork {
        if (k < 1) {
            throw new IllegalArgumentException("k must be >= 1, got " + k);
        }
        if (d < 1) {
            throw new IllegalArgumentException("d must be >= 1, got " + d);
        }
    }

    /** Entries of one input Z: k * d. */
    public int inputSize() {
        return k * d;
    }

    /** f(Z, w) for the input starting at {@code offset} in {@code patches}. */
    public double output(double[] patches, int offset, double[] w) {
        checkFilter(w);
        double sum = 0.0;
        for (int i = 0; i < k; i++) {
            double dot = 0.0;
            int base = offset + i * d;
            for (int j = 0; j < d; j++) {
                dot += patches[base + j] * w[j];
            }
            sum += Math.max(dot, 0.0);
        }
        return sum / k;
    }

    /** Labels y^j = f(Z^j, teacher) for every input of a flat (n, k, d) sample. */
    public double[] label(double[] patches, double[] teacher) {
        int n = sampleCount(patches);
        double[] labels = new double[n];
        for (int s = 0; s < n; s++) {
            labels[s] = output(patches, s * inputSize(), teacher);
        }
        return labels;
    }

    /** n i.i.d. inputs with N(0, 1) entries, shape (n, k, d) row-major. */
    public double[] sample(int n, RandomGenerator rng) {
        if (n < 1) {
            throw new IllegalArgumentException("samples must be >= 1, got " + n);
        }
        double[] patches = new double[flatSize("samples", n)];
        fillGaussian(patches, rng);
        return patches;
    }

    /**
     * Length of a flat (n, k, d) array, or an exception naming the count when it cannot be a Java
     * array (2^31 - 9 entries at most).
     *
     * @param what the name of the count n in the message ("samples", "batch")
     */
    public int flatSize(String what, int n) {
        long size = (long) n * inputSize();
        if (size > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException(what + " = " + n + " with k = " + k + " and d = " + d + " needs "
                    + size + " entries, more than the largest Java array");
        }
        return (int) size;
    }

    /** Overwrites {@code patches} with N(0, 1) draws. patches: modified. */
    static void fillGaussian(double[] patches, RandomGenerator rng) {
        for (int i = 0; i < patches.length; i++) {
            patches[i] = rng.nextGaussian();
        }
    }

    /** Number of inputs in a flat sample, checking that its length is a multiple of k * d. */
    public int sampleCount(double[] patches) {
        if (patches.length % inputSize() != 0) {
            throw new IllegalArgumentException("sample has " + patches.length
                    + " entries, not a multiple of k * d = " + inputSize());
        }
        return patches.length / inputSize();
    }

    /** Rejects a filter whose length is not d. */
    public void checkFilter(double[] w) {
        if (w.length != d) {
            throw new IllegalArgumentException("filter has " + w.length + " entries, expected d = " + d);
        }
    }
}
