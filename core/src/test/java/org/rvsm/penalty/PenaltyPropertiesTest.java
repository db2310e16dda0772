package org.rvsm.penalty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.SplittableRandom;
import java.util.function.DoubleFunction;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The properties of docs/math.md section 3.5, checked for every penalty over 10,000 seeded random
 * (x, mu[, a]) each: optimality against a brute-force grid that includes 0 and x, odd symmetry,
 * monotonicity, shrinkage, the exact dead zone, and agreement of the scalar, double[] and float[]
 * forms.
 */
class PenaltyPropertiesTest {

    private static final int SAMPLES = 10_000;
    private static final int GRID = 4_000;

    /** Penalty families: a function from a random draw of a to the penalty (a ignored by l1, l0). */
    static Stream<Arguments> families() {
        return Stream.of(
                Arguments.of("l1", (DoubleFunction<Penalty>) a -> Penalty.l1()),
                Arguments.of("l0", (DoubleFunction<Penalty>) a -> Penalty.l0()),
                Arguments.of("tl1", (DoubleFunction<Penalty>) Penalty::transformedL1));
    }

    /** x spread over several scales, mu and a log-uniform over [1e-3, 1e2]. */
    private static double[] draw(SplittableRandom rng) {
        double x = (rng.nextDouble() * 2.0 - 1.0) * Math.pow(10.0, rng.nextDouble(-2.0, 2.0));
        double mu = Math.pow(10.0, rng.nextDouble(-3.0, 2.0));
        double a = Math.pow(10.0, rng.nextDouble(-3.0, 2.0));
        return new double[] {x, mu, a};
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("families")
    void proxMinimisesTheScalarObjectiveAgainstAFineGrid(String name, DoubleFunction<Penalty> family) {
        SplittableRandom rng = new SplittableRandom(11);
        for (int s = 0; s < SAMPLES; s++) {
            double[] v = draw(rng);
            double x = v[0];
            double mu = v[1];
            Penalty p = family.apply(v[2]);
            double y = p.prox(x, mu);
            double best = p.proxObjective(y, x, mu);
            // the minimiser lies between 0 and x; the grid covers [-0.1x, 1.1x] and holds 0 and x exactly
            for (int j = -GRID / 10; j <= GRID + GRID / 10; j++) {
                double candidate = x * j / GRID;
                double value = p.proxObjective(candidate, x, mu);
                if (value < best - 1e-12 * (1.0 + Math.abs(best))) {
                    fail(String.format("%s: T(%s; mu=%s) = %s has objective %.17g but y = %s gives %.17g",
                            p.label(), x, mu, y, best, candidate, value));
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("families")
    void oddMonotoneShrinkingWithAnExactDeadZone(String name, DoubleFunction<Penalty> family) {
        SplittableRandom rng = new SplittableRandom(12);
        for (int s = 0; s < SAMPLES; s++) {
            double[] v = draw(rng);
            double x = v[0];
            double mu = v[1];
            Penalty p = family.apply(v[2]);
            double y = p.prox(x, mu);
            String at = p.label() + " at x=" + x + ", mu=" + mu;
            assertEquals(-y, p.prox(-x, mu), 0.0, "odd symmetry " + at);
            assertTrue(Math.abs(y) <= Math.abs(x), "shrinkage " + at);
            assertTrue(y == 0.0 || Math.signum(y) == Math.signum(x), "sign kept " + at);
            double t = p.threshold(mu);
            if (Math.abs(x) <= t) {
                assertEquals(0L, Double.doubleToRawLongBits(y), "exact +0.0 in the dead zone " + at);
            } else if (!(p instanceof TransformedL1)) {
                // Tl1 in its continuous regime may round to 0 just above t*; l1 and l0 never do
                assertTrue(y != 0.0, "non-zero outside the dead zone " + at);
            }
            double x2 = x + Math.abs(rng.nextGaussian()) * Math.max(Math.abs(x), 1e-3);
            assertTrue(p.prox(x2, mu) >= y, "monotone " + at + " vs x2=" + x2);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("families")
    void arrayFormsEqualTheScalarForm(String name, DoubleFunction<Penalty> family) {
        SplittableRandom rng = new SplittableRandom(13);
        double mu = 0.3; // not a float: the l1 float form's use of (float) mu is exercised
        Penalty p = family.apply(0.7);
        double[] src = new double[SAMPLES];
        float[] srcF = new float[SAMPLES];
        for (int i = 0; i < SAMPLES; i++) {
            srcF[i] = (float) (rng.nextGaussian() * 1.5);
            src[i] = srcF[i];
        }
        double[] dst = new double[SAMPLES];
        float[] dstF = new float[SAMPLES];
        p.prox(src, dst, mu);
        p.prox(srcF, dstF, mu);
        // the float[] contract (Penalty javadoc): l1 thresholds at mu rounded to float
        double floatMu = p instanceof L1 ? (float) mu : mu;
        for (int i = 0; i < SAMPLES; i++) {
            double expected = p.prox(src[i], mu);
            assertEquals(Double.doubleToRawLongBits(expected), Double.doubleToRawLongBits(dst[i]),
                    "double[] at " + i);
            float expectedF = (float) p.prox(src[i], floatMu);
            assertEquals(Float.floatToRawIntBits(expectedF), Float.floatToRawIntBits(dstF[i]),
                    "float[] at " + i + ", x=" + srcF[i]);
        }
        // in place (src == dst) gives the same
        p.prox(src, src, mu);
        p.prox(srcF, srcF, mu);
        for (int i = 0; i < SAMPLES; i++) {
            assertEquals(dst[i], src[i], 0.0, "in place at " + i);
            assertEquals(dstF[i], srcF[i], 0.0f, "float[] in place at " + i);
        }
    }

    /**
     * The Tl1 float[] form (its block kernel, which solves a cubic instead) equals the trigonometric
     * double form rounded to float, bit for bit. A million checks over random (mu, a, weight scale),
     * both regimes, including deep-network scales. (The kernel's own paths: Tl1KernelTest and
     * Tl1FastPathTest.)
     */
    @org.junit.jupiter.api.Test
    void transformedL1FloatFormEqualsTheRoundedScalarFormEverywhere() {
        SplittableRandom rng = new SplittableRandom(17);
        int configurations = 200;
        int n = 5_000;
        float[] src = new float[n];
        float[] dst = new float[n];
        for (int c = 0; c < configurations; c++) {
            double mu = Math.pow(10.0, rng.nextDouble(-5.0, 1.0));
            double a = Math.pow(10.0, rng.nextDouble(-3.0, 2.0));
            TransformedL1 p = new TransformedL1(a);
            double scale = p.threshold(mu) * Math.pow(10.0, rng.nextDouble(-0.5, 1.5));
            for (int i = 0; i < n; i++) {
                src[i] = (float) (rng.nextGaussian() * scale);
            }
            p.prox(src, dst, mu);
            for (int i = 0; i < n; i++) {
                float expected = (float) p.prox(src[i], mu);
                if (Float.floatToRawIntBits(expected) != Float.floatToRawIntBits(dst[i])) {
                    fail(String.format("tl1(a=%s) mu=%s x=%s: float form %s, rounded scalar %s", a, mu, src[i],
                            dst[i], expected));
                }
            }
        }
    }
}
