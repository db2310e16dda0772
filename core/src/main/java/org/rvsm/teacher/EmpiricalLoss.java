package org.rvsm.teacher;

import org.rvsm.optimizer.DifferentiableObjective;

/**
 * The empirical loss over a fixed sample (docs/math.md section 1.6):
 *
 * <pre>
 *   l_n(w)      = (1/n) sum_j (f(Z^j,w) - y^j)^2
 *   grad l_n(w) = (2/(n k)) sum_j (f(Z^j,w) - y^j) sum_i 1{Z^j_i . w > 0} Z^j_i
 * </pre>
 *
 * <p>One pass over the sample computes both: per input, the k patch products, then the residual,
 * then the patches with a positive product are added into the gradient while still in cache.
 *
 * <p>Parallel and deterministic: the sample is cut into fixed chunks of {@value #CHUNK} inputs, each
 * chunk sums into its own partial gradient, and the partials are added in chunk order. The chunking
 * does not depend on the number of threads, so the result is the same bits on 1 or 64 cores.
 * Instances are safe to share between threads.
 */
public final class EmpiricalLoss implements DifferentiableObjective {

    private final NoOverlapNetwork network;
    private final double[] patches; // (n, k, d) row-major
    private final double[] labels;  // (n)
    private final boolean parallel;

    /** Inputs per chunk: the unit of parallel work and of the fixed summation order. */
    public static final int CHUNK = 2048;

    /**
     * @param patches a flat (n, k, d) sample, not copied (the caller must not modify it)
     * @param labels  y^j, length n, not copied
     */
    public EmpiricalLoss(NoOverlapNetwork network, double[] patches, double[] labels) {
        this(network, patches, labels, true);
    }

    /**
     * @param parallel false runs the chunks one after the other on the calling thread (same result,
     *                 bit for bit); for measuring the single-core kernel
     */
    public EmpiricalLoss(NoOverlapNetwork network, double[] patches, double[] labels, boolean parallel) {
        int n = network.sampleCount(patches);
        if (labels.length != n) {
            throw new IllegalArgumentException("labels has " + labels.length + " entries, expected n = " + n);
        }
        this.network = network;
        this.patches = patches;
        this.labels = labels;
        this.parallel = parallel;
    }

    /** A teacher-labelled loss: y^j = f(Z^j, teacher). */
    public static EmpiricalLoss labelledBy(NoOverlapNetwork network, double[] patches, double[] teacher) {
        return new EmpiricalLoss(network, patches, network.label(patches, teacher));
    }

    /** Number of inputs n. */
    public int sampleCount() {
        return labels.length;
    }

    @Override
    public int dimension() {
        return network.d();
    }

    @Override
    public double lossAndGradient(double[] w, double[] gradient) {
        network.checkFilter(w);
        network.checkFilter(gradient);
        return evaluate(network.k(), network.d(), labels.length, patches, labels, w, gradient, parallel);
    }

    /**
     * The loss and gradient over the first n inputs, chunked as described in the class comment.
     * gradient: modified.
     */
    static double evaluate(int k, int d, int n, double[] patches, double[] labels, double[] w,
                           double[] gradient, boolean parallel) {
        int chunks = (n + CHUNK - 1) / CHUNK;
        double[] partialGradients = new double[chunks * d]; // (chunks, d)
        double[] partialLosses = new double[chunks];
        java.util.stream.IntStream range = java.util.stream.IntStream.range(0, chunks);
        (parallel && chunks > 1 ? range.parallel() : range).forEach(c -> {
            int from = c * CHUNK;
            int to = Math.min(n, from + CHUNK);
            partialLosses[c] = accumulate(k, d, from, to, patches, labels, w, partialGradients, c * d,
                    new double[k]);
        });
        java.util.Arrays.fill(gradient, 0.0);
        double lossSum = 0.0;
        for (int c = 0; c < chunks; c++) {
            lossSum += partialLosses[c];
            for (int j = 0; j < d; j++) {
                gradient[j] += partialGradients[c * d + j];
            }
        }
        double scale = 2.0 / ((double) n * k);
        for (int j = 0; j < d; j++) {
            gradient[j] *= scale;
        }
        return lossSum / n;
    }

    /**
     * The fused kernel over inputs [from, to): adds sum_j r_j sum_{i: Z_i.w > 0} Z^j_i into
     * out[off..off+d) and returns sum_j r_j^2, with r_j = f(Z^j, w) - y^j. out and scratch: modified.
     */
    private static double accumulate(int k, int d, int from, int to, double[] patches, double[] labels,
                                     double[] w, double[] out, int off, double[] scratch) {
        double lossSum = 0.0;
        int stride = k * d;
        for (int s = from; s < to; s++) {
            int base = s * stride;
            double activation = 0.0;
            for (int i = 0; i < k; i++) {
                double product = dot(patches, base + i * d, w, d);
                scratch[i] = product;
                if (product > 0.0) {
                    activation += product;
                }
            }
            double residual = activation / k - labels[s];
            lossSum += residual * residual;
            if (residual != 0.0) {
                for (int i = 0; i < k; i++) {
                    if (scratch[i] > 0.0) {
                        axpy(residual, patches, base + i * d, out, off, d);
                    }
                }
            }
        }
        return lossSum;
    }

    /**
     * x[off..off+d) . w with eight independent accumulators: the JIT keeps FP sums in order, so a
     * single accumulator would be bound by the add latency rather than by memory.
     */
    private static double dot(double[] x, int off, double[] w, int d) {
        double s0 = 0.0;
        double s1 = 0.0;
        double s2 = 0.0;
        double s3 = 0.0;
        double s4 = 0.0;
        double s5 = 0.0;
        double s6 = 0.0;
        double s7 = 0.0;
        int j = 0;
        for (; j + 7 < d; j += 8) {
            int o = off + j;
            s0 += x[o] * w[j];
            s1 += x[o + 1] * w[j + 1];
            s2 += x[o + 2] * w[j + 2];
            s3 += x[o + 3] * w[j + 3];
            s4 += x[o + 4] * w[j + 4];
            s5 += x[o + 5] * w[j + 5];
            s6 += x[o + 6] * w[j + 6];
            s7 += x[o + 7] * w[j + 7];
        }
        for (; j < d; j++) {
            s0 += x[off + j] * w[j];
        }
        return ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7));
    }

    /** y[yOff..yOff+d) += alpha x[xOff..xOff+d). y: modified. */
    private static void axpy(double alpha, double[] x, int xOff, double[] y, int yOff, int d) {
        for (int j = 0; j < d; j++) {
            y[yOff + j] += alpha * x[xOff + j];
        }
    }
}
