package org.rvsm.spark;

/**
 * A point's train did not end with a result; thrown in the Spark task so that Spark tries it again
 * (spark.task.maxFailures). Its message is the one line the driver records.
 */
final class PointFailedException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** Marks the reason in Spark's job-failure text, which carries the exception as a string. */
    static final String MARK = PointFailedException.class.getName() + ": ";

    PointFailedException(String message) {
        super(message);
    }

    /** The recorded reason of a failed Spark job: the point's own line if present, else Spark's first line. */
    static String reason(Throwable jobFailure) {
        for (Throwable t = jobFailure; t != null; t = t.getCause()) {
            String m = String.valueOf(t.getMessage());
            int at = m.indexOf(MARK);
            if (at >= 0) {
                return m.substring(at + MARK.length()).lines().findFirst().orElse("").strip();
            }
        }
        Throwable root = jobFailure.getCause() != null ? jobFailure.getCause() : jobFailure;
        return "spark: " + String.valueOf(root.getMessage()).lines().findFirst().orElse("").strip();
    }
}
