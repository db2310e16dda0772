package org.rvsm.penalty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Tl1's fast float path ({@link TransformedL1#prox(float[], float[], double)} and both ways of
 * {@link Tl1Kernel} through a block) against two double-precision references, in each regime and
 * kernel form and at the boundaries between them: bit for bit against the double operator rounded to
 * float (the float contract, docs/math.md section 3.7), and within a float ulp against an independent
 * reference written here from docs/math.md section 3.4 (the textbook arccos form and the threshold
 * formulas, which share no code with TransformedL1), with the exact zero set of that threshold.
 */
class Tl1FastPathTest {

    /** Random entries per case, besides the boundary and edge entries. */
    private static final int RANDOM = 20_000;

    /**
     * (a, mu) with what each covers. q* is q = 27 mu a (a+1) / (4 (a+t*)^3) at the threshold, the
     * largest q of a survivor: the small-q form runs where q* <= 0.64, the large-q form above.
     */
    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of(1.0, 0.337, "jump, the issue's case: large-q form, q* = 0.993"),
                Arguments.of(0.1, 0.01, "jump, a training-sized mu (lambda 1e-3, beta 0.1): large-q form"),
                Arguments.of(0.1, 0.05, "jump: large-q form, q* = 0.667"),
                Arguments.of(0.1, 0.3, "jump, docs/math.md check value: small-q form, two Halley steps"),
                Arguments.of(1.0, 1.0, "jump, t* = 1.5 a float: the tie goes to 0"),
                Arguments.of(1e-3, 1e-3, "jump, a near l0"),
                Arguments.of(50.0, 40.0, "jump, large a"),
                Arguments.of(1.0, 0.25 * (1.0 + 1e-9), "jump, just above the regime boundary: q* ~ 1, "
                        + "its sliver above 0.995 takes the trigonometric form"),
                Arguments.of(1.0, 0.25, "the regime boundary itself (continuous, q* = 1)"),
                Arguments.of(1.0, 0.071, "continuous, q* = 0.644: just into the large-q form"),
                Arguments.of(1.0, 0.0695, "continuous, q* = 0.635: just inside the small-q form"),
                Arguments.of(1.0, 0.025, "continuous, q* = 0.29: small-q form, two Halley steps"),
                Arguments.of(1.0, 2e-3, "continuous, the issue's case: one Halley step"),
                Arguments.of(1.0, 1e-3, "continuous, the sweep's t* = 0.002"),
                Arguments.of(2.0, 0.1, "continuous, docs/math.md check value"),
                Arguments.of(50.0, 0.5, "continuous, large a"),
                Arguments.of(0.01, 1e-5, "continuous, small a and mu"));
    }

    @ParameterizedTest(name = "a = {0}, mu = {1}: {2}")
    @MethodSource("cases")
    void fastPathEqualsTheRoundedOperatorAndTheIndependentReference(double a, double mu, String what) {
        TransformedL1 p = new TransformedL1(a);
        float[] x = inputs(a, mu, new SplittableRandom(Double.hashCode(a) * 31L + Double.hashCode(mu)));
        int n = x.length;

        float[] viaPenalty = new float[n];
        p.prox(x, viaPenalty, mu);
        Tl1Kernel kernel = new Tl1Kernel().configure(p, mu);
        float[] viaSurvivors = new float[n];
        float[] viaDense = x.clone(); // in place
        for (int from = 0; from < n; from += Tl1Kernel.BLOCK) {
            int to = Math.min(n, from + Tl1Kernel.BLOCK);
            kernel.survivors(x, from, to, null);
            kernel.write(viaSurvivors);
            kernel.dense(viaDense, from, to, viaDense);
        }

        double t = referenceThreshold(a, mu);
        boolean jump = mu > a * a / (2.0 * (a + 1.0));
        for (int i = 0; i < n; i++) {
            float xi = x[i];
            float expected = (float) p.prox((double) xi, mu);
            for (float[] got : new float[][] {viaPenalty, viaSurvivors, viaDense}) {
                if (Float.floatToRawIntBits(got[i]) != Float.floatToRawIntBits(expected)) {
                    fail(String.format("x = %s: %s (penalty %s, survivors %s, dense %s), rounded operator %s",
                            xi, what, viaPenalty[i], viaSurvivors[i], viaDense[i], expected));
                }
            }
            double ax = Math.abs((double) xi);
            float got = viaPenalty[i];
            if (Float.isNaN(xi) || Float.isInfinite(xi)) {
                assertEquals(Float.floatToRawIntBits(xi), Float.floatToRawIntBits(got), "NaN and +-infinity map to themselves");
            } else if (ax <= t) {
                assertEquals(0, Float.floatToRawIntBits(got), "x = " + xi + " <= t* = " + t + ": +0");
            } else {
                if (jump && got == 0.0f) {
                    fail("x = " + xi + " > t* = " + t + " in the jump regime: T(x) jumps to at least t* - a/2");
                }
                double reference = Math.copySign(textbook(a, mu, ax), xi);
                // one float ulp of the rounding, and the textbook form's own error: its cancellation, about
                // 1e-16 (a+|x|) (docs/math.md section 3.4), grown by acos's slope 1/(2 sqrt(1 - q)) as its
                // argument 1 - 2q nears -1 (just above a jump near the regime boundary)
                double q = 27.0 * mu * a * (a + 1.0) / (4.0 * (a + ax) * (a + ax) * (a + ax));
                double tolerance = Math.ulp((float) Math.abs(reference))
                        + 1e-14 * (a + ax) * (1.0 + 1.0 / Math.sqrt(Math.max(1.0 - q, 1e-16)));
                if (!(Math.abs(got - reference) <= tolerance)) {
                    fail(String.format("x = %s: %s, fast %s, textbook %s (difference %.3g, tolerance %.3g)",
                            xi, what, got, reference, got - reference, tolerance));
                }
            }
        }
    }

    /**
     * The case's inputs: random entries at the threshold's scale and at N(0,1)'s, the floats around
     * the threshold (8 ulps each side, both signs), around the |x| where q reaches the kernel forms'
     * limits (0.64 and 0.995), and the edge values (zeros, a subnormal, huge, infinities, NaN); shuffled,
     * so that the dense and sparse ways through a block both meet each kind.
     */
    private static float[] inputs(double a, double mu, SplittableRandom rng) {
        double t = referenceThreshold(a, mu);
        float[] x = new float[RANDOM + 512];
        int k = 0;
        for (int i = 0; i < RANDOM; i++) {
            double scale = i % 2 == 0 ? t * Math.pow(10.0, rng.nextDouble(-0.5, 1.5)) : 1.0;
            x[k++] = (float) (rng.nextGaussian() * scale);
        }
        double half27 = 27.0 * mu * a * (a + 1.0) / 4.0;
        double[] centres = {t, Math.cbrt(half27 / Tl1Kernel.FAST_Q) - a, Math.cbrt(half27 / Tl1Kernel.NEAR_ONE_Q) - a};
        for (double centre : centres) {
            if (centre > 0.0) {
                float f = (float) centre;
                for (int d = -8; d <= 8; d++) {
                    float v = Float.intBitsToFloat(Float.floatToRawIntBits(f) + d);
                    x[k++] = v;
                    x[k++] = -v;
                }
            }
        }
        float[] edges = {0.0f, -0.0f, Float.MIN_VALUE, -Float.MIN_NORMAL, 1e30f, -1e30f, Float.MAX_VALUE,
            Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN};
        for (float e : edges) {
            x[k++] = e;
        }
        x = Arrays.copyOf(x, k);
        for (int i = k - 1; i > 0; i--) { // Fisher-Yates, seeded
            int j = rng.nextInt(i + 1);
            float swap = x[i];
            x[i] = x[j];
            x[j] = swap;
        }
        return x;
    }

    /** t*(mu) from docs/math.md section 3.4, written here independently of TransformedL1. */
    private static double referenceThreshold(double a, double mu) {
        return mu <= a * a / (2.0 * (a + 1.0)) ? mu * (a + 1.0) / a : Math.sqrt(2.0 * mu * (a + 1.0)) - a / 2.0;
    }

    /**
     * |T(x)| above the threshold by the textbook closed form of docs/math.md section 3.4 (arccos and
     * cos; TransformedL1 uses asin and sin):
     * (2/3)(a + |x|) cos(phi/3) - 2a/3 + |x|/3, phi = arccos(1 - eps), eps = 27 mu a (a+1) / (2 (a+|x|)^3).
     */
    private static double textbook(double a, double mu, double ax) {
        double apx = a + ax;
        double eps = 27.0 * mu * a * (a + 1.0) / (2.0 * apx * apx * apx);
        double phi = Math.acos(Math.max(-1.0, Math.min(1.0, 1.0 - eps)));
        return (2.0 / 3.0) * apx * Math.cos(phi / 3.0) - 2.0 * a / 3.0 + ax / 3.0;
    }
}
