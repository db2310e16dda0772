package org.rvsm.cli;

import java.io.IOException;
import java.nio.file.Path;
import org.rvsm.nn.data.Cifar10;
import org.rvsm.nn.data.Datasets;
import org.rvsm.nn.data.ImageDataset;
import org.rvsm.runtime.ImageSpec;
import picocli.CommandLine.Option;

/**
 * --data and --dataset of the commands that read a test set for a model (evaluate, infer, bench-infer);
 * train and sweep declare the same options with the descriptions here ({@link #DATA}, {@link #DATASET}).
 */
final class TestSetOptions {

    /** The description of --data in every command that has it. */
    static final String DATA = "Dataset directory: the four IDX files (fashion-mnist, mnist; default "
            + "/usr/share/datasets/fashion-mnist) or cifar-10-batches-bin (cifar10; no default).";
    /** The description of train's --dataset (default: fashion-mnist). */
    static final String DATASET = "fashion-mnist, mnist (1x28x28) or cifar10 (3x32x32). Default: ${DEFAULT-VALUE}.";
    /** The description of --dataset where a model is read. */
    static final String MODEL_DATASET = "fashion-mnist, mnist or cifar10. Default: the one the model was trained on "
            + "(its metadata), else fashion-mnist.";

    @Option(names = "--data", paramLabel = "DIR", description = DATA)
    Path data;

    @Option(names = "--dataset", paramLabel = "D", description = MODEL_DATASET)
    String dataset;

    /**
     * The test set for a model: of --dataset, else the model's own dataset, in --data; normalised as the
     * model's training set was; refused in one line unless its images and classes are the model's.
     */
    ImageDataset load(ModelFiles.Info model) {
        String name = Choices.oneOf("--dataset", dataset != null ? dataset
                : model.dataset() != null ? model.dataset() : "fashion-mnist", Datasets.NAMES);
        Path dir = directory(name, data);
        ImageSpec spec = model.spec();
        ImageDataset test;
        try {
            test = Datasets.loadTest(name, dir, spec.mean() != null && spec.channels() == channels(name) ? spec.mean() : null,
                    spec.mean() != null && spec.channels() == channels(name) ? spec.std() : null);
        } catch (IOException e) {
            throw new UserError("--data " + e.getMessage());
        }
        if (!test.spec().sameShape(spec) || test.classes() != spec.classes()) {
            throw new UserError("--data " + dir + ": the " + name + " test images are " + test.spec().shapeText() + " in "
                    + test.classes() + " classes, but the model takes " + spec.shapeText() + " in " + spec.classes()
                    + " classes (another --dataset?)");
        }
        return test;
    }

    /** The directory of a dataset: --data, or its default; cifar10 has none, so without --data it is a one-line error. */
    static Path directory(String dataset, Path data) {
        if (data != null) {
            return data;
        }
        Path dir = Datasets.defaultDir(dataset);
        if (dir == null) {
            throw new UserError("--dataset " + dataset + " needs --data DIR: " + Cifar10.ORIGIN);
        }
        return dir;
    }

    private static int channels(String dataset) {
        return dataset.equals("cifar10") ? Cifar10.CHANNELS : 1;
    }
}
