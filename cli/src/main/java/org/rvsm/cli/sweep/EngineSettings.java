package org.rvsm.cli.sweep;

import java.util.Map;

/**
 * How to run a sweep, whichever the engine; each engine reads what concerns it.
 *
 * @param jobs     local engine: points at a time (null: half the cores, at least 1)
 * @param master   Spark engine: the master URL (null: spark.master if spark-submit set it, else local[*])
 * @param attempts tries per point before it is recorded as failed (Spark: spark.task.maxFailures)
 * @param conf     Spark engine: extra Spark settings (key, value)
 */
public record EngineSettings(Integer jobs, String master, int attempts, Map<String, String> conf) {

    public EngineSettings {
        conf = Map.copyOf(conf);
        if (attempts < 1) {
            throw new IllegalArgumentException("attempts must be >= 1, got " + attempts);
        }
    }
}
