package org.rvsm.nn.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.rvsm.runtime.ImageSpec;

/**
 * Labelled images, channel-major (count, channels, rows, cols), normalised per channel:
 * value -> (pixel / 255 - mean[c]) / std[c]. A training set may be marked for augmentation: its
 * minibatches ({@link #batch}) are then randomly cropped and flipped ({@link Augment}).
 *
 * @param images  (count, channels, rows, cols) row-major, float32
 * @param labels  (count), each in [0, classes)
 * @param mean    the per-channel mean the images were normalised with (pixel / 255 scale)
 * @param std     the per-channel standard deviation they were normalised with
 * @param augment true when {@link #batch} crops (after {@link #PAD}-pixel zero padding) and flips
 */
public record ImageDataset(int count, int channels, int rows, int cols, float[] images, int[] labels, int classes,
                           float[] mean, float[] std, boolean augment) {

    /** Fashion-MNIST's pixel mean and standard deviation over its training set (of pixel / 255). */
    public static final float FASHION_MEAN = 0.2860f;
    public static final float FASHION_STD = 0.3530f;

    /** MNIST's pixel mean and standard deviation over its training set (of pixel / 255). */
    public static final float MNIST_MEAN = 0.1307f;
    public static final float MNIST_STD = 0.3081f;

    /** Where Debian's dataset-fashion-mnist package puts the files. */
    public static final Path DEFAULT_FASHION_DIR = Path.of("/usr/share/datasets/fashion-mnist");

    /** Zero padding, in pixels on each side, before the random crop of augmentation. */
    public static final int PAD = 4;

    public ImageDataset {
        if (count < 1 || channels < 1 || rows < 1 || cols < 1 || classes < 1) {
            throw new IllegalArgumentException("count " + count + ", channels " + channels + ", rows " + rows + ", cols "
                    + cols + ", classes " + classes + " must all be positive");
        }
        if ((long) count * channels * rows * cols != images.length || labels.length != count) {
            throw new IllegalArgumentException(images.length + " values and " + labels.length + " labels are not "
                    + count + " images of " + channels + "x" + rows + "x" + cols);
        }
        if (mean.length != channels || std.length != channels) {
            throw new IllegalArgumentException("mean and std need one value per channel (" + channels + "), got "
                    + mean.length + " and " + std.length);
        }
    }

    /** The values per image (channels x rows x cols). */
    public int pixels() {
        return channels * rows * cols;
    }

    /** What a model trained on this set takes: its shape, classes and normalisation. */
    public ImageSpec spec() {
        return new ImageSpec(channels, rows, cols, classes, mean, std);
    }

    /** The first n examples (n <= count), sharing nothing with this dataset. */
    public ImageDataset head(int n) {
        if (n < 1 || n > count) {
            throw new IllegalArgumentException("head size " + n + " not in [1, " + count + "]");
        }
        return new ImageDataset(n, channels, rows, cols, Arrays.copyOf(images, n * pixels()), Arrays.copyOf(labels, n),
                classes, mean, std, augment);
    }

    /** The same examples (shared), with augmentation of its minibatches on or off. */
    public ImageDataset withAugmentation(boolean on) {
        return new ImageDataset(count, channels, rows, cols, images, labels, classes, mean, std, on);
    }

    /**
     * A minibatch: the examples order[from], ..., order[from + y.length - 1] into x (y.length x pixels,
     * row-major; modified) and their labels into y (modified). When this set is augmented each image
     * is cropped and flipped with rng's draws ({@link Augment#cropAndFlip}); otherwise rng is not used.
     */
    public void batch(int[] order, int from, float[] x, float[] y, SplittableRandom rng) {
        int b = y.length;
        int p = pixels();
        float[] into = augment ? new float[b * p] : x;
        for (int i = 0; i < b; i++) {
            int idx = order[from + i];
            System.arraycopy(images, idx * p, into, i * p, p);
            y[i] = labels[idx];
        }
        if (augment) {
            Augment.cropAndFlip(into, x, b, channels, rows, cols, PAD, rng);
        }
    }

    /**
     * The generator of the augmentation of one minibatch: a function of the run's seed, the epoch and
     * the minibatch's first position only, so a resumed run draws the same crops.
     */
    public static SplittableRandom batchRandom(long seed, int epoch, int from) {
        return new SplittableRandom(Long.rotateLeft(seed, 17) ^ (epoch + 1) * 0xBF58476D1CE4E5B9L
                ^ (from + 1) * 0x94D049BB133111EBL);
    }

    /**
     * Loads the training or test split of an MNIST-format directory holding
     * {train,t10k}-{images-idx3,labels-idx1}-ubyte, raw or with .gz, as 1-channel images of 10 classes.
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
            throw new IOException(dir + ": " + prefix + " labels " + Arrays.toString(ld)
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
        return new ImageDataset(id[0], 1, id[1], id[2], x, y, 10, new float[] {mean}, new float[] {std}, false);
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
