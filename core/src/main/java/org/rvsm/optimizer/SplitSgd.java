package org.rvsm.optimizer;

import org.rvsm.penalty.L0;
import org.rvsm.penalty.L1;
import org.rvsm.penalty.Penalty;
import org.rvsm.penalty.Tl1Kernel;
import org.rvsm.penalty.TransformedL1;

/**
 * RVSM with SGD momentum on one float tensor, for deep-learning training loops: the engine computes
 * the loss gradient g, and this does the rest in one pass on the JVM (docs/math.md sections 2.2 and 5.1):
 *
 * <pre>
 *   u = T_{lambda/beta}(w)         (the sparse copy of the current w)
 *   v = m v + g + beta (w - u)     (the gradient of L_beta in w)
 *   w = w - lr v
 * </pre>
 *
 * RVSM's u is always T(w) of the latest w, so it is not stored: the step recomputes it on the fly
 * (for l1, w - u is simply clamp(w, -mu, mu)), and the step streams exactly the memory of plain SGD
 * with momentum ({@link #momentumStep}, the dense baseline). Callers materialise u with
 * {@link Penalty#prox(float[], float[], double)} when they need it (evaluation, export). A mask
 * (1 keep, 0 drop) can be held by the momentum step (magnitude pruning, and RVSM's debiasing with u's
 * support frozen).
 *
 * <p>Training loops should call {@link #flushTiny} on w and v every hundred steps or so: the split
 * pulls dropped weights geometrically toward 0, and as float subnormals they make CPU arithmetic (the
 * JVM's and the engine's) several times slower. The flush is a separate pass because in the step's
 * loop it would stop the JIT from vectorising it.
 *
 * <p>All arrays are updated in place and must have the same length; the arithmetic is sequential
 * float, so equal inputs give equal bits.
 */
public final class SplitSgd {

    /** Below this magnitude a weight or momentum entry is flushed to 0 (float subnormals start at 1.2e-38). */
    public static final float TINY = 1e-30f;

    /** Bits of TINY: |x| < TINY exactly when (bits(x) & 0x7fffffff) < TINY_BITS (NaN bits are above). */
    private static final int TINY_BITS = Float.floatToRawIntBits(TINY);

    private SplitSgd() {
    }

    /** x, or +0 where |x| < TINY; branch-free on the bits, so loops using it vectorise. */
    private static float flush(float x) {
        int bits = Float.floatToRawIntBits(x);
        return Float.intBitsToFloat(bits & ~(((bits & 0x7fffffff) - TINY_BITS) >> 31));
    }

    /**
     * Plain SGD with momentum: v = m v + g; w = w - lr v; then the mask (when given: w and v times it).
     * g is read only.
     */
    public static void momentumStep(float[] w, float[] g, float[] v, float[] mask, float momentum, float lr) {
        int n = w.length;
        checkLengths(n, g, v, mask);
        for (int i = 0; i < n; i++) {
            float vi = momentum * v[i] + g[i];
            v[i] = vi;
            w[i] -= lr * vi;
        }
        if (mask != null) {
            for (int i = 0; i < n; i++) {
                w[i] *= mask[i];
                v[i] *= mask[i];
            }
        }
    }

    /**
     * One RVSM step with u = T_{lambda/beta}(w) of the current w. For l1 and l0 the operator is inlined
     * in the same pass, with the same float arithmetic as {@link Penalty#prox(float[], float[], double)}
     * (so u is bit for bit what the operator gives); Tl1 computes it only where |w| exceeds the
     * threshold, block by block ({@link Tl1Kernel}), with the scratch of {@code work} (one per tensor,
     * kept from step to step; a fresh one for the call when null). The result does not depend on
     * {@code work}'s history. With lambda = 0 every operator is the identity (each penalty's
     * prox(float[]) copies), so u is w itself.
     */
    public static void rvsmStep(float[] w, float[] g, float[] v, Penalty penalty, double lambda, double beta,
                                float momentum, float lr, Workspace work) {
        int n = w.length;
        checkLengths(n, g, v, null);
        if (work != null && work.u.length != n) {
            throw new IllegalArgumentException("SplitSgd: a workspace for " + work.u.length + " weights, w has " + n);
        }
        double mu = lambda / beta;
        Penalty.checkMu(mu);
        float b = (float) beta;
        // one method per operator, so that each loop is compiled on its own profile
        if (mu > 0.0 && penalty instanceof L1) {
            l1Step(w, g, v, (float) mu, b, momentum, lr);
        } else if (mu > 0.0 && penalty instanceof L0 l0) {
            l0Step(w, g, v, Float.intBitsToFloat(l0.floatThresholdBits(mu)), b, momentum, lr);
        } else if (mu > 0.0 && penalty instanceof TransformedL1 tl1) {
            Workspace ws = work != null ? work : new Workspace(n);
            tl1Step(w, g, v, ws.kernel.configure(tl1, mu), b, momentum, lr, ws);
        } else { // mu = 0: u = w
            splitRange(w, g, v, w, b, momentum, lr, 0, n);
        }
    }

    /**
     * dst = T_mu(src) of the penalty: bit for bit {@link Penalty#prox(float[], float[], double)}. For
     * Tl1 with mu > 0 it runs the block kernel ({@link Tl1Kernel}) with the scratch of {@code work}
     * (any workspace; null: the penalty's own prox(float[]), which runs the same kernel with scratch of
     * its thread). dst may be src.
     */
    public static void prox(Penalty penalty, float[] src, float[] dst, double mu, Workspace work) {
        Penalty.checkLengths(src.length, dst.length);
        if (work == null || !(mu > 0.0) || !(penalty instanceof TransformedL1 tl1)) {
            penalty.prox(src, dst, mu);
            return;
        }
        Tl1Kernel kernel = work.kernel.configure(tl1, mu);
        for (int from = 0; from < src.length; from += Tl1Kernel.BLOCK) {
            kernel.compute(src, from, Math.min(src.length, from + Tl1Kernel.BLOCK), dst);
        }
    }

    /**
     * One tensor's scratch for {@link #rvsmStep} and {@link #prox}, to be kept from step to step: Tl1's u where many
     * weights survive, where its survivors were (a hint that makes finding them again cheap; results
     * never depend on it) and the block kernel's scratch ({@link Tl1Kernel}). l1 and l0 use none.
     * 8 bytes per weight and about 150 KB. Not thread-safe: one thread steps a tensor at a time.
     */
    public static final class Workspace {

        private final float[] u;
        private final Tl1Kernel.Survivors survivors;
        private final float[] savedV = new float[Tl1Kernel.BLOCK];
        private final Tl1Kernel kernel = new Tl1Kernel();

        public Workspace(int length) {
            this.u = new float[length];
            this.survivors = new Tl1Kernel.Survivors(length);
        }
    }

    /** Soft thresholding inlined: w - T(w) = clamp(w, -mu, mu). */
    private static void l1Step(float[] w, float[] g, float[] v, float m, float b, float momentum, float lr) {
        float minusM = -m;
        for (int i = 0; i < w.length; i++) {
            float wi = w[i];
            float split = Math.max(minusM, Math.min(wi, m));
            float vi = momentum * v[i] + (g[i] + b * split);
            v[i] = vi;
            w[i] = wi - lr * vi;
        }
    }

    /**
     * Hard thresholding inlined, kept exactly when |w| > t: keep = 1 there, else 0, from the sign of
     * |w| - t (exact in sign) scaled by two factors of 2^100, which take even the smallest positive
     * difference past 1, then clamped. Float arithmetic only, so the loop vectorises on JDK 17.
     */
    private static void l0Step(float[] w, float[] g, float[] v, float t, float b, float momentum, float lr) {
        for (int i = 0; i < w.length; i++) {
            float wi = w[i];
            float keep = Math.min(1.0f, Math.max(0.0f, (Math.abs(wi) - t) * 0x1p100f * 0x1p100f));
            float split = wi * (1.0f - keep); // w - T(w): w where hard thresholding drops it, else 0
            float vi = momentum * v[i] + (g[i] + b * split);
            v[i] = vi;
            w[i] = wi - lr * vi;
        }
    }

    /**
     * Tl1 block by block: {@link Tl1Kernel#survivors} finds the entries of the block that
     * T keeps (first where they were last step) and computes T there. Where they are few, the block
     * takes the step with u = +0, vectorised ({@link #droppedRange}), and the survivors then take it
     * again from their saved w and v with their u: no u array of w's length is written or read, so the
     * memory streamed is that of plain momentum SGD. Where they are many (early in training), u is
     * written into the workspace's block and the split step runs over it, vectorised. Either way each
     * entry gets the arithmetic of {@link #splitStep}, so the same bits.
     */
    private static void tl1Step(float[] w, float[] g, float[] v, Tl1Kernel prox, float b,
                                float momentum, float lr, Workspace ws) {
        float[] saved = ws.savedV;
        for (int from = 0; from < w.length; from += Tl1Kernel.BLOCK) {
            int to = Math.min(w.length, from + Tl1Kernel.BLOCK);
            int k = prox.survivors(w, from, to, ws.survivors);
            if (k * MANY >= to - from) {
                prox.write(ws.u);
                splitRange(w, g, v, ws.u, b, momentum, lr, from, to);
                continue;
            }
            for (int j = 0; j < k; j++) {
                saved[j] = v[prox.index(j)];
            }
            droppedRange(w, g, v, b, momentum, lr, from, to);
            for (int j = 0; j < k; j++) { // splitRange's expression, with u = T(w)
                int i = prox.index(j);
                float wi = prox.input(j);
                float vi = momentum * saved[j] + (g[i] + b * (wi - prox.value(j)));
                v[i] = vi;
                w[i] = wi - lr * vi;
            }
        }
    }

    /** From one survivor in this many entries on, a Tl1 block is stepped through u. */
    private static final int MANY = 20;

    /** The step where u = +0: w - u = w. */
    private static void droppedRange(float[] w, float[] g, float[] v, float b, float momentum, float lr,
                                     int from, int to) {
        for (int i = from; i < to; i++) {
            float wi = w[i];
            float vi = momentum * v[i] + (g[i] + b * wi);
            v[i] = vi;
            w[i] = wi - lr * vi;
        }
    }

    /**
     * The step with a given sparse copy u (for operators computed by the caller, such as group
     * thresholding): v = m v + g + beta (w - u); w = w - lr v.
     */
    public static void splitStep(float[] w, float[] g, float[] v, float[] u, float beta, float momentum, float lr) {
        checkLengths(w.length, g, v, u);
        splitRange(w, g, v, u, beta, momentum, lr, 0, w.length);
    }

    private static void splitRange(float[] w, float[] g, float[] v, float[] u, float beta, float momentum, float lr,
                                   int from, int to) {
        for (int i = from; i < to; i++) {
            float wi = w[i];
            float vi = momentum * v[i] + (g[i] + beta * (wi - u[i]));
            v[i] = vi;
            w[i] = wi - lr * vi;
        }
    }

    private static void checkLengths(int n, float[] g, float[] v, float[] mask) {
        if (g.length != n || v.length != n || (mask != null && mask.length != n)) {
            throw new IllegalArgumentException("SplitSgd: arrays of different lengths (w has " + n + ")");
        }
    }

    /** Sets entries with |x| < {@link #TINY} to +0; NaN and everything else is kept. */
    public static void flushTiny(float[] x) {
        for (int i = 0; i < x.length; i++) {
            x[i] = flush(x[i]);
        }
    }
}
