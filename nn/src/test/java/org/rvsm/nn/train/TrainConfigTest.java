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
                        3, 64, 1, 0, 0), "model must be one of [lenet300, lenet5, resnet20, vgg-small], got 'resnet'"));
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
        assertEquals(List.of("rvsm", "proximal", "dense", "prune"), TrainConfig.Method.labels());
        assertEquals("method must be one of [rvsm, proximal, dense, prune], got 'RVSM'",
                assertThrows(IllegalArgumentException.class, () -> TrainConfig.Method.parse("RVSM")).getMessage());
        assertEquals(RvsmOptimizer.Group.FILTER, RvsmOptimizer.Group.parse("filter"));
        assertEquals("group must be one of [none, neuron, filter], got 'rows'",
                assertThrows(IllegalArgumentException.class, () -> RvsmOptimizer.Group.parse("rows")).getMessage());
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
