package org.rvsm.nn.data;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A strict reader of the CIFAR-10 binary format, as unpacked from cifar-10-binary.tar.gz into the
 * {@code cifar-10-batches-bin} directory: {@code data_batch_1.bin} to {@code data_batch_5.bin} for
 * training and {@code test_batch.bin} for testing. Each record is one label byte (0 to 9) then 3,072
 * pixel bytes: the 1,024 red, then 1,024 green, then 1,024 blue values, each plane 32 x 32 row-major.
 *
 * <p>The record count of each file follows from its size, which must be a positive whole number of
 * 3,073-byte records; every file of a split is checked before anything is allocated. A label above 9,
 * a file that ends early or grows while it is read is rejected. Every error is a one-line
 * {@link IOException} naming the file.
 */
public final class Cifar10 {

    public static final int CHANNELS = 3;
    public static final int HEIGHT = 32;
    public static final int WIDTH = 32;
    public static final int CLASSES = 10;
    /** Pixels in one channel plane. */
    public static final int PLANE = HEIGHT * WIDTH;
    /** Pixel bytes in one image. */
    public static final int IMAGE_BYTES = CHANNELS * PLANE;
    /** Bytes in one record: the label byte, then the image. */
    public static final int RECORD_BYTES = 1 + IMAGE_BYTES;

    /** The most records accepted in one split: as many images as fit in one float array. */
    public static final int MAX_RECORDS = (Integer.MAX_VALUE - 8) / IMAGE_BYTES;

    /** The training files, read in this order. */
    public static final java.util.List<String> TRAIN_FILES = java.util.List.of(
            "data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin");

    /** The test file. */
    public static final String TEST_FILE = "test_batch.bin";

    /** Where the files come from. */
    public static final String URL = "https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz";

    /** How to get the files, for error messages. */
    public static final String ORIGIN = "download the CIFAR-10 binary version from " + URL
            + ", extract it (tar xzf) and pass the cifar-10-batches-bin directory with --data DIR";

    private Cifar10() {
    }

    /**
     * One split of CIFAR-10.
     *
     * @param count the number of images
     * @param images (count, 3, 32, 32) channel-major, each value pixel / 255f
     * @param labels (count), each in [0, 10)
     */
    public record Split(int count, float[] images, int[] labels) {

        public int channels() {
            return CHANNELS;
        }

        public int height() {
            return HEIGHT;
        }

        public int width() {
            return WIDTH;
        }

        public int classes() {
            return CLASSES;
        }

        /** The values per image (3,072). */
        public int pixels() {
            return IMAGE_BYTES;
        }
    }

    /** Loads the training split (the five data batches, in order) or the test split of a cifar-10-batches-bin directory. */
    public static Split load(Path dir, boolean train) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new IOException("data directory " + dir + " does not exist; " + ORIGIN);
        }
        java.util.List<String> names = train ? TRAIN_FILES : java.util.List.of(TEST_FILE);
        Path[] files = new Path[names.size()];
        int[] records = new int[names.size()];
        long total = 0;
        for (int f = 0; f < files.length; f++) {
            files[f] = dir.resolve(names.get(f));
            if (!Files.isRegularFile(files[f])) {
                throw new IOException(files[f] + ": no such file; " + ORIGIN);
            }
            long size = Files.size(files[f]);
            if (size == 0 || size % RECORD_BYTES != 0) {
                throw new IOException(files[f] + ": size " + size + " bytes is not a positive whole number of "
                        + RECORD_BYTES + "-byte records");
            }
            total += size / RECORD_BYTES;
            if (total > MAX_RECORDS) {
                throw new IOException(files[f] + ": the split would hold more than " + MAX_RECORDS
                        + " records, refusing");
            }
            records[f] = (int) (size / RECORD_BYTES);
        }
        int count = (int) total;
        float[] images = new float[count * IMAGE_BYTES];
        int[] labels = new int[count];
        byte[] record = new byte[RECORD_BYTES];
        int at = 0;
        for (int f = 0; f < files.length; f++) {
            try (InputStream in = new BufferedInputStream(Files.newInputStream(files[f]), 1 << 16)) {
                for (int r = 0; r < records[f]; r++) {
                    readRecord(in, record, files[f], r);
                    int label = record[0] & 0xff;
                    if (label >= CLASSES) {
                        throw new IOException(files[f] + ": record " + r + " has label " + label
                                + ", expected 0 to " + (CLASSES - 1));
                    }
                    labels[at] = label;
                    int base = at * IMAGE_BYTES;
                    for (int k = 0; k < IMAGE_BYTES; k++) {
                        images[base + k] = (record[1 + k] & 0xff) / 255f;
                    }
                    at++;
                }
                if (in.read() != -1) {
                    throw new IOException(files[f] + ": bytes left over after " + records[f]
                            + " records (the file grew while it was read)");
                }
            } catch (EOFException e) {
                throw new IOException(files[f] + ": truncated (unexpected end of file)");
            }
        }
        return new Split(count, images, labels);
    }

    private static void readRecord(InputStream in, byte[] record, Path file, int r) throws IOException {
        int got = 0;
        while (got < record.length) {
            int k = in.read(record, got, record.length - got);
            if (k < 0) {
                throw new IOException(file + ": truncated: record " + r + " ends after " + got + " of "
                        + RECORD_BYTES + " bytes (the file shrank while it was read)");
            }
            got += k;
        }
    }

    /**
     * The per-channel mean and (population) standard deviation of the first n images of a channel-major
     * (n, channels, plane) array, accumulated in double.
     *
     * @return {mean, std}, each of length channels
     */
    public static float[][] channelMeanStd(float[] images, int n, int channels, int plane) {
        if (n < 1 || channels < 1 || plane < 1) {
            throw new IllegalArgumentException("n " + n + ", channels " + channels + ", plane " + plane
                    + " must all be positive");
        }
        long needed = (long) n * channels * plane;
        if (needed > images.length) {
            throw new IllegalArgumentException(n + " x " + channels + " x " + plane + " = " + needed
                    + " values needed but the array holds " + images.length);
        }
        float[] mean = new float[channels];
        float[] std = new float[channels];
        long perChannel = (long) n * plane;
        for (int ch = 0; ch < channels; ch++) {
            double sum = 0;
            for (int i = 0; i < n; i++) {
                int base = (i * channels + ch) * plane;
                for (int p = 0; p < plane; p++) {
                    sum += images[base + p];
                }
            }
            double m = sum / perChannel;
            double sq = 0;
            for (int i = 0; i < n; i++) {
                int base = (i * channels + ch) * plane;
                for (int p = 0; p < plane; p++) {
                    double d = images[base + p] - m;
                    sq += d * d;
                }
            }
            mean[ch] = (float) m;
            std[ch] = (float) Math.sqrt(sq / perChannel);
        }
        return new float[][] {mean, std};
    }

    /**
     * Normalises n channel-major images in place: value -> (value - mean[ch]) / std[ch]. The channel
     * count is mean.length, and the array must hold exactly n x channels whole planes.
     */
    public static void normalise(float[] images, int n, float[] mean, float[] std) {
        if (mean.length < 1 || mean.length != std.length) {
            throw new IllegalArgumentException("mean has " + mean.length + " channels and std " + std.length
                    + ", must be equal and positive");
        }
        int channels = mean.length;
        if (n < 1 || images.length == 0 || images.length % ((long) n * channels) != 0) {
            throw new IllegalArgumentException("an array of " + images.length + " values is not " + n
                    + " images of " + channels + " whole channel planes");
        }
        for (int ch = 0; ch < channels; ch++) {
            if (!(std[ch] > 0) || Float.isInfinite(std[ch]) || !Float.isFinite(mean[ch])) {
                throw new IllegalArgumentException("channel " + ch + " has mean " + mean[ch] + " and std " + std[ch]
                        + "; the mean must be finite and the std finite and positive");
            }
        }
        int plane = (int) (images.length / ((long) n * channels));
        for (int i = 0; i < n; i++) {
            for (int ch = 0; ch < channels; ch++) {
                int base = (i * channels + ch) * plane;
                float m = mean[ch];
                float s = std[ch];
                for (int p = 0; p < plane; p++) {
                    images[base + p] = (images[base + p] - m) / s;
                }
            }
        }
    }
}
