package org.rvsm.bench;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.rvsm.nn.data.ImageDataset;
import org.rvsm.nn.train.EpochRecord;
import org.rvsm.nn.train.SparseTrainer;
import org.rvsm.nn.train.TrainConfig;
import org.rvsm.penalty.Penalty;

/**
 * Side by side, in one run: the training time of one epoch of dense SGD and of RVSM (each penalty) on
 * the same engine, model and data, taking turns for several rounds; reports the medians and RVSM's
 * extra time over dense SGD. Usage: java -cp bench/target/benchmarks.jar org.rvsm.bench.EpochOverhead
 * OUT.json [model] [rounds].
 */
public final class EpochOverhead {

    private EpochOverhead() {
    }

    public static void main(String[] args) throws Exception {
        System.setProperty("ai.djl.offline", "true");
        Path out = Path.of(args.length > 0 ? args[0] : "bench/results/epoch-overhead.json");
        String model = args.length > 1 ? args[1] : "lenet300";
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        ImageDataset train = ImageDataset.load(ImageDataset.DEFAULT_FASHION_DIR, true, ImageDataset.FASHION_MEAN,
                ImageDataset.FASHION_STD);
        ImageDataset test = ImageDataset.load(ImageDataset.DEFAULT_FASHION_DIR, false, ImageDataset.FASHION_MEAN,
                ImageDataset.FASHION_STD).head(1000);
        String[] names = {"dense", "rvsm-l1", "rvsm-l0", "rvsm-tl1"};
        TrainConfig[] configs = {
            TrainConfig.of(model, "dense", Penalty.l1(), 0, 1, 0.05, 0.9, 10, 64, 1, 0, 0),
            TrainConfig.of(model, "rvsm", Penalty.l1(), 1e-3, 0.1, 0.05, 0.9, 10, 64, 1, 0, 0),
            TrainConfig.of(model, "rvsm", Penalty.l0(), 3.2e-4, 0.1, 0.05, 0.9, 10, 64, 1, 0, 0),
            TrainConfig.of(model, "rvsm", Penalty.transformedL1(1.0), 1e-3, 0.1, 0.05, 0.9, 10, 64, 1, 0, 0)};
        List<List<Double>> times = new ArrayList<>();
        for (int i = 0; i < names.length; i++) {
            times.add(new ArrayList<>());
        }
        for (int round = 0; round <= rounds; round++) { // round 0 warms the JIT and the engine up
            for (int i = 0; i < names.length; i++) {
                try (SparseTrainer t = new SparseTrainer(configs[i])) {
                    EpochRecord r = t.trainEpoch(0, train, test, null);
                    if (round > 0) {
                        times.get(i).add(r.seconds());
                    }
                }
            }
        }
        StringBuilder json = new StringBuilder(String.format(Locale.ROOT,
                "{%n  \"model\": \"%s\", \"rounds\": %d, \"cores\": %d, \"java\": \"%s\",%n", model, rounds,
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.version")));
        double dense = median(times.get(0));
        for (int i = 0; i < names.length; i++) {
            double m = median(times.get(i));
            json.append(String.format(Locale.ROOT, "  \"%s_seconds_per_epoch\": %.3f,%n", names[i], m));
            if (i > 0) {
                json.append(String.format(Locale.ROOT, "  \"%s_overhead_vs_dense\": %.4f,%n", names[i], m / dense - 1));
            }
        }
        json.setLength(json.length() - 2);
        json.append(String.format("%n}%n"));
        Files.createDirectories(out.toAbsolutePath().getParent());
        Files.writeString(out, json.toString(), StandardCharsets.UTF_8);
        System.out.print(json);
    }

    private static double median(List<Double> values) {
        double[] s = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return s.length % 2 == 1 ? s[s.length / 2] : 0.5 * (s[s.length / 2 - 1] + s[s.length / 2]);
    }
}
