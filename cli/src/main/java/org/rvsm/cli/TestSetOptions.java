package org.rvsm.cli;

import java.io.IOException;
import java.nio.file.Path;
import org.rvsm.nn.data.ImageDataset;
import picocli.CommandLine.Option;

/**
 * --data and --dataset of the commands that read a test set (evaluate, infer, bench-infer); train and
 * sweep declare the same options with the same descriptions ({@link #DATA}, {@link #DATASET}).
 */
final class TestSetOptions {

    /** The description of --data in every command that has it. */
    static final String DATA = "IDX directory. Default: /usr/share/datasets/fashion-mnist.";
    /** The description of --dataset in every command that has it (default: fashion-mnist). */
    static final String DATASET = "fashion-mnist or mnist (sets the normalisation). Default: ${DEFAULT-VALUE}.";

    @Option(names = "--data", paramLabel = "DIR", description = DATA)
    Path data;

    @Option(names = "--dataset", paramLabel = "D", defaultValue = "fashion-mnist", description = DATASET)
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
