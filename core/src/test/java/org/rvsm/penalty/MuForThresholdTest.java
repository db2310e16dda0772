package org.rvsm.penalty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.rvsm.Tolerances.assertClose;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link Penalty#muForThreshold} is the inverse of {@link Penalty#threshold} (docs/math.md sections
 * 3.2 to 3.4): both round trips over seeded random thresholds and mu spread over many decades, at the
 * edge of Tl1's two regimes, and at the check values of section 3.8.
 */
class MuForThresholdTest {

    private static final int SAMPLES = 10_000;
    private static final double RELATIVE = 1e-12;

    static Stream<Penalty> penalties() {
        return Stream.of(Penalty.l1(), Penalty.l0(), Penalty.transformedL1(0.1), Penalty.transformedL1(1.0),
                Penalty.transformedL1(10.0));
    }

    /** Seeded log-uniform draws over [10^lo, 10^hi], then the edge values (Tl1: around its regime boundary). */
    private static List<Double> draws(long seed, double lo, double hi, double... edges) {
        SplittableRandom rng = new SplittableRandom(seed);
        List<Double> values = new ArrayList<>();
        for (int s = 0; s < SAMPLES; s++) {
            values.add(Math.pow(10.0, rng.nextDouble(lo, hi)));
        }
        for (double e : edges) {
            values.add(Math.nextDown(e));
            values.add(e);
            values.add(Math.nextUp(e));
        }
        return values;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("penalties")
    void thresholdOfMuForThresholdIsT(Penalty p) {
        // Tl1: t* = a/2 is where the regimes meet
        double[] edges = p instanceof TransformedL1 tl1 ? new double[] {tl1.a() / 2.0} : new double[0];
        for (double t : draws(41, -6.0, 6.0, edges)) {
            double mu = p.muForThreshold(t);
            assertClose(t, p.threshold(mu), 0.0, RELATIVE, p.label() + ": threshold(muForThreshold(" + t + "))");
            if (p instanceof TransformedL1 tl1 && Math.abs(t - tl1.a() / 2.0) > 1e-9 * t) {
                assertEquals(t <= tl1.a() / 2.0, tl1.isContinuousRegime(mu), "regime of mu(" + t + ")");
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("penalties")
    void muForThresholdOfThresholdIsMu(Penalty p) {
        // Tl1: mu = a^2 / (2(a+1)) is where the regimes meet
        double[] edges = p instanceof TransformedL1 tl1
                ? new double[] {tl1.a() * tl1.a() / (2.0 * (tl1.a() + 1.0))} : new double[0];
        for (double mu : draws(42, -8.0, 8.0, edges)) {
            assertClose(mu, p.muForThreshold(p.threshold(mu)), 0.0, RELATIVE,
                    p.label() + ": muForThreshold(threshold(" + mu + "))");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("penalties")
    void zeroThresholdIsZeroMuAndBadThresholdsAreRejected(Penalty p) {
        assertEquals(0L, Double.doubleToRawLongBits(p.muForThreshold(0.0)), "mu(0) = +0");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> p.muForThreshold(-1.0));
        assertEquals("t must be finite and >= 0, got -1.0", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> p.muForThreshold(Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> p.muForThreshold(Double.POSITIVE_INFINITY));
    }

    @Test
    void handWorkedInverses() {
        // docs/math.md 3.2 and 3.3: l1 mu = t*, l0 mu = t*^2 / 2 (t* = 1 gives 1/2)
        assertEquals(0.25, Penalty.l1().muForThreshold(0.25), 0.0);
        assertEquals(0.5, Penalty.l0().muForThreshold(1.0), 0.0);
        // docs/math.md 3.8, the round trips of the inverse mu(t*) for Tl1
        assertClose(0.1, Penalty.transformedL1(2.0).muForThreshold(0.15), 0.0, 1e-15, "a=2, t*=0.15 (continuous)");
        assertClose(1.0, Penalty.transformedL1(1.0).muForThreshold(1.5), 0.0, 1e-15, "a=1, t*=1.5 (jump)");
        // t* given to 7 digits: mu to about 1e-7 relative
        assertClose(0.3, Penalty.transformedL1(0.1).muForThreshold(0.7624038), 0.0, 1e-6, "a=0.1, t*=0.7624038");
        // the sweep's Tl1 row in the README: t* = 0.002, lambda = 1e-4 with beta = 0.1
        assertClose(0.001, Penalty.transformedL1(1.0).muForThreshold(0.002), 0.0, 1e-15, "a=1, t*=0.002");
    }
}
