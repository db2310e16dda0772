package org.rvsm.cli.sweep;

/**
 * An engine that lives outside the CLI module (the Spark engine in rvsm-spark), found with
 * {@link java.util.ServiceLoader} when its jar is on the class path.
 */
public interface SweepEngineProvider {

    /** The name given to {@code sweep --engine}. */
    String name();

    /**
     * Starts the engine. Bad settings (an unreachable master, an unknown option) are an
     * {@link org.rvsm.cli.UserError} with one line.
     */
    SweepEngine open(EngineSettings settings);
}
