package org.rvsm.cli;

/**
 * A mistake in the user's input (an option, a file, an output path). The CLI prints its message as
 * one line on stderr and exits with code 2; no stack trace.
 */
public final class UserError extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public UserError(String message) {
        super(message);
    }

    public UserError(String message, Throwable cause) {
        super(message, cause);
    }
}
