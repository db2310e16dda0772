package org.rvsm.cli;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A one-line progress bar on stderr, redrawn at most ten times a second. It is silent when stderr
 * is not a terminal (CI logs, redirection) or when the user asked for --quiet.
 */
final class ProgressBar implements AutoCloseable {

    private static final int WIDTH = 30;

    private final PrintStream err;
    private final boolean enabled;
    private final long started = System.nanoTime();
    private long lastDraw;
    private boolean drawn;

    ProgressBar(PrintStream err, boolean quiet) {
        this.err = err;
        this.enabled = !quiet && stderrIsTerminal();
    }

    /** Shows done/total of the named stage. Safe to call from several threads. */
    synchronized void update(String stage, long done, long total) {
        if (!enabled) {
            return;
        }
        long now = System.nanoTime();
        if (done < total && now - lastDraw < 100_000_000L) {
            return;
        }
        lastDraw = now;
        double fraction = total <= 0 ? 1.0 : Math.min(1.0, (double) done / total);
        int filled = (int) Math.round(fraction * WIDTH);
        double elapsed = (now - started) / 1e9;
        String eta = fraction > 0.0 && fraction < 1.0
                ? Output.format(", about %.0f s left", elapsed * (1.0 - fraction) / fraction) : "";
        err.print(Output.format("\r%s [%s%s] %3.0f%% (%d/%d, %.1f s%s)   ", stage, "#".repeat(filled),
                " ".repeat(WIDTH - filled), 100 * fraction, done, total, elapsed, eta));
        err.flush();
        drawn = true;
    }

    @Override
    public synchronized void close() {
        if (drawn) {
            err.println();
            err.flush();
        }
    }

    /** Linux: /proc/self/fd/2 points at a tty or pty; elsewhere fall back to System.console(). */
    private static boolean stderrIsTerminal() {
        if (System.getenv("CI") != null) {
            return false;
        }
        Path fd = Path.of("/proc/self/fd/2");
        try {
            if (Files.exists(fd)) {
                String target = Files.readSymbolicLink(fd).toString();
                return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty");
            }
        } catch (java.io.IOException | UnsupportedOperationException | SecurityException e) {
            return System.console() != null;
        }
        return System.console() != null;
    }
}
