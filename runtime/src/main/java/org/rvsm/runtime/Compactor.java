package org.rvsm.runtime;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Compaction: physically removes the hidden neurons and conv filters that structured sparsity made
 * useless, with the matching inputs of the next layer, giving a smaller dense model of the same
 * family ({@link Layers}) with the same tensor names.
 *
 * <p>A hidden unit j goes when its outgoing weights (column j of the next dense layer, or input
 * channel j of the next conv / its block of the next dense layer's inputs) are all zero: it
 * contributes nothing. It also goes when its incoming weights (row j, or filter j) are all zero: its
 * output is then the constant c = ReLU(b_j) (also after max-pooling), which is folded into the next
 * layer's bias: b'_o += c * (sum of the weights that read unit j). A layer left with no unit keeps
 * one null unit (zero weights and bias), so that the result is still a network an engine can build.
 * Convolutions are valid (no padding), so every output position of the next conv reads a full kernel
 * window and the fold is exact. The logits of the compacted model equal the original's up to float
 * rounding (tested on the whole test set).
 */
public final class Compactor {

    private Compactor() {
    }

    /** The result: the compacted tensors and, per layer, the units kept out of the units before. */
    public record Result(Map<String, Safetensors.Tensor> tensors, List<int[]> kept, List<Integer> before) {
        /** Hidden units (neurons and filters) removed over all layers. */
        public int removed() {
            int n = 0;
            for (int i = 0; i < kept.size(); i++) {
                n += before.get(i) - kept.get(i).length;
            }
            return n;
        }
    }

    /** Compacts a model's tensors ({@code *_weight} and {@code *_bias}, dense with zeros). */
    public static Result compact(Map<String, Safetensors.Tensor> model) {
        return compact(model, ImageSpec.LEGACY);
    }

    /** Compacts the tensors of a model taking the given images ({@link #compact(Map)}). */
    public static Result compact(Map<String, Safetensors.Tensor> model, ImageSpec input) {
        List<Layers.Layer> layers = Layers.ofTensors(model, input);
        int n = layers.size();
        List<float[]> w = new ArrayList<>();
        List<float[]> b = new ArrayList<>();
        List<long[]> shapes = new ArrayList<>();
        for (Layers.Layer l : layers) {
            w.add(model.get(l.name()).data().clone());
            b.add(SparseNetwork.bias(model, l).clone());
            shapes.add(l.shape().clone());
        }
        List<int[]> kept = new ArrayList<>();
        List<Integer> before = new ArrayList<>();
        for (int i = 0; i < n - 1; i++) { // the last layer's units are the classes: never removed
            Layers.Layer next = layers.get(i + 1);
            int units = (int) shapes.get(i)[0];
            int fanIn = fanIn(shapes.get(i));
            // inputs of the next layer that read unit j: one column (dense after dense), a k x k block
            // per output (conv after conv), or a block of pooled positions (dense after conv)
            int block = readBlock(layers.get(i), next);
            int nextFanIn = fanIn(shapes.get(i + 1));
            int nextOut = (int) shapes.get(i + 1)[0];
            List<Integer> keep = new ArrayList<>();
            for (int j = 0; j < units; j++) {
                boolean incomingZero = allZero(w.get(i), j * fanIn, (j + 1) * fanIn);
                boolean outgoingZero = true;
                for (int o = 0; o < nextOut && outgoingZero; o++) {
                    outgoingZero = allZero(w.get(i + 1), o * nextFanIn + j * block, o * nextFanIn + (j + 1) * block);
                }
                if (!incomingZero && !outgoingZero) {
                    keep.add(j);
                } else if (incomingZero && !outgoingZero) {
                    float c = Math.max(b.get(i)[j], 0.0f);
                    for (int o = 0; o < nextOut; o++) {
                        double sum = 0.0;
                        for (int q = 0; q < block; q++) {
                            sum += w.get(i + 1)[o * nextFanIn + j * block + q];
                        }
                        b.get(i + 1)[o] += (float) (c * sum);
                    }
                }
            }
            // no live unit at all: keep unit 0 as a null unit (zero weights and bias, so output 0; its
            // constant, if any, is already folded), since an engine refuses a layer of width 0
            boolean none = keep.isEmpty();
            int[] k = none ? new int[] {0} : keep.stream().mapToInt(Integer::intValue).toArray();
            kept.add(k);
            before.add(units);
            // rows of layer i, and the matching input blocks of layer i + 1
            w.set(i, keepRows(w.get(i), fanIn, k));
            b.set(i, keepRows(b.get(i), 1, k));
            if (none) {
                java.util.Arrays.fill(w.get(i), 0.0f);
                b.get(i)[0] = 0.0f;
            }
            shapes.get(i)[0] = k.length;
            w.set(i + 1, keepInputBlocks(w.get(i + 1), nextOut, nextFanIn, k, block));
            shapes.get(i + 1)[1] = next.conv() ? k.length : (long) k.length * block;
        }
        Map<String, Safetensors.Tensor> out = new LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
            out.put(layers.get(i).name(), new Safetensors.Tensor(shapes.get(i), w.get(i)));
            out.put(layers.get(i).biasName(), new Safetensors.Tensor(new long[] {b.get(i).length}, b.get(i)));
        }
        return new Result(out, kept, before);
    }

    private static int fanIn(long[] shape) {
        int f = 1;
        for (int d = 1; d < shape.length; d++) {
            f *= (int) shape[d];
        }
        return f;
    }

    /** How many consecutive inputs of each output of next belong to one unit of layer. */
    private static int readBlock(Layers.Layer layer, Layers.Layer next) {
        if (next.conv()) {
            return next.kernel() * next.kernel();
        }
        if (layer.conv()) {
            int pooled = layer.outSide() / 2;
            return pooled * pooled;
        }
        return 1;
    }

    private static boolean allZero(float[] a, int from, int to) {
        for (int i = from; i < to; i++) {
            if (a[i] != 0.0f) {
                return false;
            }
        }
        return true;
    }

    /** The rows (of length rowLength) listed in keep. */
    private static float[] keepRows(float[] a, int rowLength, int[] keep) {
        float[] out = new float[keep.length * rowLength];
        for (int r = 0; r < keep.length; r++) {
            System.arraycopy(a, keep[r] * rowLength, out, r * rowLength, rowLength);
        }
        return out;
    }

    /** In each of the outer rows (of length rowLength), the input blocks (of length block) listed in keep. */
    private static float[] keepInputBlocks(float[] a, int outer, int rowLength, int[] keep, int block) {
        int newRow = keep.length * block;
        float[] out = new float[outer * newRow];
        for (int o = 0; o < outer; o++) {
            for (int r = 0; r < keep.length; r++) {
                System.arraycopy(a, o * rowLength + keep[r] * block, out, o * newRow + r * block, block);
            }
        }
        return out;
    }
}
