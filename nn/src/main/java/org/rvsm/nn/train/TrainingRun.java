package org.rvsm.nn.train;

import org.rvsm.nn.optim.LayerInfo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.rvsm.nn.data.ImageDataset;
import org.rvsm.runtime.AtomicFile;
import org.rvsm.runtime.Safetensors;

/**
 * A training run in a directory: after every epoch it writes, each file atomically,
 * {@code checkpoint.safetensors} (w of every tensor and the optimizer's state: v, masks, step counts;
 * with the epoch and the config in its metadata; docs/formats.md) and {@code metrics.csv}. A run that was killed resumes from the last completed epoch and
 * ends with the same metrics as an uninterrupted run: epoch e's shuffle depends only on the seed and
 * e, and the checkpoint holds the whole optimiser state.
 */
public final class TrainingRun {

    /** Told of progress: batches done in the epoch, out of the total. */
    @FunctionalInterface
    public interface Progress {
        void batch(int epoch, int done, int total);
    }

    /**
     * What a run produced: every completed epoch's record, the final per-layer summary, and the
     * optimizer's final lambda per sparsified tensor and beta (which the levers change); or, for a run
     * that diverged, the epochs completed before and where it diverged (layers empty, no model written).
     */
    public record Outcome(List<EpochRecord> history, List<LayerInfo> layers, Divergence divergence,
                          Map<String, Double> lambdas, double beta) {

        /** An outcome without the optimizer's final lambdas and beta. */
        public Outcome(List<EpochRecord> history, List<LayerInfo> layers, Divergence divergence) {
            this(history, layers, divergence, Map.of(), Double.NaN);
        }

        /** True when every epoch ran and the model was written. */
        public boolean completed() {
            return divergence == null;
        }
    }

    public static final String CHECKPOINT = "checkpoint.safetensors";
    public static final String METRICS = "metrics.csv";

    private TrainingRun() {
    }

    /**
     * Trains from the checkpoint in dir if there is one (its config must equal config), else from
     * scratch, until config.epochs() epochs are done. Also writes model.safetensors (the deployed
     * weights: u for sparsified tensors). A run that diverges stops there and writes no model.
     *
     * @throws CheckpointException when the checkpoint in dir cannot be used (unreadable, truncated,
     *                             another configuration's)
     */
    public static Outcome run(TrainConfig config, String configText, ImageDataset train, ImageDataset test,
                                        Path dir, Progress progress) throws IOException {
        Files.createDirectories(dir);
        List<EpochRecord> history = new ArrayList<>();
        try (SparseTrainer trainer = new SparseTrainer(config, train.spec())) {
            Path checkpoint = dir.resolve(CHECKPOINT);
            int first = 0;
            if (Files.exists(checkpoint)) {
                first = resume(trainer, checkpoint, configText, history);
            }
            int batches = (train.count() + config.batch() - 1) / config.batch();
            for (int epoch = first; epoch < config.epochs(); epoch++) {
                int e = epoch;
                int[] done = {0};
                EpochRecord record;
                try {
                    record = trainer.trainEpoch(epoch, train, test, () -> progress.batch(e + 1, ++done[0], batches));
                } catch (DivergedException diverged) { // the last checkpoint (a finite state) stays
                    return new Outcome(history, List.of(), diverged.divergence());
                }
                history.add(record);
                Map<String, String> meta = new LinkedHashMap<>();
                meta.put("config", configText);
                meta.put("epochs_done", Integer.toString(epoch + 1));
                String metrics = metricsCsv(history, trainer.sparsifiedNames());
                meta.put("metrics", metrics);
                trainer.saveState(checkpoint, meta);
                AtomicFile.writeString(dir.resolve(METRICS), metrics);
            }
            Map<String, String> modelMeta = new LinkedHashMap<>(
                    Map.of("config", configText, "model", config.model(), "format", "rvsm-sparse-u"));
            train.spec().toMetadata(modelMeta); // input shape, classes, normalisation (docs/formats.md)
            Safetensors.write(dir.resolve("model.safetensors"), trainer.deployedTensors(), modelMeta);
            Map<String, Double> lambdas = new LinkedHashMap<>();
            for (String name : trainer.sparsifiedNames()) {
                lambdas.put(name, trainer.optimizer().lambdaOf(name));
            }
            return new Outcome(history, trainer.layers(), null, lambdas, trainer.optimizer().beta());
        }
    }

    /** Loads the checkpoint into the trainer and the history; returns the epochs it holds. */
    private static int resume(SparseTrainer trainer, Path checkpoint, String configText, List<EpochRecord> history)
            throws CheckpointException {
        try {
            Safetensors.Contents state = Safetensors.read(checkpoint);
            String saved = state.metadata().getOrDefault("config", "");
            if (!saved.equals(configText)) {
                throw new IOException("it was written by another configuration (" + saved + ")");
            }
            String done = state.metadata().get("epochs_done");
            int epochs = done == null ? -1 : Integer.parseInt(done);
            List<EpochRecord> rows = parseMetrics(state.metadata().get("metrics"));
            if (epochs < 0 || rows.size() != epochs) {
                throw new IOException("epochs_done " + done + " does not match its " + rows.size() + " metrics rows");
            }
            trainer.loadState(state);
            history.addAll(rows);
            return epochs;
        } catch (IOException | RuntimeException e) {
            throw new CheckpointException(checkpoint + ": cannot resume from it (" + e.getMessage() + ")", e);
        }
    }

    /** One row per epoch: the columns of {@link EpochRecord}, one sparsity column per layer. */
    public static String metricsCsv(List<EpochRecord> history, List<String> layerNames) {
        StringBuilder sb = new StringBuilder("epoch,train_loss,test_accuracy_w,test_accuracy_u,sparsity,seconds");
        for (String name : layerNames) {
            sb.append(",sparsity_").append(name);
        }
        sb.append('\n');
        for (EpochRecord r : history) {
            sb.append(String.format(Locale.ROOT, "%d,%s,%s,%s,%s,%s", r.epoch(), r.trainLoss(), r.testAccuracyW(),
                    r.testAccuracyU(), r.sparsity(), r.seconds()));
            for (double s : r.layerSparsity()) {
                sb.append(',').append(s);
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    /** The rows of {@link #metricsCsv}; a malformed row is an IllegalArgumentException naming it. */
    static List<EpochRecord> parseMetrics(String csv) {
        List<EpochRecord> out = new ArrayList<>();
        if (csv == null) {
            return out;
        }
        String[] lines = csv.split("\n");
        for (int i = 1; i < lines.length; i++) {
            String[] f = lines[i].split(",");
            if (f.length < 6) {
                throw new IllegalArgumentException("metrics row " + i + " has " + f.length + " fields, expected 6 or more");
            }
            List<Double> layers = new ArrayList<>();
            for (int j = 6; j < f.length; j++) {
                layers.add(Double.parseDouble(f[j]));
            }
            out.add(new EpochRecord(Integer.parseInt(f[0]), Double.parseDouble(f[1]), Double.parseDouble(f[2]),
                    Double.parseDouble(f[3]), Double.parseDouble(f[4]), layers, Double.parseDouble(f[5])));
        }
        return out;
    }
}
