package org.rvsm.nn.data;

import java.util.SplittableRandom;

/**
 * The standard seeded augmentation for channel-major (C, H, W) float images: zero-pad by {@code pad}
 * pixels on each side, crop an H x W window at a random offset, then mirror it left-right with
 * probability 1/2. All channels of an image share the same crop and flip.
 *
 * <p>For each image in turn the generator is drawn three times, in this order: the row offset
 * {@code dy = nextInt(2 pad + 1)}, the column offset {@code dx = nextInt(2 pad + 1)}, and
 * {@code flip = nextBoolean()}. The same seed therefore gives the same output.
 */
public final class Augment {

    private Augment() {
    }

    /**
     * Augments n images of src into dst (which must be a different array), each image drawing its own
     * crop offset and flip from rng.
     */
    public static void cropAndFlip(float[] src, float[] dst, int n, int c, int h, int w, int pad,
                                   SplittableRandom rng) {
        int size = check(src, dst, n, c, h, w, pad);
        if (rng == null) {
            throw new IllegalArgumentException("rng is null");
        }
        int bound = 2 * pad + 1;
        for (int i = 0; i < n; i++) {
            int dy = rng.nextInt(bound);
            int dx = rng.nextInt(bound);
            boolean flip = rng.nextBoolean();
            apply(src, dst, i * size, c, h, w, pad, dy, dx, flip);
        }
    }

    /**
     * Augments image {@code index} of src into the same place in dst with the decisions given: the
     * output pixel (y, x) is the padded image's pixel (y + dy, x' + dx), where x' = w - 1 - x when
     * flipping and x otherwise, and the padded pixel (py, px) is src's (py - pad, px - pad), or 0 outside
     * it. dy and dx must lie in [0, 2 pad], so the window stays inside the padded image.
     */
    public static void cropAndFlipOne(float[] src, float[] dst, int index, int n, int c, int h, int w, int pad,
                                      int dy, int dx, boolean flip) {
        int size = check(src, dst, n, c, h, w, pad);
        if (index < 0 || index >= n) {
            throw new IllegalArgumentException("image " + index + " not in [0, " + n + ")");
        }
        if (dy < 0 || dy > 2 * pad || dx < 0 || dx > 2 * pad) {
            throw new IllegalArgumentException("crop offset (" + dy + ", " + dx + ") not in [0, " + 2 * pad + "]");
        }
        apply(src, dst, index * size, c, h, w, pad, dy, dx, flip);
    }

    private static void apply(float[] src, float[] dst, int base, int c, int h, int w, int pad,
                              int dy, int dx, boolean flip) {
        for (int ch = 0; ch < c; ch++) {
            int plane = base + ch * h * w;
            for (int y = 0; y < h; y++) {
                int out = plane + y * w;
                int sy = y + dy - pad;
                if (sy < 0 || sy >= h) {
                    java.util.Arrays.fill(dst, out, out + w, 0f);
                    continue;
                }
                int in = plane + sy * w;
                for (int x = 0; x < w; x++) {
                    int sx = (flip ? w - 1 - x : x) + dx - pad;
                    dst[out + x] = sx >= 0 && sx < w ? src[in + sx] : 0f;
                }
            }
        }
    }

    /** Checks the shapes and returns the values per image. */
    private static int check(float[] src, float[] dst, int n, int c, int h, int w, int pad) {
        if (src == null || dst == null) {
            throw new IllegalArgumentException("src and dst must not be null");
        }
        if (src == dst) {
            throw new IllegalArgumentException("src and dst must be different arrays (no in-place augmentation)");
        }
        if (n < 1 || c < 1 || h < 1 || w < 1) {
            throw new IllegalArgumentException("n " + n + ", c " + c + ", h " + h + ", w " + w
                    + " must all be positive");
        }
        if (pad < 0 || pad > (Integer.MAX_VALUE - 1) / 2) {
            throw new IllegalArgumentException("pad " + pad + " must be non-negative");
        }
        long size = (long) c * h * w;
        long needed = size * n;
        if (needed > src.length || needed > dst.length) {
            throw new IllegalArgumentException(n + " x " + c + " x " + h + " x " + w + " = " + needed
                    + " values needed but src holds " + src.length + " and dst " + dst.length);
        }
        return (int) size;
    }
}
