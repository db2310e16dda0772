package org.rvsm.penalty;

/**
 * l1 penalty p(y) = |y|. Prox: soft thresholding T(x) = sgn(x) max(|x| - mu, 0), threshold mu,
 * evaluated as x - clamp(x, -mu, mu), which is the same number and has no branch or sign
 * manipulation, so the JIT vectorises the array loops.
 *
 * <p>The {@code float[]} form works in float arithmetic with mu rounded to float (mu' = (float) mu):
 * its result equals {@code (float) prox((double) x, mu')} bit for bit, because a float difference
 * computed in double and rounded to float is rounded only once in effect (53 >= 2 * 24 + 2).
 */
public record L1() implements Penalty {

    @Override
    public String label() {
        return "l1";
    }

    @Override
    public double value(double y) {
        return Math.abs(y);
    }

    @Override
    public double threshold(double mu) {
        Penalty.checkMu(mu);
        return mu;
    }

    /** mu(t*) = t*: the threshold is mu itself. */
    @Override
    public double muForThreshold(double t) {
        Penalty.checkThreshold(t);
        return t;
    }

    @Override
    public double prox(double x, double mu) {
        Penalty.checkMu(mu);
        return mu == 0.0 ? x : soft(x, mu);
    }

    @Override
    public void prox(double[] src, double[] dst, double mu) {
        Penalty.checkMu(mu);
        Penalty.checkLengths(src.length, dst.length);
        if (mu == 0.0) {
            System.arraycopy(src, 0, dst, 0, src.length);
            return;
        }
        for (int i = 0; i < src.length; i++) {
            dst[i] = soft(src[i], mu);
        }
    }

    @Override
    public void prox(float[] src, float[] dst, double mu) {
        Penalty.checkMu(mu);
        Penalty.checkLengths(src.length, dst.length);
        if (mu == 0.0) {
            System.arraycopy(src, 0, dst, 0, src.length);
            return;
        }
        float m = (float) mu;
        float minusM = -m;
        for (int i = 0; i < src.length; i++) {
            float x = src[i];
            dst[i] = x - Math.max(minusM, Math.min(x, m));
        }
    }

    /**
     * Soft thresholding as x - clamp(x, -mu, mu): x - mu above mu, x + mu below -mu, and x - x = +0.0
     * in the dead zone. min and max propagate NaN.
     */
    static double soft(double x, double mu) {
        return x - Math.max(-mu, Math.min(x, mu));
    }
}
