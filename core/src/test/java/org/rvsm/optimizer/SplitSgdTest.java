package org.rvsm.optimizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;
import org.rvsm.penalty.L1;
import org.rvsm.penalty.Penalty;
import org.rvsm.penalty.Tl1Kernel;

/**
 * The fused step against the textbook update written out in double precision, one line per formula of
 * docs/math.md section 5.1 (g + beta (w - u), momentum, step, prox), on seeded random tensors.
 */
class SplitSgdTest {

    static Stream<Arguments> penalties() {
        return Stream.of(Arguments.of(Penalty.l1()), Arguments.of(Penalty.l0()),
                Arguments.of(Penalty.transformedL1(1.0)), Arguments.of(Penalty.transformedL1(0.1)));
    }

    private static float[] gaussian(SplittableRandom rng, int n, double scale) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (scale * rng.nextGaussian());
        }
        return x;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("penalties")
    void rvsmStepMatchesTheTextbookUpdate(Penalty penalty) {
        SplittableRandom rng = new SplittableRandom(42);
        int n = 5_000;
        double lambda = 2e-4;
        double beta = 0.1;
        float m = 0.9f;
        float lr = 0.05f;
        float[] w = gaussian(rng, n, 0.05);
        float[] g = gaussian(rng, n, 0.01);
        float[] v = gaussian(rng, n, 0.01);
        float[] u = new float[n];
        penalty.prox(w, u, lambda / beta); // the u of this step: T of the current w
        double[] wRef = new double[n];
        double[] vRef = new double[n];
        for (int i = 0; i < n; i++) {
            double grad = g[i] + beta * ((double) w[i] - u[i]);
            vRef[i] = m * v[i] + grad;
            wRef[i] = w[i] - lr * vRef[i];
        }
        float[] wSplit = w.clone(); // the same step through the generic path: u given, then splitStep
        float[] vSplit = v.clone();
        SplitSgd.splitStep(wSplit, g, vSplit, u, (float) beta, m, lr);
        SplitSgd.rvsmStep(w, g, v, penalty, lambda, beta, m, lr, new SplitSgd.Workspace(n));
        if (!(penalty instanceof L1)) { // l1's inlined w - u = clamp(w, -mu, mu) rounds differently from w - (w - mu)
            assertArrayEquals(wSplit, w, 0.0f, "w: fused (inlined or block by block) == prox then splitStep, bit for bit");
            assertArrayEquals(vSplit, v, 0.0f, "v: fused == prox then splitStep");
        }
        for (int i = 0; i < n; i++) {
            assertEquals(vRef[i], v[i], 1e-6 * (1 + Math.abs(vRef[i])), "v[" + i + "]");
            assertEquals(wRef[i], w[i], 1e-6 * (1 + Math.abs(wRef[i])), "w[" + i + "]");
        }
        penalty.prox(w, u, lambda / beta);
        long zeros = 0;
        for (float x : u) {
            zeros += x == 0.0f ? 1 : 0;
        }
        assertTrue(zeros > 0 && zeros < n, "some, not all, entries thresholded: " + zeros);
    }

    @Test
    void withoutUItIsPlainMomentumSgdAndTheMaskHoldsZeros() {
        SplittableRandom rng = new SplittableRandom(7);
        int n = 1_000;
        float[] w = gaussian(rng, n, 1);
        float[] g = gaussian(rng, n, 1);
        float[] v = gaussian(rng, n, 1);
        float[] mask = new float[n];
        for (int i = 0; i < n; i++) {
            mask[i] = rng.nextBoolean() ? 1 : 0;
        }
        float[] w0 = w.clone();
        float[] v0 = v.clone();
        SplitSgd.momentumStep(w, g, v, mask, 0.5f, 0.1f);
        for (int i = 0; i < n; i++) {
            double vi = 0.5 * v0[i] + g[i];
            double wi = w0[i] - 0.1 * vi;
            assertEquals(mask[i] * vi, v[i], 1e-6 * (1 + Math.abs(vi)));
            assertEquals(mask[i] * wi, w[i], 1e-6 * (1 + Math.abs(wi)));
        }
    }

    /** l0's inlined select at the edges: at the threshold (dropped), just above it (kept), subnormals, NaN. */
    @Test
    void l0SplitAtTheThresholdMatchesTheOperator() {
        double mu = 0.005; // t = sqrt(0.01) = 0.1
        float t = (float) Math.sqrt(2 * mu);
        if ((double) t > Math.sqrt(2 * mu)) {
            t = Math.nextDown(t);
        }
        float[] w = {t, -t, Math.nextUp(t), -Math.nextUp(t), Math.nextDown(t), Float.MIN_VALUE, 0.0f, 3.0f, Float.NaN};
        float[] u = new float[w.length];
        Penalty.l0().prox(w, u, mu);
        float[] g = new float[w.length];
        float[] v = new float[w.length];
        float[] w1 = w.clone();
        SplitSgd.rvsmStep(w1, g, v, Penalty.l0(), mu * 0.1, 0.1, 0.0f, 1.0f, null);
        for (int i = 0; i < w.length; i++) {
            float expected = 0.1f * (w[i] - u[i]); // v = beta (w - u) with g = 0 and no momentum
            assertEquals(expected, v[i], 0.0f, "w = " + w[i]);
        }
    }

    /**
     * Tl1's block kernel: blocks with nothing above the threshold, one survivor, a NaN, weights exactly
     * at the float threshold, a block where most survive (stepped through u) and a partial last block;
     * the same bits as prox then splitStep, with a fresh workspace, the same one again (its hints now
     * name the survivors) and none.
     */
    @Test
    void tl1BlocksWithFewOrNoSurvivorsMatchProxThenSplitStep() {
        Penalty tl1 = Penalty.transformedL1(1.0);
        double mu = 0.01; // threshold 2 mu = 0.02
        float t = (float) 0.02;
        if ((double) t > 0.02) {
            t = Math.nextDown(t);
        }
        int b = Tl1Kernel.BLOCK;
        SplittableRandom rng = new SplittableRandom(3);
        int n = b * 5 + 100;
        float[] w = gaussian(rng, n, 0.002); // blocks 0 and 3: nothing survives
        w[b + 7] = 0.5f; // block 1: one survivor
        w[2 * b + 1] = Float.NaN; // block 2: a NaN, the threshold itself and the float just above
        w[2 * b + 2] = t;
        w[2 * b + 3] = -Math.nextUp(t);
        for (int i = 4 * b; i < 5 * b; i++) { // block 4: most survive (found by the walk: block 3 had none)
            w[i] = (float) (0.05 * rng.nextGaussian());
        }
        w[n - 1] = -0.3f; // partial last block (found by the gather: block 4 had many)
        float[] g = gaussian(rng, n, 0.01);
        float[] v = gaussian(rng, n, 0.01);
        SplitSgd.Workspace work = new SplitSgd.Workspace(n);
        assertSameBitsAsProxThenSplitStep(tl1, mu * 0.1, w, g, v, work);
        assertSameBitsAsProxThenSplitStep(tl1, mu * 0.1, w, g, v, work); // hinted
        assertSameBitsAsProxThenSplitStep(tl1, mu * 0.1, w, g, v, null); // the step's own workspace
        float[] u = new float[n];
        tl1.prox(w, u, mu);
        assertEquals(0.0f, u[2 * b + 2], 0.0f, "at the threshold: dropped");
        assertTrue(u[2 * b + 3] < 0.0f && u[b + 7] > 0.0f && Float.isNaN(u[2 * b + 1]), "kept, and NaN stays NaN");
    }

    /**
     * Tl1 over twenty training steps in which weights cross the threshold both ways (about half or about
     * 1% survive; the hints are used where few do): a workspace kept from step to step (its survivor
     * hints, first spoiled by a step on another tensor) gives, at every step, the bits of a fresh
     * workspace and of prox then splitStep.
     * Both regimes: with a = 1, mu = 0.01 T is continuous at its threshold 0.02; with a = 0.1, mu = 1
     * it jumps at 1.43, where the cubic has a root below the threshold too, so a hinted weight that
     * fell below must not go through it.
     */
    @ParameterizedTest(name = "a = {0}, lambda = {1}")
    @org.junit.jupiter.params.provider.CsvSource({"1.0, 1e-3, 0.03", "1.0, 1e-3, 0.008", "0.1, 0.1, 0.55"})
    void tl1SurvivorHintsNeverChangeTheResult(double a, double lambda, double scale) {
        Penalty tl1 = Penalty.transformedL1(a);
        SplittableRandom rng = new SplittableRandom(11);
        int n = Tl1Kernel.BLOCK * 3 + 500;
        float[] w = gaussian(rng, n, scale);
        float[] v = new float[n];
        float[] wFresh = w.clone();
        float[] vFresh = v.clone();
        SplitSgd.Workspace kept = new SplitSgd.Workspace(n);
        SplitSgd.rvsmStep(gaussian(rng, n, scale), gaussian(rng, n, 0.1), new float[n], tl1, lambda, 0.1, 0.9f, 0.05f,
                kept);
        for (int step = 0; step < 20; step++) {
            float[] g = gaussian(rng, n, 4 * scale);
            float[] wRef = w.clone();
            float[] vRef = v.clone();
            float[] u = new float[n];
            tl1.prox(wRef, u, lambda / 0.1);
            SplitSgd.splitStep(wRef, g, vRef, u, 0.1f, 0.9f, 0.05f);
            SplitSgd.rvsmStep(w, g, v, tl1, lambda, 0.1, 0.9f, 0.05f, kept);
            SplitSgd.rvsmStep(wFresh, g, vFresh, tl1, lambda, 0.1, 0.9f, 0.05f, null);
            assertArrayEquals(wRef, w, 0.0f, "w, kept workspace, step " + step);
            assertArrayEquals(vRef, v, 0.0f, "v, kept workspace, step " + step);
            assertArrayEquals(wRef, wFresh, 0.0f, "w, fresh workspace, step " + step);
            assertArrayEquals(vRef, vFresh, 0.0f, "v, fresh workspace, step " + step);
        }
        assertThrows(IllegalArgumentException.class, () -> SplitSgd.rvsmStep(new float[3], new float[3], new float[3],
                tl1, 1e-3, 0.1, 0.9f, 0.1f, new SplitSgd.Workspace(4)), "a workspace of another length");
    }

    @Test
    void tinyEntriesAreFlushedAndNanIsKept() {
        float[] x = {1e-31f, -1e-35f, Float.MIN_VALUE, 2e-30f, Float.NaN, -0.5f};
        SplitSgd.flushTiny(x);
        assertArrayEquals(new float[] {0, 0, 0, 2e-30f, Float.NaN, -0.5f}, x);
        assertEquals(0, Float.floatToRawIntBits(x[1]), "flushed to +0");
    }

    /** lambda = 0: every operator is the identity, so the step is splitStep with u = w (w - u = 0). */
    @ParameterizedTest(name = "{0}")
    @MethodSource("penalties")
    void lambdaZeroIsTheSplitStepWithUEqualToW(Penalty penalty) {
        SplittableRandom rng = new SplittableRandom(5);
        int n = 1_000;
        float[] w = gaussian(rng, n, 0.05);
        float[] g = gaussian(rng, n, 0.01);
        float[] v = gaussian(rng, n, 0.01);
        assertSameBitsAsProxThenSplitStep(penalty, 0.0, w, g, v, null);
    }

    /**
     * rvsmStep (beta 0.1, momentum 0.9, lr 0.05) on copies of w and v gives the bits of "u = prox(w),
     * then splitStep".
     */
    private static void assertSameBitsAsProxThenSplitStep(Penalty penalty, double lambda, float[] w, float[] g,
                                                          float[] v, SplitSgd.Workspace work) {
        float[] u = new float[w.length];
        penalty.prox(w, u, lambda / 0.1);
        float[] wSplit = w.clone();
        float[] vSplit = v.clone();
        SplitSgd.splitStep(wSplit, g, vSplit, u, 0.1f, 0.9f, 0.05f);
        float[] wStep = w.clone();
        float[] vStep = v.clone();
        SplitSgd.rvsmStep(wStep, g, vStep, penalty, lambda, 0.1, 0.9f, 0.05f, work);
        assertArrayEquals(wSplit, wStep, 0.0f, "w");
        assertArrayEquals(vSplit, vStep, 0.0f, "v");
    }

    @Test
    void mismatchedLengthsAndNegativeLambdaAreRefused() {
        assertThrows(IllegalArgumentException.class,
                () -> SplitSgd.momentumStep(new float[3], new float[3], new float[2], null, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> SplitSgd.rvsmStep(new float[3], new float[3], new float[2],
                Penalty.transformedL1(1.0), 1e-3, 0.1, 0.9f, 0.1f, null));
        assertThrows(IllegalArgumentException.class, () -> SplitSgd.rvsmStep(new float[3], new float[3], new float[3],
                Penalty.l1(), -1e-3, 0.1, 0.9f, 0.1f, null), "negative lambda");
    }
}
