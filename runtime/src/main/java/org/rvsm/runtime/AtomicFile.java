package org.rvsm.runtime;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Files written whole or not at all: the bytes go to a temporary sibling, which is then moved over
 * the target in one atomic rename, so a reader (or a crash) never sees half a file and an earlier
 * file stays intact when writing fails. The temporary file is made by {@link Files#createFile}, so
 * the result follows the umask like any other output ({@link Files#createTempFile} would make it
 * mode 600).
 */
public final class AtomicFile {

    private AtomicFile() {
    }

    /** A new, empty, hidden sibling of file (".name.tmp-PID-N"), for the caller to fill and move. */
    public static Path temporarySibling(Path file) throws IOException {
        Path tmp = file.toAbsolutePath().resolveSibling("." + file.getFileName() + ".tmp-"
                + ProcessHandle.current().pid() + "-" + Long.toHexString(System.nanoTime()));
        return Files.createFile(tmp);
    }

    /** Moves a filled temporary file over file, atomically. */
    public static void moveIntoPlace(Path tmp, Path file) throws IOException {
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** Writes text (UTF-8) to file atomically. */
    public static void writeString(Path file, String text) throws IOException {
        Path tmp = temporarySibling(file);
        try {
            Files.writeString(tmp, text, StandardCharsets.UTF_8);
            moveIntoPlace(tmp, file);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
