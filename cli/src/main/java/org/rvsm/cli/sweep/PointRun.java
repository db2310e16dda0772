package org.rvsm.cli.sweep;

import java.io.Serializable;
import java.util.Map;
import java.util.TreeMap;
import org.rvsm.cli.ExitCode;

/**
 * What one run of a point left: the exit code of its {@code train}, the files it wrote (path relative
 * to its output directory, then the bytes) and the end of its log. Small enough to travel from a
 * Spark executor to the driver (a model of a few MB at most).
 */
public record PointRun(int exitCode, Map<String, byte[]> files, String log) implements Serializable {

    private static final long serialVersionUID = 1L;

    public PointRun {
        files = new TreeMap<>(files);
    }

    /** Whether train ended with a result to keep: completed, or diverged (a status, also kept). */
    public boolean ended() {
        return exitCode == ExitCode.OK || exitCode == ExitCode.DIVERGED;
    }

    /** For a run that did not end: the exit code and the log's last line (train's one-line reason). */
    public String error() {
        String last = "";
        for (String line : log.split("\\R")) {
            if (!line.isBlank()) {
                last = line.strip();
            }
        }
        return "train exited with code " + exitCode + (last.isEmpty() ? "" : ": " + last);
    }
}
