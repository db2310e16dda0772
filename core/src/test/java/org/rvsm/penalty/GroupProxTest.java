package org.rvsm.penalty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The group operator against brute force in 2 and 3 dimensions, its exact zeros, and its 1-d reduction. */
class GroupProxTest {

    static Stream<Arguments> penalties() {
        return Stream.of(Arguments.of(Penalty.l1()), Arguments.of(Penalty.l0()),
                Arguments.of(Penalty.transformedL1(1.0)), Arguments.of(Penalty.transformedL1(0.2)));
    }

    private static double objective(Penalty p, double[] y, double[] x, double mu) {
        double sq = 0;
        double ny = 0;
        for (int i = 0; i < x.length; i++) {
            sq += (y[i] - x[i]) * (y[i] - x[i]);
            ny += y[i] * y[i];
        }
        return 0.5 * sq + mu * p.value(Math.sqrt(ny));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("penalties")
    void minimisesTheGroupObjectiveAgainstBruteForceIn2And3Dimensions(Penalty p) {
        SplittableRandom rng = new SplittableRandom(21);
        for (int dim = 2; dim <= 3; dim++) {
            int grid = dim == 2 ? 200 : 40;
            for (int s = 0; s < 60; s++) {
                double[] x = new double[dim];
                for (int i = 0; i < dim; i++) {
                    x[i] = rng.nextGaussian();
                }
                double mu = Math.pow(10, rng.nextDouble(-2, 0.3));
                double[] y = new double[dim];
                GroupProx.prox(p, x, y, dim, mu);
                double best = objective(p, y, x, mu);
                double box = 0;
                for (double v : x) {
                    box = Math.max(box, Math.abs(v));
                }
                double[] candidate = new double[dim];
                int points = (int) Math.pow(2 * grid + 1, dim);
                for (int k = 0; k <= points; k++) { // the grid, plus (k == points) the origin
                    int rest = k;
                    for (int i = 0; i < dim; i++) {
                        candidate[i] = k == points ? 0.0 : box * 1.1 * ((rest % (2 * grid + 1)) - grid) / grid;
                        rest /= 2 * grid + 1;
                    }
                    double value = objective(p, candidate, x, mu);
                    if (value < best - 1e-9) {
                        fail(String.format("%s dim %d mu %s: prox objective %.12f, grid point %s gives %.12f", p.label(),
                                dim, mu, best, java.util.Arrays.toString(candidate), value));
                    }
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("penalties")
    void wholeGroupsBecomeExactZerosAndStrongGroupsKeepTheirDirection(Penalty p) {
        double mu = 0.5;
        double t = p.threshold(mu);
        float[] x = {(float) (0.5 * t), (float) (-0.5 * t), 0.3f * (float) t, // |g| < t: zeroed
            3f * (float) t, 4f * (float) t, 0f};                                // |g| = 5t: kept, same direction
        float[] y = new float[6];
        GroupProx.prox(p, x, y, 3, mu);
        for (int i = 0; i < 3; i++) {
            assertEquals(0, Float.floatToRawIntBits(y[i]), "exact +0 in the dead group at " + i);
        }
        assertTrue(y[3] > 0 && y[4] > 0 && y[5] == 0.0f);
        assertEquals(3.0 / 4.0, y[3] / y[4], 1e-6, "direction kept");
        assertTrue(Math.hypot(y[3], y[4]) <= 5 * t + 1e-6, "shrunk, never grown");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("penalties")
    void groupsOfOneAreTheScalarOperator(Penalty p) {
        SplittableRandom rng = new SplittableRandom(5);
        double[] x = new double[2000];
        for (int i = 0; i < x.length; i++) {
            x[i] = rng.nextGaussian() * 2;
        }
        double[] y = new double[x.length];
        GroupProx.prox(p, x, y, 1, 0.3);
        for (int i = 0; i < x.length; i++) {
            double expected = p.prox(x[i], 0.3);
            assertEquals(expected, y[i], 1e-15 * Math.abs(expected), "x = " + x[i]);
        }
    }

    @Test
    void refusesGroupsThatDoNotTileTheArray() {
        assertThrows(IllegalArgumentException.class, () -> GroupProx.prox(Penalty.l1(), new float[5], new float[5], 2, 0.1));
        assertThrows(IllegalArgumentException.class, () -> GroupProx.prox(Penalty.l1(), new float[4], new float[4], 2, -1));
    }
}
