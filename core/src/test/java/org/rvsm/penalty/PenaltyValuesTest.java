package org.rvsm.penalty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.rvsm.Tolerances.assertClose;

import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.rvsm.Tolerances;

/** Check values, edge cases and limits of the three operators. */
class PenaltyValuesTest {

    static Stream<Penalty> penalties() {
        return Stream.of(Penalty.l1(), Penalty.l0(), Penalty.transformedL1(0.1), Penalty.transformedL1(1.0),
                Penalty.transformedL1(2.0), Penalty.transformedL1(50.0));
    }

    @Test
    void softAndHardThresholdHandWorkedValues() {
        // hand-worked: soft threshold of 3 at mu = 1 is 3 - 1 = 2; of -0.5 is 0
        assertEquals(2.0, Penalty.l1().prox(3.0, 1.0), 0.0);
        assertEquals(-2.0, Penalty.l1().prox(-3.0, 1.0), 0.0);
        assertEquals(0.0, Penalty.l1().prox(-0.5, 1.0), 0.0);
        // hard threshold at mu = 0.5 is sqrt(2 * 0.5) = 1: 1.2 kept as is, 0.9 zeroed
        assertEquals(1.0, Penalty.l0().threshold(0.5), 0.0);
        assertEquals(1.2, Penalty.l0().prox(1.2, 0.5), 0.0);
        assertEquals(0.0, Penalty.l0().prox(0.9, 0.5), 0.0);
    }

    @Test
    void transformedL1ThresholdAndJumpCheckValuesInBothRegimes() {
        // docs/math.md section 3.4 (check values in 3.8): a=2, mu=0.1: t* = 0.15 (continuous regime)
        TransformedL1 a2 = new TransformedL1(2.0);
        assertTrue(a2.isContinuousRegime(0.1));
        assertClose(0.15, a2.threshold(0.1), 1e-15, 0.0, "t*(a=2, mu=0.1)");
        // a=1, mu=1: t* = 1.5 (jump regime), T jumps to 1.0
        TransformedL1 a1 = new TransformedL1(1.0);
        assertTrue(!a1.isContinuousRegime(1.0));
        assertClose(1.5, a1.threshold(1.0), 1e-15, 0.0, "t*(a=1, mu=1)");
        assertEquals(0.0, a1.prox(1.5, 1.0), 0.0, "the tie at t* goes to 0");
        assertClose(1.0, a1.prox(Math.nextUp(1.5), 1.0), 1e-7, 0.0, "jump value just above t*");
        // a=0.1, mu=0.3: t* = sqrt(0.66) - 0.05 = 0.7624 (to 4 digits), T jumps to about 0.7124
        TransformedL1 a01 = new TransformedL1(0.1);
        assertClose(Math.sqrt(0.66) - 0.05, a01.threshold(0.3), 1e-15, 0.0, "t*(a=0.1, mu=0.3)");
        assertClose(0.7624, a01.threshold(0.3), 1e-4, 0.0, "t* rounded as in docs/math.md");
        assertClose(0.7124, a01.prox(Math.nextUp(a01.threshold(0.3)), 0.3), 1e-4, 0.0, "jump value");
    }

    /** The textbook form sgn(x)[(2/3)(a+|x|)cos(phi/3) - 2a/3 + |x|/3] with phi = arccos(...). */
    private static double textbookTl1(double x, double mu, double a) {
        double ax = Math.abs(x);
        double arg = 1.0 - 27.0 * mu * a * (a + 1.0) / (2.0 * Math.pow(a + ax, 3));
        double phi = Math.acos(Math.max(-1.0, Math.min(1.0, arg)));
        return Math.signum(x) * ((2.0 / 3.0) * (a + ax) * Math.cos(phi / 3.0) - 2.0 * a / 3.0 + ax / 3.0);
    }

    @Test
    void transformedL1StableFormEqualsTheTextbookForm() {
        SplittableRandom rng = new SplittableRandom(21);
        for (int s = 0; s < 10_000; s++) {
            double a = Math.pow(10.0, rng.nextDouble(-2.0, 1.0));
            double mu = Math.pow(10.0, rng.nextDouble(-3.0, 1.0));
            TransformedL1 p = new TransformedL1(a);
            double x = p.threshold(mu) * (1.0 + rng.nextDouble(1e-3, 5.0)) * (rng.nextBoolean() ? 1 : -1);
            // the textbook form cancels: its error is about 1e-16 (a + |x|), so compare absolutely at that scale
            assertClose(textbookTl1(x, mu, a), p.prox(x, mu), 1e-13 * (a + Math.abs(x)), 0.0,
                    "Tl1 at x=" + x + " mu=" + mu + " a=" + a);
        }
    }

    @Test
    void transformedL1SatisfiesItsStationarityEquation() {
        // independent check: a non-zero y = T(x) solves y - x + mu p'(y) = 0, p'(y) = a(a+1)/(a+y)^2
        SplittableRandom rng = new SplittableRandom(22);
        for (int s = 0; s < 10_000; s++) {
            double a = Math.pow(10.0, rng.nextDouble(-2.0, 2.0));
            double mu = Math.pow(10.0, rng.nextDouble(-3.0, 1.0));
            TransformedL1 p = new TransformedL1(a);
            double x = p.threshold(mu) + Math.pow(10.0, rng.nextDouble(-2.0, 1.0));
            double y = p.prox(x, mu);
            double residual = y - x + mu * a * (a + 1.0) / ((a + y) * (a + y));
            assertClose(0.0, residual, 1e-12 * (1.0 + x), 0.0, "stationarity at x=" + x + " mu=" + mu + " a=" + a);
        }
    }

    @Test
    void transformedL1TendsToL0AsATendsToZero() {
        double mu = 0.4;
        Penalty hard = Penalty.l0();
        double t0 = hard.threshold(mu);
        double previousGap = Double.POSITIVE_INFINITY;
        for (double a : new double[] {1e-1, 1e-2, 1e-3, 1e-4, 1e-6}) {
            Penalty tl1 = Penalty.transformedL1(a);
            double gap = Math.abs(tl1.threshold(mu) - t0);
            for (double x = -3.0; x <= 3.0; x += 0.01) {
                if (Math.abs(Math.abs(x) - t0) > 0.05) { // away from the moving jump
                    gap = Math.max(gap, Math.abs(tl1.prox(x, mu) - hard.prox(x, mu)));
                }
            }
            assertTrue(gap < previousGap, "gap must shrink as a -> 0, a=" + a + " gap=" + gap);
            previousGap = gap;
        }
        assertTrue(previousGap < 1e-5, "Tl1(a=1e-6) within 1e-5 of l0, got " + previousGap);
    }

    @Test
    void transformedL1TendsToL1AsATendsToInfinity() {
        double mu = 0.4;
        Penalty soft = Penalty.l1();
        double previousGap = Double.POSITIVE_INFINITY;
        for (double a : new double[] {1.0, 10.0, 100.0, 1e4, 1e6}) {
            Penalty tl1 = Penalty.transformedL1(a);
            double gap = 0.0;
            for (double x = -3.0; x <= 3.0; x += 0.01) {
                gap = Math.max(gap, Math.abs(tl1.prox(x, mu) - soft.prox(x, mu)));
            }
            assertTrue(gap < previousGap, "gap must shrink as a grows, a=" + a + " gap=" + gap);
            previousGap = gap;
        }
        // the gap is O(mu |x| / a): about 1e-6 at a = 1e6
        assertTrue(previousGap < 1e-5, "Tl1(a=1e6) within 1e-5 of l1, got " + previousGap);
    }

    @ParameterizedTest
    @MethodSource("penalties")
    void edgeCases(Penalty p) {
        double mu = 0.3;
        double t = p.threshold(mu);
        assertEquals(0L, Double.doubleToRawLongBits(p.prox(0.0, mu)), "T(0) = +0");
        assertEquals(0L, Double.doubleToRawLongBits(p.prox(-0.0, mu)), "T(-0) = +0");
        assertEquals(0.0, p.prox(t, mu), 0.0, "T(t*) = 0 (tie goes to 0)");
        assertEquals(0.0, p.prox(-t, mu), 0.0, "T(-t*) = 0");
        assertEquals(0.0, p.prox(Math.nextDown(t), mu), 0.0, "just inside the dead zone");
        double above = p.prox(Math.nextUp(t), mu);
        assertTrue(above >= 0.0 && above <= Math.nextUp(t), "just above t*: " + above);
        assertEquals(-above, p.prox(-Math.nextUp(t), mu), 0.0, "odd just above t*");
        // the floats next to t*: the float form agrees with the double form there too
        float tf = (float) t;
        float[] src = {Math.nextDown(tf), tf, Math.nextUp(tf), -Math.nextDown(tf), -tf, -Math.nextUp(tf)};
        float[] dst = new float[src.length];
        p.prox(src, dst, mu);
        double floatMu = p instanceof L1 ? (float) mu : mu; // the float[] contract of Penalty
        for (int i = 0; i < src.length; i++) {
            assertEquals((float) p.prox(src[i], floatMu), dst[i], 0.0f, "float next to t*: " + src[i]);
        }
        // and exactly at a float threshold (l1: mu = 0.25 is a float; l0: t = sqrt(2 * 0.125) = 0.5)
        float[] at = {0.25f, Math.nextUp(0.25f), 0.5f, Math.nextUp(0.5f), -0.5f, -Math.nextUp(0.5f)};
        float[] out = new float[at.length];
        double exactMu = p instanceof L0 ? 0.125 : 0.25;
        p.prox(at, out, exactMu);
        for (int i = 0; i < at.length; i++) {
            assertEquals((float) p.prox(at[i], exactMu), out[i], 0.0f, "float at a float threshold: " + at[i]);
        }
        // huge inputs are barely shrunk
        assertClose(1e30, p.prox(1e30, mu), 0.0, 1e-15, "T(1e30)");
        assertClose(-1e30, p.prox(-1e30, mu), 0.0, 1e-15, "T(-1e30)");
        assertEquals(Double.POSITIVE_INFINITY, p.prox(Double.POSITIVE_INFINITY, mu), 0.0);
        assertEquals(Double.NEGATIVE_INFINITY, p.prox(Double.NEGATIVE_INFINITY, mu), 0.0);
        // subnormals are far inside the dead zone
        assertEquals(0.0, p.prox(Double.MIN_VALUE, mu), 0.0);
        assertEquals(0.0, p.prox(-Double.MIN_VALUE, mu), 0.0);
        float[] sub = {Float.MIN_VALUE, -Float.MIN_VALUE};
        p.prox(sub, sub, mu);
        assertEquals(0.0f, sub[0], 0.0f);
        assertEquals(0.0f, sub[1], 0.0f);
        // documented: NaN in gives NaN out, in every form
        assertTrue(Double.isNaN(p.prox(Double.NaN, mu)));
        float[] nan = {Float.NaN};
        p.prox(nan, nan, mu);
        assertTrue(Float.isNaN(nan[0]));
        // mu = 0 is the identity, bit for bit
        SplittableRandom rng = new SplittableRandom(5);
        for (int i = 0; i < 1000; i++) {
            double x = rng.nextGaussian() * Math.pow(10, rng.nextInt(-5, 5));
            assertEquals(Double.doubleToRawLongBits(x), Double.doubleToRawLongBits(p.prox(x, 0.0)));
        }
    }

    @ParameterizedTest
    @MethodSource("penalties")
    void badArgumentsAreRejectedWithTheirName(Penalty p) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> p.prox(1.0, -0.1));
        assertEquals("mu must be finite and >= 0, got -0.1", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> p.prox(1.0, Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> p.prox(new double[2], new double[3], 0.1));
        assertThrows(IllegalArgumentException.class, () -> p.prox(new float[2], new float[1], 0.1));
    }

    @Test
    void shapeAMustBePositiveAndFinite() {
        for (double a : new double[] {0.0, -1.0, Double.NaN, Double.POSITIVE_INFINITY}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Penalty.transformedL1(a));
            assertEquals("a must be finite and > 0, got " + a, e.getMessage());
        }
    }

    @Test
    void penaltyValues() {
        // hand-worked: p_a(y) = (a+1)|y|/(a+|y|); a=1, y=1 gives 1; y -> infinity gives a+1
        assertClose(1.0, Penalty.transformedL1(1.0).value(1.0), Tolerances.CLOSED_FORM, 0.0, "p_1(1)");
        assertEquals(2.0, Penalty.transformedL1(1.0).value(Double.POSITIVE_INFINITY), 0.0);
        assertEquals(3.0, Penalty.l1().value(new double[] {1.0, -2.0, 0.0}), 0.0);
        assertEquals(2.0, Penalty.l0().value(new double[] {1e-300, -2.0, 0.0}), 0.0);
    }

    @Test
    void namedGivesTheOperatorOfEachCommandLineName() {
        assertEquals(Penalty.l1(), Penalty.named("l1", 0.1));
        assertEquals(Penalty.l0(), Penalty.named("l0", 0.1));
        assertEquals(Penalty.transformedL1(0.1), Penalty.named("tl1", 0.1));
        assertEquals("penalty must be one of l1, l0, tl1, got 'L1'",
                assertThrows(IllegalArgumentException.class, () -> Penalty.named("L1", 1.0)).getMessage());
        assertThrows(IllegalArgumentException.class, () -> Penalty.named("tl1", 0.0), "tl1's own check of a");
    }
}
