package org.rvsm.cli;

/**
 * The exit codes of {@code rvsm}, the same for every command (and listed in the top-level --help).
 */
final class ExitCode {

    /** The command did what was asked. */
    static final int OK = 0;
    /** An unexpected failure: a bug in rvsm (the message says how to get the stack trace). */
    static final int BUG = 1;
    /** Bad input: one line on stderr names the option and the value; nothing earlier was overwritten. */
    static final int BAD_INPUT = 2;
    /** A training diverged (NaN or infinite loss or weights): a status, not a result; no model was written. */
    static final int DIVERGED = 3;

    private ExitCode() {
    }
}
