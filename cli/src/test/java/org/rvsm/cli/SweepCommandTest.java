package org.rvsm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rvsm.cli.sweep.EngineSettings;
import org.rvsm.cli.sweep.LocalEngine;
import org.rvsm.cli.sweep.PointRun;
import org.rvsm.cli.sweep.RecordingListener;

/**
 * The sweep as a plan of points: seeds and their spread, continuing after a kill or a failure, one
 * point at a time for job arrays, and refusing a different plan. On the synthetic IDX data of
 * {@link SyntheticIdx}, two epochs per run.
 */
class SweepCommandTest {

    @TempDir
    static Path tmp;

    static Path data;

    @BeforeAll
    static void makeData() throws IOException {
        data = SyntheticIdx.write(tmp.resolve("idx"), 600, 200, 1);
    }

    /** A small sweep: dense, RVSM-l0 at one threshold, pruning at one sparsity; each for the given seeds. */
    static String[] small(Path out, String seeds, String... more) {
        List<String> args = new ArrayList<>(List.of("sweep", "-q", "--data", data.toString(), "--penalties", "l0",
                "--thresholds", "0.05", "--prune-sparsities", "0.5", "--epochs", "2", "--seeds", seeds,
                "--out", out.toString()));
        args.addAll(List.of(more));
        return args.toArray(String[]::new);
    }

    private static JsonNode json(Path file) throws IOException {
        return new ObjectMapper().readTree(file.toFile());
    }

    @Test
    void everyPointForEverySeedWithTheSpread() throws IOException {
        Path out = tmp.resolve("seeds");
        CliRun r = CliRun.of(small(out, "1,2", "--jobs", "2"));
        assertEquals(0, r.code(), r.err());
        List<String> csv = Files.readAllLines(out.resolve("sweep.csv"));
        assertEquals(1 + 3 * 2, csv.size(), "header + (dense, rvsm-l0, prune) x 2 seeds: " + csv);
        assertEquals(SweepReport.COLUMNS, List.of(csv.get(0).split(",")));
        JsonNode s = json(out.resolve("sweep.json"));
        JsonNode runs = s.get("runs");
        assertEquals("rvsm-l0-t0.05-s1", runs.get(2).get("name").asText());
        // l0 with t = 0.05: lambda = beta t^2 / 2 = 0.1 * 0.00125
        assertEquals(1.25e-4, runs.get(2).get("lambda").asDouble(), 1e-12);
        assertEquals(0.5, runs.get(4).get("sparsity").asDouble(), 0.01, "pruned to its target");
        // per setting: the mean and the sample standard deviation of the two seeds, computed here again
        JsonNode settings = s.get("settings");
        assertEquals(3, settings.size());
        for (int i = 0; i < 3; i++) {
            double a = runs.get(2 * i).get("test_accuracy").asDouble();
            double b = runs.get(2 * i + 1).get("test_accuracy").asDouble();
            assertEquals(2, settings.get(i).get("seeds").asInt());
            assertEquals((a + b) / 2, settings.get(i).get("test_accuracy_mean").asDouble(), 1e-12);
            assertEquals(Math.abs(a - b) / Math.sqrt(2), settings.get(i).get("test_accuracy_sd").asDouble(), 1e-12);
        }
        String html = Files.readString(out.resolve("index.html"));
        assertTrue(html.contains("mean over 2 seeds") && html.contains("mean of 2 seeds"), "says how many seeds");
        assertTrue(html.contains("<svg") && html.contains("\u00b1"), "plot and table with the spread");
        assertTrue(html.contains("dense (no zeros)"), "dense is a level across the sparse points");
        List<String> md = Files.readAllLines(out.resolve("sweep.md"));
        assertEquals(2 + 3, md.size(), "header, rule, a row per setting: " + md);
        double mean = settings.get(0).get("test_accuracy_mean").asDouble();
        assertTrue(md.get(2).startsWith("| dense | 2 of 2 | 0.00% \u00b1 0.00 | "
                + String.format(java.util.Locale.ROOT, "%.2f%%", 100 * mean)), md.get(2));
        assertTrue(json(out.resolve("plan.json")).get("points").size() == 6);
        // different seeds give different runs
        assertFalse(runs.get(0).get("test_accuracy").equals(runs.get(1).get("test_accuracy"))
                && runs.get(0).get("seconds_per_epoch").equals(runs.get(1).get("seconds_per_epoch")));
    }

    @Test
    void aRerunKeepsFinishedPointsAndRunsTheRest() throws IOException {
        Path out = tmp.resolve("resume");
        CliRun plan = CliRun.of(small(out, "1", "--plan-only"));
        assertEquals(0, plan.code(), plan.err());
        assertTrue(plan.out().contains("plan of 3 points"), plan.out());
        assertFalse(Files.exists(out.resolve("runs")), "--plan-only runs nothing");

        // a job array's task: one point
        CliRun one = CliRun.of(small(out, "1", "--point", "1"));
        assertEquals(0, one.code(), one.err());
        Path summary = out.resolve("runs/rvsm-l0-t0.05-s1/summary.json");
        assertTrue(Files.isRegularFile(summary));
        assertFalse(Files.exists(out.resolve("runs/dense-s1")), "only the point asked for");
        assertFalse(Files.exists(out.resolve("sweep.csv")), "--point writes no report");
        FileTime before = Files.getLastModifiedTime(summary);
        byte[] bytes = Files.readAllBytes(summary);

        // what a kill leaves: a staging directory, and a run whose summary was cut short
        Files.createDirectories(out.resolve("runs/.staging-dense-s1-dead"));
        Files.writeString(out.resolve("runs/.staging-dense-s1-dead/summary.json"), "{");
        Files.createDirectories(out.resolve("runs/dense-s1"));
        Files.writeString(out.resolve("runs/dense-s1/summary.json"), "{\"status\": \"compl");

        CliRun rest = CliRun.of(small(out, "1"));
        assertEquals(0, rest.code(), rest.err());
        assertTrue(rest.err().contains("1 of 3 points finished earlier; running 2"), rest.err());
        assertEquals(before, Files.getLastModifiedTime(summary), "the finished point was not run again");
        assertTrue(java.util.Arrays.equals(bytes, Files.readAllBytes(summary)));
        assertEquals("completed", json(out.resolve("runs/dense-s1/summary.json")).get("status").asText());
        try (Stream<Path> entries = Files.list(out.resolve("runs"))) {
            List<String> names = entries.map(p -> p.getFileName().toString()).toList();
            assertFalse(names.stream().anyMatch(n -> n.startsWith(".staging-")), names.toString());
            assertTrue(names.stream().anyMatch(n -> n.startsWith("dense-s1.replaced-")), "the cut-short run is kept aside");
        }
        assertEquals(4, Files.readAllLines(out.resolve("sweep.csv")).size());

        // all finished: the same command only collects
        CliRun again = CliRun.of(small(out, "1"));
        assertEquals(0, again.code(), again.err());
        assertFalse(again.err().contains("running"), again.err());
        assertEquals(before, Files.getLastModifiedTime(summary));
    }

    @Test
    void aDifferentPlanOrADirectoryOfSomethingElseIsRefused() throws IOException {
        Path out = tmp.resolve("other");
        assertEquals(0, CliRun.of(small(out, "1", "--plan-only")).code());
        CliRun other = CliRun.of(small(out, "1,2", "--plan-only"));
        assertEquals(ExitCode.BAD_INPUT, other.code());
        assertTrue(other.err().contains("holds a different sweep plan (3 points against 6)"), other.err());
        assertEquals(1, other.err().strip().lines().count(), other.err());
        assertEquals(3, json(out.resolve("plan.json")).get("points").size(), "the plan is untouched");

        Path user = tmp.resolve("user");
        Files.createDirectories(user);
        Files.writeString(user.resolve("notes.txt"), "mine");
        CliRun refused = CliRun.of(small(user, "1"));
        assertEquals(ExitCode.BAD_INPUT, refused.code());
        assertTrue(refused.err().contains("already holds files"), refused.err());
        assertEquals(List.of("notes.txt"), Files.list(user).map(p -> p.getFileName().toString()).toList());
    }

    @Test
    void theDatasetAndAugmentationGoToEveryPoint() throws IOException {
        JsonNode points = plannedPoints("cifar-plan", "--dataset", "cifar10", "--data",
                tmp.resolve("no-such-dir").toString(), "--model", "resnet20", "--no-augment", "--penalties", "l1",
                "--thresholds", "0.01", "--prune-sparsities", "0.9", "--seeds", "1,2");
        assertEquals(6, points.size());
        for (JsonNode p : points) {
            String args = p.get("train_args").toString();
            assertTrue(args.contains("\"--model\",\"resnet20\"") && args.contains("\"--dataset\",\"cifar10\"")
                    && args.contains("\"--no-augment\""), args);
        }
    }

    @Test
    void theStudysPlanTargetsSparsitiesWithEveryShapeRuleAndBaseline() throws IOException {
        JsonNode points = plannedPoints("study-plan", "--data", data.toString(), "--model", "lenet300", "--penalties",
                "l1,tl1", "--a", "0.1,10", "--sparsities", "0.9,0.98", "--lambda-rules", "uniform,initial-std",
                "--beta-growths", "1,1.1", "--baselines", "prune,gradual", "--epochs", "10", "--seeds", "1,2");
        // (l1 + tl1 at two shapes) x 2 rules x 2 growths x 2 sparsities + 2 baselines x 2 sparsities, x 2 seeds
        assertEquals((3 * 2 * 2 * 2 + 2 * 2) * 2, points.size());
        List<String> names = new ArrayList<>();
        points.forEach(p -> names.add(p.get("name").asText()));
        for (String name : List.of("rvsm-l1-z0.9-s1", "rvsm-tl1a0.1-initial-std-bg1.1-z0.98-s2", "rvsm-tl1a10.0-z0.9-s1",
                "prune-0.98-s2", "gradual-0.9-s1")) {
            assertTrue(names.contains(name), name + " in " + names);
        }
        assertFalse(names.stream().anyMatch(n -> n.startsWith("dense")), "no dense baseline asked");
        for (JsonNode p : points) {
            List<String> args = trainArgs(p);
            String name = p.get("name").asText();
            if (name.startsWith("rvsm")) {
                String z = name.replaceAll(".*-z([0-9.]+)-s.*", "$1");
                assertEquals(z, args.get(args.indexOf("--target-sparsity") + 1), name);
                assertEquals(name.contains("initial-std"), args.contains("initial-std"), name);
                assertEquals(name.contains("-bg1.1"), args.contains("--beta-growth"), name);
                assertEquals(name.contains("tl1a0.1") ? "0.1" : name.contains("tl1a10") ? "10.0" : "0.1",
                        args.get(args.indexOf("--a") + 1), name);
                String curve = p.get("curve").asText();
                assertTrue(curve.startsWith("RVSM ") && curve.contains("initial-std") == name.contains("initial-std"),
                        curve);
            } else {
                assertEquals(name.replaceAll("^[a-z]+-([0-9.]+)-s.*", "$1"),
                        args.get(args.indexOf("--prune-sparsity") + 1), name);
                assertEquals(name.startsWith("gradual") ? "gradual" : "prune", args.get(args.indexOf("--method") + 1));
            }
        }
    }

    /** The points of the plan that `sweep OPTIONS --out tmp/DIR --plan-only` writes (it must exit 0). */
    private static JsonNode plannedPoints(String dir, String... options) throws IOException {
        Path out = tmp.resolve(dir);
        List<String> args = new ArrayList<>(List.of("sweep"));
        args.addAll(List.of(options));
        args.addAll(List.of("--out", out.toString(), "--plan-only"));
        CliRun r = CliRun.of(args.toArray(String[]::new));
        assertEquals(0, r.code(), r.err());
        return json(out.resolve("plan.json")).get("points");
    }

    /** A plan point's train arguments, in order. */
    private static List<String> trainArgs(JsonNode point) {
        List<String> args = new ArrayList<>();
        point.get("train_args").forEach(a -> args.add(a.asText()));
        return args;
    }

    @Test
    void theFinalRampNamesItsPointsAndPassesThrough() throws IOException {
        JsonNode p = plannedPoints("final-plan", "--data", data.toString(), "--penalties", "l1", "--sparsities",
                "0.9", "--target-ramp", "final", "--baselines", "none").get(0);
        assertEquals("rvsm-l1-final-z0.9-s1", p.get("name").asText());
        assertEquals("RVSM l1 final", p.get("curve").asText());
        assertTrue(p.get("train_args").toString().contains("\"--target-ramp\",\"final\""), p.toString());
        assertFalse(p.get("train_args").toString().contains("--lr"), "no --lr: train's default, the model's");
    }

    /** --lr reaches every point, RVSM and baselines alike, so that a study states its schedule. */
    @Test
    void theLearningRateGoesToEveryPoint() throws IOException {
        JsonNode points = plannedPoints("lr-plan", "--data", data.toString(), "--penalties", "tl1", "--sparsities",
                "0.9", "--baselines", "dense,prune,gradual", "--lr", "0.03");
        assertEquals(4, points.size());
        for (JsonNode p : points) {
            List<String> args = trainArgs(p);
            assertEquals("0.03", args.get(args.indexOf("--lr") + 1), p.toString());
        }
    }

    @Test
    void badInputIsOneLineExitTwo() {
        Path out = tmp.resolve("never");
        String[][] cases = {
            {"--seeds", "", "--seeds"},
            {"--seeds", "1,x", "--seeds"},
            {"--thresholds", "", "--thresholds"},
            {"--thresholds", "0.1,abc", "--thresholds"},
            {"--seeds", "1,1", "--seeds: each seed once"},
            {"--engine", "hadoop", "--engine must be one of local, spark; got 'hadoop'"},
            {"--dataset", "imagenet", "--dataset"},
            {"--model", "resnet50", "--model"},
            {"--master", "spark://nowhere:7077", "--master applies to --engine spark only"},
            {"--point", "3", "--point must be in [0, 2], got 3"},
            {"--prune-sparsities", "1.5", "--prune-sparsities: each must be in (0, 1), got 1.5"},
            {"--attempts", "0", "--attempts"},
            {"--sparsities", "0", "--sparsities: each must be in (0, 1), got 0.0"},
            {"--baselines", "random", "--baselines must be one of dense, prune, gradual; got 'random'"},
            {"--lambda-rules", "std", "--lambda-rules must be one of uniform, size, sqrt-size, initial-std; got 'std'"},
            {"--beta-growths", "0.5", "--beta-growths: each must be finite and >= 1, got 0.5"},
            {"--a", "0", "--a"},
            {"--lr", "-0.1", "--lr must be > 0, got -0.1"},
        };
        for (String[] c : cases) {
            List<String> args = new ArrayList<>(List.of("sweep", "--data", data.toString(), "--penalties", "l0",
                    "--thresholds", "0.05", "--prune-sparsities", "0.5", "--out", out.toString()));
            args.addAll(List.of(c[0], c[1]));
            CliRun r = CliRun.of(args.toArray(String[]::new));
            assertEquals(ExitCode.BAD_INPUT, r.code(), String.join(" ", c) + ": " + r.err());
            assertTrue(r.err().contains(c[2]), c[2] + " in: " + r.err());
            assertEquals(1, r.err().strip().lines().count(), r.err());
            assertFalse(Files.exists(out), "nothing written for " + String.join(" ", c));
        }
    }

    @Test
    void aPointThatFailsIsTriedAgainThenRecordedWhileTheOthersComplete() throws Exception {
        RecordingListener recorded = new RecordingListener();
        try (LocalEngine engine = new LocalEngine(new EngineSettings(2, null, 2, Map.of()))) {
            engine.run(RecordingListener.goodAndBad(data), recorded);
        }
        Map<String, PointRun> ended = recorded.ended;
        Map<String, String> failed = recorded.failed;
        assertEquals(List.of("good-s1"), List.copyOf(ended.keySet()));
        assertEquals(0, ended.get("good-s1").exitCode());
        assertTrue(ended.get("good-s1").files().containsKey("summary.json"), ended.get("good-s1").files().keySet().toString());
        assertTrue(failed.get("bad-s1").startsWith("2: train exited with code 2: "), failed.toString());
        assertTrue(failed.get("bad-s1").contains("--model"), failed.toString());
    }
}
