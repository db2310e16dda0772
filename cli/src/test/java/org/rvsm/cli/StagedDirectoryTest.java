package org.rvsm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StagedDirectoryTest {

    @TempDir
    Path tmp;

    @Test
    void aFailedRunLeavesTheEarlierDirectoryAndNoDebris() throws IOException {
        Path out = tmp.resolve("results");
        Files.createDirectories(out);
        Files.writeString(out.resolve("old.txt"), "earlier");
        assertThrows(IllegalStateException.class, () -> {
            try (StagedDirectory staged = StagedDirectory.create("--out", out)) {
                Files.writeString(staged.path().resolve("half.txt"), "half-written");
                throw new IllegalStateException("the run failed");
            }
        });
        assertEquals("earlier", Files.readString(out.resolve("old.txt")));
        assertFalse(Files.exists(out.resolve("half.txt")));
        try (Stream<Path> files = Files.list(tmp)) {
            assertEquals(1, files.count(), "only the original directory");
        }
    }

    @Test
    void commitReplacesTheDirectoryWhole() throws IOException {
        Path out = tmp.resolve("results");
        Files.createDirectories(out);
        Files.writeString(out.resolve("old.txt"), "earlier");
        try (StagedDirectory staged = StagedDirectory.create("--out", out)) {
            Files.writeString(staged.path().resolve("new.txt"), "complete");
            assertFalse(Files.exists(out.resolve("new.txt")), "invisible until committed");
            staged.commit();
        }
        assertEquals("complete", Files.readString(out.resolve("new.txt")));
        assertFalse(Files.exists(out.resolve("old.txt")));
        try (Stream<Path> files = Files.list(tmp)) {
            assertEquals(1, files.count(), "no staging or old directory left");
        }
        assertTrue(Files.isDirectory(out));
    }
}
