package org.rvsm.nn.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Cifar10Test {

    @TempDir
    Path tmp;

    /** The pixel byte of global record g, channel ch, position p: distinct across channels and positions. */
    private static int pixel(int g, int ch, int p) {
        return (g * 37 + ch * 101 + p * 13 + p / 32) & 0xff;
    }

    private static int label(int g) {
        return (g * 3 + 1) % 10;
    }

    /** Writes a batch of records numbered from first. */
    private static byte[] batch(int first, int records) {
        byte[] b = new byte[records * Cifar10.RECORD_BYTES];
        for (int r = 0; r < records; r++) {
            int g = first + r;
            int o = r * Cifar10.RECORD_BYTES;
            b[o] = (byte) label(g);
            for (int ch = 0; ch < 3; ch++) {
                for (int p = 0; p < 1024; p++) {
                    b[o + 1 + ch * 1024 + p] = (byte) pixel(g, ch, p);
                }
            }
        }
        return b;
    }

    private Path synthetic(int[] trainCounts, int testCount) throws IOException {
        Path dir = tmp.resolve("cifar-10-batches-bin");
        Files.createDirectories(dir);
        int g = 0;
        for (int f = 0; f < 5; f++) {
            Files.write(dir.resolve("data_batch_" + (f + 1) + ".bin"), batch(g, trainCounts[f]));
            g += trainCounts[f];
        }
        Files.write(dir.resolve("test_batch.bin"), batch(1000, testCount));
        return dir;
    }

    private static void assertSplit(Cifar10.Split s, int first, int count) {
        assertEquals(count, s.count());
        assertEquals(3, s.channels());
        assertEquals(32, s.height());
        assertEquals(32, s.width());
        assertEquals(10, s.classes());
        assertEquals(count * 3 * 32 * 32, s.images().length);
        assertEquals(count, s.labels().length);
        for (int i = 0; i < count; i++) {
            assertEquals(label(first + i), s.labels()[i]);
            for (int ch = 0; ch < 3; ch++) {
                for (int y = 0; y < 32; y++) {
                    for (int x = 0; x < 32; x++) {
                        float expected = pixel(first + i, ch, y * 32 + x) / 255f;
                        assertEquals(expected, s.images()[((i * 3 + ch) * 32 + y) * 32 + x],
                                "image " + i + " channel " + ch + " (" + y + ", " + x + ")");
                    }
                }
            }
        }
    }

    @Test
    void roundTripsASyntheticDirectoryInChannelMajorOrder() throws IOException {
        Path dir = synthetic(new int[] {2, 1, 3, 1, 2}, 4);
        assertSplit(Cifar10.load(dir, true), 0, 9);
        assertSplit(Cifar10.load(dir, false), 1000, 4);
    }

    @Test
    void handWorkedValues() throws IOException {
        Path dir = synthetic(new int[] {1, 1, 1, 1, 1}, 1);
        Cifar10.Split s = Cifar10.load(dir, false);
        // record 1000: label (3000 + 1) % 10 = 1; green (ch 1) at (1, 2): p = 34, (37000 + 101 + 442 + 1) & 255 = 168
        assertEquals(1, s.labels()[0]);
        assertEquals(168 / 255f, s.images()[1024 + 34]);
        // blue (ch 2) at (0, 0): (37000 + 202) & 255 = 82
        assertEquals(82 / 255f, s.images()[2048]);
    }

    @Test
    void refusesASizeThatIsNotWholeRecords() throws IOException {
        Path dir = synthetic(new int[] {1, 1, 1, 1, 1}, 1);
        Path bad = dir.resolve("data_batch_3.bin");
        byte[] b = new byte[2 * Cifar10.RECORD_BYTES + 5];
        Files.write(bad, b);
        String m = assertThrows(IOException.class, () -> Cifar10.load(dir, true)).getMessage();
        assertTrue(m.contains("data_batch_3.bin"), m);
        assertTrue(m.contains("6151"), m);
        assertFalse(m.contains("\n"), m);
        // the test split does not read that file
        assertEquals(1, Cifar10.load(dir, false).count());
    }

    @Test
    void refusesAnEmptyFile() throws IOException {
        Path dir = synthetic(new int[] {1, 1, 1, 1, 1}, 1);
        Files.write(dir.resolve("test_batch.bin"), new byte[0]);
        String m = assertThrows(IOException.class, () -> Cifar10.load(dir, false)).getMessage();
        assertTrue(m.contains("test_batch.bin") && m.contains("size 0"), m);
    }

    @Test
    void refusesLabelTen() throws IOException {
        Path dir = synthetic(new int[] {1, 1, 1, 1, 1}, 3);
        Path test = dir.resolve("test_batch.bin");
        byte[] b = Files.readAllBytes(test);
        b[2 * Cifar10.RECORD_BYTES] = 10;
        Files.write(test, b);
        String m = assertThrows(IOException.class, () -> Cifar10.load(dir, false)).getMessage();
        assertTrue(m.contains("test_batch.bin"), m);
        assertTrue(m.contains("record 2"), m);
        assertTrue(m.contains("label 10"), m);
        assertFalse(m.contains("\n"), m);
    }

    @Test
    void aMissingDirectorySaysWhereTheDataComesFrom() {
        Path dir = tmp.resolve("nowhere");
        String m = assertThrows(IOException.class, () -> Cifar10.load(dir, true)).getMessage();
        assertTrue(m.contains("cifar-10-binary"), m);
        assertTrue(m.contains("--data DIR"), m);
        assertTrue(m.contains(dir.toString()), m);
        assertTrue(m.contains("https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz"), "names the source: " + m);
        assertFalse(m.contains("\n"), m);
    }

    @Test
    void aMissingFileSaysWhereTheDataComesFrom() throws IOException {
        Path dir = synthetic(new int[] {1, 1, 1, 1, 1}, 1);
        Files.delete(dir.resolve("data_batch_4.bin"));
        String m = assertThrows(IOException.class, () -> Cifar10.load(dir, true)).getMessage();
        assertTrue(m.contains("data_batch_4.bin"), m);
        assertTrue(m.contains("cifar-10-binary.tar.gz"), m);
    }

    @Test
    void channelMeanAndStdByHand() {
        // 2 images, 2 channels, 2 values per plane
        float[] x = {
            1, 2, 10, 10, // image 0: channel 0, channel 1
            3, 4, 20, 20, // image 1
        };
        float[][] ms = Cifar10.channelMeanStd(x, 2, 2, 2);
        // channel 0: {1, 2, 3, 4}: mean 2.5, variance (2.25 + 0.25 + 0.25 + 2.25) / 4 = 1.25
        // channel 1: {10, 10, 20, 20}: mean 15, variance 25
        assertArrayEquals(new float[] {2.5f, 15f}, ms[0], 1e-6f);
        assertArrayEquals(new float[] {(float) Math.sqrt(1.25), 5f}, ms[1], 1e-6f);

        Cifar10.normalise(x, 2, ms[0], ms[1]);
        float s = (float) Math.sqrt(1.25);
        assertArrayEquals(new float[] {-1.5f / s, -0.5f / s, -1, -1, 0.5f / s, 1.5f / s, 1, 1}, x, 1e-6f);
        float[][] after = Cifar10.channelMeanStd(x, 2, 2, 2);
        assertArrayEquals(new float[] {0, 0}, after[0], 1e-6f);
        assertArrayEquals(new float[] {1, 1}, after[1], 1e-6f);
    }

    @Test
    void channelStatisticsOfTheFirstNImagesOnly() {
        float[] x = {1, 3, 100, 100};
        float[][] ms = Cifar10.channelMeanStd(x, 1, 1, 2);
        assertArrayEquals(new float[] {2}, ms[0]);
        assertArrayEquals(new float[] {1}, ms[1]);
    }

    @Test
    void refusesBadStatisticsArguments() {
        assertThrows(IllegalArgumentException.class, () -> Cifar10.channelMeanStd(new float[7], 2, 2, 2));
        assertThrows(IllegalArgumentException.class, () -> Cifar10.channelMeanStd(new float[8], 0, 2, 2));
        assertThrows(IllegalArgumentException.class,
                () -> Cifar10.normalise(new float[8], 2, new float[] {0, 0}, new float[] {1, 0}));
        assertThrows(IllegalArgumentException.class,
                () -> Cifar10.normalise(new float[7], 2, new float[] {0, 0}, new float[] {1, 1}));
        assertThrows(IllegalArgumentException.class,
                () -> Cifar10.normalise(new float[8], 2, new float[] {0}, new float[] {1, 1}));
    }
}
