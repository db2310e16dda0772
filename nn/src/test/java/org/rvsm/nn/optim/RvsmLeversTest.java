package org.rvsm.nn.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.training.tracker.Tracker;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.rvsm.penalty.Penalty;
import org.rvsm.runtime.Safetensors;

/**
 * The optimizer's levers on lenet300 with synthetic data: beta continuation keeps u and scales every
 * lambda; target-sparsity calibration reaches its target with the smallest factor, counted
 * independently through the core's operators; both survive a saved state.
 */
class RvsmLeversTest {

    private static final List<String> WEIGHTS = List.of("02Linear_weight", "04Linear_weight", "06Linear_weight");

    @TempDir
    Path tmp;

    private static RvsmOptimizer.Builder rvsm(Penalty penalty, double lambda) {
        return RvsmOptimizer.builder().setLearningRateTracker(Tracker.fixed(0.05f)).optMomentum(0.9f).setPenalty(penalty)
                .setLambda(lambda).setBeta(0.1).optLambdaRule(RvsmOptimizer.LambdaRule.SIZE);
    }

    private static RvsmOptimizerTest.Fixture trained(Penalty penalty, double lambda) throws Exception {
        RvsmOptimizerTest.Fixture f = new RvsmOptimizerTest.Fixture(4, rvsm(penalty, lambda).build());
        f.train(RvsmOptimizerTest.synthetic(8 * 32, 3), 0, 8, i -> { });
        return f;
    }

    /** Zeros of u over the three weights, computed here from w, each lambda_i and beta with the core's operator. */
    private static double independentSparsity(RvsmOptimizerTest.Fixture f, Penalty penalty) {
        long zeros = 0;
        long total = 0;
        for (String name : WEIGHTS) {
            float[] w = f.weights().get(name);
            float[] u = new float[w.length];
            penalty.prox(w, u, f.optimizer.lambdaOf(name) / f.optimizer.beta());
            for (float x : u) {
                zeros += x == 0.0f ? 1 : 0;
            }
            total += w.length;
        }
        return (double) zeros / total;
    }

    @Test
    void betaContinuationKeepsUAndScalesEveryLambdaWithBeta() throws Exception {
        try (RvsmOptimizerTest.Fixture f = trained(Penalty.l1(), 2e-4)) {
            Map<String, Safetensors.Tensor> before = f.optimizer.deployedTensors();
            double[] lambdas = WEIGHTS.stream().mapToDouble(f.optimizer::lambdaOf).toArray();
            f.optimizer.setBeta(0.4);
            assertEquals(0.4, f.optimizer.beta(), 0.0);
            for (int i = 0; i < 3; i++) {
                assertEquals(lambdas[i] * 4, f.optimizer.lambdaOf(WEIGHTS.get(i)), 1e-15 * lambdas[i], WEIGHTS.get(i));
            }
            Map<String, Safetensors.Tensor> after = f.optimizer.deployedTensors();
            for (String name : before.keySet()) {
                // mu = lambda_i / beta is the same number up to one rounding of the product: u within an ulp of w
                assertArrayEquals(before.get(name).data(), after.get(name).data(), 1e-9f, name);
            }
            assertThrows(IllegalArgumentException.class, () -> f.optimizer.setBeta(0));
        }
    }

    static Stream<Arguments> calibrations() {
        return Stream.of(Arguments.of(Penalty.l1(), 0.5), Arguments.of(Penalty.l1(), 0.95),
                Arguments.of(Penalty.l0(), 0.9), Arguments.of(Penalty.transformedL1(1.0), 0.98),
                Arguments.of(Penalty.transformedL1(0.1), 0.9), Arguments.of(Penalty.transformedL1(10.0), 0.9));
    }

    @ParameterizedTest(name = "{0} to {1}")
    @MethodSource("calibrations")
    void calibrationReachesTheTargetWithTheSmallestFactorAndKeepsTheRatios(Penalty penalty, double target)
            throws Exception {
        try (RvsmOptimizerTest.Fixture f = trained(penalty, 1e-5)) {
            double ratio = f.optimizer.lambdaOf("02Linear_weight") / f.optimizer.lambdaOf("06Linear_weight");
            double factor = f.optimizer.calibrateLambdas(target);
            assertTrue(factor > 0, "factor " + factor);
            long total = 784 * 300 + 300 * 100 + 100 * 10;
            double reached = independentSparsity(f, penalty);
            assertTrue(reached >= Math.ceil(target * total) / total, "reached " + reached + " for " + target);
            assertEquals(reached, f.optimizer.sparsity(), 0.0, "the optimizer counts what the operator gives");
            assertEquals(ratio, f.optimizer.lambdaOf("02Linear_weight") / f.optimizer.lambdaOf("06Linear_weight"),
                    1e-12 * ratio, "the rule's ratios are kept");
            f.optimizer.scaleLambdas(1 / (1 + 2e-6)); // a hair smaller: below the target, so the factor was the least
            assertTrue(independentSparsity(f, penalty) < Math.ceil(target * total) / total,
                    "below the target just under the factor");
        }
    }

    @Test
    void betaAndLambdasComeBackFromASavedState() throws Exception {
        Path state = tmp.resolve("state.safetensors");
        double[] lambdas;
        try (RvsmOptimizerTest.Fixture f = trained(Penalty.l1(), 2e-4)) {
            f.optimizer.setBeta(0.3);
            f.optimizer.calibrateLambdas(0.8);
            lambdas = WEIGHTS.stream().mapToDouble(f.optimizer::lambdaOf).toArray();
            f.optimizer.saveState(state);
        }
        try (RvsmOptimizerTest.Fixture f = new RvsmOptimizerTest.Fixture(4, rvsm(Penalty.l1(), 2e-4).build())) {
            f.optimizer.loadState(state);
            assertEquals(0.3, f.optimizer.beta(), 0.0);
            for (int i = 0; i < 3; i++) {
                assertEquals(lambdas[i], f.optimizer.lambdaOf(WEIGHTS.get(i)), 0.0, WEIGHTS.get(i));
            }
        }
    }
}
