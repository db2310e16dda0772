package org.rvsm.nn.train;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.rvsm.nn.data.ImageDataset;
import org.rvsm.nn.model.TrainDefaults;

/**
 * Each model trained with its default settings ({@link TrainDefaults}) on the real Fashion-MNIST for
 * 300 minibatches: every minibatch's loss is finite (the trainer throws {@link DivergedException}
 * otherwise) and the sparse network is far above chance (10%). This is the run that turned to NaN
 * on AVX-512 machines when the engine's convolutions read uninitialised padding (docs/conv-nan.md).
 * Skipped where the dataset package is not installed.
 */
class DefaultSettingsTrainTest {

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"lenet300", "lenet5"})
    void defaultsTrainFiniteAndFarAboveChance(String model) throws IOException {
        ImageDataset[] d = SparseTrainerTest.data(300 * 64, 2000);
        TrainDefaults t = TrainDefaults.of(model);
        TrainConfig c = new TrainConfig(model, TrainConfig.Method.RVSM, t.defaultPenalty(), t.lambda(), t.beta(), t.lr(), t.momentum(), 1,
                t.batch(), 1, 0, 0, 0.0, 0, List.of());
        try (SparseTrainer trainer = new SparseTrainer(c)) {
            EpochRecord e = trainer.trainEpoch(0, d[0], d[1], null);
            assertTrue(Double.isFinite(e.trainLoss()), "loss " + e.trainLoss());
            assertTrue(e.testAccuracyU() > 0.6, model + ": accuracy of the sparse network " + e.testAccuracyU());
        }
    }
}
