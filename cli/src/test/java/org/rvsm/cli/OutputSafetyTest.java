package org.rvsm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.rvsm.runtime.Safetensors;

/**
 * The rule for every command that writes a directory: it never deletes or overwrites a file it did
 * not write. Each case is run for teacher-student, reproduce and export; the refusals come before any
 * work, so reproduce is run to completion only where a test needs its output.
 */
class OutputSafetyTest {

    @TempDir
    Path tmp;

    private Path model;

    /** A lenet300-shaped model with random weights (no training needed to export it). */
    @BeforeEach
    void writeModel() throws IOException {
        Map<String, Safetensors.Tensor> t = TestModels.lenet300(3, 0.05);
        Path dir = tmp.resolve("trained");
        Files.createDirectories(dir);
        model = dir.resolve("model.safetensors");
        Safetensors.write(model, t, Map.of("model", "lenet300"));
    }

    /** The command line of a command writing into out, with the fastest settings. */
    private List<String> command(String command, Path out, String... extra) {
        List<String> args = new ArrayList<>(switch (command) {
            case "teacher-student" -> List.of("teacher-student", "-q", "--d", "6", "--iterations", "50");
            case "reproduce" -> List.of("reproduce", "--quick", "-q");
            default -> List.of("export", "--model", model.toString());
        });
        args.addAll(List.of("--out", out.toString()));
        args.addAll(List.of(extra));
        return args;
    }

    private static CliRun run(List<String> args) {
        return CliRun.of(args.toArray(String[]::new));
    }

    /** Every file under dir with its content: what must not change. */
    private static Map<String, String> snapshot(Path dir) throws IOException {
        Map<String, String> files = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.filter(Files::isRegularFile).toList()) {
                files.put(dir.relativize(p).toString(), new String(Files.readAllBytes(p), java.nio.charset.StandardCharsets.ISO_8859_1));
            }
        }
        return files;
    }

    private static void assertRefused(CliRun r, String expected) {
        assertEquals(2, r.code(), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().contains(expected), r.err());
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"teacher-student", "reproduce", "export"})
    void theCurrentDirectoryAndItsParentsAreRefused(String command) throws IOException {
        Path cwd = Path.of("").toAbsolutePath();
        Map<String, String> before = snapshot(cwd.resolve("src/test"));
        for (String out : List.of(".", "", "..", cwd.toString())) {
            List<String> args = command(command, Path.of(out));
            CliRun r = run(args);
            assertRefused(r, "current directory");
            for (String extra : List.of("--force")) {
                args.add(extra);
                assertRefused(run(args), "current directory");
            }
        }
        assertEquals(before, snapshot(cwd.resolve("src/test")), "nothing under the working directory changed");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"teacher-student", "reproduce", "export"})
    void aDirectoryWithOtherFilesIsRefusedWithAndWithoutForce(String command) throws IOException {
        Path out = tmp.resolve("mine");
        Files.createDirectories(out.resolve("sub"));
        Files.writeString(out.resolve("keep.txt"), "user data");
        Files.writeString(out.resolve("sub/notes.txt"), "more");
        Map<String, String> before = snapshot(out);
        assertRefused(run(command(command, out)), "already holds files");
        assertRefused(run(command(command, out, "--force")), "is not an earlier 'rvsm " + command + "' output (no "
                + StagedDirectory.MARKER);
        assertEquals(before, snapshot(out));
        try (Stream<Path> siblings = Files.list(tmp)) {
            assertEquals(List.of("mine", "trained"), siblings.map(p -> p.getFileName().toString()).sorted().toList(),
                    "no staging debris");
        }
    }

    @Test
    void exportRefusesTheModelsOwnDirectoryAndItsParents() throws IOException {
        Map<String, String> before = snapshot(tmp);
        for (Path out : List.of(model.getParent(), tmp, model.getParent().resolve("..").normalize())) {
            assertRefused(run(command("export", out, "--force")), "holds the input");
        }
        assertRefused(run(command("export", model)), "holds the input"); // --out the model file itself
        assertEquals(before, snapshot(tmp));
    }

    @Test
    void teacherStudentRefusesTheDirectoryOfItsTeacherFile() throws IOException {
        Path dir = tmp.resolve("inputs");
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("wstar.txt"), "1\n0\n-1\n0\n");
        Map<String, String> before = snapshot(dir);
        CliRun r = CliRun.of("teacher-student", "-q", "--teacher", dir.resolve("wstar.txt").toString(),
                "--out", dir.toString(), "--force");
        assertRefused(r, "holds the input");
        assertEquals(before, snapshot(dir));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"teacher-student", "export"})
    void anEarlierOutputIsReplacedOnlyWithForceAndOnlyIfItHoldsNothingElse(String command) throws IOException {
        Path out = tmp.resolve("out");
        Files.createDirectories(out); // an empty directory is fine
        CliRun first = run(command(command, out));
        assertEquals(0, first.code(), first.err());
        assertTrue(Files.isRegularFile(out.resolve(StagedDirectory.MARKER)));
        Map<String, String> written = snapshot(out);

        assertRefused(run(command(command, out)), "add --force");
        assertEquals(written, snapshot(out));

        Files.writeString(out.resolve("notes.txt"), "mine");
        assertRefused(run(command(command, out, "--force")), "holds notes.txt");
        assertEquals("mine", Files.readString(out.resolve("notes.txt")));
        Files.delete(out.resolve("notes.txt"));

        Files.writeString(out.resolve(StagedDirectory.MARKER),
                Files.readString(out.resolve(StagedDirectory.MARKER)).replace(command, "other-command"));
        assertRefused(run(command(command, out, "--force")), "is not an earlier");
        Files.writeString(out.resolve(StagedDirectory.MARKER), written.get(StagedDirectory.MARKER));

        CliRun again = run(command(command, out, "--force"));
        assertEquals(0, again.code(), again.err());
        assertEquals(written.keySet(), snapshot(out).keySet());
        try (Stream<Path> siblings = Files.list(tmp)) {
            assertEquals(List.of("out", "trained"), siblings.map(p -> p.getFileName().toString()).sorted().toList(),
                    "no staging or old directory left");
        }
    }

    @Test
    void theDefaultOutputOfReproduceIsReplacedOnlyIfItIsAnEarlierReport() throws IOException {
        // the marker logic is shared; here: a report directory a user filled is not replaced
        Path out = tmp.resolve("reports");
        Files.createDirectories(out);
        Files.writeString(out.resolve("index.html"), "my own page");
        Files.writeString(out.resolve(StagedDirectory.MARKER), "{\"command\":\"reproduce\",\"files\":[]}");
        assertRefused(run(command("reproduce", out, "--force")), "holds index.html");
        assertEquals("my own page", Files.readString(out.resolve("index.html")));
    }

    @Test
    void stagedOutputIsInvisibleUntilCommittedAndAFailedRunLeavesNoDebris() throws IOException {
        Path out = tmp.resolve("results");
        assertThrowsIllegalState(() -> {
            try (StagedDirectory staged = StagedDirectory.create("test", "--out", out, false, List.of())) {
                Files.writeString(staged.path().resolve("half.txt"), "half-written");
                throw new IllegalStateException("the run failed");
            }
        });
        assertFalse(Files.exists(out));
        try (StagedDirectory staged = StagedDirectory.create("test", "--out", out, false, List.of())) {
            Files.writeString(staged.path().resolve("new.txt"), "complete");
            assertFalse(Files.exists(out.resolve("new.txt")), "invisible until committed");
            staged.commit();
        }
        assertEquals("complete", Files.readString(out.resolve("new.txt")));
        assertTrue(Files.readString(out.resolve(StagedDirectory.MARKER)).contains("new.txt"));
    }

    private static void assertThrowsIllegalState(org.junit.jupiter.api.function.Executable e) {
        org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class, e);
    }
}
