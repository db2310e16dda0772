package org.rvsm.nn.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.rvsm.penalty.Penalty;

/** The engine-side operators against the core operators on random tensors. */
class TensorProxTest {

    static Stream<Penalty> penalties() {
        return Stream.of(Penalty.l1(), Penalty.l0(), Penalty.transformedL1(0.1), Penalty.transformedL1(1.0),
                Penalty.transformedL1(20.0));
    }

    @ParameterizedTest
    @MethodSource("penalties")
    void agreesWithTheCoreOperatorToFloatPrecision(Penalty p) {
        SplittableRandom rng = new SplittableRandom(3);
        try (NDManager manager = NDManager.newBaseManager()) {
            for (double mu : new double[] {1e-4, 0.01, 0.3, 2.0}) {
                int n = 20_000;
                float[] w = new float[n];
                for (int i = 0; i < n; i++) {
                    w[i] = (float) (rng.nextGaussian() * Math.pow(10, rng.nextInt(-2, 2)));
                }
                float[] expected = new float[n];
                p.prox(w, expected, mu);
                NDArray tensor = manager.create(w, new ai.djl.ndarray.types.Shape(100, 200));
                float[] actual = TensorProx.prox(p, tensor, mu).toFloatArray();
                double t = p.threshold(mu);
                for (int i = 0; i < n; i++) {
                    boolean nearThreshold = Math.abs(Math.abs(w[i]) - t) <= 1e-5 * (1 + t);
                    if (expected[i] == 0.0f && !nearThreshold) {
                        assertEquals(0, Float.floatToRawIntBits(actual[i]),
                                p.label() + " mu=" + mu + " exact +0 at w=" + w[i]);
                    } else if (!nearThreshold) {
                        double tol = 2e-6 * (1 + Math.abs(w[i]));
                        if (Math.abs(expected[i] - actual[i]) > tol) {
                            fail(p.label() + " mu=" + mu + " at w=" + w[i] + ": core " + expected[i] + ", engine " + actual[i]);
                        }
                    }
                }
                assertTrue(tensor.toFloatArray()[0] == w[0], "input untouched");
            }
        }
    }
}
