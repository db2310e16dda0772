package org.rvsm.bench;

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
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;
import org.rvsm.nn.data.ImageDataset;
import org.rvsm.nn.data.ShuffledBatches;
import org.rvsm.nn.model.Models;
import org.rvsm.nn.optim.RvsmOptimizer;
import org.rvsm.penalty.Penalty;

/**
 * Side by side, in one run: an epoch through DJL's {@code EasyTrain.fit} with {@link RvsmOptimizer}
 * (l1 and l0) and with DJL's own {@code Sgd} with momentum, on the same model, initial weights, data
 * and batch order, taking turns for several rounds (round 0 warms the JIT and the engine up and is
 * not reported). Reports each contender's median seconds per epoch and its ratio to Sgd's; on a
 * shared machine only the ratio means much. The engine's forward and backward passes are the same for
 * all, so the ratio shows what the optimizer's update costs on top.
 *
 * <p>Usage: java -cp bench/target/benchmarks.jar org.rvsm.bench.OptimizerOverhead OUT.json [model]
 * [rounds] [epochs per round] [train images: 0 for all]. Fashion-MNIST from its default directory;
 * where it is not installed, seeded synthetic images of the same shape (and the JSON says so).
 * A tiny check that it runs: OUT.json lenet300 1 1 640.
 */
public final class OptimizerOverhead {

    private OptimizerOverhead() {
    }

    public static void main(String[] args) throws Exception {
        System.setProperty("ai.djl.offline", "true");
        Path out = Path.of(args.length > 0 ? args[0] : "bench/results/optimizer-overhead.json");
        String model = args.length > 1 ? args[1] : "lenet300";
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        int epochs = args.length > 3 ? Integer.parseInt(args[3]) : 2;
        int limit = args.length > 4 ? Integer.parseInt(args[4]) : 0;
        if (rounds < 1 || epochs < 1 || limit < 0) {
            throw new IllegalArgumentException("rounds and epochs must be >= 1 and the limit >= 0, got " + rounds + ", "
                    + epochs + ", " + limit);
        }
        boolean real = Files.isDirectory(ImageDataset.DEFAULT_FASHION_DIR);
        ImageDataset train = real ? ImageDataset.load(ImageDataset.DEFAULT_FASHION_DIR, true, ImageDataset.FASHION_MEAN,
                ImageDataset.FASHION_STD) : synthetic(limit > 0 ? limit : 60_000);
        if (limit > 0 && limit < train.count()) {
            train = train.head(limit);
        }
        String[] names = {"sgd-momentum", "rvsm-l1", "rvsm-l0"};
        List<Supplier<Optimizer>> optimizers = List.of(
                () -> Optimizer.sgd().setLearningRateTracker(Tracker.fixed(0.05f)).optMomentum(0.9f).build(),
                () -> RvsmOptimizer.builder().setLearningRateTracker(Tracker.fixed(0.05f)).optMomentum(0.9f)
                        .setPenalty(Penalty.l1()).setLambda(1e-3).setBeta(0.1).build(),
                () -> RvsmOptimizer.builder().setLearningRateTracker(Tracker.fixed(0.05f)).optMomentum(0.9f)
                        .setPenalty(Penalty.l0()).setLambda(3.2e-4).setBeta(0.1).build());
        List<List<Double>> seconds = new ArrayList<>();
        for (int i = 0; i < names.length; i++) {
            seconds.add(new ArrayList<>());
        }
        for (int round = 0; round <= rounds; round++) {
            for (int i = 0; i < names.length; i++) {
                Optimizer optimizer = optimizers.get(i).get();
                Engine.getInstance().setRandomSeed(1);
                SequentialBlock block = Models.build(model);
                block.setInitializer(new XavierInitializer(), Parameter.Type.WEIGHT);
                try (Model m = Model.newInstance(model, Device.cpu())) {
                    m.setBlock(block);
                    block.initialize(m.getNDManager(), DataType.FLOAT32, new Shape(1, 784));
                    if (optimizer instanceof RvsmOptimizer rvsm) {
                        rvsm.validate(block);
                    }
                    try (Trainer trainer = m.newTrainer(new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss())
                            .optOptimizer(optimizer).optDevices(new Device[] {Device.cpu()}))) {
                        ShuffledBatches data = new ShuffledBatches(train, 64, 1);
                        for (int e = 0; e < epochs; e++) {
                            long started = System.nanoTime();
                            EasyTrain.fit(trainer, 1, data, null);
                            double s = (System.nanoTime() - started) / 1e9;
                            if (round > 0) {
                                seconds.get(i).add(s);
                            }
                            System.err.printf(Locale.ROOT, "round %d %s epoch %d: %.3f s%n", round, names[i], e + 1, s);
                        }
                    }
                }
            }
        }
        double sgd = median(seconds.get(0));
        StringBuilder json = new StringBuilder(String.format(Locale.ROOT,
                "{%n  \"model\": \"%s\", \"data\": \"%s\", \"train_images\": %d, \"rounds\": %d, \"epochs_per_round\": %d,"
                        + " \"cores\": %d, \"java\": \"%s\",%n", model, real ? "fashion-mnist" : "synthetic",
                train.count(), rounds, epochs, Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.version")));
        for (int i = 0; i < names.length; i++) {
            double m = median(seconds.get(i));
            json.append(String.format(Locale.ROOT, "  \"%s_seconds_per_epoch\": %.4f,%n", names[i], m));
            if (i > 0) {
                json.append(String.format(Locale.ROOT, "  \"%s_ratio_to_sgd\": %.4f,%n", names[i], m / sgd));
            }
        }
        json.setLength(json.length() - 2);
        json.append(String.format("%n}%n"));
        if (out.toAbsolutePath().getParent() != null) {
            Files.createDirectories(out.toAbsolutePath().getParent());
        }
        Files.writeString(out, json.toString(), StandardCharsets.UTF_8);
        System.out.print(json);
    }

    /** Seeded Gaussian images with random labels, where Fashion-MNIST is not installed. */
    private static ImageDataset synthetic(int count) {
        java.util.SplittableRandom rng = new java.util.SplittableRandom(1);
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

    private static double median(List<Double> values) {
        return org.rvsm.Vectors.median(values.stream().mapToDouble(Double::doubleValue).toArray());
    }
}
