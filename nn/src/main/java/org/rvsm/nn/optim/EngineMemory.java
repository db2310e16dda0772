package org.rvsm.nn.optim;

import ai.djl.ndarray.NDArray;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;

/**
 * Direct access to the memory of a float32 engine tensor on the CPU: PyTorch's tensor storage seen
 * as a {@link FloatBuffer}, without a copy. Writes through the view change the tensor. Valid while
 * the tensor lives and is not reallocated (parameters and their accumulated gradients are not).
 * Used by {@link RvsmOptimizer}'s CPU path and by the trainer's checkpoints.
 */
public final class EngineMemory {

    private EngineMemory() {
    }

    /** The view of array, which must be a contiguous CPU float32 tensor of size elements. */
    public static FloatBuffer view(NDArray array, int size) {
        ByteBuffer bytes = array.toByteBuffer(true);
        if (!bytes.isDirect() || bytes.capacity() != size * Float.BYTES) {
            // the engine handed out a copy (a non-CPU device or a non-contiguous tensor): writes would be lost
            throw new IllegalStateException("tensor memory of " + array.getShape() + " on " + array.getDevice()
                    + " is not directly accessible; use the engine path off the CPU");
        }
        return bytes.order(ByteOrder.nativeOrder()).asFloatBuffer();
    }

    /** Writes values into a contiguous CPU float32 tensor of values.length elements, in place. */
    public static void write(NDArray array, float[] values) {
        view(array, values.length).put(0, values);
    }
}
