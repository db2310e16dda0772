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
 * Side by side, in one run: the training time per epoch of dense SGD and of RVSM (each penalty) on the
 * same engine, model and data, taking turns for several rounds; reports the medians and RVSM's extra
 * time over dense SGD. Each round trains every method from its initial weights for a few epochs and
 * times each epoch. The first epoch is reported apart from the later ones: it starts from dense
 * weights, so Tl1 solves its cubic for most of them (about half survive the threshold over its first
 * hundred minibatches), while later epochs run on the sparse network that training produces.
 * The JSON also has each method's mean over all the epochs of a round ("all_" keys), the number for a
 * training of that length. Usage: java -cp bench/target/benchmarks.jar org.rvsm.bench.EpochOverhead
 * OUT.json [model] [rounds] [epochs per round, at least 2] [methods, comma-separated: dense,rvsm-l1,
 * rvsm-l0,rvsm-tl1 (default all; dense is always run)].
 */
public final class EpochOverhead {

    private EpochOverhead() {
    }

    public static void main(String[] args) throws Exception {
        System.setProperty("ai.djl.offline", "true");
        Path out = Path.of(args.length > 0 ? args[0] : "bench/results/epoch-overhead.json");
        String model = args.length > 1 ? args[1] : "lenet300";
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        int epochs = args.length > 3 ? Integer.parseInt(args[3]) : 3;
        if (rounds < 1 || epochs < 2) {
            throw new IllegalArgumentException("rounds must be >= 1 and epochs >= 2, got " + rounds + ", " + epochs);
        }
        ImageDataset train = ImageDataset.load(ImageDataset.DEFAULT_FASHION_DIR, true, ImageDataset.FASHION_MEAN,
                ImageDataset.FASHION_STD);
        ImageDataset test = ImageDataset.load(ImageDataset.DEFAULT_FASHION_DIR, false, ImageDataset.FASHION_MEAN,
                ImageDataset.FASHION_STD).head(1000);
        String[] allNames = {"dense", "rvsm-l1", "rvsm-l0", "rvsm-tl1"};
        TrainConfig[] allConfigs = {
            TrainConfig.of(model, TrainConfig.Method.DENSE, Penalty.l1(), 0, 1, 0.05, 0.9, 10, 64, 1, 0, 0),
            TrainConfig.of(model, TrainConfig.Method.RVSM, Penalty.l1(), 1e-3, 0.1, 0.05, 0.9, 10, 64, 1, 0, 0),
            TrainConfig.of(model, TrainConfig.Method.RVSM, Penalty.l0(), 3.2e-4, 0.1, 0.05, 0.9, 10, 64, 1, 0, 0),
            TrainConfig.of(model, TrainConfig.Method.RVSM, Penalty.transformedL1(1.0), 1e-3, 0.1, 0.05, 0.9, 10, 64, 1, 0, 0)};
        List<String> wanted = args.length > 4 ? List.of(args[4].split(",")) : List.of(allNames);
        List<String> chosen = new ArrayList<>();
        List<TrainConfig> chosenConfigs = new ArrayList<>();
        for (int i = 0; i < allNames.length; i++) {
            if (i == 0 || wanted.contains(allNames[i])) {
                chosen.add(allNames[i]);
                chosenConfigs.add(allConfigs[i]);
            }
        }
        if (chosen.size() != wanted.stream().filter(n -> !n.equals("dense")).count() + 1) {
            throw new IllegalArgumentException("methods: " + wanted + " (known: " + List.of(allNames) + ")");
        }
        String[] names = chosen.toArray(new String[0]);
        TrainConfig[] configs = chosenConfigs.toArray(new TrainConfig[0]);
        List<List<Double>> first = new ArrayList<>();
        List<List<Double>> later = new ArrayList<>();
        List<List<Double>> firstStep = new ArrayList<>();
        List<List<Double>> laterStep = new ArrayList<>();
        List<List<Double>> all = new ArrayList<>();
        List<List<Double>> allStep = new ArrayList<>();
        for (int i = 0; i < names.length; i++) {
            all.add(new ArrayList<>());
            allStep.add(new ArrayList<>());
            first.add(new ArrayList<>());
            later.add(new ArrayList<>());
            firstStep.add(new ArrayList<>());
            laterStep.add(new ArrayList<>());
        }
        for (int round = 0; round <= rounds; round++) { // round 0 warms the JIT and the engine up
            for (int i = 0; i < names.length; i++) {
                try (SparseTrainer t = new SparseTrainer(configs[i])) {
                    double firstSeconds = 0;
                    double firstSteps = 0;
                    double laterSum = 0;
                    double laterStepSum = 0;
                    for (int e = 0; e < epochs; e++) {
                        EpochRecord r = t.trainEpoch(e, train, test, null);
                        if (e == 0) {
                            firstSeconds = r.seconds();
                            firstSteps = t.lastEpochStepSeconds();
                        } else {
                            laterSum += r.seconds();
                            laterStepSum += t.lastEpochStepSeconds();
                        }
                    }
                    first.get(i).add(firstSeconds);
                    firstStep.get(i).add(firstSteps);
                    later.get(i).add(laterSum / (epochs - 1));
                    laterStep.get(i).add(laterStepSum / (epochs - 1));
                    all.get(i).add((firstSeconds + laterSum) / epochs);
                    allStep.get(i).add((firstSteps + laterStepSum) / epochs);
                    System.err.printf(Locale.ROOT, "round %d %s: first epoch %.3f s (steps %.3f s), later %.3f s"
                            + " (steps %.3f s)%n", round, names[i], firstSeconds, firstSteps, laterSum / (epochs - 1),
                            laterStepSum / (epochs - 1));
                }
            }
            if (round == 0) {
                List.of(first, later, firstStep, laterStep, all, allStep).forEach(l -> l.forEach(List::clear));
            }
        }
        StringBuilder json = new StringBuilder(String.format(Locale.ROOT,
                "{%n  \"model\": \"%s\", \"rounds\": %d, \"epochs_per_round\": %d, \"cores\": %d, \"java\": \"%s\",%n",
                model, rounds, epochs, Runtime.getRuntime().availableProcessors(), System.getProperty("java.version")));
        append(json, names, first, "");
        append(json, names, later, "later_");
        appendSteps(json, names, firstStep, first, "");
        appendSteps(json, names, laterStep, later, "later_");
        append(json, names, all, "all_");
        appendSteps(json, names, allStep, all, "all_");
        json.setLength(json.length() - 2);
        json.append(String.format("%n}%n"));
        Files.createDirectories(out.toAbsolutePath().getParent());
        Files.writeString(out, json.toString(), StandardCharsets.UTF_8);
        System.out.print(json);
    }

    /** The medians of each method, and each RVSM method's extra time over dense SGD (the first name). */
    private static void append(StringBuilder json, String[] names, List<List<Double>> times, String prefix) {
        double dense = median(times.get(0));
        for (int i = 0; i < names.length; i++) {
            double m = median(times.get(i));
            json.append(String.format(Locale.ROOT, "  \"%s%s_seconds_per_epoch\": %.3f,%n", prefix, names[i], m));
            if (i > 0) {
                json.append(String.format(Locale.ROOT, "  \"%s%s_overhead_vs_dense\": %.4f,%n", prefix, names[i],
                        m / dense - 1));
            }
        }
    }

    /**
     * The JVM update's seconds per epoch of each method (medians), and each RVSM method's extra step
     * time as a fraction of dense SGD's whole epoch: the same overhead, without the engine's passes,
     * which are the same for every method but carry most of this machine's run-to-run noise.
     */
    private static void appendSteps(StringBuilder json, String[] names, List<List<Double>> steps,
                                    List<List<Double>> epochs, String prefix) {
        double dense = median(steps.get(0));
        double denseEpoch = median(epochs.get(0));
        for (int i = 0; i < names.length; i++) {
            double m = median(steps.get(i));
            json.append(String.format(Locale.ROOT, "  \"%s%s_step_seconds_per_epoch\": %.3f,%n", prefix, names[i], m));
            if (i > 0) {
                json.append(String.format(Locale.ROOT, "  \"%s%s_step_overhead_vs_dense\": %.4f,%n", prefix,
                        names[i], (m - dense) / denseEpoch));
            }
        }
    }

    private static double median(List<Double> values) {
        return org.rvsm.Vectors.median(values.stream().mapToDouble(Double::doubleValue).toArray());
    }
}
