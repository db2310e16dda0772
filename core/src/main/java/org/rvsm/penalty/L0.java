package org.rvsm.penalty;

/**
 * l0 penalty p(y) = 1{y != 0}. Prox: hard thresholding T(x) = x if |x| > sqrt(2 mu), else 0.
 *
 * <p>Tie: at |x| = sqrt(2 mu) exactly, 0 and x give the same objective value; this implementation
 * returns 0 (the sparser minimiser).
 */
public record L0() implements Penalty {

    @Override
    public String label() {
        return "l0";
    }

    @Override
    public double value(double y) {
        return y == 0.0 ? 0.0 : 1.0;
    }

    @Override
    public double threshold(double mu) {
        Penalty.checkMu(mu);
        return Math.sqrt(2.0 * mu);
    }

    /** mu(t*) = t*^2 / 2, the inverse of t* = sqrt(2 mu). */
    @Override
    public double muForThreshold(double t) {
        Penalty.checkThreshold(t);
        return t * t / 2.0;
    }

    @Override
    public double prox(double x, double mu) {
        double t = threshold(mu);
        return mu == 0.0 ? x : hard(x, t);
    }

    @Override
    public void prox(double[] src, double[] dst, double mu) {
        double t = threshold(mu);
        Penalty.checkLengths(src.length, dst.length);
        for (int i = 0; i < src.length; i++) {
            dst[i] = hard(src[i], t);
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
        // Branch-free on the bits: for non-negative floats the int order is the float order, so
        // |x| > t  <=>  bits(|x|) > bits(tf) with tf the largest float <= t. NaN bits exceed every
        // finite threshold, so NaN is kept. mask = -1 keeps x, 0 gives +0.0f.
        int thresholdBits = Float.floatToRawIntBits(largestFloatAtMost(t));
        for (int i = 0; i < src.length; i++) {
            int bits = Float.floatToRawIntBits(src[i]);
            int mask = (thresholdBits - (bits & 0x7fffffff)) >> 31;
            dst[i] = Float.intBitsToFloat(bits & mask);
        }
    }

    /**
     * The bits of the largest float <= threshold(mu): the float form keeps x exactly when
     * (bits(x) & 0x7fffffff) > this (used by fused kernels that inline the float form).
     */
    public int floatThresholdBits(double mu) {
        return Float.floatToRawIntBits(largestFloatAtMost(threshold(mu)));
    }

    /** The largest float <= t, for t >= 0 (Float.MAX_VALUE when t is beyond the float range); Tl1 uses it too. */
    static float largestFloatAtMost(double t) {
        float f = (float) t;
        return (double) f > t ? Math.nextDown(f) : f;
    }

    static double hard(double x, double t) {
        return !(Math.abs(x) <= t) ? x : 0.0;
    }
}
