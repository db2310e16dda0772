package org.rvsm.cli;

import java.io.IOException;
import java.nio.file.Path;
import org.rvsm.nn.data.ImageDataset;
import picocli.CommandLine.Option;

/** --data and --dataset of the commands that read a test set (evaluate, infer, bench-infer). */
final class TestSetOptions {

    @Option(names = "--data", paramLabel = "DIR", description = "IDX directory. Default: /usr/share/datasets/fashion-mnist.")
    Path data;

    @Option(names = "--dataset", paramLabel = "D", defaultValue = "fashion-mnist", description = "fashion-mnist or mnist.")
    String dataset;

    /** The test set of --dataset in --data, or a one-line error. */
    ImageDataset load() {
        String name = Choices.oneOf("--dataset", dataset, ImageDataset.NAMES);
        try {
            return ImageDataset.loadNamed(data != null ? data : ImageDataset.DEFAULT_FASHION_DIR, name, false);
        } catch (IOException e) {
            throw new UserError("--data " + e.getMessage());
        }
    }
}
