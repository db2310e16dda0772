package org.rvsm.nn.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.rvsm.nn.data.ImageDataset;
import org.rvsm.penalty.Penalty;
import org.rvsm.runtime.Safetensors;

/**
 * resnet20 and vgg-small under the trainer on small synthetic image sets (no dataset needed): a few
 * epochs lower the loss, batch norm's running statistics are the engine's (updated in training, used
 * in evaluation) and travel with the model and the checkpoint.
 */
class ZooTrainingTest {

    @TempDir
    Path tmp;

    /**
     * n images of c x side x side in 4 classes: class k brightens quadrant k of every channel by 1.5 over
     * unit Gaussian noise, a task a convolutional network learns in a few steps.
     */
    static ImageDataset synthetic(int n, int c, int side, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        int p = c * side * side;
        float[] x = new float[n * p];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            y[i] = rng.nextInt(4);
            for (int ch = 0; ch < c; ch++) {
                for (int r = 0; r < side; r++) {
                    for (int col = 0; col < side; col++) {
                        int quadrant = (r < side / 2 ? 0 : 2) + (col < side / 2 ? 0 : 1);
                        x[i * p + (ch * side + r) * side + col] = (float) rng.nextGaussian() + (quadrant == y[i] ? 1.5f : 0f);
                    }
                }
            }
        }
        float[] ones = new float[c];
        Arrays.fill(ones, 1f);
        return new ImageDataset(n, c, side, side, x, y, 4, new float[c], ones, false);
    }

    @ParameterizedTest(name = "{0} on {1}x{2}x{2}")
    @CsvSource({"resnet20, 3, 32", "vgg-small, 3, 32", "resnet20, 1, 28", "vgg-small, 1, 28"})
    void aFewEpochsLowerTheLoss(String model, int c, int side) {
        ImageDataset train = synthetic(96, c, side, 1);
        ImageDataset test = synthetic(32, c, side, 2);
        TrainConfig config = TrainConfig.of(model, TrainConfig.Method.RVSM, Penalty.l1(), 1e-5, 0.1, 0.05, 0.9, 3, 16, 7, 0, 0);
        try (SparseTrainer t = new SparseTrainer(config, train.spec())) {
            EpochRecord first = t.trainEpoch(0, train, test, null);
            t.trainEpoch(1, train, test, null);
            EpochRecord third = t.trainEpoch(2, train, test, null);
            assertTrue(third.trainLoss() < 0.8 * first.trainLoss(), "loss " + first.trainLoss() + " -> " + third.trainLoss());
        }
    }

    @Test
    void batchNormStatisticsAreTheEnginesAndTravelWithTheModelAndTheCheckpoint() throws IOException {
        ImageDataset train = synthetic(64, 3, 32, 3).withAugmentation(true);
        ImageDataset test = synthetic(16, 3, 32, 4);
        TrainConfig config = TrainConfig.of("vgg-small", TrainConfig.Method.RVSM, Penalty.l1(), 1e-5, 0.1, 0.05, 0.9, 2, 16, 5, 0, 0);
        try (SparseTrainer t = new SparseTrainer(config, train.spec())) {
            t.trainEpoch(0, train, test, null);
            Map<String, Safetensors.Tensor> deployed = t.deployedTensors();
            String mean = deployed.keySet().stream().filter(k -> k.endsWith("runningMean")).findFirst().orElseThrow();
            String var = mean.replace("runningMean", "runningVar");
            // initially 0 and 1; the training passes moved them (the step must not write them back)
            assertTrue(anyDiffers(deployed.get(mean).data(), 0f), "running mean never updated");
            assertTrue(anyDiffers(deployed.get(var).data(), 1f), "running variance never updated");

            Map<String, String> meta = new LinkedHashMap<>(Map.of("model", "vgg-small"));
            train.spec().toMetadata(meta);
            Path file = tmp.resolve("model.safetensors");
            Safetensors.write(file, deployed, meta);
            try (SavedModel saved = SavedModel.load(file)) {
                assertEquals(t.accuracy(test, true), saved.accuracy(test), 0.0, "the file's network is the trainer's");
                // evaluation uses the running statistics: an image's logits do not depend on its batch
                float[] batch = saved.logits(test.images(), 8);
                float[] alone = saved.logits(Arrays.copyOfRange(test.images(), 3 * 3072, 4 * 3072), 1);
                for (int k = 0; k < 4; k++) {
                    assertEquals(batch[3 * 4 + k], alone[k], 1e-4f * (1 + Math.abs(alone[k])), "logit " + k);
                }
            }

            Path checkpoint = tmp.resolve("checkpoint.safetensors");
            t.saveState(checkpoint, Map.of());
            try (SparseTrainer resumed = new SparseTrainer(config, train.spec())) {
                resumed.loadState(Safetensors.read(checkpoint));
                Map<String, Safetensors.Tensor> back = resumed.deployedTensors();
                for (String name : deployed.keySet()) {
                    assertArrayEquals(deployed.get(name).data(), back.get(name).data(), name);
                }
                // and the next epoch is the same bits in both (augmentation draws depend on seed, epoch, batch)
                EpochRecord a = t.trainEpoch(1, train, test, null);
                EpochRecord b = resumed.trainEpoch(1, train, test, null);
                assertEquals(a.trainLoss(), b.trainLoss(), 0.0);
                Map<String, Safetensors.Tensor> da = t.deployedTensors();
                Map<String, Safetensors.Tensor> db = resumed.deployedTensors();
                for (String name : da.keySet()) {
                    assertArrayEquals(da.get(name).data(), db.get(name).data(), name);
                }
            }
        }
    }

    private static boolean anyDiffers(float[] a, float v) {
        for (float x : a) {
            if (x != v) {
                return true;
            }
        }
        return false;
    }
}
