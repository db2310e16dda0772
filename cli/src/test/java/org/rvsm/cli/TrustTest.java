package org.rvsm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rvsm.runtime.Safetensors;

/**
 * Wrong results are failures and the input's faults are exit 2: a diverged training is a status
 * (exit 3, no model), a model with non-finite weights is refused, a damaged checkpoint or run.json
 * is one line, and huge inputs are refused within seconds and bounded memory.
 */
class TrustTest {

    @TempDir
    static Path tmp;

    static Path data;

    @BeforeAll
    static void makeData() throws IOException {
        data = tmp.resolve("idx");
        Files.createDirectories(data);
        SyntheticIdx.writeSplit(data, "train", 600, new SplittableRandom(2));
        SyntheticIdx.writeSplit(data, "t10k", 300, new SplittableRandom(3));
    }

    private static void assertOneLine(CliRun r, int code, String expected) {
        assertEquals(code, r.code(), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().contains(expected), r.err());
    }

    @Test
    void aDivergedTrainingIsAStatusWithExitThreeAndNoModel() throws IOException {
        Path out = tmp.resolve("diverged");
        CliRun r = CliRun.of("train", "-q", "--data", data.toString(), "--epochs", "2", "--lr", "1e9",
                "--out", out.toString());
        assertOneLine(r, ExitCode.DIVERGED, "training diverged");
        assertTrue(r.err().contains("--lr"), "says what to try: " + r.err());
        JsonNode s = new ObjectMapper().readTree(out.resolve("summary.json").toFile());
        assertEquals("diverged", s.get("status").asText());
        assertEquals(1, s.get("diverged_at").get("epoch").asInt());
        assertTrue(s.get("diverged_at").get("minibatch").asInt() >= 1);
        assertTrue(s.get("diverged_at").has("tensor"));
        assertFalse(s.has("test_accuracy"), "a diverged run has no accuracy: " + s);
        assertFalse(Files.exists(out.resolve("model.safetensors")), "no model from a diverged run");
        assertTrue(r.out().isEmpty(), "no result line: " + r.out());
    }

    @Test
    void aCompletedTrainingSaysSo() throws IOException {
        Path out = tmp.resolve("completed");
        CliRun r = CliRun.of("train", "-q", "--data", data.toString(), "--epochs", "1", "--lr", "0.01",
                "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        assertEquals("completed", new ObjectMapper().readTree(out.resolve("summary.json").toFile()).get("status").asText());
    }

    /** A lenet300-shaped model with one NaN or infinite weight. */
    private static Path brokenModel(String name, float bad) throws IOException {
        Map<String, Safetensors.Tensor> t = TestModels.lenet300(5, 1.0);
        t.get("04Linear_weight").data()[17] = bad;
        Path file = tmp.resolve(name);
        Safetensors.write(file, t, Map.of());
        return file;
    }

    @Test
    void modelsWithNonFiniteWeightsAreRefusedByEveryCommand() throws IOException {
        for (float bad : new float[] {Float.NaN, Float.POSITIVE_INFINITY}) {
            Path model = brokenModel("bad-" + bad + ".safetensors", bad);
            Path json = tmp.resolve("bench-" + bad + ".json");
            Path out = tmp.resolve("export-" + bad);
            String[][] commands = {
                {"evaluate", "--model", model.toString(), "--data", data.toString()},
                {"infer", "--model", model.toString(), "--data", data.toString()},
                {"export", "--model", model.toString(), "--out", out.toString()},
                {"bench-infer", "--model", model.toString(), "--data", data.toString(), "--json", json.toString()},
            };
            for (String[] c : commands) {
                assertOneLine(CliRun.of(c), 2, "04Linear_weight holds " + bad + " at index 17");
            }
            assertFalse(Files.exists(out));
            assertFalse(Files.exists(json));
        }
    }

    @Test
    void aDamagedCheckpointOrRunFileIsOneLineAndExitTwo() throws IOException {
        Path run = tmp.resolve("to-damage");
        CliRun train = CliRun.of("train", "-q", "--data", data.toString(), "--epochs", "2", "--lr", "0.01",
                "--out", run.toString());
        assertEquals(0, train.code(), train.err());
        Path checkpoint = run.resolve("checkpoint.safetensors");
        Path runJson = run.resolve("run.json");
        byte[] goodCheckpoint = Files.readAllBytes(checkpoint);
        String goodRun = Files.readString(runJson);

        Files.write(checkpoint, java.util.Arrays.copyOf(goodCheckpoint, goodCheckpoint.length / 2));
        assertOneLine(CliRun.of("train", "-q", "--resume", run.toString()), 2, "cannot resume from it");
        Files.write(checkpoint, goodCheckpoint);

        String[][] edits = { // what run.json says instead, and what the message names
            {"\"lr\" : 0.01", "\"lr\" : \"fast\"", "config.lr must be a number, got \"fast\""},
            {"\"lr\" : 0.01", "\"lr\" : -1", "--lr must be > 0, got -1.0"},
            {"\"lr\" : 0.01", "\"lr\" : 0.02", "another configuration"},
            {"\"epochs\" : 2", "\"epochs\" : 2.5", "config.epochs must be a whole number, got 2.5"},
            {"\"model\" : \"lenet300\"", "\"model\" : \"resnet\"", "--model must be one of"},
            {"\"batch\" : 64,", "", "config.batch must be a number, got nothing"},
            {"\"config\" : {", "\"settings\" : {", "no \"config\" object"},
            {"{", "{{", "unreadable"},
        };
        for (String[] e : edits) {
            assertTrue(goodRun.contains(e[0]), "run.json has " + e[0] + ": " + goodRun);
            Files.writeString(runJson, goodRun.replaceFirst(java.util.regex.Pattern.quote(e[0]),
                    java.util.regex.Matcher.quoteReplacement(e[1])));
            assertOneLine(CliRun.of("train", "-q", "--resume", run.toString()), 2, e[2]);
        }
        Files.writeString(runJson, goodRun);
        assertEquals(0, CliRun.of("train", "-q", "--resume", run.toString()).code(), "the repaired run resumes");
    }

    @Test
    void hugeDimensionsAndEndlessFilesEndWithinSecondsAndBoundedMemory() throws IOException {
        Path out = tmp.resolve("never");
        long started = System.nanoTime();
        assertOneLine(CliRun.of("teacher-student", "-q", "--d", "2000000000", "--out", out.toString()), 2,
                "--d 2000000000 (with --k 8, --gradient population) needs about");
        Path zero = Path.of("/dev/zero");
        if (Files.isReadable(zero)) {
            assertOneLine(CliRun.of("teacher-student", "-q", "--teacher", zero.toString(), "--out", out.toString()), 2,
                    "line 1 is longer than 4096 characters");
        }
        Path many = tmp.resolve("many.txt");
        Files.writeString(many, "1\n".repeat(10));
        assertOneLine(CliRun.of("teacher-student", "-q", "--d", "5", "--teacher", many.toString(), "--out",
                out.toString()), 2, "has more than 5 numbers, expected d = 5");
        Path lines = tmp.resolve("lines.txt"); // a long file of comments: stopped by the byte bound
        Files.writeString(lines, "#\n".repeat(600_000));
        assertOneLine(CliRun.of("teacher-student", "-q", "--d", "3", "--teacher", lines.toString(), "--out",
                out.toString()), 2, "bytes, more than 3 numbers can take");
        assertTrue((System.nanoTime() - started) / 1e9 < 30, "well within seconds");
        assertFalse(Files.exists(out));
    }
}
