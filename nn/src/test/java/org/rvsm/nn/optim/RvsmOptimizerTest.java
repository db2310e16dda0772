package org.rvsm.nn.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.EasyTrain;
import ai.djl.training.Trainer;
import ai.djl.training.dataset.Batch;
import ai.djl.training.initializer.XavierInitializer;
import ai.djl.training.loss.Loss;
import ai.djl.training.tracker.Tracker;
import ai.djl.util.Pair;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.rvsm.nn.data.ImageDataset;
import org.rvsm.nn.data.ShuffledBatches;
import org.rvsm.nn.model.Models;
import org.rvsm.penalty.Penalty;

/**
 * The optimizer on lenet300 with synthetic data (no dataset needed): the CPU fast path against
 * an independent double computation and against the engine-op path, exact resumption from a saved
 * state, the selection of tensors and lambdas, and the u swap.
 */
public class RvsmOptimizerTest {

    @TempDir
    Path tmp;

    /** Seeded synthetic 28x28 images with random labels: count images. */
    public static ImageDataset synthetic(int count, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        float[] x = new float[count * 784];
        int[] y = new int[count];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) rng.nextGaussian();
        }
        for (int i = 0; i < count; i++) {
            y[i] = rng.nextInt(10);
        }
        return new ImageDataset(count, 1, 28, 28, x, y, 10, new float[] {0f}, new float[] {1f}, false);
    }

    /** lenet300 with Xavier weights from the engine's generator seeded with seed, in a model, with a trainer. */
    static final class Fixture implements AutoCloseable {
        final Model model;
        final SequentialBlock block;
        final RvsmOptimizer optimizer;
        final Trainer trainer;

        Fixture(long seed, RvsmOptimizer optimizer) {
            Engine.getInstance().setRandomSeed((int) seed);
            block = Models.build("lenet300");
            block.setInitializer(new XavierInitializer(), Parameter.Type.WEIGHT);
            model = Model.newInstance("lenet300", Device.cpu());
            model.setBlock(block);
            block.initialize(model.getNDManager(), DataType.FLOAT32, new Shape(1, 784));
            this.optimizer = optimizer;
            trainer = model.newTrainer(new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss()).optOptimizer(optimizer)
                    .optDevices(new Device[] {Device.cpu()}));
            optimizer.validate(block);
        }

        /** Trains on the batches [from, to) of one epoch's order of data. */
        void train(ImageDataset data, int from, int to, Consumer<Integer> beforeBatch) throws Exception {
            int i = 0;
            for (Batch batch : trainer.iterateDataset(new ShuffledBatches(data, 32, 9))) {
                try (batch) {
                    if (i >= from && i < to) {
                        beforeBatch.accept(i);
                        EasyTrain.trainBatch(trainer, batch);
                        trainer.step();
                    }
                }
                i++;
            }
        }

        Map<String, float[]> weights() {
            Map<String, float[]> out = new LinkedHashMap<>();
            for (Pair<String, Parameter> p : block.getParameters()) {
                out.put(p.getKey(), p.getValue().getArray().toFloatArray());
            }
            return out;
        }

        void setWeights(Map<String, float[]> w) {
            for (Pair<String, Parameter> p : block.getParameters()) {
                EngineMemory.write(p.getValue().getArray(), w.get(p.getKey()));
            }
        }

        @Override
        public void close() {
            trainer.close();
            model.close();
        }
    }

    private static RvsmOptimizer.Builder rvsm(Penalty penalty, double lambda) {
        // the learning rate depends on the update number, so a resumed run must restore the step counts
        return RvsmOptimizer.builder().setLearningRateTracker((Tracker) numUpdate -> 0.05f / (1 + numUpdate / 50f))
                .optMomentum(0.9f).setPenalty(penalty).setLambda(lambda).setBeta(0.1);
    }

    @ParameterizedTest(name = "{0} engine ops {1}")
    @MethodSource("penaltiesAndPaths")
    void oneUpdateIsTheTextbookStepInDouble(String name, boolean engineOps) {
        Penalty penalty = penalty(name);
        double lambda = 2e-4;
        double beta = 0.1;
        float m = 0.9f;
        float lr = 0.05f;
        RvsmOptimizer opt = RvsmOptimizer.builder().setLearningRateTracker(Tracker.fixed(lr)).optMomentum(m)
                .setPenalty(penalty).setLambda(lambda).setBeta(beta).optEngineOps(engineOps).build();
        try (NDManager manager = NDManager.newBaseManager(Device.cpu())) {
            Block block = Linear.builder().setUnits(50).optBias(false).build();
            block.setInitializer(new XavierInitializer(), Parameter.Type.WEIGHT);
            block.initialize(manager, DataType.FLOAT32, new Shape(1, 40));
            Parameter p = block.getParameters().get(0).getValue();
            opt.validate(block);
            SplittableRandom rng = new SplittableRandom(3);
            int n = 2000;
            float[] w0 = new float[n];
            for (int i = 0; i < n; i++) {
                w0[i] = (float) (0.05 * rng.nextGaussian()); // about a quarter below l1's threshold mu = 2e-3... and l0's 0.063
            }
            EngineMemory.write(p.getArray(), w0);
            double[] v = new double[n];
            double[] w = new double[n];
            for (int i = 0; i < n; i++) {
                w[i] = w0[i];
            }
            for (int step = 0; step < 3; step++) {
                float[] g = new float[n];
                for (int i = 0; i < n; i++) {
                    g[i] = (float) (0.1 * rng.nextGaussian());
                }
                try (NDArray grad = manager.create(g, p.getArray().getShape())) {
                    opt.update(p.getId(), p.getArray(), grad);
                }
                // the textbook update in double, from the float w of the previous step (u = T(w) by the double operator)
                float[] current = p.getArray().toFloatArray();
                for (int i = 0; i < n; i++) {
                    double u = penalty.prox(w[i], lambda / beta);
                    v[i] = m * v[i] + g[i] + beta * (w[i] - u);
                    w[i] = w[i] - lr * v[i];
                }
                for (int i = 0; i < n; i++) {
                    double tol = 1e-6 * Math.abs(w[i]) + 1e-8;
                    if (Math.abs(current[i] - w[i]) > tol && !nearJump(penalty, w0[i], lambda / beta)) {
                        throw new AssertionError("step " + step + ", entry " + i + ": optimizer " + current[i]
                                + ", textbook " + w[i]);
                    }
                    w[i] = current[i]; // continue from the optimizer's float w
                }
            }
        }
    }

    /** Whether x lies within float rounding of the operator's jump (l0, Tl1): both branches are right there. */
    private static boolean nearJump(Penalty penalty, double x, double mu) {
        return Math.abs(Math.abs(x) - penalty.threshold(mu)) < 1e-6;
    }

    static Stream<Arguments> penaltiesAndPaths() {
        return Stream.of("l1", "l0", "tl1").flatMap(p -> Stream.of(Arguments.of(p, false), Arguments.of(p, true)));
    }

    private static Penalty penalty(String name) {
        return switch (name) {
            case "l1" -> Penalty.l1();
            case "l0" -> Penalty.l0();
            default -> Penalty.transformedL1(1.0);
        };
    }

    /** The engine-op path (forced on the CPU) against the fast path, 40 updates of lenet300. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("schemes")
    void theEngineOpPathAgreesWithTheFastPath(String name, Consumer<RvsmOptimizer.Builder> settings) throws Exception {
        ImageDataset data = synthetic(40 * 32, 5);
        RvsmOptimizer.Builder fast = rvsm(Penalty.l1(), 3e-4);
        RvsmOptimizer.Builder engine = rvsm(Penalty.l1(), 3e-4).optEngineOps(true);
        settings.accept(fast);
        settings.accept(engine);
        Map<String, float[]> a;
        Map<String, float[]> b;
        try (Fixture f = new Fixture(4, fast.build())) {
            f.train(data, 0, 40, i -> pruneAt(f.optimizer, name, i));
            a = f.weights();
        }
        try (Fixture f = new Fixture(4, engine.build())) {
            f.train(data, 0, 40, i -> pruneAt(f.optimizer, name, i));
            b = f.weights();
        }
        // float arithmetic in the same grouping on both paths; 1e-6 relative covers a different summation
        // order inside the engine's kernels, compounded over 40 updates
        double worst = 0;
        for (String key : a.keySet()) {
            float[] x = a.get(key);
            float[] y = b.get(key);
            for (int i = 0; i < x.length; i++) {
                double d = Math.abs(x[i] - y[i]) / (1e-3 + Math.abs(x[i]));
                worst = Math.max(worst, d);
                if ((x[i] == 0.0f) != (y[i] == 0.0f) && Math.abs(x[i] - y[i]) > 1e-6) {
                    throw new AssertionError(key + "[" + i + "]: zero on one path only: " + x[i] + " vs " + y[i]);
                }
            }
        }
        assertTrue(worst < 1e-6, "largest relative difference " + worst);
    }

    private static void pruneAt(RvsmOptimizer optimizer, String name, int batch) {
        if (name.equals("prune") && batch == 20) {
            optimizer.pruneByMagnitude(0.8);
        }
        if (name.startsWith("rvsm") && batch == 30) {
            optimizer.freezeSupport();
        }
    }

    static Stream<Arguments> schemes() {
        return Stream.of(
                Arguments.of("rvsm-l1", (Consumer<RvsmOptimizer.Builder>) b -> { }),
                Arguments.of("rvsm-l0", (Consumer<RvsmOptimizer.Builder>) b -> b.setPenalty(Penalty.l0()).setLambda(1e-4)),
                Arguments.of("rvsm-tl1", (Consumer<RvsmOptimizer.Builder>) b -> b.setPenalty(Penalty.transformedL1(1.0))),
                Arguments.of("rvsm-neuron", (Consumer<RvsmOptimizer.Builder>) b -> b.optGroup(RvsmOptimizer.Group.NEURON, 0.05)),
                Arguments.of("proximal", (Consumer<RvsmOptimizer.Builder>) b -> b.optScheme(RvsmOptimizer.Scheme.PROXIMAL)),
                Arguments.of("prune", (Consumer<RvsmOptimizer.Builder>) b -> b.optScheme(RvsmOptimizer.Scheme.MOMENTUM)),
                Arguments.of("weight-decay", (Consumer<RvsmOptimizer.Builder>) b -> b.optWeightDecays(1e-3f).optClipGrad(0.5f)));
    }

    /**
     * k updates, save, a fresh optimizer and model loaded from the saves, k more: the bits of 2k
     * uninterrupted updates. The split is frozen at update k - 20 (a mask saved) and the flush at
     * update 100 falls in the second half.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("resumable")
    void aSavedStateResumesBitForBit(String name, boolean engineOps) throws Exception {
        ImageDataset data = synthetic(120 * 32, 6);
        int k = 60;
        Penalty penalty = name.equals("tl1") ? Penalty.transformedL1(1.0) : Penalty.l0();
        Consumer<Integer> noop = i -> { };
        Map<String, float[]> whole;
        try (Fixture f = new Fixture(8, rvsm(penalty, 1e-4).optEngineOps(engineOps).build())) {
            f.train(data, 0, 2 * k, i -> freezeAt(f.optimizer, name, i, k));
            whole = f.weights();
        }
        Path state = tmp.resolve(name + engineOps + ".safetensors");
        Map<String, float[]> half;
        try (Fixture f = new Fixture(8, rvsm(penalty, 1e-4).optEngineOps(engineOps).build())) {
            f.train(data, 0, k, i -> freezeAt(f.optimizer, name, i, k));
            f.optimizer.saveState(state);
            half = f.weights();
        }
        try (Fixture f = new Fixture(99, rvsm(penalty, 1e-4).optEngineOps(engineOps).build())) { // other initial weights
            f.setWeights(half);
            f.optimizer.loadState(state);
            assertEquals(k, f.optimizer.stepsOf("02Linear_weight"));
            f.train(data, k, 2 * k, noop);
            Map<String, float[]> resumed = f.weights();
            for (String key : whole.keySet()) {
                assertArrayEquals(whole.get(key), resumed.get(key), 0.0f, key);
            }
        }
    }

    private static void freezeAt(RvsmOptimizer optimizer, String name, int batch, int k) {
        if (name.equals("l0-debiased") && batch == k - 20) {
            optimizer.freezeSupport();
        }
    }

    static Stream<Arguments> resumable() {
        return Stream.of(Arguments.of("tl1", false), Arguments.of("l0-debiased", false), Arguments.of("l0-debiased", true));
    }

    @Test
    void aPatternThatMatchesNoWeightIsOneLineNamingItAndTheParameters() throws Exception {
        RvsmOptimizer opt = rvsm(Penalty.l1(), 1e-4).optSparsify("02Linear_weight", "conv.*").build();
        Engine.getInstance().setRandomSeed(1);
        SequentialBlock block = Models.build("lenet300");
        block.setInitializer(new XavierInitializer(), Parameter.Type.WEIGHT);
        try (Model model = Model.newInstance("m", Device.cpu())) {
            model.setBlock(block);
            block.initialize(model.getNDManager(), DataType.FLOAT32, new Shape(1, 784));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> opt.validate(block));
            assertEquals("sparsify pattern 'conv.*' matches no weight parameter; the block's parameters are "
                    + "[02Linear_weight, 02Linear_bias, 04Linear_weight, 04Linear_bias, 06Linear_weight, 06Linear_bias]",
                    e.getMessage());
            // without validate, at the first update (bound by the listener)
            RvsmOptimizer late = rvsm(Penalty.l1(), 1e-4).optSparsify("nothing").build();
            try (Trainer trainer = model.newTrainer(new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss())
                    .optOptimizer(late).optDevices(new Device[] {Device.cpu()})
                    .addTrainingListeners(new SparsityListener(late, null)))) {
                Batch batch = trainer.iterateDataset(new ShuffledBatches(synthetic(32, 1), 32, 1)).iterator().next();
                EasyTrain.trainBatch(trainer, batch);
                IllegalArgumentException atUpdate = assertThrows(IllegalArgumentException.class, trainer::step);
                assertTrue(atUpdate.getMessage().startsWith("sparsify pattern 'nothing' matches no weight parameter"),
                        atUpdate.getMessage());
                batch.close();
            }
        }
        // an update on an unbound optimizer says how to bind it
        RvsmOptimizer unbound = rvsm(Penalty.l1(), 1e-4).build();
        try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
            NDArray w = m.zeros(new Shape(2, 2));
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> unbound.update("id", w, w));
            assertTrue(e.getMessage().contains("validate(block)"), e.getMessage());
        }
    }

    @Test
    void byDefaultRank2WeightsAreSplitNeverBiasesOrBatchNorm() {
        SequentialBlock block = new SequentialBlock().add(Linear.builder().setUnits(8).build())
                .add(BatchNorm.builder().build()).add(Linear.builder().setUnits(3).build());
        block.setInitializer(new XavierInitializer(), Parameter.Type.WEIGHT);
        try (NDManager manager = NDManager.newBaseManager(Device.cpu())) {
            block.initialize(manager, DataType.FLOAT32, new Shape(4, 5));
            RvsmOptimizer opt = rvsm(Penalty.l1(), 1e-4).build();
            opt.validate(block);
            assertEquals(List.of("01Linear_weight", "03Linear_weight"), opt.sparsifiedNames(),
                    "all parameters: " + opt.parameterNames());
            RvsmOptimizer one = rvsm(Penalty.l1(), 1e-4).optSparsify(".*3Linear_weight").build();
            one.validate(block);
            assertEquals(List.of("03Linear_weight"), one.sparsifiedNames());
        }
    }

    @Test
    void lambdaPerParameterByMapSizeAndInitialScale() throws Exception {
        double lambda = 1e-4;
        double beta = 0.1;
        try (Fixture f = new Fixture(2, rvsm(Penalty.l1(), lambda).optLambdaRule(RvsmOptimizer.LambdaRule.SIZE)
                .optLambdas(Map.of("06Linear_weight", 7e-5)).build())) {
            double mean = (784 * 300 + 300 * 100 + 100 * 10) / 3.0;
            assertEquals(lambda * 784 * 300 / mean, f.optimizer.lambdaOf("02Linear_weight"), 1e-18);
            assertEquals(lambda * 300 * 100 / mean, f.optimizer.lambdaOf("04Linear_weight"), 1e-18);
            assertEquals(7e-5, f.optimizer.lambdaOf("06Linear_weight"), 0.0, "the map overrides the rule");
        }
        try (Fixture f = new Fixture(2, rvsm(Penalty.l1(), lambda).optLambdaRule(RvsmOptimizer.LambdaRule.SQRT_SIZE)
                .build())) {
            double[] root = {Math.sqrt(784 * 300), Math.sqrt(300 * 100), Math.sqrt(100 * 10)};
            double mean = (root[0] + root[1] + root[2]) / 3.0;
            List<String> names = List.of("02Linear_weight", "04Linear_weight", "06Linear_weight");
            for (int i = 0; i < 3; i++) {
                assertEquals(lambda * root[i] / mean, f.optimizer.lambdaOf(names.get(i)), 1e-18, names.get(i));
            }
        }
        for (Penalty penalty : List.of(Penalty.l1(), Penalty.l0())) {
            try (Fixture f = new Fixture(2, rvsm(penalty, lambda).optLambdaRule(RvsmOptimizer.LambdaRule.INITIAL_STD)
                    .build())) {
                // independently: each threshold is t (of lambda / beta) times std_i / mean std
                List<String> names = List.of("02Linear_weight", "04Linear_weight", "06Linear_weight");
                double[] std = new double[3];
                for (int i = 0; i < 3; i++) {
                    float[] w = f.weights().get(names.get(i));
                    double s = 0;
                    double s2 = 0;
                    for (float x : w) {
                        s += x;
                        s2 += (double) x * x;
                    }
                    std[i] = Math.sqrt(s2 / w.length - (s / w.length) * (s / w.length));
                }
                double meanStd = (std[0] + std[1] + std[2]) / 3;
                for (int i = 0; i < 3; i++) {
                    double t = penalty.threshold(f.optimizer.lambdaOf(names.get(i)) / beta);
                    assertEquals(penalty.threshold(lambda / beta) * std[i] / meanStd, t, 1e-9 * t, names.get(i));
                }
            }
        }
        RvsmOptimizer bad = rvsm(Penalty.l1(), lambda).optLambdas(Map.of("02Linear_bias", 1e-3)).build();
        try (Fixture f = new Fixture(2, rvsm(Penalty.l1(), lambda).build())) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> bad.validate(f.block));
            assertTrue(e.getMessage().startsWith("lambda given for '02Linear_bias', which is not a sparsified parameter"),
                    e.getMessage());
        }
    }

    @Test
    void useSparseWeightsPutsUInAndRestoresWBitForBit() throws Exception {
        double lambda = 3e-4;
        try (Fixture f = new Fixture(3, rvsm(Penalty.l1(), lambda).build())) {
            f.train(synthetic(10 * 32, 2), 0, 10, i -> { });
            Map<String, float[]> w = f.weights();
            try (RvsmOptimizer.SparseWeights swap = f.optimizer.useSparseWeights(f.block)) {
                Map<String, float[]> inside = f.weights();
                for (String key : w.keySet()) {
                    float[] expected = w.get(key);
                    if (key.endsWith("_weight")) {
                        expected = new float[expected.length];
                        Penalty.l1().prox(w.get(key), expected, lambda / 0.1);
                    }
                    assertArrayEquals(expected, inside.get(key), 0.0f, key);
                }
            }
            Map<String, float[]> after = f.weights();
            for (String key : w.keySet()) {
                assertArrayEquals(w.get(key), after.get(key), 0.0f, key);
            }
        }
    }

    @Test
    void theBuilderRefusesBadSettingsNamingTheValue() {
        List<String> messages = new ArrayList<>();
        for (Runnable r : List.<Runnable>of(
                () -> rvsm(Penalty.l1(), -1).build(),
                () -> rvsm(Penalty.l1(), 1e-4).setBeta(0).build(),
                () -> rvsm(Penalty.l1(), 1e-4).optMomentum(1f).build(),
                () -> rvsm(Penalty.l1(), 1e-4).optSparsify("(").build(),
                () -> rvsm(Penalty.l1(), 1e-4).optGroup(RvsmOptimizer.Group.NEURON, 0).build(),
                () -> RvsmOptimizer.builder().setPenalty(Penalty.l1()).setLambda(0).setBeta(1).build())) {
            messages.add(assertThrows(IllegalArgumentException.class, r::run).getMessage());
        }
        assertEquals("lambda must be finite and >= 0, got -1.0", messages.get(0));
        assertEquals("beta must be finite and > 0, got 0.0", messages.get(1));
        assertEquals("momentum must be in [0, 1), got 1.0", messages.get(2));
        assertTrue(messages.get(3).startsWith("sparsify pattern '(' is not a regular expression"), messages.get(3));
        assertEquals("group lambda must be finite and > 0, got 0.0", messages.get(4));
        assertTrue(messages.get(5).contains("setLearningRateTracker"), messages.get(5));
    }
}
