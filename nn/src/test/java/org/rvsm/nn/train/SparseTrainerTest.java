package org.rvsm.nn.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.rvsm.nn.data.ImageDataset;
import org.rvsm.penalty.Penalty;

/** Short trainings on a Fashion-MNIST subset (skipped where the dataset package is not installed). */
class SparseTrainerTest {

    private static final java.util.concurrent.atomic.AtomicBoolean TOLD = new java.util.concurrent.atomic.AtomicBoolean();

    /**
     * The first train and test images of Fashion-MNIST, or the test is skipped; the first skip says so
     * once, visibly, with the command that installs the dataset. The directory can be overridden with
     * -Drvsm.fashion.dir=DIR (to check the skip: a directory that does not exist).
     */
    static ImageDataset[] data(int train, int test) throws IOException {
        Path dir = Path.of(System.getProperty("rvsm.fashion.dir", ImageDataset.DEFAULT_FASHION_DIR.toString()));
        if (!Files.isDirectory(dir) && TOLD.compareAndSet(false, true)) {
            System.err.println(System.lineSeparator() + "*** SKIPPED: the tests that train on Fashion-MNIST, which is not "
                    + "installed (no " + dir + "). Install it with: apt-get install dataset-fashion-mnist ***"
                    + System.lineSeparator());
        }
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isDirectory(dir),
                "Fashion-MNIST not installed (apt-get install dataset-fashion-mnist)");
        return new ImageDataset[] {
            ImageDataset.load(dir, true, ImageDataset.FASHION_MEAN, ImageDataset.FASHION_STD).head(train),
            ImageDataset.load(dir, false, ImageDataset.FASHION_MEAN, ImageDataset.FASHION_STD).head(test)};
    }

    @Test
    void rvsmLearnsAndSparsifies() throws IOException {
        ImageDataset[] d = data(6000, 1000);
        // lambda/beta = 1e-4: hard threshold sqrt(2e-4) = 0.014, below most initial weights (Xavier: |w| <= 0.074)
        TrainConfig c = TrainConfig.of("lenet300", TrainConfig.Method.RVSM, Penalty.l0(), 1e-6, 1e-2, 0.01, 0.9, 2, 64, 1, 0, 0);
        try (SparseTrainer t = new SparseTrainer(c)) {
            EpochRecord e1 = t.trainEpoch(0, d[0], d[1], null);
            EpochRecord e2 = t.trainEpoch(1, d[0], d[1], null);
            assertTrue(e2.testAccuracyW() > 0.7, "w-net accuracy " + e2.testAccuracyW());
            assertTrue(e2.sparsity() > 0.0, "some exact zeros: " + e2.sparsity());
            assertTrue(e2.trainLoss() < e1.trainLoss() + 0.05);
            assertEquals(3, e2.layerSparsity().size(), "three weight matrices, biases dense");
        }
    }

    @org.junit.jupiter.params.ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.ValueSource(strings = {"l1", "l0", "tl1"})
    void theSparseCopyIsTheCoreOperatorAppliedToTheTrainedWeights(String name, @org.junit.jupiter.api.io.TempDir Path tmp)
            throws IOException {
        ImageDataset[] d = data(1000, 100);
        Penalty penalty = switch (name) {
            case "l1" -> Penalty.l1();
            case "l0" -> Penalty.l0();
            default -> Penalty.transformedL1(1.0);
        };
        double lambda = 3e-4;
        double beta = 0.1;
        TrainConfig c = TrainConfig.of("lenet300", TrainConfig.Method.RVSM, penalty, lambda, beta, 0.05, 0.9, 1, 64, 5, 0, 0);
        java.util.Map<String, org.rvsm.runtime.Safetensors.Tensor> deployed;
        try (SparseTrainer t = new SparseTrainer(c)) {
            t.trainEpoch(0, d[0], d[1], null);
            t.saveState(tmp.resolve("state.safetensors"), java.util.Map.of());
            deployed = t.deployedTensors();
        }
        var state = org.rvsm.runtime.Safetensors.read(tmp.resolve("state.safetensors")).tensors();
        int checked = 0;
        for (String key : t3(state.keySet())) {
            float[] w = state.get(key).data();
            float[] expected = new float[w.length];
            penalty.prox(w, expected, lambda / beta);
            org.junit.jupiter.api.Assertions.assertArrayEquals(expected, deployed.get(key.substring(2)).data(), key);
            checked++;
        }
        assertEquals(3, checked, "u of the three weight matrices");
    }

    /** The checkpoint's weight tensors (w/NAME_weight). */
    private static java.util.List<String> t3(java.util.Set<String> keys) {
        return keys.stream().filter(k -> k.startsWith("w/") && k.endsWith("_weight")).toList();
    }

    @Test
    void neuronGroupsZeroWholeRowsOfTheHiddenLayersOnly() throws IOException {
        ImageDataset[] d = data(2000, 200);
        TrainConfig c = new TrainConfig("lenet300", TrainConfig.Method.RVSM, Penalty.l1(), 0.0, 0.1, 0.05, 0.9, 1, 64, 2, 0, 0, 0.0, 0,
                java.util.List.of(), org.rvsm.nn.optim.RvsmOptimizer.Group.NEURON, 0.125); // row-norm threshold 1.25: about a Xavier row's norm
        try (SparseTrainer t = new SparseTrainer(c)) {
            t.trainEpoch(0, d[0], d[1], null);
            var model = t.deployedTensors();
            float[] w1 = model.get("02Linear_weight").data();
            int deadRows = 0;
            for (int r = 0; r < 300; r++) {
                boolean dead = true;
                boolean anyZero = false;
                for (int col = 0; col < 784; col++) {
                    dead &= w1[r * 784 + col] == 0.0f;
                    anyZero |= w1[r * 784 + col] == 0.0f;
                }
                deadRows += dead ? 1 : 0;
                assertTrue(dead || !anyZero, "lambda = 0: zeros come in whole rows only (row " + r + ")");
            }
            assertTrue(deadRows > 0, "neurons removed: " + deadRows);
            float[] w3 = model.get("06Linear_weight").data();
            for (int r = 0; r < 10; r++) {
                float norm = 0;
                for (int col = 0; col < 100; col++) {
                    norm += Math.abs(w3[r * 100 + col]);
                }
                assertTrue(norm > 0, "the output layer's rows (classes) are never grouped away");
            }
        }
    }

    @Test
    void onlyTheChosenLayersAreSparsified() throws IOException {
        ImageDataset[] d = data(1000, 200);
        TrainConfig c = new TrainConfig("lenet300", TrainConfig.Method.RVSM, Penalty.l0(), 5e-4, 0.1, 0.02, 0.9, 1, 64, 1, 0, 0, 0, 0,
                java.util.List.of("02Linear_weight"));
        try (SparseTrainer t = new SparseTrainer(c)) {
            EpochRecord e = t.trainEpoch(0, d[0], d[1], null);
            assertEquals(java.util.List.of("02Linear_weight"), t.sparsifiedNames());
            assertEquals(1, e.layerSparsity().size());
            assertTrue(e.sparsity() > 0.5, "the first layer is sparse: " + e.sparsity());
        }
        TrainConfig bad = new TrainConfig("lenet300", TrainConfig.Method.RVSM, Penalty.l0(), 5e-4, 0.1, 0.02, 0.9, 1, 64, 1, 0, 0, 0, 0,
                java.util.List.of("nope"));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> new SparseTrainer(bad));
    }

    @Test
    void lenet5TrainsAndSparsifiesItsConvAndDenseWeights() throws IOException {
        ImageDataset[] d = data(1000, 300);
        TrainConfig c = TrainConfig.of("lenet5", TrainConfig.Method.RVSM, Penalty.l0(), 1e-4, 0.1, 0.02, 0.9, 1, 32, 3, 0, 0);
        try (SparseTrainer t = new SparseTrainer(c)) {
            EpochRecord e = t.trainEpoch(0, d[0], d[1], null);
            assertEquals(4, e.layerSparsity().size(), "conv 20, conv 50, fc 500, fc 10 weights");
            assertEquals(4, t.layers().get(0).shape().length, "conv weight (20, 1, 5, 5)");
            assertTrue(e.testAccuracyW() > 0.5, "learns: " + e.testAccuracyW());
            assertTrue(e.sparsity() > 0.0);
        }
    }

    @Test
    void magnitudePruningHitsItsTargetAndHoldsTheMask() throws IOException {
        ImageDataset[] d = data(3000, 500);
        TrainConfig c = new TrainConfig("lenet300", TrainConfig.Method.PRUNE, Penalty.l1(), 0, 1, 0.01, 0.9, 3, 64, 2, 0, 0, 0.9, 2,
                java.util.List.of());
        try (SparseTrainer t = new SparseTrainer(c)) {
            assertEquals(0.0, t.trainEpoch(0, d[0], d[1], null).sparsity(), 0.0, "dense before pruning");
            double total = 266_200; // 784*300 + 300*100 + 100*10 weights
            EpochRecord e2 = t.trainEpoch(1, d[0], d[1], null);
            assertEquals(Math.floor(0.9 * total) / total, e2.sparsity(), 1e-9, "pruned to 90% at epoch 2");
            EpochRecord e3 = t.trainEpoch(2, d[0], d[1], null);
            assertEquals(e2.sparsity(), e3.sparsity(), 0.0, "mask held while fine-tuning");
            assertTrue(e3.testAccuracyU() > 0.6, "still learns: " + e3.testAccuracyU());
        }
    }

    @Test
    void targetSparsityModeFollowsTheRampAndEndsOnTheTarget() throws IOException {
        ImageDataset[] d = data(3000, 500);
        TrainConfig.Levers levers = new TrainConfig.Levers(org.rvsm.nn.optim.RvsmOptimizer.LambdaRule.INITIAL_STD,
                java.util.Map.of(), 1.5, 0.0, 0.9);
        // l0: u keeps w's values on its support, so two epochs suffice for a u-network that works (l1's u is
        // shrunk by its threshold, which at 79% zeros after one epoch leaves a u-network at chance)
        TrainConfig c = new TrainConfig("lenet300", TrainConfig.Method.RVSM, Penalty.l0(), 1e-6, 0.1, 0.01, 0.9, 3, 64, 2, 0,
                0, 0.0, 1, java.util.List.of(), org.rvsm.nn.optim.RvsmOptimizer.Group.NONE, 0.0, levers);
        double total = 266_200;
        try (SparseTrainer t = new SparseTrainer(c)) {
            EpochRecord e1 = t.trainEpoch(0, d[0], d[1], null);
            double first = Math.ceil(levers.targetAt(0, 2) * total) / total; // 0.9 (1 - 1/8)
            assertTrue(e1.sparsity() >= first && e1.sparsity() < first + 1e-4, "epoch 1: " + e1.sparsity() + " for " + first);
            assertEquals(0.1, t.optimizer().beta(), 0.0, "beta as given in the first epoch");
            EpochRecord e2 = t.trainEpoch(1, d[0], d[1], null);
            assertEquals(0.1 * 1.5, t.optimizer().beta(), 0.0, "beta x1.5 in the second");
            double last = Math.ceil(0.9 * total) / total;
            assertTrue(e2.sparsity() >= last && e2.sparsity() < last + 1e-4, "epoch 2: " + e2.sparsity());
            EpochRecord e3 = t.trainEpoch(2, d[0], d[1], null);
            assertEquals(e2.sparsity(), e3.sparsity(), 0.0, "the support frozen at the target");
            // 90% zeros after two short epochs (the ramp is meant for tens): far from chance (10%), not good
            assertTrue(e3.testAccuracyU() > 0.3, "still learns: " + e1 + " " + e2 + " " + e3);
        }
    }

    @Test
    void theFinalRampLeavesLambdaAloneUntilTheLastSplitEpoch() throws IOException {
        ImageDataset[] d = data(3000, 500);
        TrainConfig.Levers levers = new TrainConfig.Levers(org.rvsm.nn.optim.RvsmOptimizer.LambdaRule.UNIFORM,
                java.util.Map.of(), 1, 0.0, 0.7, TrainConfig.TargetRamp.FINAL);
        java.util.function.Function<TrainConfig.Levers, TrainConfig> config = l -> new TrainConfig("lenet300",
                TrainConfig.Method.RVSM, Penalty.l0(), 1e-6, 0.1, 0.01, 0.9, 3, 64, 2, 0, 0, 0.0, 1, java.util.List.of(),
                org.rvsm.nn.optim.RvsmOptimizer.Group.NONE, 0.0, l);
        double total = 266_200;
        try (SparseTrainer with = new SparseTrainer(config.apply(levers));
             SparseTrainer without = new SparseTrainer(config.apply(TrainConfig.Levers.NONE))) {
            EpochRecord a = with.trainEpoch(0, d[0], d[1], null);
            EpochRecord b = without.trainEpoch(0, d[0], d[1], null);
            assertEquals(b.sparsity(), a.sparsity(), 0.0, "the first epoch is the plain run's");
            assertEquals(b.trainLoss(), a.trainLoss(), 0.0);
            EpochRecord a2 = with.trainEpoch(1, d[0], d[1], null);
            double wanted = Math.ceil(0.7 * total) / total;
            assertTrue(a2.sparsity() >= wanted && a2.sparsity() < wanted + 1e-4, "on the target: " + a2.sparsity());
        }
    }

    @Test
    void gradualPruningFollowsZhuAndGuptasScheduleAndHoldsItsZeros() throws IOException {
        ImageDataset[] d = data(3000, 500);
        // batch 16: 188 minibatches an epoch; pruning from step 188 to 564 (the fine-tuning's start) every 100
        TrainConfig c = new TrainConfig("lenet300", TrainConfig.Method.GRADUAL, Penalty.l1(), 0, 1, 0.01, 0.9, 4, 16, 2, 0,
                0, 0.8, 1, java.util.List.of());
        org.rvsm.schedule.GradualPruning schedule = new org.rvsm.schedule.GradualPruning(0, 0.8, 188, 564, 100);
        double total = 266_200;
        try (SparseTrainer t = new SparseTrainer(c)) {
            assertEquals(0.0, t.trainEpoch(0, d[0], d[1], null).sparsity(), 0.0, "dense in the first epoch");
            double previous = 0;
            for (int epoch = 1; epoch < 4; epoch++) {
                EpochRecord r = t.trainEpoch(epoch, d[0], d[1], null);
                long lastPruned = Math.min(564, 188 + (epoch * 188 + 187 - 188) / 100 * 100);
                double expected = Math.floor(schedule.sparsityAt(epoch == 3 ? 564 : lastPruned) * total) / total;
                assertEquals(expected, r.sparsity(), 1e-9, "epoch " + (epoch + 1));
                assertTrue(r.sparsity() >= previous, "zeros are held");
                previous = r.sparsity();
            }
            assertEquals(Math.floor(0.8 * total) / total, previous, 1e-9, "the final sparsity");
        }
    }
}
