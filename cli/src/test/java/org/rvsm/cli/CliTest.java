package org.rvsm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;

/** The command line end to end, in process: outputs, exit codes, one-line errors, atomic output. */
class CliTest {

    @TempDir
    Path tmp;

    private static CliRun run(String... args) {
        return CliRun.of(args);
    }

    private static JsonNode json(Path file) throws IOException {
        return new ObjectMapper().readTree(file.toFile());
    }

    /**
     * Footers and each command's first description line fit the usage width (100; the command list's
     * description column, 81), so that picocli never breaks them mid-phrase.
     */
    @Test
    void helpLinesFitTheUsageWidth() {
        CommandLine main = new CommandLine(new Main());
        List<CommandLine> commands = new ArrayList<>(main.getSubcommands().values());
        commands.add(main);
        List<String> tooLong = new ArrayList<>();
        for (CommandLine c : commands) {
            for (String line : c.getCommandSpec().usageMessage().footer()) {
                if (line.length() > 100) {
                    tooLong.add(c.getCommandName() + " footer: " + line);
                }
            }
            String[] description = c.getCommandSpec().usageMessage().description();
            if (description.length > 0 && description[0].length() > 81) {
                tooLong.add(c.getCommandName() + " description: " + description[0]);
            }
        }
        assertEquals(List.of(), tooLong);
    }

    @Test
    void teacherStudentWritesSummaryAndTrace() throws IOException {
        Path out = tmp.resolve("run");
        CliRun r = run("teacher-student", "-q", "--penalty", "l1", "--lambda", "0.02", "--d", "12", "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        JsonNode s = json(out.resolve("summary.json"));
        for (String field : List.of("config", "w", "u", "predicted_u", "relative_error_to_prediction",
                "relative_error_to_teacher", "sparsity", "support_precision", "support_recall", "loss", "iterations",
                "status", "command", "version")) {
            assertTrue(s.has(field), "summary.json lacks " + field);
        }
        assertEquals("converged", s.get("status").asText());
        assertEquals(12, s.get("u").size());
        assertEquals("l1", s.get("config").get("penalty").asText());
        assertEquals(0.02, s.get("config").get("lambda").asDouble(), 0.0);
        assertTrue(s.get("relative_error_to_prediction").asDouble() < 1e-8);
        // sparsity is the fraction of exact zeros of u
        int zeros = 0;
        for (JsonNode v : s.get("u")) {
            zeros += v.asDouble() == 0.0 ? 1 : 0;
        }
        assertEquals(zeros / 12.0, s.get("sparsity").asDouble(), 0.0);
        List<String> trace = Files.readAllLines(out.resolve("trace.csv"));
        assertEquals("iteration,loss,lagrangian,split_gap,sparsity,distance_to_prediction", trace.get(0));
        assertEquals(s.get("iterations").asInt() + 2, trace.size(), "header + iterations 0..T");
    }

    @Test
    void sameSeedSameBytes() throws IOException {
        Path a = tmp.resolve("a");
        Path b = tmp.resolve("b");
        for (Path p : List.of(a, b)) {
            assertEquals(0, run("teacher-student", "-q", "--gradient", "online", "--iterations", "200",
                    "--seed", "5", "--out", p.toString()).code());
        }
        assertEquals(Files.readString(a.resolve("trace.csv")), Files.readString(b.resolve("trace.csv")));
        JsonNode sa = json(a.resolve("summary.json"));
        JsonNode sb = json(b.resolve("summary.json"));
        assertEquals(sa.get("u"), sb.get("u"));
        assertEquals(sa.get("w"), sb.get("w"));
    }

    @Test
    void userTeacherAndInitFilesSetTheDimension() throws IOException {
        Path teacher = tmp.resolve("wstar.txt");
        Path init = tmp.resolve("w0.txt");
        Files.writeString(teacher, "# a teacher\n1.0\n0\n0\n-2.5\n\n0\n");
        Files.writeString(init, "0.3\n0.2\n-0.1\n0.5\n0.4\n");
        Path out = tmp.resolve("mine");
        CliRun r = run("teacher-student", "-q", "--teacher", teacher.toString(), "--init", init.toString(),
                "--penalty", "l0", "--lambda", "0.001", "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        JsonNode s = json(out.resolve("summary.json"));
        assertEquals(5, s.get("config").get("d").asInt());
        assertEquals(-2.5, s.get("teacher").get(3).asDouble(), 0.0);
        assertEquals(0.3, s.get("init").get(0).asDouble(), 0.0);
        assertEquals(1.0, s.get("support_recall").asDouble(), 0.0);
    }

    static Stream<Arguments> badInputs() {
        return Stream.of(
                Arguments.of(List.of("--lambda", "-0.1"), "--lambda must be >= 0, got -0.1"),
                Arguments.of(List.of("--beta", "0"), "--beta must be > 0, got 0.0"),
                Arguments.of(List.of("--eta", "-1"), "--eta must be > 0, got -1.0"),
                Arguments.of(List.of("--a", "0"), "--a must be > 0, got 0.0"),
                Arguments.of(List.of("--lambda", "NaN"), "--lambda must be a finite number, got NaN"),
                Arguments.of(List.of("--eta", "Infinity"), "--eta must be a finite number, got Infinity"),
                Arguments.of(List.of("--k", "0"), "--k must be >= 1, got 0"),
                Arguments.of(List.of("--d", "0"), "--d must be >= 1, got 0"),
                Arguments.of(List.of("--penalty", "l2"), "--penalty must be one of l1, l0, tl1, none; got 'l2'"),
                Arguments.of(List.of("--gradient", "exact"), "--gradient must be one of population, empirical, online; got 'exact'"),
                Arguments.of(List.of("--lambda", "abc"), "'abc' is not a double"),
                Arguments.of(List.of("--no-such-option"), "Unknown option: '--no-such-option'"));
    }

    @ParameterizedTest
    @MethodSource("badInputs")
    void badOptionsEndWithOneLineExitTwoAndLeaveEarlierResultsIntact(List<String> bad, String message) throws IOException {
        Path out = tmp.resolve("keep");
        assertEquals(0, run("teacher-student", "-q", "--iterations", "10", "--out", out.toString()).code());
        String before = Files.readString(out.resolve("summary.json"));
        List<String> args = new ArrayList<>(List.of("teacher-student", "-q", "--out", out.toString()));
        args.addAll(bad);
        CliRun r = run(args.toArray(String[]::new));
        assertEquals(2, r.code());
        assertEquals(1, r.err().strip().lines().count(), "one line: " + r.err());
        assertTrue(r.err().contains(message), r.err());
        assertEquals(before, Files.readString(out.resolve("summary.json")), "earlier results untouched");
        assertNoStaging(tmp);
    }

    @Test
    void badTeacherFilesNameTheFileAndTheProblem() throws IOException {
        Path out = tmp.resolve("out");
        Path nonNumber = tmp.resolve("bad.txt");
        Files.writeString(nonNumber, "1\n2\nabc\n");
        Path shortFile = tmp.resolve("short.txt");
        Files.writeString(shortFile, "1\n".repeat(19));
        Path nan = tmp.resolve("nan.txt");
        Files.writeString(nan, "1\nNaN\n");
        Path empty = tmp.resolve("empty.txt");
        Files.writeString(empty, "# nothing\n");
        String[][] cases = {
            {"--teacher", nonNumber.toString(), "line 3 is not a number: 'abc'"},
            {"--teacher", shortFile.toString(), "has 19 entries, expected d = 20"},
            {"--teacher", nan.toString(), "line 2 is not finite: 'NaN'"},
            {"--teacher", empty.toString(), "no numbers in the file"},
            {"--teacher", tmp.resolve("missing.txt").toString(), "no such file"},
            {"--init", shortFile.toString(), "--init"},
        };
        for (String[] c : cases) {
            CliRun r = run("teacher-student", "-q", "--d", "20", c[0], c[1], "--out", out.toString());
            assertEquals(2, r.code(), r.err());
            assertTrue(r.err().contains(c[2]) && r.err().contains(c[0]), r.err());
            assertFalse(Files.exists(out), "nothing written for a bad input");
        }
    }

    @Test
    void unwritableOutputIsAOneLineError() throws IOException {
        Path file = tmp.resolve("a-file");
        Files.writeString(file, "x");
        CliRun r = run("teacher-student", "-q", "--out", file.resolve("sub").toString());
        assertEquals(2, r.code());
        assertTrue(r.err().startsWith("rvsm: --out "), r.err());
        assertEquals(1, r.err().strip().lines().count());
        CliRun r2 = run("teacher-student", "-q", "--out", file.toString());
        assertEquals(2, r2.code());
        assertTrue(r2.err().contains("exists and is not a directory"), r2.err());
        assertEquals("x", Files.readString(file));
    }

    @Test
    void helpTeaches() {
        CliRun top = run("--help");
        assertEquals(0, top.code());
        assertTrue(top.out().contains("teacher-student") && top.out().contains("reproduce"));
        CliRun ts = run("teacher-student", "--help");
        for (String option : List.of("--d", "--k", "--penalty", "--a", "--lambda", "--beta", "--eta", "--iterations",
                "--tol", "--gradient", "--samples", "--batch", "--seed", "--teacher", "--init", "--out")) {
            assertTrue(ts.out().contains(option), "help lacks " + option);
        }
        assertTrue(run("--version").out().startsWith("rvsm "));
        // every command's help formats cleanly: a bare '%' in a footer makes picocli print it raw, with a
        // warning on System.err (not the command's own stderr), so that is captured too
        java.io.PrintStream stderr = System.err;
        java.io.ByteArrayOutputStream warnings = new java.io.ByteArrayOutputStream();
        try {
            System.setErr(new java.io.PrintStream(warnings, true, java.nio.charset.StandardCharsets.UTF_8));
            for (String command : List.of("teacher-student", "reproduce", "train", "sweep", "evaluate", "export",
                    "infer", "bench-infer")) {
                CliRun help = run(command, "--help");
                assertEquals(0, help.code(), command);
                assertTrue(help.out().startsWith("Usage: rvsm " + command), command);
                assertFalse(help.err().contains("WARN"), command + ": " + help.err());
            }
        } finally {
            System.setErr(stderr);
        }
        assertFalse(warnings.toString(java.nio.charset.StandardCharsets.UTF_8).contains("WARN"), warnings.toString());
    }

    private static void assertNoStaging(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            List<Path> staging = files.filter(p -> p.getFileName().toString().contains(".partial-")
                    || p.getFileName().toString().contains(".old-")).toList();
            assertTrue(staging.isEmpty(), "staging left behind: " + staging);
        }
    }
}
