package org.rvsm.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * An output directory written all at once, and never at the cost of a file the tool did not write.
 *
 * <p>Files go into a hidden staging directory next to the target; {@link #commit()} moves it into
 * place. If the run fails (or commit is never called), {@link #close()} deletes the staging
 * directory and the target is left as it was. The target must be new or empty; with {@code --force}
 * it may also hold an earlier output of the same command, recognised by the marker file
 * {@value #MARKER} that every committed output carries (the command and the list of the files it
 * wrote) and holding nothing else. Such a directory is replaced whole once the new one is complete.
 * The current directory (or one holding it), and a directory holding one of the command's input
 * files, are refused. Every refusal is a {@link UserError} naming the option and the path.
 */
final class StagedDirectory implements AutoCloseable {

    /** The marker file of a committed output: {"command": ..., "files": [relative paths]}. */
    static final String MARKER = ".rvsm-output.json";

    private final String command;
    private final String option;
    private final Path shown;
    private final Path target;
    private final boolean force;
    private final List<Path> inputs;
    private final Path staging;
    private boolean committed;

    private StagedDirectory(String command, String option, Path shown, Path target, boolean force, List<Path> inputs,
                            Path staging) {
        this.command = command;
        this.option = option;
        this.shown = shown;
        this.target = target;
        this.force = force;
        this.inputs = inputs;
        this.staging = staging;
    }

    /**
     * Checks the target (see the class comment) and creates the staging directory, or fails with one
     * line naming the option.
     *
     * @param command the command that writes the output (recorded in, and checked against, the marker)
     * @param inputs  files the command reads; a target that holds one of them is refused
     */
    static StagedDirectory create(String command, String option, Path out, boolean force, List<Path> inputs) {
        Path target = out.toAbsolutePath().normalize();
        Path parent = target.getParent();
        if (parent == null) {
            throw new UserError(option + " " + shown(out) + ": cannot write to the file-system root");
        }
        check(command, option, out, target, force, inputs);
        try {
            Files.createDirectories(parent);
            // a plain createDirectory (not createTempDirectory, which is mode 700) so the result follows the umask
            Path staging = parent.resolve("." + target.getFileName() + ".partial-" + ProcessHandle.current().pid()
                    + "-" + Long.toHexString(System.nanoTime()));
            Files.createDirectory(staging);
            return new StagedDirectory(command, option, out, target, force, List.copyOf(inputs), staging);
        } catch (IOException | SecurityException e) {
            throw new UserError(option + " " + shown(out) + ": cannot create a directory there (" + describe(e) + ")");
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

    /**
     * Writes the marker, checks the target again (it may have changed during the run) and moves the
     * staged files into place; an earlier output of the same command (--force) is removed after.
     */
    void commit() {
        try {
            List<String> files = relativeFiles(staging);
            Map<String, Object> marker = Output.object();
            marker.put("command", command);
            marker.put("files", files);
            Output.writeJson(staging.resolve(MARKER), marker);
            boolean replacing = check(command, option, shown, target, force, inputs);
            Path old = null;
            if (replacing) {
                old = target.resolveSibling("." + target.getFileName() + ".old-" + ProcessHandle.current().pid()
                        + "-" + Long.toHexString(System.nanoTime()));
                move(target, old);
            } else if (Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
                Files.delete(target); // empty (checked); fails, and changes nothing, if a file appeared since
            }
            try {
                move(staging, target);
            } catch (IOException e) {
                if (old != null) {
                    move(old, target); // put the earlier output back
                }
                throw e;
            }
            committed = true;
            if (old != null) {
                deleteOwnOutput(old);
            }
        } catch (DirectoryNotEmptyException e) {
            throw new UserError(option + " " + shown(shown) + ": files appeared there during the run; the new results "
                    + "were not moved in");
        } catch (IOException e) {
            throw new UserError(option + " " + shown(shown) + ": cannot move the results into place (" + describe(e) + ")");
        }
    }

    @Override
    public void close() {
        if (!committed) {
            try {
                Directories.deleteTree(staging);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /**
     * Checks that the target may be written; returns true when it holds an earlier output that
     * --force replaces, false when it is absent or empty.
     */
    private static boolean check(String command, String option, Path out, Path target, boolean force,
                                 List<Path> inputs) {
        String name = option + " " + shown(out);
        if (Files.isSymbolicLink(target)) {
            throw new UserError(name + ": is a symbolic link; give the directory itself");
        }
        Path real = realPath(target);
        Path cwd = realPath(Path.of("").toAbsolutePath());
        if (cwd.startsWith(real)) {
            throw new UserError(name + ": is the current directory" + (cwd.equals(real) ? "" : " or holds it")
                    + "; choose a new directory");
        }
        for (Path input : inputs) {
            Path in = realPath(input.toAbsolutePath().normalize());
            if (in.startsWith(real)) {
                throw new UserError(name + ": holds the input " + input + "; choose another directory");
            }
        }
        if (!Files.exists(target)) {
            return false;
        }
        if (!Files.isDirectory(target)) {
            throw new UserError(name + ": exists and is not a directory");
        }
        List<String> present;
        try {
            present = relativeFiles(target);
            if (present.isEmpty() && isEmpty(target)) {
                return false;
            }
        } catch (IOException e) {
            throw new UserError(name + ": cannot read it (" + describe(e) + ")");
        }
        String rerun = "'rvsm " + command + "' output";
        if (!force) {
            throw new UserError(name + " already holds files; choose a new or empty directory, or add --force to "
                    + "replace an earlier " + rerun + " there");
        }
        Path marker = target.resolve(MARKER);
        TreeSet<String> owned = new TreeSet<>();
        try {
            JsonNode m = Files.isRegularFile(marker) ? new ObjectMapper().readTree(marker.toFile()) : null;
            if (m == null || !m.path("command").asText("").equals(command) || !m.path("files").isArray()) {
                throw new UserError(name + " already holds files and is not an earlier " + rerun + " (no " + MARKER
                        + " of that command), so it is not replaced; choose a new or empty directory");
            }
            m.get("files").forEach(f -> owned.add(f.asText()));
        } catch (IOException e) {
            throw new UserError(name + ": --force: cannot read " + MARKER + " (" + describe(e) + ")");
        }
        owned.add(MARKER);
        for (String file : present) {
            if (!owned.contains(file)) {
                throw new UserError(name + ": holds " + file + ", which 'rvsm " + command + "' did not write; "
                        + "the directory is not replaced (move that file away, or choose a new directory)");
            }
        }
        return true;
    }

    /** The real path of p, or of its deepest existing ancestor with the rest appended. */
    private static Path realPath(Path p) {
        Path existing = p;
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        if (existing == null) {
            return p;
        }
        try {
            return existing.toRealPath().resolve(existing.relativize(p)).normalize();
        } catch (IOException e) {
            return p;
        }
    }

    private static boolean isEmpty(Path dir) throws IOException {
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.findAny().isEmpty();
        }
    }

    /** Every file and link under dir (not directories), as sorted '/'-separated relative paths. */
    private static List<String> relativeFiles(Path dir) throws IOException {
        List<String> files = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) walk::iterator) {
                if (!Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                    files.add(dir.relativize(p).toString().replace('\\', '/'));
                }
            }
        }
        files.sort(Comparator.naturalOrder());
        return files;
    }

    /** Deletes an earlier output moved aside: the files its marker lists, then the emptied directories. */
    private static void deleteOwnOutput(Path old) throws IOException {
        JsonNode m = new ObjectMapper().readTree(old.resolve(MARKER).toFile());
        for (JsonNode f : m.get("files")) {
            Path p = old.resolve(f.asText()).normalize();
            if (p.startsWith(old)) {
                Files.deleteIfExists(p);
            }
        }
        Files.deleteIfExists(old.resolve(MARKER));
        try (Stream<Path> walk = Files.walk(old)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS) && isEmpty(p)) {
                    Files.delete(p);
                }
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

    private static String shown(Path out) {
        String s = out.toString();
        return s.isEmpty() ? "''" : s;
    }

    private static String describe(Exception e) {
        String name = e.getClass().getSimpleName();
        return e.getMessage() == null ? name : name.replace("Exception", "") + ": " + e.getMessage();
    }
}
