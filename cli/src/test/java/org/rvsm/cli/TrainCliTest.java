package org.rvsm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rvsm.nn.data.ImageDataset;

/**
 * train -> save -> evaluate -> resume through the CLI on a small synthetic IDX dataset
 * ({@link SyntheticIdx}), so it needs no installed dataset.
 */
class TrainCliTest {

    @TempDir
    static Path tmp;

    static Path data;

    private static CliRun run(String... args) {
        return CliRun.of(args);
    }

    @BeforeAll
    static void makeData() throws IOException {
        data = SyntheticIdx.write(tmp.resolve("idx"), 1200, 300, 1);
    }

    @Test
    void trainSaveEvaluateResume() throws IOException {
        Path out = tmp.resolve("run");
        CliRun train = run("train", "-q", "--data", data.toString(), "--epochs", "2", "--lr", "0.01",
                "--lambda", "1e-5", "--out", out.toString());
        assertEquals(0, train.code(), train.err());
        for (String f : List.of("metrics.csv", "summary.json", "model.safetensors", "index.html", "run.json",
                "checkpoint.safetensors")) {
            assertTrue(Files.size(out.resolve(f)) > 0, f);
        }
        JsonNode s = new ObjectMapper().readTree(out.resolve("summary.json").toFile());
        assertTrue(s.get("test_accuracy").asDouble() > 0.9, "the synthetic task is easy: " + s.get("test_accuracy"));
        assertTrue(s.get("sparsity").asDouble() > 0.0);
        assertTrue(!s.has("warning"), "a healthy run has no warning: " + s.get("warning"));
        assertEquals(3, s.get("layers").size());
        assertEquals(784, s.get("layers").get(0).get("shape").get(1).asInt());
        assertEquals(3, Files.readAllLines(out.resolve("metrics.csv")).size(), "header + 2 epochs");
        assertTrue(Files.readString(out.resolve("index.html")).contains("Which input pixels survive"));

        CliRun eval = run("evaluate", "--model", out.resolve("model.safetensors").toString(), "--data", data.toString());
        assertEquals(0, eval.code(), eval.err());
        String accuracy = String.format(java.util.Locale.ROOT, "test accuracy %.2f%%", 100 * s.get("test_accuracy").asDouble());
        assertTrue(eval.out().contains(accuracy), eval.out() + " vs " + accuracy);
        CliRun quiet = run("evaluate", "-q", "--model", out.resolve("model.safetensors").toString(), "--data", data.toString());
        assertEquals(eval.out(), quiet.out(), "-q changes no result line");

        // resuming a finished run trains nothing more and reports the same result
        CliRun resumed = run("train", "-q", "--resume", out.toString());
        assertEquals(0, resumed.code(), resumed.err());
        JsonNode s2 = new ObjectMapper().readTree(out.resolve("summary.json").toFile());
        assertEquals(s.get("test_accuracy"), s2.get("test_accuracy"));
        assertEquals(s.get("sparsity"), s2.get("sparsity"));
    }

    /** The levers from the command line: the target reached, the final lambdas and beta reported, resumable. */
    @Test
    void targetSparsityAndBetaGrowthFromTheCommandLine() throws IOException {
        Path out = tmp.resolve("levers");
        CliRun train = run("train", "-q", "--data", data.toString(), "--epochs", "3", "--lr", "0.01", "--lambda", "1e-5",
                "--beta", "0.1", "--target-sparsity", "0.6", "--beta-growth", "2", "--lambda-rule", "size",
                "--layer-lambda", "06Linear_weight=2e-6", "--finetune-epochs", "1", "--out", out.toString());
        assertEquals(0, train.code(), train.err());
        JsonNode s = new ObjectMapper().readTree(out.resolve("summary.json").toFile());
        assertTrue(s.get("sparsity").asDouble() >= 0.6 && s.get("sparsity").asDouble() < 0.6 + 1e-4, s.toString());
        assertEquals(0.2, s.get("beta").asDouble(), 0.0, "0.1, then x2 in the second (last split) epoch");
        double first = s.get("layers").get(0).get("lambda").asDouble();
        double last = s.get("layers").get(2).get("lambda").asDouble();
        // the explicit lambda of the last layer and the size rule's of the first, scaled by one factor
        double mean = (784 * 300 + 300 * 100 + 100 * 10) / 3.0;
        assertEquals(1e-5 * 784 * 300 / mean / 2e-6, first / last, 1e-9 * first / last, s.toString());
        JsonNode config = new ObjectMapper().readTree(out.resolve("run.json").toFile()).get("config");
        assertEquals("size", config.get("lambda_rule").asText());
        assertEquals(0.6, config.get("target_sparsity").asDouble(), 0.0);
        CliRun resumed = run("train", "-q", "--resume", out.toString());
        assertEquals(0, resumed.code(), resumed.err());
        assertEquals(s.get("layers"), new ObjectMapper().readTree(out.resolve("summary.json").toFile()).get("layers"));
    }

    /**
     * A real kill: the training runs in a child JVM that is destroyed (SIGKILL) in the middle of its
     * second epoch; --resume then ends with the same metrics and the same model bytes as a run that
     * was never stopped.
     */
    @Test
    void aRunKilledWithSigkillMidEpochResumesToTheSameResult() throws Exception {
        List<String> settings = List.of("--data", data.toString(), "--epochs", "3", "--batch", "4", "--lr", "0.005",
                "--lambda", "1e-5", "--seed", "9");
        Path whole = tmp.resolve("whole");
        List<String> args = new java.util.ArrayList<>(List.of("train", "-q", "--out", whole.toString()));
        args.addAll(settings);
        CliRun uninterrupted = run(args.toArray(String[]::new));
        assertEquals(0, uninterrupted.code(), uninterrupted.err());

        Path killed = tmp.resolve("killed");
        List<String> command = new java.util.ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "org.rvsm.cli.Main", "train", "-q", "--out", killed.toString()));
        command.addAll(settings);
        Process child = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        Path metrics = killed.resolve("metrics.csv");
        long deadline = System.nanoTime() + 120_000_000_000L;
        while (!(Files.exists(metrics) && Files.readAllLines(metrics).size() == 2)) { // epoch 1 done, epoch 2 running
            assertTrue(child.isAlive(), "the child ended before it could be killed");
            assertTrue(System.nanoTime() < deadline, "epoch 1 never finished");
            Thread.sleep(20);
        }
        Thread.sleep(50); // an epoch is 300 steps of a millisecond or more: this lands mid-epoch
        child.destroyForcibly().waitFor();
        assertEquals(2, Files.readAllLines(metrics).size(), "killed during epoch 2, before its checkpoint");

        CliRun resumed = run("train", "-q", "--resume", killed.toString());
        assertEquals(0, resumed.code(), resumed.err());
        List<String> a = Files.readAllLines(whole.resolve("metrics.csv"));
        List<String> b = Files.readAllLines(metrics);
        assertEquals(a.size(), b.size());
        for (int i = 0; i < a.size(); i++) { // every column but seconds (the 6th)
            List<String> x = new java.util.ArrayList<>(List.of(a.get(i).split(",")));
            List<String> y = new java.util.ArrayList<>(List.of(b.get(i).split(",")));
            x.remove(5);
            y.remove(5);
            assertEquals(x, y, "metrics row " + i);
        }
        assertTrue(java.util.Arrays.equals(Files.readAllBytes(whole.resolve("model.safetensors")),
                Files.readAllBytes(killed.resolve("model.safetensors"))) || sameTensors(whole, killed),
                "the same model");
    }

    /** Same tensors (the metadata may name the output directory). */
    private static boolean sameTensors(Path a, Path b) throws IOException {
        var x = org.rvsm.runtime.Safetensors.read(a.resolve("model.safetensors")).tensors();
        var y = org.rvsm.runtime.Safetensors.read(b.resolve("model.safetensors")).tensors();
        if (!x.keySet().equals(y.keySet())) {
            return false;
        }
        for (String k : x.keySet()) {
            if (!java.util.Arrays.equals(x.get(k).data(), y.get(k).data())) {
                return false;
            }
        }
        return true;
    }

    /**
     * A network pruned to a handful of weights predicts one class: the run completes (exit 0) but says
     * so, on stderr and in summary.json; the healthy run of {@link #trainSaveEvaluateResume} has no warning.
     */
    @Test
    void aCollapsedNetworkCompletesWithAWarning() throws IOException {
        Path out = tmp.resolve("collapsed");
        CliRun r = run("train", "-q", "--data", data.toString(), "--method", "prune", "--prune-sparsity", "0.99999",
                "--epochs", "2", "--lr", "0.01", "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        JsonNode s = new ObjectMapper().readTree(out.resolve("summary.json").toFile());
        assertEquals("completed", s.get("status").asText());
        assertTrue(s.has("warning") && s.get("warning").asText().contains("chance level"), s.toString());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().startsWith("rvsm: warning: the sparse network is at chance level"), r.err());
        assertTrue(r.err().contains("this run: 2 epochs of 1200 images"), r.err());
    }

    /** Chance is the test set's most frequent class, whatever the number of classes; one point above it is not. */
    @Test
    void chanceLevelIsTheMostFrequentClassPlusOnePoint() {
        int[] labels = new int[200];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = i < 80 ? 2 : i % 2; // class 2 is 40% of the set
        }
        ImageDataset test = new ImageDataset(200, 1, 1, 1, new float[200], labels, 3, new float[] {0f},
                new float[] {1f}, false);
        assertTrue(TrainCommand.chanceWarning(0.40, test, 5, 100).contains("(40.00% on the test set, whose most "
                + "frequent class is 40.00% of it)"));
        assertTrue(TrainCommand.chanceWarning(0.41, test, 5, 100) != null, "within one point of chance");
        assertEquals(null, TrainCommand.chanceWarning(0.4101, test, 5, 100));
        assertEquals(null, TrainCommand.chanceWarning(0.95, test, 5, 100));
    }

    @Test
    void badInputIsOneLineExitTwoAndTouchesNothing() throws IOException {
        Path existing = tmp.resolve("existing");
        Files.createDirectories(existing);
        Files.writeString(existing.resolve("keep.txt"), "earlier");
        Path corrupt = tmp.resolve("corrupt");
        Files.createDirectories(corrupt);
        Files.copy(data.resolve("t10k-labels-idx1-ubyte"), corrupt.resolve("t10k-labels-idx1-ubyte"));
        Files.copy(data.resolve("t10k-labels-idx1-ubyte"), corrupt.resolve("train-labels-idx1-ubyte"));
        Files.write(corrupt.resolve("train-images-idx3-ubyte"), new byte[] {0, 0, 8, 3, 0, 0, 0, 9});
        Files.write(corrupt.resolve("t10k-images-idx3-ubyte"), new byte[] {1, 2, 3, 4});
        String[][] cases = {
            {"--data", tmp.resolve("missing").toString(), "apt-get install dataset-fashion-mnist"},
            {"--data", corrupt.toString(), "truncated"},
            {"--lr", "-1", "--lr must be > 0, got -1.0"},
            {"--lambda", "NaN", "--lambda must be a finite number, got NaN"},
            {"--momentum", "1", "--momentum must be in [0, 1), got 1.0"},
            {"--model", "resnet", "--model must be one of lenet300, lenet5, resnet20, vgg-small; got 'resnet'"},
            {"--out", existing.toString(), "already holds files"},
            {"--sparsify", "nope", "--sparsify: lenet300 has no weight tensor 'nope'"},
            {"--target-sparsity", "1.5", "--target-sparsity must be in [0, 1), got 1.5"},
            {"--beta-growth", "0.5", "--beta-growth must be finite and >= 1, got 0.5"},
            {"--beta-growth", "2", "--beta-max", "0.01", "--beta-max must be >= --beta 0.05 (or 0: no cap), got 0.01"},
            {"--lambda-rule", "std", "--lambda-rule must be one of uniform, size, sqrt-size, initial-std; got 'std'"},
            {"--layer-lambda", "nope=1e-4", "--layer-lambda: lenet300 has no weight tensor 'nope'"},
            {"--layer-lambda", "02Linear_weight=-1", "--layer-lambda 02Linear_weight must be >= 0, got -1.0"},
            {"--method", "prune", "--target-sparsity", "0.9", "levers (--lambda-rule, --layer-lambda, --beta-growth, "
                    + "--beta-max, --target-sparsity) need --method rvsm, got --method prune"},
            {"--lambda", "1e-4", "--target-ramp", "final", "--target-ramp final needs --target-sparsity"},
            {"--target-ramp", "linear", "--target-ramp must be one of cubic, final; got 'linear'"},
            {"--method", "gradual", "--epochs", "2", "--method gradual needs --prune-sparsity > 0 and --epochs - --finetune-epochs >= 2, got --prune-sparsity "
                    + "0.95, --epochs 2, --finetune-epochs 1"},
        };
        for (String[] c : cases) {
            List<String> given = List.of(c).subList(0, c.length - 1);
            List<String> args = new java.util.ArrayList<>(List.of("train", "-q"));
            if (!given.contains("--data")) {
                args.addAll(List.of("--data", data.toString()));
            }
            if (!given.contains("--out")) {
                args.addAll(List.of("--out", tmp.resolve("never").toString()));
            }
            args.addAll(given);
            CliRun r = run(args.toArray(String[]::new));
            assertEquals(2, r.code(), String.join(" ", c) + ": " + r.err());
            assertEquals(1, r.err().strip().lines().count(), r.err());
            assertTrue(r.err().contains(c[c.length - 1]), r.err());
        }
        assertEquals("earlier", Files.readString(existing.resolve("keep.txt")));
        assertTrue(!Files.exists(tmp.resolve("never")), "no output directory for a run that never started");
        CliRun noModel = run("evaluate", "--model", tmp.resolve("none.safetensors").toString());
        assertEquals(2, noModel.code());
    }

    /** export -> infer -> bench-infer on a model trained here, and their bad inputs. */
    @Test
    void exportInferAndBenchInferWorkOnATrainedModelAndRefuseBadInput() throws IOException {
        Path run = tmp.resolve("for-export");
        CliRun train = run("train", "-q", "--data", data.toString(), "--epochs", "1", "--lr", "0.01",
                "--lambda", "6e-3", "--beta", "0.1", "--out", run.toString()); // mu = 0.06 zeroes most Xavier weights (at most 0.074)
        assertEquals(0, train.code(), train.err());
        Path model = run.resolve("model.safetensors");
        Path out = tmp.resolve("export");
        CliRun export = run("export", "-q", "--model", model.toString(), "--out", out.toString());
        assertEquals(0, export.code(), export.err());
        JsonNode sizes = new ObjectMapper().readTree(out.resolve("export.json").toFile());
        assertEquals(Files.size(out.resolve("sparse.safetensors")), sizes.get("sparse_bytes").asLong());
        assertTrue(sizes.get("sparse_bytes").asLong() < sizes.get("dense_bytes").asLong(), sizes.toString());

        JsonNode summary = new ObjectMapper().readTree(run.resolve("summary.json").toFile());
        String accuracy = String.format(java.util.Locale.ROOT, "test accuracy %.2f%%",
                100 * summary.get("test_accuracy").asDouble());
        for (String file : List.of("dense.safetensors", "sparse.safetensors", "compact.safetensors")) {
            CliRun infer = run("infer", "-q", "--model", out.resolve(file).toString(), "--data", data.toString());
            assertEquals(0, infer.code(), infer.err());
            assertTrue(infer.out().contains(accuracy), file + ": " + infer.out() + " vs " + accuracy);
        }

        Path json = tmp.resolve("bench.json");
        CliRun bench = run("bench-infer", "-q", "--model", model.toString(), "--data", data.toString(), "--rounds", "1",
                "--json", json.toString());
        assertEquals(0, bench.code(), bench.err());
        JsonNode b = new ObjectMapper().readTree(json.toFile());
        for (String key : List.of("dense_ms_batch1", "sparse_ms_batch1", "compact_ms_batch1", "dense_ms_batch256",
                "sparse_ms_batch256", "compact_ms_batch256", "speedup_batch1", "speedup_batch256",
                "speedup_batch1_paired", "speedup_batch256_paired")) {
            assertTrue(b.get(key).asDouble() > 0, key + " in " + b);
        }
        assertTrue(b.get("predictions_identical").asBoolean(), b.toString());

        Path garbage = tmp.resolve("garbage.safetensors");
        Files.write(garbage, new byte[] {9, 0, 0, 0, 0, 0, 0, 0, '{', '}'});
        Files.writeString(json, "earlier");
        String[][] cases = {
            {"export", "--model", tmp.resolve("none.safetensors").toString(), "--out", tmp.resolve("x").toString(), "no such file"},
            {"infer", "--model", garbage.toString(), "--data", data.toString(), "garbage.safetensors"},
            {"infer", "--model", model.toString(), "--batch", "0", "--batch must be >= 1"},
            {"bench-infer", "--model", model.toString(), "--json", tmp.resolve("no/such/dir/b.json").toString(), "cannot write there"},
            {"bench-infer", "--model", garbage.toString(), "--json", json.toString(), "garbage.safetensors"},
        };
        for (String[] c : cases) {
            CliRun r = run(java.util.Arrays.copyOf(c, c.length - 1));
            assertEquals(2, r.code(), String.join(" ", c) + ": " + r.err());
            assertEquals(1, r.err().strip().lines().count(), r.err());
            assertTrue(r.err().contains(c[c.length - 1]), r.err());
        }
        assertEquals("earlier", Files.readString(json), "a failed bench-infer leaves the earlier result");
        assertTrue(!Files.exists(tmp.resolve("x")), "a failed export writes nothing");
    }
}
