package org.rvsm.nn.train;

import ai.djl.ndarray.NDArray;
import org.rvsm.penalty.L0;
import org.rvsm.penalty.L1;
import org.rvsm.penalty.Penalty;
import org.rvsm.penalty.TransformedL1;

/**
 * The thresholding operators of {@link Penalty} as engine tensor operations (float32), so that
 * u = T_mu(w) runs where the weights live. They are the same formulas as the core operators and
 * agree with {@code Penalty.prox(float[], float[], mu)} to float precision (tested on random
 * tensors); the dead zone is the same (|w| <= t*), and thresholded entries are exact zeros.
 */
public final class TensorProx {

    private TensorProx() {
    }

    /** A new array T_mu(w); w is not modified. Temporaries belong to w's manager (use an NDScope). */
    public static NDArray prox(Penalty penalty, NDArray w, double mu) {
        Penalty.checkMu(mu);
        if (mu == 0.0) {
            return w.duplicate();
        }
        if (penalty instanceof L1) {
            float m = (float) mu; // as the core float[] form: x - clamp(x, -mu, mu)
            return w.sub(w.clip(-m, m));
        }
        if (penalty instanceof L0) {
            return keepAbove(w, w, penalty.threshold(mu));
        }
        if (penalty instanceof TransformedL1 tl1) {
            double a = tl1.a();
            NDArray ax = w.abs();
            NDArray apx = ax.add((float) a);
            // eps = 27 mu a (a+1) / (2 (a+|x|)^3); phi = 2 asin(sqrt(eps/2)); y = |x| - (4/3)(a+|x|) sin^2(phi/6)
            NDArray eps = apx.pow(3).mul(2.0f).pow(-1).mul((float) (27.0 * mu * a * (a + 1.0)));
            NDArray phi = eps.div(2.0f).minimum(1.0f).sqrt().asin().mul(2.0f);
            NDArray s = phi.div(6.0f).sin();
            NDArray y = ax.sub(apx.mul(s).mul(s).mul(4.0f / 3.0f)).maximum(0.0f).minimum(ax);
            return keepAbove(w.sign().mul(y), w, penalty.threshold(mu));
        }
        throw new IllegalStateException("unknown penalty " + penalty);
    }

    /** value where |w| > t (as the core: the largest float <= t decides), +0 elsewhere. */
    private static NDArray keepAbove(NDArray value, NDArray w, double t) {
        float tf = (float) t;
        if ((double) tf > t) {
            tf = Math.nextDown(tf);
        }
        NDArray keep = w.abs().gt(tf).toType(value.getDataType(), false);
        // value * 1 or value * 0; adding 0 turns -0 into +0
        return value.mul(keep).add(0.0f);
    }
}
