package org.rvsm.nn.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AugmentTest {

    /** n images of c x h x w with distinct positive values (never 0, so padding is recognisable). */
    private static float[] images(int n, int c, int h, int w) {
        float[] x = new float[n * c * h * w];
        for (int i = 0; i < x.length; i++) {
            x[i] = i + 1;
        }
        return x;
    }

    private static float[] one(float[] src, int n, int c, int h, int w, int pad, int dy, int dx, boolean flip) {
        float[] dst = new float[src.length];
        for (int i = 0; i < n; i++) {
            Augment.cropAndFlipOne(src, dst, i, n, c, h, w, pad, dy, dx, flip);
        }
        return dst;
    }

    @Test
    void padZeroNoFlipIsTheIdentity() {
        float[] src = images(2, 3, 4, 5);
        assertArrayEquals(src, one(src, 2, 3, 4, 5, 0, 0, 0, false));
    }

    @Test
    void centredCropNoFlipIsTheIdentity() {
        float[] src = images(2, 3, 4, 5);
        assertArrayEquals(src, one(src, 2, 3, 4, 5, 4, 4, 4, false));
    }

    @Test
    void flipOnlyByHand() {
        // 1 image, 2 channels, 2 x 3
        float[] src = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
        assertArrayEquals(new float[] {3, 2, 1, 6, 5, 4, 9, 8, 7, 12, 11, 10}, one(src, 1, 2, 2, 3, 0, 0, 0, true));
        // centred crop with pad 2 and a flip is the same mirror
        assertArrayEquals(new float[] {3, 2, 1, 6, 5, 4, 9, 8, 7, 12, 11, 10}, one(src, 1, 2, 2, 3, 2, 2, 2, true));
    }

    @Test
    void shiftedCropByHand() {
        // 1 channel 3 x 3, pad 1, window at the padded image's top-left: everything moves down-right by one
        float[] src = {1, 2, 3, 4, 5, 6, 7, 8, 9};
        assertArrayEquals(new float[] {0, 0, 0, 0, 1, 2, 0, 4, 5}, one(src, 1, 1, 3, 3, 1, 0, 0, false));
        // window at the bottom-right, then mirrored: rows {5, 6, 0}, {8, 9, 0}, {0, 0, 0} reversed
        assertArrayEquals(new float[] {0, 6, 5, 0, 9, 8, 0, 0, 0}, one(src, 1, 1, 3, 3, 1, 2, 2, true));
    }

    @Test
    void randomFlipWithPadZeroByForcedSeed() {
        float[] src = {1, 2, 3, 4, 5, 6};
        long seed = 0;
        // with pad 0 the two offsets are nextInt(1) = 0; the third draw is the flip
        while (true) {
            SplittableRandom probe = new SplittableRandom(seed);
            probe.nextInt(1);
            probe.nextInt(1);
            if (probe.nextBoolean()) {
                break;
            }
            seed++;
        }
        float[] dst = new float[6];
        Augment.cropAndFlip(src, dst, 1, 1, 2, 3, 0, new SplittableRandom(seed));
        assertArrayEquals(new float[] {3, 2, 1, 6, 5, 4}, dst);
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 17, 42, 1234567})
    void sameSeedSameOutput(long seed) {
        SplittableRandom shape = new SplittableRandom(seed);
        int n = 1 + shape.nextInt(6);
        int c = 1 + shape.nextInt(3);
        int h = 1 + shape.nextInt(9);
        int w = 1 + shape.nextInt(9);
        int pad = shape.nextInt(5);
        float[] src = images(n, c, h, w);
        float[] a = new float[src.length];
        float[] b = new float[src.length];
        Augment.cropAndFlip(src, a, n, c, h, w, pad, new SplittableRandom(seed));
        Augment.cropAndFlip(src, b, n, c, h, w, pad, new SplittableRandom(seed));
        assertArrayEquals(a, b);
    }

    @ParameterizedTest
    @ValueSource(longs = {5, 6, 7, 8, 99, 2024})
    void padZeroGivesTheImageOrItsMirror(long seed) {
        int n = 8;
        int c = 3;
        int h = 4;
        int w = 5;
        float[] src = images(n, c, h, w);
        float[] dst = new float[src.length];
        Augment.cropAndFlip(src, dst, n, c, h, w, 0, new SplittableRandom(seed));
        float[] same = one(src, n, c, h, w, 0, 0, 0, false);
        float[] mirror = one(src, n, c, h, w, 0, 0, 0, true);
        int size = c * h * w;
        for (int i = 0; i < n; i++) {
            float[] got = Arrays.copyOfRange(dst, i * size, (i + 1) * size);
            assertTrue(Arrays.equals(got, Arrays.copyOfRange(same, i * size, (i + 1) * size))
                    || Arrays.equals(got, Arrays.copyOfRange(mirror, i * size, (i + 1) * size)), "image " + i);
        }
    }

    /**
     * Every output image is exactly the explicit crop-and-flip for some offsets inside the padded image,
     * and every output pixel is 0 (padding) or an input pixel of the same image and channel.
     */
    @ParameterizedTest
    @ValueSource(longs = {11, 12, 13, 14, 15, 16, 77, 31337})
    void outputsAreCropsInsideThePaddedImage(long seed) {
        SplittableRandom shape = new SplittableRandom(seed * 31 + 7);
        int n = 1 + shape.nextInt(5);
        int c = 1 + shape.nextInt(3);
        int h = 1 + shape.nextInt(7);
        int w = 1 + shape.nextInt(7);
        int pad = shape.nextInt(5);
        float[] src = images(n, c, h, w);
        float[] dst = new float[src.length];
        Augment.cropAndFlip(src, dst, n, c, h, w, pad, new SplittableRandom(seed));
        int size = c * h * w;
        int plane = h * w;
        for (int i = 0; i < n; i++) {
            float[] got = Arrays.copyOfRange(dst, i * size, (i + 1) * size);
            boolean matched = false;
            for (int dy = 0; dy <= 2 * pad && !matched; dy++) {
                for (int dx = 0; dx <= 2 * pad && !matched; dx++) {
                    for (boolean flip : new boolean[] {false, true}) {
                        float[] want = one(src, n, c, h, w, pad, dy, dx, flip);
                        if (Arrays.equals(got, Arrays.copyOfRange(want, i * size, (i + 1) * size))) {
                            matched = true;
                            break;
                        }
                    }
                }
            }
            assertTrue(matched, "image " + i + " is no crop inside the padded image");
            for (int ch = 0; ch < c; ch++) {
                int base = i * size + ch * plane;
                float[] input = Arrays.copyOfRange(src, base, base + plane);
                Arrays.sort(input);
                for (int p = 0; p < plane; p++) {
                    float v = dst[base + p];
                    assertTrue(v == 0f || Arrays.binarySearch(input, v) >= 0,
                            "image " + i + " channel " + ch + " pixel " + p + " = " + v);
                }
            }
        }
    }

    @Test
    void largePadCanGiveAnAllPaddingImageButNeverReadsOutside() {
        // pad 3 on a 2 x 2 image: windows at offsets 0 or 6 see only padding
        float[] src = {1, 2, 3, 4};
        assertArrayEquals(new float[4], one(src, 1, 1, 2, 2, 3, 0, 0, false));
        assertArrayEquals(new float[4], one(src, 1, 1, 2, 2, 3, 6, 6, true));
    }

    @Test
    void refusesBadArguments() {
        float[] src = new float[12];
        float[] dst = new float[12];
        SplittableRandom rng = new SplittableRandom(1);
        assertThrows(IllegalArgumentException.class, () -> Augment.cropAndFlip(src, src, 1, 1, 3, 4, 1, rng));
        assertThrows(IllegalArgumentException.class, () -> Augment.cropAndFlip(src, dst, 2, 1, 3, 4, 1, rng));
        assertThrows(IllegalArgumentException.class, () -> Augment.cropAndFlip(src, dst, 1, 1, 3, 4, -1, rng));
        assertThrows(IllegalArgumentException.class, () -> Augment.cropAndFlip(src, dst, 1, 1, 3, 4, 1, null));
        assertThrows(IllegalArgumentException.class,
                () -> Augment.cropAndFlipOne(src, dst, 0, 1, 1, 3, 4, 1, 3, 0, false));
        assertThrows(IllegalArgumentException.class,
                () -> Augment.cropAndFlipOne(src, dst, 1, 1, 1, 3, 4, 1, 0, 0, false));
    }
}
