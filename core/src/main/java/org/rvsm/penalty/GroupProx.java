package org.rvsm.penalty;

/**
 * Group (structured) thresholding: the prox of mu * sum_g p(|x_g|_2) over disjoint groups, with p one
 * of the scalar penalties (group l1, group l0, group Tl1). By rotational symmetry the minimiser of
 * (1/2)|y - x_g|^2 + mu p(|y|) is aligned with x_g, so
 *
 * <pre>  T_group(x_g) = x_g * T(|x_g|) / |x_g|     (0 when T(|x_g|) = 0 or x_g = 0)</pre>
 *
 * where T is the scalar operator of p: a whole group (a neuron's incoming weights, a conv filter) is
 * zeroed at once, or shrunk as a block. With groups of size one it is the scalar operator itself.
 *
 * <p>Groups here are consecutive blocks of {@code size} entries, which is what the rows of a
 * row-major (out, in) weight and the filters of an (out, in, k, k) conv weight are. The norm is taken
 * in double. Sparse-group penalties (element-wise and group together) apply the element-wise
 * operator first and then this one: for l1 + group l1 that composition is the exact prox
 * (the sparse-group lasso); for the other pairs it is the usual approximation, stated as such.
 */
public final class GroupProx {

    private GroupProx() {
    }

    /**
     * dst = group prox of src with groups of {@code size} consecutive entries; src and dst may be the
     * same array. The length must be a multiple of size.
     */
    public static void prox(Penalty penalty, float[] src, float[] dst, int size, double mu) {
        check(src.length, dst.length, size, mu);
        for (int start = 0; start < src.length; start += size) {
            double sq = 0.0;
            for (int i = start; i < start + size; i++) {
                sq += (double) src[i] * src[i];
            }
            double norm = Math.sqrt(sq);
            double shrunk = norm == 0.0 ? 0.0 : penalty.prox(norm, mu);
            if (shrunk == 0.0) {
                java.util.Arrays.fill(dst, start, start + size, 0.0f);
            } else if (shrunk != norm) {
                double scale = shrunk / norm;
                for (int i = start; i < start + size; i++) {
                    dst[i] = (float) (src[i] * scale);
                }
            } else if (src != dst) {
                System.arraycopy(src, start, dst, start, size);
            }
        }
    }

    /** The same in double, for tests and small problems. */
    public static void prox(Penalty penalty, double[] src, double[] dst, int size, double mu) {
        check(src.length, dst.length, size, mu);
        for (int start = 0; start < src.length; start += size) {
            double sq = 0.0;
            for (int i = start; i < start + size; i++) {
                sq += src[i] * src[i];
            }
            double norm = Math.sqrt(sq);
            double scale = norm == 0.0 ? 0.0 : penalty.prox(norm, mu) / norm;
            for (int i = start; i < start + size; i++) {
                dst[i] = src[i] * scale + 0.0;
            }
        }
    }

    private static void check(int srcLength, int dstLength, int size, double mu) {
        Penalty.checkMu(mu);
        Penalty.checkLengths(srcLength, dstLength);
        if (size < 1 || srcLength % size != 0) {
            throw new IllegalArgumentException("group size " + size + " does not divide the length " + srcLength);
        }
    }
}
