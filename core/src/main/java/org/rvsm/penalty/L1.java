package org.rvsm.penalty;

/**
 * l1 penalty p(y) = |y|. Prox: soft thresholding T(x) = sgn(x) max(|x| - mu, 0), threshold mu.
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
        for (int i = 0; i < src.length; i++) {
            dst[i] = (float) soft(src[i], mu);
        }
    }

    /**
     * Soft thresholding, branch-free so the JIT can vectorise array loops. max() keeps NaN;
     * adding +0.0 turns the -0.0 that copySign gives negative inputs in the dead zone into +0.0.
     */
    static double soft(double x, double mu) {
        return Math.copySign(Math.max(Math.abs(x) - mu, 0.0), x) + 0.0;
    }
}
