package org.rvsm.optimizer;

import java.util.Arrays;
import org.rvsm.penalty.Penalty;
import org.rvsm.penalty.TransformedL1;

/**
 * Tl1's float operator T_mu for the RVSM step ({@link SplitSgd#rvsmStep}), block by block of at most
 * {@link #BLOCK} entries, so that the step can fuse it with its own pass while the block is in cache
 * (docs/math.md section 3.4, "the float form without trigonometry").
 *
 * <p>Contract: for every float x of a block, the value computed is
 * {@code (float) penalty.prox((double) x, mu)}, bit for bit (the float contract of
 * {@link Penalty#prox(float[], float[], double)}, docs/math.md section 3.7), whatever the
 * {@link Survivors} hint and whatever blocks, penalties or mu the instance saw before.
 *
 * <p>Entries with |x| <= t* (most of them in a sparse network) cost a compare and get +0. Only the
 * survivors (|x| > t*, and NaN) go through the cubic ({@link #squaredSine}): fewer than {@link #FEW}
 * in one scalar loop, more in loops over plain double arrays that the JIT vectorises. Both evaluate
 * the same expressions through the same helper methods, so they give the same bits. Where a result
 * might round to float differently from the trigonometric form ({@link #fits}), the trigonometric
 * form ({@link TransformedL1#prox(double, double)}) gives it.
 *
 * <p>An instance holds scratch arrays (about 120 KB) and the constants of one (penalty, mu), set by
 * {@link #configure} without allocating. It is not thread-safe: one per tensor, in that tensor's
 * {@link SplitSgd.Workspace}.
 */
final class Tl1Kernel {

    /** The most entries one call handles. */
    static final int BLOCK = 2048;

    /**
     * Below this many survivors in a block one scalar loop over them is faster than the vectorised
     * loops, each of which has a fixed cost.
     */
    private static final int FEW = 16;

    /** q = eps / 2 up to which the cubic is solved instead of calling asin and sin. */
    private static final double FAST_Q = 0.64;

    /**
     * Below one survivor in this many entries the walk ({@link #walk}) beats the gather
     * ({@link #gather}), whose cost per entry does not depend on how few survive.
     */
    private static final int SPARSE = 20;

    private static final float[] NOTHING = new float[BLOCK];
    private static final double[] ZERO = new double[BLOCK];

    private final float[] flags = new float[BLOCK];
    private final int[] at = new int[BLOCK];
    private final float[] values = new float[BLOCK];
    private final double[] x = new double[BLOCK];
    private final double[] q = new double[BLOCK];
    private final double[] z = new double[BLOCK];
    private final double[] y = new double[BLOCK];
    private final double[] num = new double[BLOCK];
    private final double[] den = new double[BLOCK];

    // the operator: set by configure
    private TransformedL1 penalty;
    private double mu;
    private double t;
    private double a;
    private double half27;
    private float floatThreshold;
    private int thresholdBits;
    private int steps;

    // the last survivors call: its block and its count
    private int blockFrom;
    private int blockTo;
    private int count;

    /** The survivors of the last block that were not in its hint (all of them without one). */
    private int lastNew;

    /**
     * Makes this the operator T_mu of the given penalty, for mu > 0; allocates nothing, and does
     * nothing when it already is. Returns this.
     */
    Tl1Kernel configure(TransformedL1 penalty, double mu) {
        if (penalty.equals(this.penalty) && Double.compare(mu, this.mu) == 0) {
            return this;
        }
        if (!(mu > 0.0)) {
            Penalty.checkMu(mu);
            throw new IllegalArgumentException("Tl1Kernel needs mu > 0, got " + mu);
        }
        this.penalty = penalty;
        this.mu = mu;
        this.t = penalty.threshold(mu);
        this.a = penalty.a();
        // eps / 2 = half27 / (a + |x|)^3
        this.half27 = 27.0 * mu * a * (a + 1.0) / 4.0;
        // |x| <= t exactly when |x| <= the largest float <= t, that is when the bits of |x| are at most its bits
        this.thresholdBits = penalty.floatThresholdBits(mu);
        this.floatThreshold = Float.intBitsToFloat(thresholdBits);
        // every survivor has |x| > t, so q < half27 / (a + t)^3
        this.steps = halleySteps(half27 / ((a + t) * (a + t) * (a + t)));
        this.lastNew = 0;
        return this;
    }

    /**
     * out[i] = T(src[i]) for from <= i < to (to - from <= {@link #BLOCK}); out may be src. Returns how
     * many entries of the block T keeps non-zero.
     */
    int compute(float[] src, int from, int to, float[] out) {
        if (to > out.length) {
            throw new IllegalArgumentException("Tl1Kernel: block [" + from + ", " + to + ") outside out, of "
                    + out.length);
        }
        int k = survivors(src, from, to, null);
        write(out);
        return k;
    }

    /**
     * T of the block of the last {@link #survivors} call into the same block of out: +0, then the
     * survivors' values. out may be that call's src (its inputs were read before).
     */
    void write(float[] out) {
        Arrays.fill(out, blockFrom, blockTo, 0.0f);
        for (int j = 0; j < count; j++) {
            out[at[j]] = values[j];
        }
    }

    /**
     * Finds the k entries of src[from, to) (to - from <= {@link #BLOCK}) that T keeps non-zero (|x| >
     * t, and NaN) and computes T there: afterwards, for j < k, {@link #index}(j) is the entry's index
     * in src, {@link #input}(j) its value and {@link #value}(j) T of it. T of every other entry of
     * the block is +0. Returns k.
     *
     * <p>Unless many survived last time (then a branch-free gather over the block finds them), the
     * block is copied into an array of this kernel's own, which stays in the L1 cache, and a
     * vectorised first look turns it into flags max(|x| - t, 0): +0 exactly where T gives +0. The
     * entries the hint names (where T kept src's entries last time, for blocks starting at a multiple
     * of {@link #BLOCK}) are looked at first and their flags cleared, and the JDK's intrinsic
     * {@link Arrays#mismatch} against zeros finds any others, walking from one to the next after a
     * block with few new ones, else a branch-free gather over the block. The hint, when given, is
     * updated; the result does not depend on it.
     */
    int survivors(float[] src, int from, int to, Survivors hint) {
        if (penalty == null) {
            throw new IllegalStateException("Tl1Kernel: not configured");
        }
        int n = to - from;
        if (n > BLOCK || n < 0 || from < 0 || to > src.length) {
            throw new IllegalArgumentException("Tl1Kernel: bad block [" + from + ", " + to + ") of "
                    + src.length);
        }
        if (hint != null && hint.at.length != src.length) {
            throw new IllegalArgumentException("Tl1Kernel: a hint for " + hint.at.length + " entries, not "
                    + src.length);
        }
        int block = from / BLOCK;
        boolean hinted = hint != null && from % BLOCK == 0;
        int known = hinted ? hint.count[block] : 0;
        int k;
        if (known * SPARSE >= BLOCK) { // many survived last time: gather them all
            k = gather(src, from, to, at, thresholdBits);
        } else {
            System.arraycopy(src, from, flags, 0, n);
            excess(flags, n, floatThreshold);
            k = 0;
            for (int h = 0; h < known; h++) {
                int i = hint.at[from + h];
                if (flags[i - from] != 0.0f) {
                    at[k++] = i;
                    flags[i - from] = 0.0f;
                }
            }
            int first = Arrays.mismatch(flags, 0, n, NOTHING, 0, n);
            int kept = k;
            if (first >= 0) {
                k = lastNew * SPARSE < BLOCK ? walk(flags, first, n, from, at, k)
                        : gather(src, from, to, at, thresholdBits);
            }
            lastNew = k - kept;
        }
        if (hinted) {
            System.arraycopy(at, 0, hint.at, from, k);
            hint.count[block] = k;
        }
        for (int j = 0; j < k; j++) {
            x[j] = src[at[j]];
        }
        blockFrom = from;
        blockTo = to;
        count = k;
        if (k < FEW) {
            few(k);
        } else {
            many(k);
        }
        return k;
    }

    /** The index in src of the j-th survivor of the last {@link #survivors} call. */
    int index(int j) {
        return at[j];
    }

    /** The j-th survivor's value x. */
    float input(int j) {
        return (float) x[j];
    }

    /** T(x) of the j-th survivor. */
    float value(int j) {
        return values[j];
    }

    /** The survivors one at a time, each through the whole computation. */
    private void few(int k) {
        for (int j = 0; j < k; j++) {
            double xj = x[j];
            double ax = Math.abs(xj);
            double qj = rhs(ax);
            double yj = magnitude(ax, squaredSine(qj, steps));
            values[j] = fits(yj, ax, qj) ? Math.copySign((float) yj, (float) xj) : trigonometric(xj);
        }
    }

    /** The survivors loop by loop over whole arrays, each loop small enough for the JIT to vectorise. */
    private void many(int k) {
        for (int j = 0; j < k; j++) {
            q[j] = rhs(Math.abs(x[j]));
        }
        for (int j = 0; j < k; j++) {
            z[j] = series(q[j]);
        }
        for (int step = 0; step < steps; step++) {
            for (int j = 0; j < k; j++) {
                double zj = z[j];
                double h = cubic(zj, q[j]);
                double d1 = slope(zj);
                num[j] = halleyNumerator(h, d1);
                den[j] = halleyDenominator(h, d1, zj);
            }
            for (int j = 0; j < k; j++) {
                z[j] = z[j] - num[j] / den[j];
            }
        }
        for (int j = 0; j < k; j++) {
            y[j] = magnitude(Math.abs(x[j]), z[j]);
        }
        for (int j = 0; j < k; j++) {
            num[j] = badness(y[j], Math.abs(x[j]), q[j]);
        }
        for (int j = 0; j < k; j++) {
            values[j] = Math.copySign((float) y[j], (float) x[j]);
        }
        int bad = Arrays.mismatch(num, 0, k, ZERO, 0, k);
        if (bad >= 0) { // rare: the trigonometric form for those
            for (int j = bad; j < k; j++) {
                if (!(num[j] == 0.0)) {
                    values[j] = trigonometric(x[j]);
                }
            }
        }
    }

    /** The double operator's value rounded to float: the reference this kernel must equal. */
    private float trigonometric(double xj) {
        return (float) penalty.prox(xj, mu);
    }

    /** q = eps / 2 = 27 mu a (a + 1) / (4 (a + |x|)^3), the right-hand side of the cubic in z. */
    private double rhs(double ax) {
        double apx = a + ax;
        return half27 / (apx * apx * apx);
    }

    /** |T(x)| = |x| - (4/3)(a + |x|) z, clamped to [0, |x|] (rounding, just above a continuous threshold). */
    private double magnitude(double ax, double zj) {
        return Math.min(Math.max(ax - (4.0 / 3.0) * (a + ax) * zj, 0.0), ax);
    }

    /**
     * +0 when y = |T(x)| may be rounded to float as it is ({@link #fits}), else positive or NaN:
     * the same test in arithmetic only, so that the loop using it vectorises.
     */
    static double badness(double yj, double ax, double qj) {
        double boundary = Math.abs(boundaryGap(yj, ax));
        return Math.max(Math.max(boundary, 0x1p-100 - yj), Math.max(yj - 0x1p100, qj - FAST_Q));
    }

    /**
     * Whether y = |T(x)| may be rounded to float as it is: no float rounding boundary within
     * 1e-13 |x| of y (y agrees with the trigonometric form only to a few double ulps of |x|, so near
     * a boundary the two might round differently), y in [2^-100, 2^100] (where float rounding is to
     * 24 bits) and q <= {@link #FAST_Q}. Otherwise (rarely) the trigonometric form is used.
     */
    static boolean fits(double yj, double ax, double qj) {
        return boundaryGap(yj, ax) == 0.0 && yj >= 0x1p-100 && yj <= 0x1p100 && qj <= FAST_Q;
    }

    /**
     * 0 when y -+ 1e-13 |x| round to the same 24-bit float, else not (or NaN): both are rounded by
     * Veltkamp's splitting (multiply by 2^29 + 1), in double arithmetic only.
     */
    private static double boundaryGap(double yj, double ax) {
        double e = 1e-13 * ax;
        double lo = yj - e;
        double hi = yj + e;
        double splitLo = 0x1.00000008p29 * lo;
        double splitHi = 0x1.00000008p29 * hi;
        return (splitHi - (splitHi - hi)) - (splitLo - (splitLo - lo));
    }

    /** flags[j] = max(|flags[j]| - t, 0) for j < n: +0 exactly when |x| <= t (NaN stays NaN). Vectorises. */
    private static void excess(float[] flags, int n, float t) {
        for (int j = 0; j < n; j++) {
            flags[j] = Math.max(Math.abs(flags[j]) - t, 0.0f);
        }
    }

    /**
     * base + the indices of the non-zero flags in [first, n), first = the first of them, into at from
     * at[k] on: {@link Arrays#mismatch} against zeros, vectorised, from one to the next.
     * Returns the new count.
     */
    private static int walk(float[] flags, int first, int n, int base, int[] at, int k) {
        int j = first;
        while (j < n) {
            int d = Arrays.mismatch(flags, j, n, NOTHING, 0, n - j);
            if (d < 0) {
                break;
            }
            at[k++] = base + j + d;
            j += d + 1;
        }
        return k;
    }

    /**
     * The indices i in [from, to) with |src[i]| above the float of the given bits (or NaN) into at;
     * their count.
     */
    private static int gather(float[] src, int from, int to, int[] at, int thresholdBits) {
        int k = 0;
        for (int i = from; i < to; i++) { // branch-free
            at[k] = i;
            k += (thresholdBits - (Float.floatToRawIntBits(src[i]) & 0x7fffffff)) >>> 31;
        }
        return k;
    }

    /**
     * Halley steps from the series that reach double precision for every q up to qMax: one up to 0.25,
     * two up to {@link #FAST_Q} (tested against the trigonometric form).
     */
    static int halleySteps(double qMax) {
        return qMax <= 0.25 ? 1 : 2;
    }

    /**
     * z = s^2 with s = sin(asin(sqrt(q)) / 3), for 0 <= q <= {@link #FAST_Q}: by the triple-angle
     * identity sqrt(q) = s (3 - 4 s^2), so z is the root in [0, 1/4] of the cubic
     * z (3 - 4 z)^2 = 16 z^3 - 24 z^2 + 9 z = q, simple there (the slope 9 - 48 z + 48 z^2 is at
     * least 4.9 for q <= 0.64). It starts from the root's series in q ({@link #series}) and takes
     * Halley steps, each with one division; no square root. The vectorised path ({@link #many})
     * evaluates the same helpers.
     */
    static double squaredSine(double q, int steps) {
        double z = series(q);
        for (int step = 0; step < steps; step++) {
            double h = cubic(z, q);
            double d1 = slope(z);
            z = z - halleyNumerator(h, d1) / halleyDenominator(h, d1, z);
        }
        return z;
    }

    /**
     * The root's series to q^6: z = q/9 + 8q^2/243 + 112q^3/6561 + 640q^4/59049 + 36608q^5/4782969
     * + 745472q^6/129140163 + ... (the fixed point of z = (q + 24 z^2 - 16 z^3) / 9, expanded in
     * exact rationals). Relative error 1.2e-5 at q = 0.25, 4.6e-3 at 0.64.
     */
    private static double series(double q) {
        return q * (1.0 / 9.0 + q * (8.0 / 243.0 + q * (112.0 / 6561.0 + q * (640.0 / 59049.0
                + q * (36608.0 / 4782969.0 + q * (745472.0 / 129140163.0))))));
    }

    /** 16 z^3 - 24 z^2 + 9 z - q. */
    private static double cubic(double z, double q) {
        return z * (9.0 + z * (-24.0 + z * 16.0)) - q;
    }

    /** The cubic's derivative 48 z^2 - 48 z + 9. */
    private static double slope(double z) {
        return 9.0 + z * (-48.0 + z * 48.0);
    }

    /** Halley's step is z - 2 h h' / (2 h'^2 - h h''), with h'' = 96 z - 48. */
    private static double halleyNumerator(double h, double d1) {
        return 2.0 * h * d1;
    }

    private static double halleyDenominator(double h, double d1, double z) {
        return 2.0 * d1 * d1 - h * (96.0 * z - 48.0);
    }

    /**
     * Where T kept a tensor's entries, block by block of {@link #BLOCK}, as last found by
     * {@link #survivors} on that tensor: a hint that makes finding them again cheap when they barely
     * change, as from one training step to the next. The result never depends on it; a stale or
     * fresh hint only costs time. One per tensor, for tensors of the given length.
     */
    static final class Survivors {

        private final int[] at;
        private final int[] count;

        Survivors(int length) {
            if (length < 0) {
                throw new IllegalArgumentException("Survivors: length " + length);
            }
            this.at = new int[length];
            this.count = new int[(length + BLOCK - 1) / BLOCK];
        }
    }
}
