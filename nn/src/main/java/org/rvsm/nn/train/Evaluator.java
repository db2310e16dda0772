package org.rvsm.nn.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import java.nio.FloatBuffer;
import org.rvsm.nn.data.ImageDataset;

/** Test accuracy of a block, in batches, with the parameters it currently holds. */
final class Evaluator {

    private static final int BATCH = 1000;

    private Evaluator() {
    }

    static double accuracy(Block block, ParameterStore store, NDManager manager, ImageDataset data) {
        long correct = 0;
        int pixels = data.pixels();
        for (int start = 0; start < data.count(); start += BATCH) {
            int b = Math.min(BATCH, data.count() - start);
            try (NDScope scope = new NDScope()) {
                NDArray input = manager.create(FloatBuffer.wrap(data.images(), start * pixels, b * pixels),
                        new Shape(b, pixels));
                long[] predicted = block.forward(store, new NDList(input), false).singletonOrThrow().argMax(1)
                        .toLongArray();
                for (int i = 0; i < b; i++) {
                    correct += predicted[i] == data.labels()[start + i] ? 1 : 0;
                }
            }
        }
        return (double) correct / data.count();
    }
}
