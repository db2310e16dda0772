package org.rvsm.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * An output directory written all at once: files go into a hidden staging directory next to the
 * target, and {@link #commit()} moves it into place. If the run fails (or commit is never called),
 * {@link #close()} deletes the staging directory and an existing target is left as it was.
 * An existing target is replaced only after the new one is complete.
 */
final class StagedDirectory implements AutoCloseable {

    private final String option;
    private final Path target;
    private final Path staging;
    private boolean committed;

    private StagedDirectory(String option, Path target, Path staging) {
        this.option = option;
        this.target = target;
        this.staging = staging;
    }

    /** Creates the staging directory, or fails with a one-line message naming the option. */
    static StagedDirectory create(String option, Path out) {
        Path target = out.toAbsolutePath().normalize();
        if (Files.exists(target) && !Files.isDirectory(target)) {
            throw new UserError(option + " " + out + ": exists and is not a directory");
        }
        Path parent = target.getParent();
        if (parent == null) {
            throw new UserError(option + " " + out + ": cannot write to the file-system root");
        }
        try {
            Files.createDirectories(parent);
            // a plain createDirectory (not createTempDirectory, which is mode 700) so the result follows the umask
            Path staging = parent.resolve("." + target.getFileName() + ".partial-" + ProcessHandle.current().pid()
                    + "-" + Long.toHexString(System.nanoTime()));
            Files.createDirectory(staging);
            return new StagedDirectory(option, target, staging);
        } catch (FileAlreadyExistsException e) {
            throw new UserError(option + " " + out + ": " + e.getFile() + " exists and is not a directory");
        } catch (IOException | SecurityException e) {
            throw new UserError(option + " " + out + ": cannot create a directory there (" + describe(e) + ")");
        }
    }

    /** Where to write the files now. */
    Path path() {
        return staging;
    }

    /** The final location. */
    Path target() {
        return target;
    }

    /** Moves the staged files into place, replacing an earlier directory at the target. */
    void commit() {
        try {
            Path old = null;
            if (Files.exists(target)) {
                old = target.resolveSibling("." + target.getFileName() + ".old-" + ProcessHandle.current().pid()
                        + "-" + Long.toHexString(System.nanoTime()));
                move(target, old);
            }
            move(staging, target);
            committed = true;
            if (old != null) {
                deleteTree(old);
            }
        } catch (IOException e) {
            throw new UserError(option + " " + target + ": cannot move the results into place (" + describe(e) + ")");
        }
    }

    @Override
    public void close() {
        if (!committed) {
            try {
                deleteTree(staging);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to);
        }
    }

    static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    private static String describe(Exception e) {
        String name = e.getClass().getSimpleName();
        return e.getMessage() == null ? name : name.replace("Exception", "") + ": " + e.getMessage();
    }
}
