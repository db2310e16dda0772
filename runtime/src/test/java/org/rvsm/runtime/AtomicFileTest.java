package org.rvsm.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFileTest {

    @TempDir
    Path dir;

    @Test
    void replacesTheTargetAndLeavesNoTemporaryFile() throws IOException {
        Path file = dir.resolve("out.json");
        Files.writeString(file, "old");
        AtomicFile.writeString(file, "new \u00e9");
        assertEquals("new \u00e9", Files.readString(file, StandardCharsets.UTF_8));
        try (var files = Files.list(dir)) {
            assertEquals(List.of(file), files.toList(), "only the target is left");
        }
    }

    /** The permissions are those of any new file in the directory (the umask's), not createTempFile's 600. */
    @Test
    void permissionsFollowTheUmask() throws IOException {
        assumeTrue(FileSystems.getDefault().supportedFileAttributeViews().contains("posix"));
        Path plain = Files.createFile(dir.resolve("plain"));
        Path file = dir.resolve("atomic");
        AtomicFile.writeString(file, "x");
        assertEquals(Files.getPosixFilePermissions(plain), Files.getPosixFilePermissions(file));
    }

    /** The move fails (the target is a non-empty directory): the target is untouched, no temporary file stays. */
    @Test
    void aFailedWriteLeavesTheTargetIntactAndNoTemporaryFile() throws IOException {
        Path target = dir.resolve("out");
        Path inside = Files.writeString(Files.createDirectory(target).resolve("keep"), "old");
        assertThrows(IOException.class, () -> AtomicFile.writeString(target, "new"));
        assertEquals("old", Files.readString(inside));
        try (var files = Files.list(dir)) {
            assertEquals(List.of(target), files.toList());
        }
    }
}
