package org.rvsm.penalty;

/**
 * Transformed l1 penalty p_a(y) = (a+1)|y| / (a+|y|) with shape a > 0 (Zhang and Xin). It tends to
 * l0 as a -> 0+ and to l1 as a -> infinity.
 *
 * <p>Prox (rvsm-math.md section 3): T(x) = 0 for |x| <= t*, else
 * sgn(x) [ (2/3)(a+|x|) cos(phi/3) - 2a/3 + |x|/3 ] with
 * phi = arccos(1 - 27 mu a (a+1) / (2 (a+|x|)^3)).
 * It is evaluated in the algebraically identical form |x| - (4/3)(a+|x|) sin^2(phi/6) with
 * phi = 2 asin(sqrt(eps/2)), eps = 27 mu a (a+1) / (2 (a+|x|)^3), which avoids the cancellation of
 * the textbook form for large a or large |x|.
 *
 * <p>The float[] form (network weights, every training step) avoids asin and sin where eps/2 <= 0.64,
 * which covers the small mu of deep networks: s = sin(phi/6) is then the simple root of the
 * triple-angle cubic 4 s^3 - 3 s + sqrt(eps/2) = 0, found by Newton's method in double, only for the
 * weights above the threshold ({@link FloatProx}). Where that value sits within 1e-13 |x| of a float
 * rounding boundary it defers to the trigonometric form, so the Penalty contract (equal to the double
 * form rounded to float, bit for bit) still holds, and is tested.
 *
 * <p>Threshold: t* = mu (a+1)/a if mu <= a^2 / (2(a+1)) (continuous regime), else
 * sqrt(2 mu (a+1)) - a/2 (jump regime; the tie at |x| = t* goes to 0).
 */
public record TransformedL1(double a) implements Penalty {

    public TransformedL1 {
        if (!(a > 0.0) || Double.isInfinite(a)) {
            throw new IllegalArgumentException("a must be finite and > 0, got " + a);
        }
    }

    @Override
    public String label() {
        return "tl1(a=" + a + ")";
    }

    @Override
    public double value(double y) {
        double ay = Math.abs(y);
        if (Double.isInfinite(ay)) {
            return a + 1.0;
        }
        return (a + 1.0) * ay / (a + ay);
    }

    /** True when mu <= a^2 / (2(a+1)): the prox is continuous in x (no jump at the threshold). */
    public boolean isContinuousRegime(double mu) {
        Penalty.checkMu(mu);
        return mu <= a * a / (2.0 * (a + 1.0));
    }

    @Override
    public double threshold(double mu) {
        return isContinuousRegime(mu) ? mu * (a + 1.0) / a : Math.sqrt(2.0 * mu * (a + 1.0)) - a / 2.0;
    }

    @Override
    public double prox(double x, double mu) {
        double t = threshold(mu);
        return mu == 0.0 ? x : shrink(x, mu, t);
    }

    @Override
    public void prox(double[] src, double[] dst, double mu) {
        double t = threshold(mu);
        Penalty.checkLengths(src.length, dst.length);
        if (mu == 0.0) {
            System.arraycopy(src, 0, dst, 0, src.length);
            return;
        }
        for (int i = 0; i < src.length; i++) {
            dst[i] = shrink(src[i], mu, t);
        }
    }

    @Override
    public void prox(float[] src, float[] dst, double mu) {
        Penalty.checkLengths(src.length, dst.length);
        if (mu == 0.0) {
            System.arraycopy(src, 0, dst, 0, src.length);
            return;
        }
        FloatProx block = floatProx(mu);
        for (int from = 0; from < src.length; from += FloatProx.BLOCK) {
            block.apply(src, dst, from, Math.min(src.length, from + FloatProx.BLOCK));
        }
    }

    /** The float[] operator for one mu > 0, to be applied block by block (see {@link FloatProx}). */
    public FloatProx floatProx(double mu) {
        if (!(mu > 0.0)) {
            Penalty.checkMu(mu);
            throw new IllegalArgumentException("floatProx needs mu > 0, got " + mu);
        }
        return new FloatProx(this, mu);
    }

    /**
     * The float[] form for one mu on blocks of at most {@link #BLOCK} entries, so that callers can fuse
     * it with their own pass while the block is in cache (the RVSM step does). Weights at or below the
     * threshold, most of them in a sparse network, cost a compare: {@link #survivors} finds a block's
     * entries above it, and only they go through the cubic, in loops over plain double arrays with a
     * fixed number of Newton steps. Holds scratch arrays and state: one instance per thread.
     */
    public static final class FloatProx {

        /** The most entries one call handles. */
        public static final int BLOCK = 512;

        private final TransformedL1 penalty;
        private final double mu;
        private final double t;
        private final double a;
        private final double half27;
        private final float floatThreshold;
        private final int thresholdBits;
        private final int steps;
        private final int[] at = new int[BLOCK];
        private final double[] x = new double[BLOCK];
        private final float[] u = new float[BLOCK];
        private final double[] r2 = new double[BLOCK];
        private final double[] s = new double[BLOCK];
        private final double[] r = new double[BLOCK];
        private final double[] y = new double[BLOCK];

        private FloatProx(TransformedL1 penalty, double mu) {
            this.penalty = penalty;
            this.mu = mu;
            this.t = penalty.threshold(mu);
            this.a = penalty.a;
            // eps / 2 = half27 / (a + |x|)^3; the kept branch needs s = sin(asin(r) / 3) with r = sqrt(eps / 2)
            this.half27 = 27.0 * mu * a * (a + 1.0) / 4.0;
            // |x| <= t exactly when |x| <= the largest float <= t, that is when the bits of |x| are at most its bits
            this.floatThreshold = L0.largestFloatAtMost(t);
            this.thresholdBits = Float.floatToRawIntBits(floatThreshold);
            // every survivor has |x| > t, so r^2 < half27 / (a + t)^3
            this.steps = newtonSteps(half27 / ((a + t) * (a + t) * (a + t)));
        }

        /** dst[i] = T(src[i]) for from <= i < to, with to - from <= {@link #BLOCK}; dst may be src. */
        public void apply(float[] src, float[] dst, int from, int to) {
            if (to > dst.length) {
                throw new IllegalArgumentException("FloatProx: block [" + from + ", " + to + ") outside dst");
            }
            int k = survivors(src, from, to, null);
            java.util.Arrays.fill(dst, from, to, 0.0f);
            for (int j = 0; j < k; j++) {
                dst[at[j]] = u[j];
            }
        }

        /**
         * Finds the k entries of src[from, to) (to - from <= {@link #BLOCK}) that T keeps non-zero (|x| >
         * t, and NaN) and computes T there: afterwards, for j < k, {@link #index}(j) is the entry's index
         * in src (increasing), {@link #input}(j) its value and {@link #value}(j) T of it. Every other
         * entry of the block has T = +0. Returns k.
         *
         * <p>With a scratch array (as long as src) a vectorised first look finds blocks where nothing
         * survives, the common case in a sparse network, at a fraction of the gather's cost: flags
         * max(|x| - t, 0) (NaN kept) written into scratch's block and compared with zeros by the JDK's
         * intrinsic {@link java.util.Arrays#mismatch}. The flags stay there: +0 exactly where T gives
         * +0, so writing the survivors' values over them makes scratch's block T of src's.
         */
        public int survivors(float[] src, int from, int to, float[] scratch) {
            if (to - from > BLOCK || from < 0 || to > src.length) {
                throw new IllegalArgumentException("FloatProx: bad block [" + from + ", " + to + ")");
            }
            if (scratch != null && scratch.length != src.length) {
                throw new IllegalArgumentException("FloatProx: scratch of length " + scratch.length + " for " + src.length);
            }
            int k;
            if (scratch != null) {
                excess(src, scratch, from, to, floatThreshold);
                int first = java.util.Arrays.mismatch(scratch, from, to, NOTHING, 0, to - from);
                // after a sparse block, walk from survivor to survivor; else the branch-free gather
                k = first < 0 ? 0 : lastCount * SPARSE < BLOCK ? walk(scratch, from + first, to, at)
                        : gather(src, from, to, at, thresholdBits);
                lastCount = k;
                if (k == 0) {
                    return 0;
                }
            } else {
                k = gather(src, from, to, at, thresholdBits);
            }
            for (int j = 0; j < k; j++) {
                x[j] = src[at[j]];
            }
            for (int j = 0; j < k; j++) {
                double apx = a + Math.abs(x[j]);
                r2[j] = half27 / (apx * apx * apx);
            }
            squaredRoots(r2, r, s, k, steps);
            roundingTest(k);
            for (int j = 0; j < k; j++) {
                u[j] = (float) y[j];
            }
            for (int j = 0; j < k; j++) {
                double yj = Math.abs(y[j]);
                if (s[j] != 0.0 || !(yj >= 0x1p-100 && yj <= 0x1p100) || !(r2[j] <= FAST_R2)) {
                    // near a float rounding boundary, near 0, NaN or infinite: the trigonometric form
                    u[j] = (float) penalty.shrink(x[j], mu, t);
                }
            }
            return k;
        }

        private static final float[] NOTHING = new float[BLOCK];

        /** flags[i] = max(|src[i]| - t, 0): +0 exactly when |src[i]| <= t (NaN stays NaN). Vectorises. */
        private static void excess(float[] src, float[] flags, int from, int to, float t) {
            for (int i = from; i < to; i++) {
                flags[i] = Math.max(Math.abs(src[i]) - t, 0.0f);
            }
        }

        /**
         * Below one survivor in this many entries the walk ({@link #walk}) beats the gather, which
         * costs about a nanosecond per entry however few survive (measured at 4.6%: equal).
         */
        private static final int SPARSE = 20;

        /** The survivors of the last block looked at with a scratch array. */
        private int lastCount;

        /**
         * The indices of the non-zero flags in [from, to), from = the first of them, into at (their
         * count): {@link java.util.Arrays#mismatch} against zeros, vectorised, from one to the next.
         */
        private static int walk(float[] flags, int from, int to, int[] at) {
            int k = 0;
            int i = from;
            while (i < to) {
                int d = java.util.Arrays.mismatch(flags, i, to, NOTHING, 0, to - i);
                if (d < 0) {
                    break;
                }
                at[k++] = i + d;
                i += d + 1;
            }
            return k;
        }

        /** The indices i in [from, to) with |src[i]| above the float of the given bits (or NaN) into at; their count. */
        private static int gather(float[] src, int from, int to, int[] at, int thresholdBits) {
            int k = 0;
            for (int i = from; i < to; i++) { // branch-free
                at[k] = i;
                k += (thresholdBits - (Float.floatToRawIntBits(src[i]) & 0x7fffffff)) >>> 31;
            }
            return k;
        }

        /** The index in src of the j-th survivor of the last {@link #survivors} call. */
        public int index(int j) {
            return at[j];
        }

        /** The j-th survivor's value x. */
        public float input(int j) {
            return (float) x[j];
        }

        /** T(x) of the j-th survivor. */
        public float value(int j) {
            return u[j];
        }

        /**
         * y[j] = T(x) = sgn(x) (|x| - (4/3)(a + |x|) s^2), the magnitude clamped to [0, |x|]; s[j]
         * becomes 0 unless a float rounding boundary lies within 1e-13 |x| of y (then y, which agrees with
         * the trigonometric form only to a few double ulps of |x|, might round differently). y -+ 1e-13 |x| are rounded to
         * float's 24 bits by Veltkamp's splitting (multiply by 2^29 + 1), in double arithmetic only, so
         * that the loop vectorises; different results mean a boundary in between. Valid for y in
         * [2^-100, 2^100], where float rounding is to 24 bits; the caller checks that.
         */
        private void roundingTest(int k) {
            for (int j = 0; j < k; j++) {
                double ax = Math.abs(x[j]);
                double yj = Math.min(Math.max(ax - (4.0 / 3.0) * (a + ax) * s[j], 0.0), ax);
                double e = 1e-13 * ax;
                double lo = yj - e;
                double hi = yj + e;
                double splitLo = 0x1.00000008p29 * lo;
                double splitHi = 0x1.00000008p29 * hi;
                y[j] = yj * (x[j] / ax); // the sign of x (survivors are not 0; infinity and NaN are redone)
                s[j] = (splitHi - (splitHi - hi)) - (splitLo - (splitLo - lo));
            }
        }
    }

    /** r^2 = eps / 2 up to which the float form solves the cubic instead of calling asin and sin. */
    private static final double FAST_R2 = 0.64;

    /** Newton steps from the series that reach double precision for every r^2 up to r2Max (tested). */
    static int newtonSteps(double r2Max) {
        return r2Max <= 0.25 ? 2 : 3;
    }

    /**
     * s[j] = s^2 with s = sin(asin(r) / 3) for r^2 = r2[j], j < k (r is scratch): s is the root in
     * [0, 1/2] of 4 s^3 - 3 s + r = 0 (the triple-angle identity), for r^2 <= {@link #FAST_R2}: the
     * series r/3 + 4r^3/81 + 16r^5/729 refined by Newton steps. There the root is simple (the cubic's
     * slope is below -1.8) and Newton converges quadratically from the series, whose error is below
     * 0.014 r^7: two steps reach double precision for r^2 <= 0.25, three for the rest (measured:
     * relative error 1.1e-15 and 1.2e-15 against six steps). Double rounding leaves a few ulps (tested
     * against the trigonometric form). Loops over whole arrays, so that the JIT vectorises them.
     */
    static void squaredRoots(double[] r2, double[] r, double[] s, int k, int steps) {
        for (int j = 0; j < k; j++) {
            double q = r2[j];
            double rj = Math.sqrt(q);
            r[j] = rj;
            s[j] = rj * (1.0 / 3.0 + q * (4.0 / 81.0 + q * (16.0 / 729.0)));
        }
        for (int step = 0; step < steps; step++) {
            for (int j = 0; j < k; j++) {
                double sj = s[j];
                double sq = sj * sj;
                s[j] = sj - (4.0 * sq * sj - 3.0 * sj + r[j]) / (12.0 * sq - 3.0);
            }
        }
        for (int j = 0; j < k; j++) {
            s[j] = s[j] * s[j];
        }
    }

    /** The non-zero branch with the dead zone |x| <= t applied first (NaN falls through to NaN). */
    private double shrink(double x, double mu, double t) {
        double ax = Math.abs(x);
        if (ax <= t) {
            return 0.0;
        }
        if (Double.isInfinite(ax)) {
            return x;
        }
        double apx = a + ax;
        double eps = 27.0 * mu * a * (a + 1.0) / (2.0 * apx * apx * apx);
        double phi = eps >= 2.0 ? Math.PI : 2.0 * Math.asin(Math.sqrt(0.5 * eps));
        double s = Math.sin(phi / 6.0);
        double y = ax - (4.0 / 3.0) * apx * s * s;
        // rounding can push y a hair outside [0, |x|] just above a continuous threshold
        y = Math.min(Math.max(y, 0.0), ax);
        return Math.copySign(y, x) + 0.0;
    }
}
