package org.rvsm.teacher;

import org.rvsm.optimizer.DifferentiableObjective;

/**
 * The empirical loss over a fixed sample (rvsm-math.md section 1):
 *
 * <pre>
 *   l_n(w)      = (1/n) sum_j (f(Z^j,w) - y^j)^2
 *   grad l_n(w) = (2/(n k)) sum_j (f(Z^j,w) - y^j) sum_i 1{Z^j_i . w > 0} Z^j_i
 * </pre>
 *
 * <p>One pass over the sample computes both: per input, the k patch products, then the residual,
 * then the patches with a positive product are added into the gradient while still in cache.
 * Holds a k-sized scratch buffer, so one instance is not thread-safe.
 */
public final class EmpiricalLoss implements DifferentiableObjective {

    private final NoOverlapNetwork network;
    private final double[] patches; // (n, k, d) row-major
    private final double[] labels;  // (n)
    private final double[] scratch; // (k) patch products of the current input

    /**
     * @param patches a flat (n, k, d) sample, not copied (the caller must not modify it)
     * @param labels  y^j, length n, not copied
     */
    public EmpiricalLoss(NoOverlapNetwork network, double[] patches, double[] labels) {
        int n = network.sampleCount(patches);
        if (labels.length != n) {
            throw new IllegalArgumentException("labels has " + labels.length + " entries, expected n = " + n);
        }
        this.network = network;
        this.patches = patches;
        this.labels = labels;
        this.scratch = new double[network.k()];
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
        return evaluate(network.k(), network.d(), labels.length, patches, labels, w, gradient, scratch);
    }

    /**
     * The fused kernel over the first n inputs of {@code patches}. gradient and scratch: modified.
     */
    static double evaluate(int k, int d, int n, double[] patches, double[] labels, double[] w,
                           double[] gradient, double[] scratch) {
        java.util.Arrays.fill(gradient, 0.0);
        double lossSum = 0.0;
        int stride = k * d;
        for (int s = 0; s < n; s++) {
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
                        axpy(residual, patches, base + i * d, gradient, d);
                    }
                }
            }
        }
        double scale = 2.0 / ((double) n * k);
        for (int j = 0; j < d; j++) {
            gradient[j] *= scale;
        }
        return lossSum / n;
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

    /** y += alpha x[off..off+d). y: modified. */
    private static void axpy(double alpha, double[] x, int off, double[] y, int d) {
        for (int j = 0; j < d; j++) {
            y[j] += alpha * x[off + j];
        }
    }
}
