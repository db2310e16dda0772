package org.rvsm.spark;

import org.rvsm.cli.sweep.EngineSettings;
import org.rvsm.cli.sweep.SweepEngine;
import org.rvsm.cli.sweep.SweepEngineProvider;

/** {@code sweep --engine spark}: found by the CLI through {@link java.util.ServiceLoader}. */
public final class SparkEngineProvider implements SweepEngineProvider {

    @Override
    public String name() {
        return "spark";
    }

    @Override
    public SweepEngine open(EngineSettings settings) {
        return SparkEngine.start(settings);
    }
}
