package org.rvsm.nn.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.rvsm.nn.data.ImageDataset;
import org.rvsm.runtime.Safetensors;
import org.rvsm.penalty.Penalty;

class TrainingRunTest {

    @TempDir
    Path tmp;

    private static final class Killed extends RuntimeException {
        private static final long serialVersionUID = 1L;
    }

    static java.util.stream.Stream<TrainConfig> resumable() {
        // the last 2 of 3 epochs are RVSM's debiasing phase (support of u frozen): killing in epoch 2 resumes
        // from before the freeze, killing in epoch 3 from a checkpoint taken during it
        TrainConfig tl1 = new TrainConfig("lenet300", TrainConfig.Method.RVSM, Penalty.transformedL1(1.0), 2e-6, 1e-2, 0.02,
                0.9, 3, 64, 7, 0, 0, 0.0, 2, List.of());
        // the levers change beta and every lambda during training: the checkpoint must hold them
        TrainConfig levers = new TrainConfig("lenet300", TrainConfig.Method.RVSM, Penalty.l1(), 1e-5, 0.1, 0.02, 0.9, 3, 64,
                7, 0, 0, 0.0, 1, List.of(), org.rvsm.nn.optim.RvsmOptimizer.Group.NONE, 0.0, new TrainConfig.Levers(
                org.rvsm.nn.optim.RvsmOptimizer.LambdaRule.SIZE, java.util.Map.of(), 2.0, 0.0, 0.8));
        // gradual pruning's masks grow during the run
        TrainConfig gradual = new TrainConfig("lenet300", TrainConfig.Method.GRADUAL, Penalty.l1(), 0, 1, 0.02, 0.9, 3, 16,
                7, 0, 0, 0.8, 1, List.of());
        return java.util.stream.Stream.of(tl1, levers, gradual);
    }

    @org.junit.jupiter.params.ParameterizedTest(name = "{index}")
    @org.junit.jupiter.params.provider.MethodSource("resumable")
    void aRunKilledMidEpochResumesToTheSameResult(TrainConfig c) throws IOException {
        ImageDataset[] d = SparseTrainerTest.data(3000, 500);
        String text = c.toString();
        TrainingRun.Outcome whole = TrainingRun.run(c, text, d[0], d[1], tmp.resolve("whole"), (e, i, n) -> { });

        for (int killEpoch : new int[] {2, 3}) {
            Path killed = tmp.resolve("killed-" + killEpoch);
            assertThrows(Killed.class, () -> TrainingRun.run(c, text, d[0], d[1], killed, (e, i, n) -> {
                if (e == killEpoch && i == n / 2) {
                    throw new Killed(); // as if the process died half-way through the epoch
                }
            }));
            assertEquals(killEpoch, Files.readAllLines(killed.resolve(TrainingRun.METRICS)).size(),
                    "header + the epochs before the kill");
            TrainingRun.Outcome resumed = TrainingRun.run(c, text, d[0], d[1], killed, (e, i, n) -> { });
            List<EpochRecord> a = whole.history();
            List<EpochRecord> b = resumed.history();
            assertEquals(3, b.size());
            for (int i = 0; i < 3; i++) {
                assertEquals(a.get(i).trainLoss(), b.get(i).trainLoss(), 0.0, "loss, epoch " + (i + 1));
                assertEquals(a.get(i).testAccuracyU(), b.get(i).testAccuracyU(), 0.0, "u accuracy, epoch " + (i + 1));
                assertEquals(a.get(i).sparsity(), b.get(i).sparsity(), 0.0, "sparsity, epoch " + (i + 1));
            }
            Safetensors.Contents ma = Safetensors.read(tmp.resolve("whole").resolve("model.safetensors"));
            Safetensors.Contents mb = Safetensors.read(killed.resolve("model.safetensors"));
            for (String name : ma.tensors().keySet()) {
                assertArrayEquals(ma.tensors().get(name).data(), mb.tensors().get(name).data(), 0.0f, name);
            }
        }
        if (c.fineTuneEpochs() == 2) {
            assertEquals(whole.history().get(0).sparsity(), whole.history().get(1).sparsity(), 0.0,
                    "debiasing keeps the support");
        }
        Path killed = tmp.resolve("killed-3");
        String other = TrainConfig.of("lenet300", TrainConfig.Method.RVSM, Penalty.l1(), 2e-6, 1e-2, 0.02, 0.9, 3, 64, 7, 0, 0).toString();
        assertThrows(IOException.class, () -> TrainingRun.run(c, other, d[0], d[1], killed, (e, i, n) -> { }),
                "a checkpoint of another configuration is refused");
    }
}
