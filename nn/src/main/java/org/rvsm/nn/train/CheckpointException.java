package org.rvsm.nn.train;

import java.io.IOException;

/** A checkpoint that cannot be resumed from: unreadable, truncated, edited, or another run's. */
public final class CheckpointException extends IOException {

    private static final long serialVersionUID = 1L;

    public CheckpointException(String message, Throwable cause) {
        super(message, cause);
    }
}
