package org.rvsm.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rvsm.cli.CliRun;
import org.rvsm.cli.ExitCode;
import org.rvsm.cli.SyntheticIdx;
import org.rvsm.cli.sweep.EngineSettings;
import org.rvsm.cli.sweep.PointRun;
import org.rvsm.cli.sweep.RecordingListener;
import org.rvsm.cli.sweep.SweepEngine;

/**
 * The Spark engine in Spark's local mode on this machine's cores, on a synthetic IDX dataset: the same
 * results as the local engine, failed points retried then recorded, finished points not run again,
 * and a master that cannot be reached refused in one line.
 */
class SparkEngineTest {

    @TempDir
    static Path tmp;

    static Path data;

    @BeforeAll
    static void makeData() throws IOException {
        data = SyntheticIdx.write(tmp.resolve("idx"), 600, 200, 1);
    }

    /** Dense, RVSM-l1 at one threshold and pruning at one sparsity, for two seeds: six points. */
    static String[] plan(Path out, String... engine) {
        List<String> args = new ArrayList<>(List.of("sweep", "-q", "--data", data.toString(), "--penalties", "l1",
                "--thresholds", "0.02", "--prune-sparsities", "0.6", "--epochs", "2", "--seeds", "1,2",
                "--out", out.toString()));
        args.addAll(List.of(engine));
        return args.toArray(String[]::new);
    }

    /** sweep.csv's columns that are results (not timings), row by row. */
    static List<String> results(Path sweep) throws IOException {
        List<String> lines = Files.readAllLines(sweep.resolve("sweep.csv"));
        List<String> header = List.of(lines.get(0).split(","));
        List<String> rows = new ArrayList<>();
        for (String line : lines.subList(1, lines.size())) {
            String[] cells = line.split(",", -1);
            StringBuilder row = new StringBuilder();
            for (String column : List.of("name", "lambda", "status", "sparsity", "test_accuracy", "test_accuracy_w")) {
                row.append(cells[header.indexOf(column)]).append(' ');
            }
            rows.add(row.toString().strip());
        }
        return rows;
    }

    @Test
    void sparkGivesTheLocalEnginesResultsAndARerunRunsNothingTwice() throws IOException {
        Path local = tmp.resolve("local");
        CliRun l = CliRun.of(plan(local, "--engine", "local", "--jobs", "2"));
        assertEquals(0, l.code(), l.err());

        Path spark = tmp.resolve("spark");
        CliRun first = CliRun.of(plan(spark, "--engine", "spark", "--master", "local[2]", "--point", "0"));
        assertEquals(0, first.code(), first.err());
        Path summary = spark.resolve("runs/dense-s1/summary.json");
        FileTime before = Files.getLastModifiedTime(summary);
        CliRun s = CliRun.of(plan(spark, "--engine", "spark", "--master", "local[2]"));
        assertEquals(0, s.code(), s.err());
        assertTrue(s.err().contains("1 of 6 points finished earlier; running 5 (spark local[2,2]"), s.err());
        assertEquals(before, Files.getLastModifiedTime(summary), "the finished point was not run again");

        List<String> expected = results(local);
        assertEquals(6, expected.size());
        assertEquals(expected, results(spark), "the same runs, bit for bit in every result column");
        for (String f : List.of("model.safetensors", "summary.json", "metrics.csv", "index.html", "train.log")) {
            assertTrue(Files.size(spark.resolve("runs/rvsm-l1-t0.02-s2").resolve(f)) > 0, f + " came back");
        }
        assertTrue(Files.readString(spark.resolve("index.html")).contains("mean over 2 seeds"));
    }

    @Test
    void aFailingPointIsTriedAgainThenRecordedWhileTheOthersComplete() throws Exception {
        RecordingListener recorded = new RecordingListener();
        try (SweepEngine engine = SparkEngine.start(new EngineSettings(null, "local[2]", 2, Map.of()))) {
            engine.run(RecordingListener.goodAndBad(data), recorded);
        }
        Map<String, PointRun> ended = recorded.ended;
        Map<String, String> failed = recorded.failed;
        assertEquals(List.of("good-s1"), List.copyOf(ended.keySet()));
        assertTrue(ended.get("good-s1").files().containsKey("model.safetensors"));
        assertTrue(failed.get("bad-s1").startsWith("2: train exited with code 2: rvsm: --model"), failed.toString());
        assertEquals(1, failed.get("bad-s1").lines().count());
    }

    @Test
    void aMasterThatCannotBeReachedIsOneLineWithinThirtySeconds() throws IOException {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort(); // closed again: nothing listens there
        }
        Path out = tmp.resolve("unreachable");
        long start = System.nanoTime();
        CliRun r = CliRun.of(plan(out, "--engine", "spark", "--master", "spark://127.0.0.1:" + port));
        double seconds = (System.nanoTime() - start) / 1e9;
        assertEquals(ExitCode.BAD_INPUT, r.code(), r.err());
        assertTrue(r.err().contains("--master spark://127.0.0.1:" + port + ": cannot connect"), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(seconds < 30, seconds + " s");
        for (String bad : List.of("mesos://x:5050", "local[two]", "yarn")) {
            CliRun b = CliRun.of(plan(tmp.resolve("bad-master"), "--engine", "spark", "--master", bad));
            assertEquals(ExitCode.BAD_INPUT, b.code(), b.err());
            assertTrue(b.err().contains("--master " + bad), b.err());
        }
    }

    @Test
    void localMastersGetTheAttempts() {
        assertEquals("local[*,3]", SparkEngine.withAttempts("local[*]", 3));
        assertEquals("local[4,2]", SparkEngine.withAttempts("local[4]", 2));
        assertEquals("local[1,2]", SparkEngine.withAttempts("local", 2));
        assertEquals("local[4,7]", SparkEngine.withAttempts("local[4,7]", 2), "the user's own F");
        assertEquals("spark://h:7077", SparkEngine.withAttempts("spark://h:7077", 2));
        assertFalse(PointFailedException.reason(new RuntimeException("x", new RuntimeException(
                "Lost task 0.1: " + PointFailedException.MARK + "train exited with code 2: bad\n\tat here"))).contains("at here"));
    }
}
