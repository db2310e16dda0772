package org.rvsm.cli.sweep;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.rvsm.cli.Directories;

/**
 * The runs of a sweep on disk, DIR/runs/NAME for point NAME. A run appears there whole or not at all:
 * its files are written to a staging directory beside it (DIR/runs/.staging-NAME-*) and moved into
 * place in one rename. A point is finished when its directory holds a complete, valid summary.json;
 * a rerun of the sweep keeps finished points and runs the others again.
 */
public final class SweepRuns {

    private static final String STAGING = ".staging-";
    private final Path runs;

    public SweepRuns(Path sweepDir) {
        this.runs = sweepDir.resolve("runs");
    }

    /** The run directory of a point. */
    public Path dir(SweepPoint p) {
        return runs.resolve(p.name());
    }

    /** Creates DIR/runs and removes staging directories a killed sweep left (only ever written by a sweep). */
    public void prepare() throws IOException {
        Files.createDirectories(runs);
        try (Stream<Path> entries = Files.list(runs)) {
            for (Path p : entries.filter(p -> p.getFileName().toString().startsWith(STAGING)).toList()) {
                Directories.deleteTree(p);
            }
        }
    }

    /** The point's summary if its run finished (completed or diverged, every field a report needs); else null. */
    public JsonNode finishedSummary(SweepPoint p) {
        Path file = dir(p).resolve("summary.json");
        if (!Files.isRegularFile(file)) {
            return null;
        }
        JsonNode s;
        try {
            s = new ObjectMapper().readTree(file.toFile());
        } catch (IOException e) {
            return null;
        }
        if (s == null || !s.path("config").path("lambda").isNumber()) {
            return null;
        }
        return switch (s.path("status").asText()) {
            case "completed" -> Stream.of("sparsity", "test_accuracy", "test_accuracy_w", "seconds_per_epoch")
                    .allMatch(k -> s.path(k).isNumber() && Double.isFinite(s.path(k).asDouble())) ? s : null;
            case "diverged" -> s.path("diverged_at").isObject() ? s : null;
            default -> null;
        };
    }

    /**
     * Writes a point's files as its run directory, in one move. A directory already there that is not
     * a finished run (edited by hand, say) is kept under a new name (NAME.replaced-*), never deleted.
     */
    public void commit(SweepPoint p, PointRun run) throws IOException {
        Path staging = runs.resolve(STAGING + p.name() + "-" + UUID.randomUUID());
        Files.createDirectory(staging);
        for (Map.Entry<String, byte[]> f : run.files().entrySet()) {
            Path target = staging.resolve(f.getKey()).normalize();
            if (!target.startsWith(staging) || target.equals(staging)) {
                throw new IOException("point " + p.name() + ": a file name leaves the run directory: " + f.getKey());
            }
            Files.createDirectories(target.getParent());
            Files.write(target, f.getValue());
        }
        Files.writeString(staging.resolve("train.log"), run.log(), StandardCharsets.UTF_8);
        Path target = dir(p);
        if (Files.exists(target)) {
            Files.move(target, runs.resolve(p.name() + ".replaced-" + UUID.randomUUID()));
        }
        Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
        Files.deleteIfExists(failureLog(p));
    }

    /** Records why a point failed: DIR/runs/NAME.failed.log (replaced by the next attempt's). */
    public void recordFailure(SweepPoint p, String error) {
        try {
            Files.writeString(failureLog(p), error + System.lineSeparator(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The failure log of a point. */
    public Path failureLog(SweepPoint p) {
        return runs.resolve(p.name() + ".failed.log");
    }

    /** The points among these that have not finished. */
    public List<SweepPoint> unfinished(List<SweepPoint> points) {
        return points.stream().filter(p -> finishedSummary(p) == null).toList();
    }
}
