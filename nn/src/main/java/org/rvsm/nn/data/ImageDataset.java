package org.rvsm.nn.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Labelled greyscale images, normalised: pixel -> (pixel / 255 - mean) / std.
 *
 * @param images (count, rows, cols) row-major, float32
 * @param labels (count), each in [0, classes)
 */
public record ImageDataset(int count, int rows, int cols, float[] images, int[] labels, int classes) {

    /** Fashion-MNIST's pixel mean and standard deviation over its training set (of pixel / 255). */
    public static final float FASHION_MEAN = 0.2860f;
    public static final float FASHION_STD = 0.3530f;

    /** MNIST's pixel mean and standard deviation over its training set (of pixel / 255). */
    public static final float MNIST_MEAN = 0.1307f;
    public static final float MNIST_STD = 0.3081f;

    /** The dataset names accepted by {@link #loadNamed}. */
    public static final java.util.List<String> NAMES = java.util.List.of("fashion-mnist", "mnist");

    /** Where Debian's dataset-fashion-mnist package puts the files. */
    public static final Path DEFAULT_FASHION_DIR = Path.of("/usr/share/datasets/fashion-mnist");

    /** The pixels per image. */
    public int pixels() {
        return rows * cols;
    }

    /** The first n examples (n <= count), sharing nothing with this dataset. */
    public ImageDataset head(int n) {
        if (n < 1 || n > count) {
            throw new IllegalArgumentException("head size " + n + " not in [1, " + count + "]");
        }
        return new ImageDataset(n, rows, cols, java.util.Arrays.copyOf(images, n * pixels()),
                java.util.Arrays.copyOf(labels, n), classes);
    }

    /**
     * Loads the training or test split of an MNIST-format directory holding
     * {train,t10k}-{images-idx3,labels-idx1}-ubyte, raw or with .gz.
     */
    public static ImageDataset load(Path dir, boolean train, float mean, float std) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new IOException("data directory " + dir + " does not exist; for Fashion-MNIST run "
                    + "'apt-get install dataset-fashion-mnist' (it installs into " + DEFAULT_FASHION_DIR
                    + ") or pass --data DIR with the four IDX files");
        }
        String prefix = train ? "train" : "t10k";
        IdxFile images = IdxFile.read(find(dir, prefix + "-images-idx3-ubyte"));
        IdxFile labels = IdxFile.read(find(dir, prefix + "-labels-idx1-ubyte"));
        int[] id = images.dims();
        int[] ld = labels.dims();
        if (id.length != 3) {
            throw new IOException(dir + ": " + prefix + " images have rank " + id.length + ", expected 3 (count, rows, cols)");
        }
        if (ld.length != 1 || ld[0] != id[0]) {
            throw new IOException(dir + ": " + prefix + " labels " + java.util.Arrays.toString(ld)
                    + " do not match " + id[0] + " images");
        }
        int[] y = new int[ld[0]];
        byte[] raw = labels.data();
        for (int i = 0; i < y.length; i++) {
            y[i] = raw[i] & 0xff;
            if (y[i] > 9) {
                throw new IOException(dir + ": label " + i + " is " + y[i] + ", expected 0 to 9");
            }
        }
        byte[] px = images.data();
        float[] x = new float[px.length];
        float scale = 1.0f / (255.0f * std);
        float shift = mean / std;
        for (int i = 0; i < px.length; i++) {
            x[i] = (px[i] & 0xff) * scale - shift;
        }
        return new ImageDataset(id[0], id[1], id[2], x, y, 10);
    }

    /** Loads a split of a named dataset ("fashion-mnist" or "mnist") with that dataset's normalisation. */
    public static ImageDataset loadNamed(Path dir, String name, boolean train) throws IOException {
        boolean fashion = switch (name) {
            case "fashion-mnist" -> true;
            case "mnist" -> false;
            default -> throw new IllegalArgumentException("dataset must be one of " + NAMES + ", got '" + name + "'");
        };
        return load(dir, train, fashion ? FASHION_MEAN : MNIST_MEAN, fashion ? FASHION_STD : MNIST_STD);
    }

    private static Path find(Path dir, String name) throws IOException {
        for (String candidate : new String[] {name + ".gz", name}) {
            Path p = dir.resolve(candidate);
            if (Files.isRegularFile(p)) {
                return p;
            }
        }
        throw new IOException(dir + ": neither " + name + ".gz nor " + name + " is there");
    }
}
