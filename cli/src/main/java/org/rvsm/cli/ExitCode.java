package org.rvsm.cli;

/**
 * The exit codes of {@code rvsm}, the same for every command (and listed in the top-level --help).
 */
public final class ExitCode {

    /** The command did what was asked. */
    public static final int OK = 0;
    /** An unexpected failure: a bug in rvsm (the message says how to get the stack trace). */
    public static final int BUG = 1;
    /** Bad input: one line on stderr names the option and the value; nothing earlier was overwritten. */
    public static final int BAD_INPUT = 2;
    /** A training diverged (NaN or infinite loss or weights): a status, not a result; no model was written. */
    public static final int DIVERGED = 3;
    /**
     * A sweep ended with points that failed (each recorded with its error in sweep.json); rerunning the
     * same command runs only those again.
     */
    public static final int INCOMPLETE = 4;

    private ExitCode() {
    }
}
