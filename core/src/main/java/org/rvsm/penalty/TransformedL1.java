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
 * triple-angle cubic 4 s^3 - 3 s + sqrt(eps/2) = 0, found by Newton's method in double. Where that
 * value sits within 1e-13 |x| of a float rounding boundary it defers to the trigonometric form, so the
 * Penalty contract (equal to the double form rounded to float, bit for bit) still holds, and is tested.
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
        double t = threshold(mu);
        Penalty.checkLengths(src.length, dst.length);
        if (mu == 0.0) {
            System.arraycopy(src, 0, dst, 0, src.length);
            return;
        }
        // eps / 2 = half27 / (a + |x|)^3; the kept branch needs s = sin(asin(r) / 3) with r = sqrt(eps / 2)
        double half27 = 27.0 * mu * a * (a + 1.0) / 4.0;
        for (int i = 0; i < src.length; i++) {
            float x = src[i];
            double ax = Math.abs(x);
            if (ax <= t) {
                dst[i] = 0.0f;
                continue;
            }
            double apx = a + ax;
            double r2 = half27 / (apx * apx * apx);
            if (!(r2 <= FAST_R2) || Double.isInfinite(ax)) { // NaN and infinity too
                dst[i] = (float) shrink(x, mu, t);
                continue;
            }
            double y = Math.min(Math.max(ax - (4.0 / 3.0) * apx * cubicRoot(r2), 0.0), ax);
            float f = (float) y;
            // y agrees with shrink's trigonometric evaluation to a few double ulps of |x|; where it lies
            // that close to a float rounding boundary, take shrink's value so that the rounding is the same
            double boundary = y >= f ? (double) f + 0.5 * Math.ulp(f) : (double) f - 0.5 * Math.ulp(f);
            if (Math.abs(boundary - y) <= 1e-13 * ax) {
                dst[i] = (float) shrink(x, mu, t);
            } else {
                dst[i] = Math.copySign(f, x) + 0.0f;
            }
        }
    }

    /** r^2 = eps / 2 up to which the float form solves the cubic instead of calling asin and sin. */
    private static final double FAST_R2 = 0.64;

    /**
     * s^2 with s = sin(asin(r) / 3), the root in [0, 1/2] of 4 s^3 - 3 s + r = 0 (the triple-angle
     * identity), for r^2 <= {@link #FAST_R2}: the series r/3 + 4r^3/81 + 16r^5/729 refined by Newton
     * steps. There the root is simple (the cubic's slope is below -1.8) and Newton converges
     * quadratically from the series, whose error is below 0.014 r^7: two steps reach double precision
     * for r <= 0.2 (deep networks' small mu), four for the rest. Double rounding leaves a few ulps
     * (tested against the trigonometric form).
     */
    static double cubicRoot(double r2) {
        double r = Math.sqrt(r2);
        double s = r * (1.0 / 3.0 + r2 * (4.0 / 81.0 + r2 * (16.0 / 729.0)));
        int steps = r2 <= 0.04 ? 2 : 4;
        for (int k = 0; k < steps; k++) {
            double s2 = s * s;
            s -= (4.0 * s2 * s - 3.0 * s + r) / (12.0 * s2 - 3.0);
        }
        return s * s;
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
