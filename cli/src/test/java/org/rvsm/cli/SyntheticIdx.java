package org.rvsm.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.zip.GZIPOutputStream;

/**
 * A small synthetic dataset in Fashion-MNIST's IDX layout (28 x 28 grey images, labels 0 to 2: the label
 * is which third of the image is brightest), so that tests need no installed dataset. Also used by
 * rvsm-spark's tests (this module's test jar).
 */
public final class SyntheticIdx {

    private SyntheticIdx() {
    }

    /** Writes DIR/train-* (nTrain images) and DIR/t10k-* (nTest), from one seeded generator. */
    public static Path write(Path dir, int nTrain, int nTest, long seed) throws IOException {
        Files.createDirectories(dir);
        SplittableRandom rng = new SplittableRandom(seed);
        writeSplit(dir, "train", nTrain, rng);
        writeSplit(dir, "t10k", nTest, rng);
        return dir;
    }

    /** One split: images gzipped (the reader takes both), labels plain. */
    static void writeSplit(Path dir, String prefix, int n, SplittableRandom rng) throws IOException {
        ByteBuffer images = ByteBuffer.allocate(16 + n * 784).putInt(0x803).putInt(n).putInt(28).putInt(28);
        ByteBuffer labels = ByteBuffer.allocate(8 + n).putInt(0x801).putInt(n);
        for (int i = 0; i < n; i++) {
            int label = rng.nextInt(3);
            for (int p = 0; p < 784; p++) {
                int third = (p % 28) * 3 / 28;
                images.put((byte) (rng.nextInt(100) + (third == label ? 120 : 0)));
            }
            labels.put((byte) label);
        }
        Files.write(dir.resolve(prefix + "-images-idx3-ubyte.gz"), gzip(images.array()));
        Files.write(dir.resolve(prefix + "-labels-idx1-ubyte"), labels.array());
    }

    private static byte[] gzip(byte[] bytes) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(bytes);
        }
        return out.toByteArray();
    }
}
