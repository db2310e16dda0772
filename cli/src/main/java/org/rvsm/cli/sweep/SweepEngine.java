package org.rvsm.cli.sweep;

import java.util.List;

/**
 * Runs a sweep's points: {@link LocalEngine} (child processes on this machine) or, from the rvsm-spark
 * module, Spark tasks. Every engine runs a point with {@link PointJob}, so they give the same bits;
 * they differ only in where and how many at a time.
 */
public interface SweepEngine extends AutoCloseable {

    /** Receives each point's end, from any thread. */
    interface Listener {

        /** The point's train ended with a result (completed or diverged); its files are in the run. */
        void ended(SweepPoint point, PointRun run);

        /** The point failed on each of its attempts; error is the last one's reason, in one line. */
        void failed(SweepPoint point, String error, int attempts);
    }

    /** One line for the user: the engine and its parallelism. */
    String describe();

    /** Runs the points, calling the listener as each ends; returns when all have. */
    void run(List<SweepPoint> points, Listener listener) throws InterruptedException;

    @Override
    default void close() {
    }
}
