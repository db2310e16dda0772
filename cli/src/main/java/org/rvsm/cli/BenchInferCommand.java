package org.rvsm.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import org.rvsm.Vectors;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.rvsm.nn.data.ImageDataset;
import org.rvsm.nn.model.Models;
import org.rvsm.nn.train.SavedModel;
import org.rvsm.runtime.Compactor;
import org.rvsm.runtime.SparseNetwork;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Side by side, in one run: the dense model on the engine, the sparse runtime, the compacted model. */
@Command(name = "bench-infer", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Inference speed side by side: engine, pure-Java sparse runtime, compacted model.",
            "One run, the contenders taking turns over several rounds:",
            "  dense    the model as trained (zeros included) on the DJL/PyTorch engine",
            "  sparse   the pure-Java CSR runtime (the one 'rvsm infer' uses)",
            "  compact  the compacted dense model (removed neurons/filters gone) on the engine",
            "at batch 1 (latency) and batch 256 (throughput). Each call is timed on its own.",
            "A round is 1,000 single images and 50 batches, in blocks of 50 and 5 calls. The contenders take",
            "turns block by block, so that a change of the machine's pace between blocks affects all three alike.",
            "Each block follows a 20 ms pause, so that the engine's OpenMP threads, which spin for a while after a",
            "call, do not steal the cores from the next contender.",
            "Writes: the medians over all calls of all rounds (ms per call; a median, unlike a mean, is not",
            "moved by the odd call that a garbage collection or another process delays); the ratios",
            "dense/sparse of those medians (speedup_*), and the median over blocks of each block's ratio",
            "(speedup_*_paired); whether the sparse runtime predicts the same class as the engine on every",
            "test image; the sparse kernels' achieved memory bandwidth and the machine's streaming bandwidth.", ""},
        footer = {"", "Example:  rvsm bench-infer --model runs/lenet300-rvsm/model.safetensors \\",
            "              --json bench/results/infer.json"})
final class BenchInferCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--model", paramLabel = "FILE", required = true, description = ModelFiles.OPTION)
    Path model;

    @Option(names = "--json", paramLabel = "FILE", required = true, description = "Where to write the results (JSON).")
    Path json;

    @CommandLine.Mixin
    TestSetOptions testSet;

    @Option(names = "--rounds", paramLabel = "R", defaultValue = "5", description = "Rounds (contenders in turn). Default: ${DEFAULT-VALUE}.")
    int rounds;

    @CommandLine.Mixin
    CommonOptions common;

    /** Single-image calls per contender and round, in SINGLE_BLOCKS blocks. */
    private static final int SINGLE_CALLS = 1000;
    private static final int SINGLE_BLOCKS = 20;
    private static final int BATCH = 256;
    /** Batch calls per contender and round, in BATCH_BLOCKS blocks. */
    private static final int BATCH_CALLS = 50;
    private static final int BATCH_BLOCKS = 10;
    private static final int WARMUP_ROUNDS = 2;
    /** Pause before each block: PyTorch's OpenMP threads spin for a while after the engine's calls. */
    private static final long PAUSE_MS = 20;

    @Override
    public Integer call() {
        Checks.atLeast("--rounds", rounds, 1);
        Path parent = json.toAbsolutePath().getParent();
        if (parent == null || !Files.isDirectory(parent) || !Files.isWritable(parent)) {
            throw new UserError("--json " + json + ": cannot write there (no such directory, or not writable)");
        }
        PrintWriter out = spec.commandLine().getOut();
        int threads = Runtime.getRuntime().availableProcessors();
        try (SavedModel dense = ModelFiles.load(model)) {
            ModelFiles.Info info = ModelFiles.Info.of(dense.metadata(), dense.spec());
            if (info.name() != null && Models.NAMES.contains(info.name()) && !Models.SEQUENTIAL.contains(info.name())) {
                throw new UserError("--model " + model + ": " + info.name() + ": " + ModelFiles.UNSUPPORTED
                        + "; there is nothing to compare");
            }
            ImageDataset test = testSet.load(info);
            if (test.count() < BATCH) {
                throw new UserError("--data: the test set has " + test.count() + " images; bench-infer needs at least " + BATCH);
            }
            SparseNetwork sparse = SparseNetwork.of(dense.tensors(), dense.spec(), threads);
            Map<String, String> compactMeta = new java.util.LinkedHashMap<>();
            dense.spec().toMetadata(compactMeta);
            try (SavedModel compact = SavedModel.of(Compactor.compact(dense.tensors(), dense.spec()).tensors(), compactMeta)) {
                Predictions.Logits[] contenders = {dense::logits, sparse::logits, compact::logits};
                String[] names = {"dense", "sparse", "compact"};
                int[][] predictions = new int[3][];
                for (int c = 0; c < 3; c++) {
                    predictions[c] = new int[test.count()];
                    Predictions.predict(contenders[c], test, BATCH, predictions[c]);
                }
                double[][] single = new double[3][rounds * SINGLE_CALLS];
                double[][] batched = new double[3][rounds * BATCH_CALLS];
                for (int round = -WARMUP_ROUNDS; round < rounds; round++) { // rounds below 0 warm up
                    double[][] s = round(contenders, inputs(test, 1, SINGLE_CALLS), 1, SINGLE_BLOCKS);
                    double[][] b = round(contenders, inputs(test, BATCH, BATCH_CALLS), BATCH, BATCH_BLOCKS);
                    if (round >= 0) {
                        for (int c = 0; c < 3; c++) {
                            System.arraycopy(s[c], 0, single[c], round * SINGLE_CALLS, SINGLE_CALLS);
                            System.arraycopy(b[c], 0, batched[c], round * BATCH_CALLS, BATCH_CALLS);
                        }
                    }
                }
                Map<String, Object> result = Output.object();
                result.put("model", model.toString());
                result.put("threads", threads);
                result.put("rounds", rounds);
                for (int c = 0; c < 3; c++) {
                    result.put(names[c] + "_ms_batch1", Vectors.median(single[c]));
                }
                for (int c = 0; c < 3; c++) {
                    result.put(names[c] + "_ms_batch256", Vectors.median(batched[c]));
                }
                for (int c = 0; c < 3; c++) { // for comparison: means, which the slow odd calls move
                    result.put(names[c] + "_ms_batch1_mean", Arrays.stream(single[c]).average().orElseThrow());
                    result.put(names[c] + "_ms_batch256_mean", Arrays.stream(batched[c]).average().orElseThrow());
                }
                result.put("speedup_batch1", Vectors.median(single[0]) / Vectors.median(single[1]));
                result.put("speedup_batch256", Vectors.median(batched[0]) / Vectors.median(batched[1]));
                result.put("speedup_batch1_paired", pairedRatio(single[0], single[1], SINGLE_CALLS / SINGLE_BLOCKS));
                result.put("speedup_batch256_paired", pairedRatio(batched[0], batched[1], BATCH_CALLS / BATCH_BLOCKS));
                result.put("compact_speedup_batch1", Vectors.median(single[0]) / Vectors.median(single[2]));
                result.put("compact_speedup_batch256", Vectors.median(batched[0]) / Vectors.median(batched[2]));
                int disagree = disagreements(predictions[0], predictions[1]);
                result.put("predictions_identical", disagree == 0);
                result.put("sparse_disagreements", disagree);
                result.put("compact_disagreements", disagreements(predictions[0], predictions[2]));
                result.put("test_images", test.count());
                result.put("weights", dense.layers().stream().mapToLong(l -> l.size()).sum());
                result.put("stored_weights", sparse.nonZeros());
                long bytes = sparse.weightBytes();
                result.put("sparse_weight_bytes", bytes);
                result.put("sparse_gb_per_s_batch1", bytes / (Vectors.median(single[1]) * 1e-3) / 1e9);
                result.put("stream_gb_per_s", streamBandwidth());
                Output.writeJsonAtomically(json, result);
                out.println(Output.toJson(result));
            }
        } catch (IOException e) {
            throw new UserError("--model " + model + ": " + e.getMessage());
        }
        return ExitCode.OK;
    }

    /** calls consecutive batches of the test set (wrapping around), each its own array. */
    private static List<float[]> inputs(ImageDataset test, int batch, int calls) {
        int pixels = test.pixels();
        List<float[]> inputs = new ArrayList<>();
        for (int i = 0; i < calls; i++) {
            int start = (i * batch) % (test.count() - batch + 1);
            inputs.add(Arrays.copyOfRange(test.images(), start * pixels, (start + batch) * pixels));
        }
        return inputs;
    }

    /**
     * One round: the inputs cut into blocks of consecutive calls, and within each block every contender
     * in turn runs that block's calls, after a pause. Returns the milliseconds of each call, per contender,
     * in input order.
     */
    private static double[][] round(Predictions.Logits[] contenders, List<float[]> inputs, int batch, int blocks) {
        double[][] ms = new double[contenders.length][inputs.size()];
        int perBlock = inputs.size() / blocks;
        for (int block = 0; block < blocks; block++) {
            for (int c = 0; c < contenders.length; c++) {
                pause();
                for (int i = block * perBlock; i < (block + 1) * perBlock; i++) {
                    long started = System.nanoTime();
                    contenders[c].of(inputs.get(i), batch);
                    ms[c][i] = (System.nanoTime() - started) / 1e6;
                }
            }
        }
        return ms;
    }

    private static void pause() {
        try {
            Thread.sleep(PAUSE_MS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * The median over blocks of (median of a's calls in the block) / (median of b's): each block's two
     * medians come from the same few milliseconds, so a change of the machine's pace between blocks
     * cancels out.
     */
    static double pairedRatio(double[] a, double[] b, int perBlock) {
        double[] ratios = new double[a.length / perBlock];
        for (int i = 0; i < ratios.length; i++) {
            ratios[i] = Vectors.median(Arrays.copyOfRange(a, i * perBlock, (i + 1) * perBlock))
                    / Vectors.median(Arrays.copyOfRange(b, i * perBlock, (i + 1) * perBlock));
        }
        return Vectors.median(ratios);
    }

    private static int disagreements(int[] a, int[] b) {
        int n = 0;
        for (int i = 0; i < a.length; i++) {
            n += a[i] != b[i] ? 1 : 0;
        }
        return n;
    }

    /** The machine's streaming read bandwidth (GB/s): the best of 5 sums over a 256 MB array, one thread. */
    static double streamBandwidth() {
        float[] a = new float[64 << 20];
        Arrays.fill(a, 1.0f);
        double best = 0;
        for (int r = 0; r < 5; r++) {
            long started = System.nanoTime();
            float s0 = 0;
            float s1 = 0;
            float s2 = 0;
            float s3 = 0;
            for (int i = 0; i < a.length; i += 4) {
                s0 += a[i];
                s1 += a[i + 1];
                s2 += a[i + 2];
                s3 += a[i + 3];
            }
            double seconds = (System.nanoTime() - started) / 1e9;
            if (s0 + s1 + s2 + s3 > 0) {
                best = Math.max(best, 4.0 * a.length / seconds / 1e9);
            }
        }
        return best;
    }
}
