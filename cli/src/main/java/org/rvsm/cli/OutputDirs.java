package org.rvsm.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * Output directories that a command fills file by file (train, sweep), as opposed to the staged
 * outputs of {@link StagedDirectory}: the directory must be new or empty, so an earlier run is never
 * touched.
 */
final class OutputDirs {

    private OutputDirs() {
    }

    /** Creates dir, or fails with one line if it exists and holds anything (an earlier run is never touched). */
    static void requireFresh(Path dir) {
        if (Files.isDirectory(dir)) {
            try (Stream<Path> entries = Files.list(dir)) {
                if (entries.findAny().isPresent()) {
                    throw new UserError("--out " + dir + " already holds files; choose a new directory (a killed "
                            + "training continues with: rvsm train --resume " + dir + ")");
                }
            } catch (IOException e) {
                throw new UserError("--out " + dir + ": cannot read (" + e.getMessage() + ")");
            }
        } else if (Files.exists(dir)) {
            throw new UserError("--out " + dir + ": exists and is not a directory");
        }
        Path parent = dir.toAbsolutePath().getParent();
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UserError("--out " + dir + ": cannot create it (" + e.getMessage() + ")");
        }
        if (!Files.isWritable(dir) || parent == null) {
            throw new UserError("--out " + dir + ": not writable");
        }
    }
}
