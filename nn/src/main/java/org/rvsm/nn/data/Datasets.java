package org.rvsm.nn.data;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * The datasets by name, each as a training and a test split normalised with the training split's
 * per-channel statistics: fashion-mnist and mnist (IDX files, 1 x 28 x 28, their published
 * statistics, {@link ImageDataset#FASHION_MEAN} etc.) and cifar10 (the binary batches, 3 x 32 x 32,
 * mean and std computed over the five training batches, {@link Cifar10#channelMeanStd}).
 */
public final class Datasets {

    /** The dataset names. */
    public static final List<String> NAMES = List.of("fashion-mnist", "mnist", "cifar10");

    private Datasets() {
    }

    /** The two splits of a dataset. */
    public record Splits(ImageDataset train, ImageDataset test) {
    }

    /** True for the datasets whose training batches are augmented unless told otherwise (cifar10). */
    public static boolean augmentsByDefault(String name) {
        return checked(name).equals("cifar10");
    }

    /** The directory read when none is given: the Debian package's for the IDX sets; cifar10 has none (null). */
    public static Path defaultDir(String name) {
        return checked(name).equals("cifar10") ? null : ImageDataset.DEFAULT_FASHION_DIR;
    }

    /** The training (not augmented) and test splits in dir, both normalised with the training split's statistics. */
    public static Splits load(String name, Path dir) throws IOException {
        if (checked(name).equals("cifar10")) {
            Cifar10.Split train = Cifar10.load(dir, true);
            Cifar10.Split test = Cifar10.load(dir, false);
            float[][] stats = Cifar10.channelMeanStd(train.images(), train.count(), Cifar10.CHANNELS, Cifar10.PLANE);
            return new Splits(cifar(train, stats[0], stats[1]), cifar(test, stats[0], stats[1]));
        }
        float[] s = idxStats(name);
        return new Splits(ImageDataset.load(dir, true, s[0], s[1]), ImageDataset.load(dir, false, s[0], s[1]));
    }

    /**
     * The test split in dir, normalised with the given per-channel mean and std (a model's, {@link
     * org.rvsm.runtime.ImageSpec}), or, when they are null, with the dataset's own: the published ones
     * for the IDX sets, the training split's for cifar10 (which then reads the training files too).
     */
    public static ImageDataset loadTest(String name, Path dir, float[] mean, float[] std) throws IOException {
        if (mean == null) {
            if (checked(name).equals("cifar10")) {
                return load(name, dir).test();
            }
            float[] s = idxStats(name);
            return ImageDataset.load(dir, false, s[0], s[1]);
        }
        if (checked(name).equals("cifar10")) {
            if (mean.length != Cifar10.CHANNELS || std.length != Cifar10.CHANNELS) {
                throw new IllegalArgumentException("cifar10 has 3 channels; the normalisation given has " + mean.length);
            }
            return cifar(Cifar10.load(dir, false), mean, std);
        }
        if (mean.length != 1 || std.length != 1) {
            throw new IllegalArgumentException(name + " has 1 channel; the normalisation given has " + mean.length);
        }
        return ImageDataset.load(dir, false, mean[0], std[0]);
    }

    private static ImageDataset cifar(Cifar10.Split s, float[] mean, float[] std) {
        float[] x = s.images(); // the split's own array, normalised in place
        Cifar10.normalise(x, s.count(), mean, std);
        return new ImageDataset(s.count(), Cifar10.CHANNELS, Cifar10.HEIGHT, Cifar10.WIDTH, x, s.labels(),
                Cifar10.CLASSES, mean, std, false);
    }

    private static float[] idxStats(String name) {
        return name.equals("fashion-mnist") ? new float[] {ImageDataset.FASHION_MEAN, ImageDataset.FASHION_STD}
                : new float[] {ImageDataset.MNIST_MEAN, ImageDataset.MNIST_STD};
    }

    private static String checked(String name) {
        if (!NAMES.contains(name)) {
            throw new IllegalArgumentException("dataset must be one of " + String.join(", ", NAMES) + "; got '" + name + "'");
        }
        return name;
    }
}
