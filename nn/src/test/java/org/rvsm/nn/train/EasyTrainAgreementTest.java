package org.rvsm.nn.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.EasyTrain;
import ai.djl.training.Trainer;
import ai.djl.training.initializer.XavierInitializer;
import ai.djl.training.loss.Loss;
import ai.djl.training.tracker.Tracker;
import ai.djl.util.Pair;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.rvsm.nn.data.ImageDataset;
import org.rvsm.nn.data.ShuffledBatches;
import org.rvsm.nn.model.Models;
import org.rvsm.nn.optim.RvsmOptimizer;
import org.rvsm.nn.optim.RvsmOptimizerTest;
import org.rvsm.nn.optim.SparsityListener;
import org.rvsm.penalty.Penalty;

/**
 * {@code train}'s loop ({@link SparseTrainer}) and a user's {@code EasyTrain.fit} with an
 * {@link RvsmOptimizer} built from the public builder give the same bits for the same seed, settings
 * and data order (two epochs of lenet300 on synthetic data, no dataset needed).
 */
class EasyTrainAgreementTest {

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"l1", "tl1"})
    void easyTrainFitGivesTheBitsOfTrain(String name) throws Exception {
        Penalty penalty = name.equals("l1") ? Penalty.l1() : Penalty.transformedL1(1.0);
        ImageDataset train = RvsmOptimizerTest.synthetic(20 * 64, 12);
        ImageDataset test = RvsmOptimizerTest.synthetic(100, 13);
        long seed = 7;
        TrainConfig config = TrainConfig.of("lenet300", TrainConfig.Method.RVSM, penalty, 3e-4, 0.1, 0.05, 0.9, 2, 64,
                seed, 0, 0);
        Map<String, float[]> viaTrain;
        List<Double> sparsity = new java.util.ArrayList<>();
        try (SparseTrainer t = new SparseTrainer(config)) {
            for (int e = 0; e < 2; e++) {
                sparsity.add(t.trainEpoch(e, train, test, null).sparsity());
            }
            viaTrain = t.weights();
        }

        Engine.getInstance().setRandomSeed((int) (seed ^ (seed >>> 32)));
        SequentialBlock block = Models.build("lenet300");
        block.setInitializer(new XavierInitializer(), Parameter.Type.WEIGHT);
        try (Model model = Model.newInstance("lenet300", Device.cpu())) {
            model.setBlock(block);
            block.initialize(model.getNDManager(), DataType.FLOAT32, new Shape(1, 784));
            RvsmOptimizer optimizer = RvsmOptimizer.builder().setLearningRateTracker(Tracker.fixed(0.05f))
                    .optMomentum(0.9f).setPenalty(penalty).setLambda(3e-4).setBeta(0.1).build();
            SparsityListener listener = new SparsityListener(optimizer, null);
            try (Trainer trainer = model.newTrainer(new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss())
                    .optOptimizer(optimizer).optDevices(new Device[] {Device.cpu()}).addTrainingListeners(listener))) {
                EasyTrain.fit(trainer, 2, new ShuffledBatches(train, 64, seed), null);
                for (Pair<String, Parameter> p : block.getParameters()) {
                    assertArrayEquals(viaTrain.get(p.getKey()), p.getValue().getArray().toFloatArray(), 0.0f, p.getKey());
                }
                assertEquals(2, listener.history().size());
                for (int e = 0; e < 2; e++) {
                    assertEquals(sparsity.get(e), listener.history().get(e).sparsity(), 0.0, "sparsity of u, epoch " + (e + 1));
                }
            }
        }
    }
}
