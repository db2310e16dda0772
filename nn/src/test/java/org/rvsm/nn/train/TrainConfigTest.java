package org.rvsm.nn.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.rvsm.nn.optim.RvsmOptimizer;
import org.rvsm.penalty.Penalty;
import org.rvsm.runtime.Safetensors;

/** TrainConfig's one place of validation, its types, and the checkpoint format's refusal of old files. */
class TrainConfigTest {

    @TempDir
    Path tmp;

    private static TrainConfig with(double lambda, double lr, double momentum, int epochs, int fineTune,
                                    RvsmOptimizer.Group group, double groupLambda, TrainConfig.Method method) {
        return new TrainConfig("lenet300", method, Penalty.l1(), lambda, 0.1, lr, momentum, epochs, 64, 1, 0, 0, 0.0,
                fineTune, List.of(), group, groupLambda);
    }

    static Stream<Arguments> bad() {
        RvsmOptimizer.Group none = RvsmOptimizer.Group.NONE;
        TrainConfig.Method rvsm = TrainConfig.Method.RVSM;
        return Stream.of(
                Arguments.of((Supplier<TrainConfig>) () -> with(Double.NaN, 0.1, 0.9, 3, 0, none, 0, rvsm),
                        "lambda must be a finite number, got NaN"),
                Arguments.of((Supplier<TrainConfig>) () -> with(-0.1, 0.1, 0.9, 3, 0, none, 0, rvsm),
                        "lambda must be >= 0, got -0.1"),
                Arguments.of((Supplier<TrainConfig>) () -> with(0, -1, 0.9, 3, 0, none, 0, rvsm),
                        "lr must be > 0, got -1.0"),
                Arguments.of((Supplier<TrainConfig>) () -> with(0, 0.1, 1, 3, 0, none, 0, rvsm),
                        "momentum must be in [0, 1), got 1.0"),
                Arguments.of((Supplier<TrainConfig>) () -> with(0, 0.1, 0.9, 0, 0, none, 0, rvsm),
                        "epochs must be >= 1, got 0"),
                Arguments.of((Supplier<TrainConfig>) () -> with(0, 0.1, 0.9, 3, 3, none, 0, rvsm),
                        "fineTuneEpochs must be in [0, epochs = 3), got 3"),
                Arguments.of((Supplier<TrainConfig>) () -> with(0, 0.1, 0.9, 3, 0, RvsmOptimizer.Group.NEURON, 0.1,
                        TrainConfig.Method.DENSE), "group neuron needs method rvsm, got method dense"),
                Arguments.of((Supplier<TrainConfig>) () -> with(0, 0.1, 0.9, 3, 0, RvsmOptimizer.Group.FILTER, 0, rvsm),
                        "group filter needs a groupLambda > 0"),
                Arguments.of((Supplier<TrainConfig>) () -> TrainConfig.of("resnet", rvsm, Penalty.l1(), 0, 1, 0.1, 0.9,
                        3, 64, 1, 0, 0), "model must be one of [lenet300, lenet5, resnet20, vgg-small], got 'resnet'"),
                Arguments.of((Supplier<TrainConfig>) () -> levers(rvsm, 1e-4, new TrainConfig.Levers(
                        RvsmOptimizer.LambdaRule.UNIFORM, Map.of(), 0.9, 0, 0)), "betaGrowth must be finite and >= 1, got 0.9"),
                Arguments.of((Supplier<TrainConfig>) () -> levers(rvsm, 1e-4, new TrainConfig.Levers(
                        RvsmOptimizer.LambdaRule.UNIFORM, Map.of(), 1.5, 0.05, 0)),
                        "betaMax must be >= beta 0.1 (or 0: no cap), got 0.05"),
                Arguments.of((Supplier<TrainConfig>) () -> levers(rvsm, 1e-4, new TrainConfig.Levers(
                        RvsmOptimizer.LambdaRule.UNIFORM, Map.of(), 1, 0, 1.0)), "targetSparsity must be in [0, 1), got 1.0"),
                Arguments.of((Supplier<TrainConfig>) () -> levers(rvsm, 0, new TrainConfig.Levers(
                        RvsmOptimizer.LambdaRule.UNIFORM, Map.of(), 1, 0, 0.9)),
                        "targetSparsity needs a lambda > 0 to scale, got lambda 0.0"),
                Arguments.of((Supplier<TrainConfig>) () -> levers(rvsm, 1e-4, new TrainConfig.Levers(
                        RvsmOptimizer.LambdaRule.UNIFORM, Map.of("02Linear_weight", -1.0), 1, 0, 0)),
                        "layerLambda 02Linear_weight must be >= 0, got -1.0"),
                Arguments.of((Supplier<TrainConfig>) () -> levers(TrainConfig.Method.PRUNE, 1e-4, new TrainConfig.Levers(
                        RvsmOptimizer.LambdaRule.SIZE, Map.of(), 1, 0, 0)), "levers (lambdaRule, layerLambda, betaGrowth, "
                        + "betaMax, targetSparsity) need method rvsm, got method prune"),
                Arguments.of((Supplier<TrainConfig>) () -> new TrainConfig("lenet300", TrainConfig.Method.GRADUAL,
                        Penalty.l1(), 0, 0.1, 0.1, 0.9, 3, 64, 1, 0, 0, 0.9, 2, List.of()), "method gradual needs "
                        + "pruneSparsity > 0 and epochs - fineTuneEpochs >= 2, got pruneSparsity 0.9, epochs 3, fineTuneEpochs 2"));
    }

    private static TrainConfig levers(TrainConfig.Method method, double lambda, TrainConfig.Levers levers) {
        return new TrainConfig("lenet300", method, Penalty.l1(), lambda, 0.1, 0.1, 0.9, 3, 64, 1, 0, 0, 0.0, 1, List.of(),
                RvsmOptimizer.Group.NONE, 0.0, levers);
    }

    @Test
    void theTargetRampRisesOnTheCubicToTheTargetAtTheEndOfTheSplitPhase() {
        TrainConfig.Levers l = new TrainConfig.Levers(RvsmOptimizer.LambdaRule.UNIFORM, Map.of(), 1, 0, 0.9);
        // by hand: 0.9 (1 - (1 - k/4)^3) for k = 1..4
        double[] expected = {0.9 * (1 - 27.0 / 64), 0.9 * (1 - 1.0 / 8), 0.9 * (1 - 1.0 / 64), 0.9};
        for (int e = 0; e < 4; e++) {
            assertEquals(expected[e], l.targetAt(e, 4), 1e-15, "epoch " + e);
        }
        assertEquals(0.9, l.targetAt(7, 4), 0.0, "held after the split phase");
        assertTrue(!TrainConfig.Levers.NONE.any() && l.any());
        TrainConfig.Levers last = new TrainConfig.Levers(RvsmOptimizer.LambdaRule.UNIFORM, Map.of(), 1, 0, 0.9,
                TrainConfig.TargetRamp.FINAL);
        for (int e = 0; e < 3; e++) {
            assertTrue(Double.isNaN(last.targetAt(e, 4)), "the final ramp leaves lambda alone before the last epoch");
        }
        assertEquals(0.9, last.targetAt(3, 4), 0.0);
        assertTrue(Double.isNaN(TrainConfig.Levers.NONE.targetAt(3, 4)), "no target, no calibration");
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("bad")
    void aBadValueIsOneMessageNamingFieldAndValue(Supplier<TrainConfig> config, String message) {
        assertEquals(message, assertThrows(IllegalArgumentException.class, config::get).getMessage());
    }

    @Test
    void methodsAndGroupsParseFromTheirLabelsOnly() {
        for (TrainConfig.Method m : TrainConfig.Method.values()) {
            assertEquals(m, TrainConfig.Method.parse(m.label()));
        }
        assertEquals(List.of("rvsm", "proximal", "dense", "prune", "gradual"), TrainConfig.Method.labels());
        assertEquals("method must be one of [rvsm, proximal, dense, prune, gradual], got 'RVSM'",
                assertThrows(IllegalArgumentException.class, () -> TrainConfig.Method.parse("RVSM")).getMessage());
        assertEquals(RvsmOptimizer.Group.FILTER, RvsmOptimizer.Group.parse("filter"));
        assertEquals("group must be one of [none, neuron, filter], got 'rows'",
                assertThrows(IllegalArgumentException.class, () -> RvsmOptimizer.Group.parse("rows")).getMessage());
        assertEquals(RvsmOptimizer.LambdaRule.INITIAL_STD, RvsmOptimizer.LambdaRule.parse("initial-std"));
        assertEquals("lambdaRule must be one of [uniform, size, sqrt-size, initial-std], got 'initial_std'",
                assertThrows(IllegalArgumentException.class, () -> RvsmOptimizer.LambdaRule.parse("initial_std"))
                        .getMessage());
    }

    @Test
    void aCheckpointOfTheOldFormatIsRefusedWithOneLine() throws IOException {
        TrainConfig c = TrainConfig.of("lenet300", TrainConfig.Method.RVSM, Penalty.l1(), 1e-4, 0.1, 0.05, 0.9, 1, 64,
                1, 0, 0);
        Path file = tmp.resolve("checkpoint.safetensors");
        try (SparseTrainer t = new SparseTrainer(c)) {
            t.saveState(file, Map.of("config", "x"));
            Safetensors.Contents saved = Safetensors.read(file);
            t.loadState(saved); // this version's own: fine
            Map<String, String> old = new LinkedHashMap<>(saved.metadata());
            old.remove("format");
            IOException e = assertThrows(IOException.class,
                    () -> t.loadState(new Safetensors.Contents(saved.tensors(), old)));
            assertEquals("checkpoint format 1 (an older rvsm's); this version resumes rvsm-checkpoint/2 only: train again",
                    e.getMessage());
            Map<String, String> noSteps = new LinkedHashMap<>(saved.metadata());
            noSteps.remove("steps/04Linear_bias");
            e = assertThrows(IOException.class, () -> t.loadState(new Safetensors.Contents(saved.tensors(), noSteps)));
            assertTrue(e.getMessage().contains("steps/04Linear_bias"), e.getMessage());
        }
    }
}
