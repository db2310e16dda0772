package org.rvsm.penalty;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.rvsm.optimizer.SplitSgd;

/**
 * Tl1's block kernel (docs/math.md sections 3.4 and 3.7): its values equal the double operator rounded
 * to float, bit for bit, through every path (few or many survivors, the whole block) and whatever it
 * computed before; the two forms' roots and the two rounding checks it relies on. (Each regime and
 * form against an independent reference: Tl1FastPathTest.)
 */
class Tl1KernelTest {

    /**
     * The kernel against the trigonometric double form rounded to float, bit for bit: a million
     * checks over random (mu, a, weight scale), both regimes, including deep-network scales, block by
     * block with a fresh kernel per configuration and with one kernel reconfigured for all of them.
     */
    @Test
    void kernelEqualsTheRoundedScalarFormEverywhere() {
        SplittableRandom rng = new SplittableRandom(17);
        int configurations = 200;
        int n = 5_000;
        float[] src = new float[n];
        float[] dst = new float[n];
        float[] reusedDst = new float[n];
        Tl1Kernel reused = new Tl1Kernel();
        for (int c = 0; c < configurations; c++) {
            double mu = Math.pow(10.0, rng.nextDouble(-5.0, 1.0));
            double a = Math.pow(10.0, rng.nextDouble(-3.0, 2.0));
            TransformedL1 p = new TransformedL1(a);
            double scale = p.threshold(mu) * Math.pow(10.0, rng.nextDouble(-0.5, 1.5));
            for (int i = 0; i < n; i++) {
                src[i] = (float) (rng.nextGaussian() * scale);
            }
            Tl1Kernel fresh = new Tl1Kernel().configure(p, mu);
            reused.configure(p, mu);
            for (int from = 0; from < n; from += Tl1Kernel.BLOCK) {
                int to = Math.min(n, from + Tl1Kernel.BLOCK);
                fresh.compute(src, from, to, dst);
                reused.compute(src, from, to, reusedDst);
            }
            for (int i = 0; i < n; i++) {
                float expected = (float) p.prox(src[i], mu);
                if (Float.floatToRawIntBits(expected) != Float.floatToRawIntBits(dst[i])
                        || Float.floatToRawIntBits(expected) != Float.floatToRawIntBits(reusedDst[i])) {
                    fail(String.format("tl1(a=%s) mu=%s x=%s: kernel %s (reused %s), rounded scalar %s", a, mu,
                            src[i], dst[i], reusedDst[i], expected));
                }
            }
        }
    }

    /**
     * The whole-block way ({@link Tl1Kernel#dense}: the dead zone as the factor s = +-1 or +-0, |T| not
     * clamped, the rounding check as a sum of parts) against the trigonometric double form rounded to
     * float, bit for bit, for (a, mu) covering the large-q form, the small-q form with Halley steps, the
     * series alone, q near 1 and results below 2^-100: mostly survivors at each (a, mu)'s scale, the
     * floats within 40 ulps of the threshold (where the continuous regime's |T| rounds to about 0 and the
     * factor's overflow is tightest), and the edge values, in place and not.
     */
    @Test
    void denseBlocksEqualTheRoundedOperatorAtTheirEdges() {
        double[][] cases = {{1.0, 0.337}, {0.1, 0.01}, {0.1, 0.3}, {1.0, 2e-3}, {1.0, 1e-3}, {1.0, 0.0695},
            {1.0, 0.25 * (1.0 + 1e-9)}, {1.0, 0.25}, {1.0, 1e-32}, {50.0, 40.0}, {1e-3, 1e-3}};
        SplittableRandom rng = new SplittableRandom(31);
        float[] edges = {0.0f, -0.0f, Float.MIN_VALUE, -Float.MIN_NORMAL, 1e30f, -1e30f, Float.MAX_VALUE,
            -Float.MAX_VALUE, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN};
        int n = 40 * Tl1Kernel.BLOCK;
        for (double[] c : cases) {
            TransformedL1 p = new TransformedL1(c[0]);
            double mu = c[1];
            float t = Float.intBitsToFloat(p.floatThresholdBits(mu));
            float[] src = new float[n];
            for (int i = 0; i < n; i++) {
                int kind = rng.nextInt(10);
                if (kind < 6) {
                    src[i] = (float) (rng.nextGaussian() * 4.0 * Math.max(t, Float.MIN_NORMAL));
                } else if (kind < 9) {
                    float v = Float.intBitsToFloat(Float.floatToRawIntBits(t) + rng.nextInt(-40, 41));
                    src[i] = rng.nextBoolean() ? v : -v;
                } else {
                    src[i] = edges[rng.nextInt(edges.length)];
                }
            }
            Tl1Kernel kernel = new Tl1Kernel().configure(p, mu);
            float[] out = new float[n];
            float[] inPlace = src.clone();
            for (int from = 0; from < n; from += Tl1Kernel.BLOCK) {
                int to = Math.min(n, from + Tl1Kernel.BLOCK);
                kernel.dense(src, from, to, out);
                kernel.dense(inPlace, from, to, inPlace);
            }
            for (int i = 0; i < n; i++) {
                int expected = Float.floatToRawIntBits((float) p.prox((double) src[i], mu));
                if (expected != Float.floatToRawIntBits(out[i]) || expected != Float.floatToRawIntBits(inPlace[i])) {
                    fail(String.format("tl1(a=%s) mu=%s x=%s: dense %s (in place %s), rounded operator %s", c[0], mu,
                            src[i], out[i], inPlace[i], Float.intBitsToFloat(expected)));
                }
            }
        }
    }

    /**
     * The survivors' way with many of them ({@link Tl1Kernel#survivors} then {@link Tl1Kernel#write}: the
     * survivors' loops, where the sign is the factor s = x / |x| computed with q and |T| is multiplied
     * by it) against the trigonometric double form rounded to float, bit for bit: blocks where 16 to
     * half of the entries survive, both signs, the floats within 40 ulps above the threshold, infinities,
     * NaN and the largest floats among them, for (a, mu) covering both forms, the series alone and q near
     * 1, with one kernel reconfigured from case to case (so its forms alternate) and a fresh one;
     * then the same blocks through compute after a dense block, as the kernel goes from one way to the other.
     */
    @Test
    void manySurvivorsEqualTheRoundedOperatorAtTheirEdges() {
        double[][] cases = {{1.0, 0.337}, {0.1, 0.01}, {0.1, 0.3}, {1.0, 2e-3}, {1.0, 0.0695},
            {1.0, 0.25 * (1.0 + 1e-9)}, {50.0, 40.0}, {1e-3, 1e-3}, {1.0, 1e-32}};
        float[] edges = {Float.MAX_VALUE, -Float.MAX_VALUE, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY,
            Float.NaN, 1e30f, -1e30f};
        SplittableRandom rng = new SplittableRandom(53);
        Tl1Kernel reused = new Tl1Kernel();
        int blocks = 24;
        int n = blocks * Tl1Kernel.BLOCK;
        for (int round = 0; round < 2; round++) {
            for (double[] c : cases) {
                int manyWay = 0;
                TransformedL1 p = new TransformedL1(c[0]);
                double mu = c[1];
                float t = Float.intBitsToFloat(p.floatThresholdBits(mu));
                float[] src = new float[n];
                for (int b = 0; b < blocks; b++) {
                    double share = rng.nextDouble(0.01, 0.5); // survivors: never 3 in 5
                    for (int i = b * Tl1Kernel.BLOCK; i < (b + 1) * Tl1Kernel.BLOCK; i++) {
                        float v;
                        if (rng.nextDouble() >= share) {
                            v = (float) (rng.nextDouble() * t); // dead zone
                        } else if (rng.nextInt(50) == 0) {
                            v = edges[rng.nextInt(edges.length)];
                        } else if (rng.nextBoolean()) {
                            v = Float.intBitsToFloat(Float.floatToRawIntBits(t) + rng.nextInt(1, 41));
                        } else {
                            v = (float) (t + Math.abs(rng.nextGaussian()) * 4.0 * Math.max(t, Float.MIN_NORMAL));
                        }
                        src[i] = rng.nextBoolean() ? v : -v;
                    }
                }
                Tl1Kernel fresh = new Tl1Kernel().configure(p, mu);
                reused.configure(p, mu);
                float[] out = new float[n];
                float[] reusedOut = new float[n];
                for (int from = 0; from < n; from += Tl1Kernel.BLOCK) {
                    int to = from + Tl1Kernel.BLOCK;
                    manyWay += fresh.survivors(src, from, to, null) >= 16 ? 1 : 0;
                    fresh.write(out);
                    reused.survivors(src, from, to, null);
                    reused.write(reusedOut);
                }
                float[] viaCompute = new float[n];
                float[] wholeBlock = new float[Tl1Kernel.BLOCK];
                Arrays.fill(wholeBlock, 2.0f * (t + 1.0f)); // all survive: the next block goes dense
                for (int from = 0; from < n; from += Tl1Kernel.BLOCK) {
                    reused.compute(wholeBlock, 0, Tl1Kernel.BLOCK, new float[Tl1Kernel.BLOCK]);
                    reused.compute(src, from, from + Tl1Kernel.BLOCK, viaCompute); // dense, then survivors again
                    reused.compute(src, from, from + Tl1Kernel.BLOCK, viaCompute);
                }
                assertTrue(manyWay >= blocks / 2, "most blocks take the survivors' loops: " + manyWay);
                for (int i = 0; i < n; i++) {
                    int expected = Float.floatToRawIntBits((float) p.prox((double) src[i], mu));
                    if (expected != Float.floatToRawIntBits(out[i]) || expected != Float.floatToRawIntBits(reusedOut[i])
                            || expected != Float.floatToRawIntBits(viaCompute[i])) {
                        fail(String.format("tl1(a=%s) mu=%s x=%s: survivors %s (reused %s, via compute %s),"
                                + " rounded operator %s", c[0], mu, src[i], out[i], reusedOut[i], viaCompute[i],
                                Float.intBitsToFloat(expected)));
                    }
                }
            }
        }
    }

    /**
     * The vectorised rounding check (badness, a sum of parts) is +0 exactly where the scalar one (fits)
     * passes, over random y around float rounding boundaries (midpoints), the ends of [2^-100, 2^100]
     * and q around both forms' limits.
     */
    @Test
    void theRoundingChecksAgreeAroundEveryBoundary() {
        SplittableRandom rng = new SplittableRandom(37);
        for (int i = 0; i < 1_000_000; i++) {
            double y;
            switch (rng.nextInt(4)) {
                case 0: // near a midpoint between two floats
                    float f = (float) Math.scalb(1.0 + rng.nextDouble(), rng.nextInt(-120, 120));
                    double mid = ((double) f + (double) Math.nextUp(f)) / 2.0;
                    y = mid + mid * 1e-13 * rng.nextDouble(-3.0, 3.0);
                    break;
                case 1:
                    y = 0x1p-100 * (1.0 + rng.nextDouble(-1e-15, 1e-15));
                    break;
                case 2:
                    y = 0x1p100 * (1.0 + rng.nextDouble(-1e-15, 1e-15));
                    break;
                default:
                    y = rng.nextDouble(-1.0, 10.0);
            }
            double ax = Math.abs(y) * rng.nextDouble(0.5, 3.0);
            double limit = rng.nextBoolean() ? Tl1Kernel.FAST_Q : Tl1Kernel.NEAR_ONE_Q;
            double q = limit + rng.nextInt(-2, 3) * Math.ulp(limit) * (rng.nextBoolean() ? 1.0 : 1e10);
            boolean fits = Tl1Kernel.fits(y, ax, q, limit);
            long badness = Double.doubleToRawLongBits(Tl1Kernel.badness(y, ax, q, limit));
            if (fits != (badness == 0L)) {
                fail("y = " + y + ", |x| = " + ax + ", q = " + q + ": fits " + fits + ", badness "
                        + Double.longBitsToDouble(badness));
            }
        }
    }

    /**
     * A block's survivors and their values as the RVSM step reads them: their indices, inputs and
     * values, counted as compute counts them, and in place (out = src).
     */
    @Test
    void survivorsAreTheEntriesAboveTheThreshold() {
        TransformedL1 p = new TransformedL1(1.0);
        double mu = 0.01; // threshold 0.02
        float[] src = {0.5f, 0.01f, Float.NaN, -0.03f, 0.02f, 0.0f, -0.0f, Float.NEGATIVE_INFINITY};
        Tl1Kernel kernel = new Tl1Kernel().configure(p, mu);
        int k = kernel.survivors(src, 0, src.length, null);
        assertEquals(4, k, "0.5, NaN, -0.03 and -infinity survive");
        int[] expectedIndex = {0, 2, 3, 7};
        for (int j = 0; j < k; j++) {
            int i = kernel.index(j);
            assertEquals(expectedIndex[j], i, "survivor " + j);
            assertEquals(Float.floatToRawIntBits(src[i]), Float.floatToRawIntBits(kernel.input(j)), "input " + j);
            assertEquals(Float.floatToRawIntBits((float) p.prox(src[i], mu)),
                    Float.floatToRawIntBits(kernel.value(j)), "value " + j);
        }
        float[] expected = new float[src.length];
        p.prox(src, expected, mu);
        float[] inPlace = src.clone();
        kernel.compute(inPlace, 0, inPlace.length, inPlace);
        assertArrayEquals(expected, inPlace, 0.0f, "in place");
    }

    /**
     * One workspace stepping with one penalty and mu, then another, then the first again gives the
     * bits of a fresh workspace at each step: the kernel is reconfigured, and nothing of the previous
     * operator is left in its results.
     */
    @Test
    void aWorkspaceReusedAcrossPenaltiesAndMuGivesTheBitsOfAFreshOne() {
        SplittableRandom rng = new SplittableRandom(23);
        int n = Tl1Kernel.BLOCK * 2 + 300;
        SplitSgd.Workspace kept = new SplitSgd.Workspace(n);
        Penalty[] penalties = {Penalty.transformedL1(1.0), Penalty.transformedL1(0.1), Penalty.transformedL1(1.0)};
        double[] lambdas = {1e-3, 0.1, 2e-3};
        for (int s = 0; s < penalties.length; s++) {
            float[] w = new float[n];
            float[] g = new float[n];
            for (int i = 0; i < n; i++) {
                w[i] = (float) (0.05 * rng.nextGaussian());
                g[i] = (float) (0.01 * rng.nextGaussian());
            }
            float[] v = new float[n];
            float[] wFresh = w.clone();
            float[] vFresh = v.clone();
            SplitSgd.rvsmStep(w, g, v, penalties[s], lambdas[s], 0.1, 0.9f, 0.05f, kept);
            SplitSgd.rvsmStep(wFresh, g, vFresh, penalties[s], lambdas[s], 0.1, 0.9f, 0.05f, new SplitSgd.Workspace(n));
            assertArrayEquals(wFresh, w, 0.0f, "w, step " + s);
            assertArrayEquals(vFresh, v, 0.0f, "v, step " + s);
        }
    }

    @Test
    void theKernelNeedsAPositiveMuAndAConfiguration() {
        TransformedL1 p = new TransformedL1(1.0);
        assertThrows(IllegalArgumentException.class, () -> new Tl1Kernel().configure(p, 0.0));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new Tl1Kernel().configure(p, -0.1));
        assertEquals("mu must be finite and >= 0, got -0.1", e.getMessage());
        assertThrows(IllegalStateException.class, () -> new Tl1Kernel().survivors(new float[3], 0, 3, null));
        assertThrows(IllegalArgumentException.class,
                () -> new Tl1Kernel().configure(p, 0.1).survivors(new float[3], 0, 4, null));
    }

    /**
     * The cubic's root against the trigonometric form sin^2(asin(sqrt(q)) / 3) over the whole range
     * where the kernel uses it, with the number of Halley steps it would take there.
     */
    @Test
    void halleyRootOfTheCubicMatchesTheTrigonometricForm() {
        for (int k = 1; k <= 100_000; k++) {
            double q = 0.64 * k / 100_000;
            double s = Math.sin(Math.asin(Math.sqrt(q)) / 3.0);
            double z = Tl1Kernel.squaredSine(q, Tl1Kernel.halleySteps(q));
            assertEquals(s * s, z, 1e-14 * s * s, "q = " + q); // a few ulps: sqrt, asin and sin have theirs too
        }
        assertEquals(0.0, Tl1Kernel.squaredSine(0.0, 1), 0.0, "q = 0");
    }

    /**
     * The large-q form's root w = 1/4 - z against bisection on its cubic 16 w^3 + 12 w^2 = 1 - q
     * (an independent solve: no start, no Halley step) over its whole range q in [0, 0.995], and
     * its start ({@link Tl1Kernel#startW}) within the 3e-7 its javadoc claims.
     */
    @Test
    void largeQRootMatchesBisectionAndItsStartIsAsClaimed() {
        double worstStart = 0.0;
        for (int k = 0; k <= 100_000; k++) {
            double q = Tl1Kernel.NEAR_ONE_Q * k / 100_000;
            double w = bisectW(1.0 - q);
            double z = Tl1Kernel.nearOneRoot(q);
            assertEquals(0.25 - w, z, 4 * Math.ulp(0.25) + 1e-15 * w, "q = " + q);
            if (k > 0) {
                worstStart = Math.max(worstStart, Math.abs(Tl1Kernel.startW(q) - w) / w);
            }
        }
        assertTrue(worstStart < 3e-7, "start's relative error " + worstStart);
        // small q: z = 1/4 - w keeps its absolute accuracy; against the trigonometric form
        for (double q : new double[] {1e-3, 0.1, 0.5, 0.9}) {
            double s = Math.sin(Math.asin(Math.sqrt(q)) / 3.0);
            assertEquals(s * s, Tl1Kernel.nearOneRoot(q), 1e-16, "q = " + q);
        }
    }

    /**
     * The root in [0, 1/4] of 16 w^3 + 12 w^2 = p by bisection to the last bit (the left side is
     * increasing for w >= 0, 0 at 0 and 1 at 1/4).
     */
    private static double bisectW(double p) {
        double lo = 0.0;
        double hi = 0.25;
        while (true) {
            double mid = 0.5 * (lo + hi);
            if (mid <= lo || mid >= hi) {
                return 0.5 * (lo + hi);
            }
            if (mid * mid * (12.0 + 16.0 * mid) < p) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
    }

    /**
     * Which form (a, mu) gets: the small-q form while q at the threshold is at most 0.64, the
     * large-q form above; the kernel gives the rounded operator's bits either side of the switch.
     */
    @Test
    void theFormSwitchesAtQOfTheThreshold() {
        TransformedL1 p = new TransformedL1(1.0);
        // a = 1: q* = 27 m / (4 (1 + m)^3) with m = 2 mu in the continuous regime: 0.635 at mu = 0.0695, 0.644 at 0.071
        float[] src = new float[3000];
        SplittableRandom rng = new SplittableRandom(5);
        for (double mu : new double[] {0.0695, 0.071}) {
            for (int i = 0; i < src.length; i++) {
                src[i] = (float) (p.threshold(mu) * (1.0 + 3.0 * rng.nextDouble()));
            }
            float[] dst = new float[src.length];
            p.prox(src, dst, mu);
            for (int i = 0; i < src.length; i++) {
                assertEquals(Float.floatToRawIntBits((float) p.prox(src[i], mu)), Float.floatToRawIntBits(dst[i]),
                        "mu = " + mu + ", x = " + src[i]);
            }
        }
    }

    /**
     * The scalar path's test (fits) and the vectorised path's (badness == +0) agree, at the edges of
     * each condition: y at 2^-100 and 2^100 and just outside, q at 0.64 and just above, NaN, a y on a
     * float rounding boundary (the midpoint between 1 and the next float) and a y far from one.
     */
    @Test
    void scalarAndVectorisedRoundingChecksAgree() {
        double mid = 1.0 + 0x1p-24; // halfway between 1 and Math.nextUp(1.0f)
        double[][] cases = {
            {0x1p-100, 0x1p-90, 0.1}, {Math.nextDown(0x1p-100), 0x1p-90, 0.1}, {0x1p100, 0x1p101, 0.1},
            {Math.nextUp(0x1p100), 0x1p101, 0.1}, {0.75, 1.0, 0.64}, {0.75, 1.0, Math.nextUp(0.64)},
            {Double.NaN, 1.0, 0.1}, {0.75, Double.NaN, 0.1}, {mid, 1.5, 0.1}, {1.0 + 0x1p-26, 1.5, 0.1},
            {0.75, 1.0, 0.1}};
        boolean[] expected = {true, false, true, false, true, false, false, false, false, true, true};
        for (int c = 0; c < cases.length; c++) {
            double[] k = cases[c];
            boolean fits = Tl1Kernel.fits(k[0], k[1], k[2], Tl1Kernel.FAST_Q);
            double badness = Tl1Kernel.badness(k[0], k[1], k[2], Tl1Kernel.FAST_Q);
            assertEquals(expected[c], fits, "fits " + java.util.Arrays.toString(k));
            assertEquals(fits, Double.doubleToRawLongBits(badness) == 0L, "badness " + badness + " for "
                    + java.util.Arrays.toString(k));
        }
        // the large-q form's limit: q = 0.995 fits, the next double above does not, 0.64 < q < 0.995 fits
        double[][] large = {{0.75, 1.0, 0.995}, {0.75, 1.0, Math.nextUp(0.995)}, {0.75, 1.0, 0.8}};
        boolean[] largeExpected = {true, false, true};
        for (int c = 0; c < large.length; c++) {
            double[] k = large[c];
            boolean fits = Tl1Kernel.fits(k[0], k[1], k[2], Tl1Kernel.NEAR_ONE_Q);
            assertEquals(largeExpected[c], fits, "fits " + java.util.Arrays.toString(k));
            assertEquals(fits, Double.doubleToRawLongBits(Tl1Kernel.badness(k[0], k[1], k[2], Tl1Kernel.NEAR_ONE_Q))
                    == 0L, "badness for " + java.util.Arrays.toString(k));
        }
    }
}
