package org.rvsm.nn.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.rvsm.runtime.ImageSpec;

/** The datasets by name on small synthetic files in both formats: shapes, normalisation, augmented batches. */
class DatasetsTest {

    @TempDir
    Path tmp;

    /** A cifar-10-batches-bin directory with the given records per training file and in the test file, random bytes. */
    static Path cifar(Path root, int perTrainFile, int test, long seed) throws IOException {
        Path dir = root.resolve("cifar-10-batches-bin");
        Files.createDirectories(dir);
        SplittableRandom rng = new SplittableRandom(seed);
        for (String f : Cifar10.TRAIN_FILES) {
            Files.write(dir.resolve(f), records(perTrainFile, rng));
        }
        Files.write(dir.resolve(Cifar10.TEST_FILE), records(test, rng));
        return dir;
    }

    static byte[] records(int n, SplittableRandom rng) {
        byte[] b = new byte[n * Cifar10.RECORD_BYTES];
        for (int r = 0; r < n; r++) {
            b[r * Cifar10.RECORD_BYTES] = (byte) rng.nextInt(10);
            for (int k = 1; k < Cifar10.RECORD_BYTES; k++) {
                b[r * Cifar10.RECORD_BYTES + k] = (byte) rng.nextInt(256);
            }
        }
        return b;
    }

    /** An IDX split of n random 28 x 28 images. */
    static void idx(Path dir, String prefix, int n, SplittableRandom rng) throws IOException {
        ByteBuffer images = ByteBuffer.allocate(16 + n * 784).putInt(0x803).putInt(n).putInt(28).putInt(28);
        ByteBuffer labels = ByteBuffer.allocate(8 + n).putInt(0x801).putInt(n);
        for (int i = 0; i < n; i++) {
            labels.put((byte) rng.nextInt(10));
            for (int p = 0; p < 784; p++) {
                images.put((byte) rng.nextInt(256));
            }
        }
        Files.write(dir.resolve(prefix + "-images-idx3-ubyte"), images.array());
        Files.write(dir.resolve(prefix + "-labels-idx1-ubyte"), labels.array());
    }

    @Test
    void cifarSplitsAreNormalisedWithTheTrainingSplitsStatistics() throws IOException {
        Path dir = cifar(tmp, 4, 6, 1);
        Datasets.Splits s = Datasets.load("cifar10", dir);
        assertEquals(20, s.train().count());
        assertEquals(6, s.test().count());
        ImageSpec spec = s.train().spec();
        assertEquals(new ImageSpec(3, 32, 32, 10, spec.mean(), spec.std()), spec);
        assertArrayEquals(spec.mean(), s.test().mean());
        // per channel, the normalised training images have mean 0 and std 1 (up to float rounding)
        float[][] after = Cifar10.channelMeanStd(s.train().images(), 20, 3, 1024);
        for (int c = 0; c < 3; c++) {
            assertEquals(0.0, after[0][c], 1e-5);
            assertEquals(1.0, after[1][c], 1e-5);
        }
        // the test split read alone with the saved statistics is the same bits
        ImageDataset again = Datasets.loadTest("cifar10", dir, spec.mean(), spec.std());
        assertArrayEquals(s.test().images(), again.images());
        assertArrayEquals(s.test().labels(), again.labels());
        assertArrayEquals(s.test().images(), Datasets.loadTest("cifar10", dir, null, null).images());
    }

    @Test
    void idxSetsKeepTheirPublishedNormalisation() throws IOException {
        Path dir = tmp.resolve("idx");
        Files.createDirectories(dir);
        idx(dir, "train", 5, new SplittableRandom(1));
        idx(dir, "t10k", 3, new SplittableRandom(2));
        Datasets.Splits s = Datasets.load("fashion-mnist", dir);
        assertEquals(new ImageSpec(1, 28, 28, 10, new float[] {0.2860f}, new float[] {0.3530f}), s.train().spec());
        assertArrayEquals(ImageDataset.load(dir, false, ImageDataset.FASHION_MEAN, ImageDataset.FASHION_STD).images(),
                s.test().images(), "the same bits as before the datasets had names");
        assertArrayEquals(s.test().images(), Datasets.loadTest("fashion-mnist", dir, new float[] {0.2860f},
                new float[] {0.3530f}).images());
        assertEquals(0.1307f, Datasets.load("mnist", dir).train().mean()[0]);
        assertFalse(Datasets.augmentsByDefault("fashion-mnist"));
        assertTrue(Datasets.augmentsByDefault("cifar10"));
    }

    @Test
    void missingFilesSayWhereTheyComeFrom() {
        String m = assertThrows(IOException.class, () -> Datasets.load("cifar10", tmp.resolve("nope"))).getMessage();
        assertTrue(m.contains(Cifar10.URL) && m.contains("cifar-10-batches-bin"), m);
        assertEquals(1, m.lines().count());
        assertThrows(IllegalArgumentException.class, () -> Datasets.load("imagenet", tmp));
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 99})
    void augmentedBatchesAreSeededCropsAndFlipsOfTheImages(long seed) throws IOException {
        ImageDataset train = Datasets.load("cifar10", cifar(tmp, 2, 1, seed)).train();
        int[] order = {3, 0, 7, 5};
        float[] plain = new float[4 * 3072];
        float[] y = new float[4];
        train.batch(order, 0, plain, y, ImageDataset.batchRandom(seed, 0, 0));
        assertArrayEquals(Arrays.copyOfRange(train.images(), 3 * 3072, 4 * 3072), Arrays.copyOfRange(plain, 0, 3072),
                "not augmented: the images themselves");
        assertEquals(train.labels()[7], (int) y[2]);

        ImageDataset augmented = train.withAugmentation(true);
        float[] a = new float[4 * 3072];
        float[] b = new float[4 * 3072];
        augmented.batch(order, 0, a, y, ImageDataset.batchRandom(seed, 2, 0));
        augmented.batch(order, 0, b, y, ImageDataset.batchRandom(seed, 2, 0));
        assertArrayEquals(a, b, "same seed, epoch and batch: same bits");
        float[] other = new float[4 * 3072];
        augmented.batch(order, 0, other, y, ImageDataset.batchRandom(seed, 3, 0));
        assertFalse(Arrays.equals(a, other), "another epoch draws other crops");
        // each augmented image is the crop and flip Augment makes with the generator's draws, in order
        float[] expected = new float[4 * 3072];
        SplittableRandom rng = ImageDataset.batchRandom(seed, 2, 0);
        for (int i = 0; i < 4; i++) {
            int dy = rng.nextInt(9);
            int dx = rng.nextInt(9);
            boolean flip = rng.nextBoolean();
            Augment.cropAndFlipOne(plain, expected, i, 4, 3, 32, 32, 4, dy, dx, flip);
        }
        assertArrayEquals(expected, a);
        assertNotEquals(ImageDataset.batchRandom(seed, 0, 0).nextLong(), ImageDataset.batchRandom(seed, 0, 64).nextLong());
    }
}
