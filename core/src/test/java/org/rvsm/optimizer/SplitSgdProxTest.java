package org.rvsm.optimizer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.rvsm.penalty.Penalty;
import org.rvsm.penalty.Tl1Kernel;

/**
 * {@link SplitSgd#prox} (Tl1 through the block kernel) equals the reference form
 * {@link Penalty#prox(float[], float[], double)} bit for bit, in both of Tl1's regimes, in place
 * and not, on lengths that are not a multiple of the kernel's block, with one workspace reused.
 */
class SplitSgdProxTest {

    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of(0.1, 2e-3, 0.05), Arguments.of(1.0, 2e-3, 0.05), Arguments.of(10.0, 2e-3, 0.05),
                Arguments.of(1.0, 0.337, 1.0), Arguments.of(0.1, 0.05, 1.0), Arguments.of(10.0, 3.0, 1.0),
                Arguments.of(1.0, 1e-6, 0.01));
    }

    @ParameterizedTest(name = "a = {0}, mu = {1}, sd = {2}")
    @MethodSource("cases")
    void theKernelEqualsTheReferenceFormBitForBit(double a, double mu, double sd) {
        Penalty tl1 = Penalty.transformedL1(a);
        SplittableRandom rng = new SplittableRandom(Double.hashCode(a) * 31L + Double.hashCode(mu));
        SplitSgd.Workspace work = new SplitSgd.Workspace(1);
        for (int n : new int[] {1, 7, Tl1Kernel.BLOCK, 3 * Tl1Kernel.BLOCK + 123, 100_000}) {
            float[] src = new float[n];
            for (int i = 0; i < n; i++) {
                src[i] = (float) (rng.nextGaussian() * sd);
            }
            src[0] = n > 3 ? Float.NaN : src[0];
            float[] expected = new float[n];
            tl1.prox(src, expected, mu);
            float[] got = new float[n];
            SplitSgd.prox(tl1, src, got, mu, work);
            float[] inPlace = src.clone();
            SplitSgd.prox(tl1, inPlace, inPlace, mu, work);
            for (int i = 0; i < n; i++) {
                int e = Float.floatToRawIntBits(expected[i]);
                assertEquals(e, Float.floatToRawIntBits(got[i]), "n " + n + ", entry " + i + ": x = " + src[i]);
                assertEquals(e, Float.floatToRawIntBits(inPlace[i]), "in place, n " + n + ", entry " + i);
            }
        }
    }
}
