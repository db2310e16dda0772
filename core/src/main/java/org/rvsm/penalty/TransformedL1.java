package org.rvsm.penalty;

/**
 * Transformed l1 penalty p_a(y) = (a+1)|y| / (a+|y|) with shape a > 0 (Zhang and Xin). It tends to
 * l0 as a -> 0+ and to l1 as a -> infinity.
 *
 * <p>Prox (docs/math.md section 3.4): T(x) = 0 for |x| <= t*, else
 * sgn(x) [ (2/3)(a+|x|) cos(phi/3) - 2a/3 + |x|/3 ] with
 * phi = arccos(1 - 27 mu a (a+1) / (2 (a+|x|)^3)).
 * It is evaluated in the algebraically identical form |x| - (4/3)(a+|x|) sin^2(phi/6) with
 * phi = 2 asin(sqrt(eps/2)), eps = 27 mu a (a+1) / (2 (a+|x|)^3), which avoids the cancellation of
 * the textbook form for large a or large |x|.
 *
 * <p>The float[] form is the double form rounded once to float, entry by entry (the Penalty
 * contract). It computes those bits with a block kernel ({@link Tl1Kernel}, also the RVSM training
 * step's), which solves a cubic instead of calling asin and sin, and falls back on this form only
 * where a result might round differently (docs/math.md section 3.4).
 *
 * <p>Threshold: t* = mu (a+1)/a if mu <= a^2 / (2(a+1)) (continuous regime), else
 * sqrt(2 mu (a+1)) - a/2 (jump regime; the tie at |x| = t* goes to 0). Its inverse
 * ({@link #muForThreshold}): mu = t* a/(a+1) if t* <= a/2, else (t* + a/2)^2 / (2(a+1)).
 */
public record TransformedL1(double a) implements Penalty {

    /** One kernel per thread, for the float[] prox: not thread-safe, and too big to allocate per call. */
    private static final ThreadLocal<Tl1Kernel> KERNELS = ThreadLocal.withInitial(Tl1Kernel::new);

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

    /**
     * mu(t*) = t* a/(a+1) when that mu is in the continuous regime ({@link #isContinuousRegime}, the
     * same as t* <= a/2), else the jump regime's (t* + a/2)^2 / (2(a+1)) (docs/math.md section 3.4).
     * Both give a^2 / (2(a+1)) at t* = a/2, so the inverse is continuous, like the threshold.
     */
    @Override
    public double muForThreshold(double t) {
        Penalty.checkThreshold(t);
        double continuous = t * a / (a + 1.0); // t = mu (a+1)/a
        if (isContinuousRegime(continuous)) {
            return continuous;
        }
        double root = t + a / 2.0; // t = sqrt(2 mu (a+1)) - a/2
        return root * root / (2.0 * (a + 1.0));
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

    /**
     * dst[i] = (float) prox((double) src[i], mu), bit for bit, computed by the block kernel
     * ({@link Tl1Kernel}: the cubic solved without asin and sin, in loops the JIT vectorises;
     * docs/math.md section 3.4) with scratch of the calling thread's own, allocated by its first
     * call (about 140 KB, kept while the thread lives); later calls allocate nothing.
     */
    @Override
    public void prox(float[] src, float[] dst, double mu) {
        Penalty.checkLengths(src.length, dst.length);
        threshold(mu); // checks mu
        if (mu == 0.0) {
            System.arraycopy(src, 0, dst, 0, src.length);
            return;
        }
        Tl1Kernel kernel = KERNELS.get().configure(this, mu);
        for (int from = 0; from < src.length; from += Tl1Kernel.BLOCK) {
            kernel.compute(src, from, Math.min(src.length, from + Tl1Kernel.BLOCK), dst);
        }
    }

    /**
     * The bits of the largest float <= threshold(mu): the float form keeps x exactly when
     * (bits(x) & 0x7fffffff) > this (used by fused kernels that inline the float form's dead zone).
     */
    public int floatThresholdBits(double mu) {
        return Float.floatToRawIntBits(L0.largestFloatAtMost(threshold(mu)));
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
