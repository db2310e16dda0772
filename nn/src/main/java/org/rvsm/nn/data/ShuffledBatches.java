package org.rvsm.nn.data;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.dataset.Batch;
import ai.djl.training.dataset.Dataset;
import ai.djl.translate.Batchifier;
import ai.djl.util.Progress;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * An {@link ImageDataset} as a DJL {@link Dataset} of minibatches, in the seeded order of the
 * trainer: epoch e visits the images in the permutation drawn from {@code SplittableRandom(seed *
 * 0x9E3779B97F4A7C15L + e)} (Fisher-Yates), so the order depends only on the seed and e. Each call of
 * {@link #getData} is the next epoch (the first is {@link #startingAt}'s, 0 by default): {@code
 * EasyTrain.fit} and the trainer's own loop see the same batches. A dataset marked for augmentation
 * ({@link ImageDataset#withAugmentation}) gives each batch cropped and flipped, seeded by the seed, the
 * epoch and the batch's start, so a resumed epoch sees the same images. Inputs are (b, pixels) float32,
 * labels (b) float32 class indices; each batch's arrays live in a sub-manager that closing the batch
 * frees.
 */
public final class ShuffledBatches implements Dataset {

    private final ImageDataset data;
    private final int batch;
    private final long seed;
    private int nextEpoch;

    public ShuffledBatches(ImageDataset data, int batch, long seed) {
        if (batch < 1) {
            throw new IllegalArgumentException("batch must be >= 1, got " + batch);
        }
        this.data = data;
        this.batch = batch;
        this.seed = seed;
    }

    /** Makes the next {@link #getData} epoch e (0-based). Returns this. */
    public ShuffledBatches startingAt(int epoch) {
        this.nextEpoch = epoch;
        return this;
    }

    /** Minibatches per epoch. */
    public int batches() {
        return (data.count() + batch - 1) / batch;
    }

    /** The visiting order of epoch e (0-based). */
    public int[] order(int epoch) {
        return permutation(data.count(), new SplittableRandom(seed * 0x9E3779B97F4A7C15L + epoch));
    }

    @Override
    public Iterable<Batch> getData(NDManager manager) {
        int epoch = nextEpoch++;
        int[] order = order(epoch);
        int n = data.count();
        int pixels = data.pixels();
        int total = batches();
        return () -> new java.util.Iterator<>() {
            private int start;
            private int index;

            @Override
            public boolean hasNext() {
                return start < n;
            }

            @Override
            public Batch next() {
                if (!hasNext()) {
                    throw new java.util.NoSuchElementException();
                }
                int b = Math.min(batch, n - start);
                float[] x = new float[b * pixels];
                float[] y = new float[b];
                List<Integer> indices = new ArrayList<>(b);
                for (int i = 0; i < b; i++) {
                    indices.add(order[start + i]);
                }
                // the images (cropped and flipped when the dataset augments: seeded by seed, epoch, batch)
                data.batch(order, start, x, y, ImageDataset.batchRandom(seed, epoch, start));
                NDManager sub = manager.newSubManager();
                Batch out = new Batch(sub, new NDList(sub.create(x, new Shape(b, pixels))),
                        new NDList(sub.create(y, new Shape(b))), b, Batchifier.STACK, Batchifier.STACK, ++index, total,
                        indices);
                start += b;
                return out;
            }
        };
    }

    @Override
    public void prepare(Progress progress) {
    }

    private static int[] permutation(int n, SplittableRandom rng) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }
}
