package org.rvsm.runtime;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;

/**
 * A pure-Java inference runtime for the LeNet family ({@link Layers}) whose weights are held in CSR:
 * only the non-zero weights are stored and multiplied.
 *
 * <p>A batch is cut into one contiguous slice per thread, and each slice runs the whole network:
 * convolutions sample by sample (for each stored weight, one multiply-add over a row of the output
 * plane), then the dense layers on the slice held feature-major (features x samples), so that each
 * stored weight does one multiply-add over the slice's samples, a loop the JIT vectorises. A single
 * sample takes a gather dot product per neuron instead. Each sample's arithmetic is the same
 * sequential sum whatever the batch size and the thread count, so results are identical bit for bit.
 */
public final class SparseNetwork {

    /** Batches up to this size run on the calling thread only. */
    private static final int INLINE = 8;

    private final List<Layers.Layer> layers;
    private final List<Csr> weights;
    private final List<float[]> biases;
    private final int threads;

    /** The network of a model's tensors: {@code *_weight} and {@code *_bias}, zeros dropped. */
    public static SparseNetwork of(Map<String, Safetensors.Tensor> tensors, int threads) {
        List<Layers.Layer> layers = Layers.ofTensors(tensors);
        List<Csr> weights = new ArrayList<>();
        List<float[]> biases = new ArrayList<>();
        for (Layers.Layer l : layers) {
            weights.add(Csr.of(tensors.get(l.name()).data(), l.out(), l.fanIn()));
            biases.add(bias(tensors, l));
        }
        return new SparseNetwork(layers, weights, biases, threads);
    }

    static float[] bias(Map<String, Safetensors.Tensor> tensors, Layers.Layer l) {
        Safetensors.Tensor b = tensors.get(l.biasName());
        if (b == null || b.data() == null || b.size() != l.out()) {
            throw new IllegalArgumentException("model has no F32 bias " + l.biasName() + " of " + l.out() + " values");
        }
        return b.data();
    }

    /** A network from its layers and, per layer, the CSR weight (out x fanIn) and the bias. */
    public SparseNetwork(List<Layers.Layer> layers, List<Csr> weights, List<float[]> biases, int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        }
        for (int i = 0; i < layers.size(); i++) {
            Layers.Layer l = layers.get(i);
            if (weights.get(i).rows() != l.out() || weights.get(i).cols() != l.fanIn() || biases.get(i).length != l.out()) {
                throw new IllegalArgumentException("layer " + l.name() + ": weight or bias does not match its shape");
            }
        }
        this.layers = List.copyOf(layers);
        this.weights = List.copyOf(weights);
        this.biases = List.copyOf(biases);
        this.threads = threads;
    }

    /** Output classes (units of the last layer). */
    public int classes() {
        return layers.get(layers.size() - 1).out();
    }

    /** Stored (non-zero) weights, all layers. */
    public long nonZeros() {
        return weights.stream().mapToLong(Csr::nnz).sum();
    }

    /** Logits of n images (n x 784, row-major) as n x classes, row-major. */
    public float[] logits(float[] images, int n) {
        int pixels = Layers.SIDE * Layers.SIDE;
        if (images.length < (long) n * pixels) {
            throw new IllegalArgumentException("images: " + images.length + " values for " + n + " images of " + pixels);
        }
        float[] out = new float[n * classes()];
        int parts = n <= INLINE ? 1 : Math.min(threads, n);
        if (parts == 1) {
            forward(images, 0, n, out);
            return out;
        }
        List<ForkJoinTask<?>> tasks = new ArrayList<>();
        for (int p = 0; p < parts; p++) {
            int from = (int) ((long) n * p / parts);
            int to = (int) ((long) n * (p + 1) / parts);
            tasks.add(ForkJoinPool.commonPool().submit(() -> forward(images, from, to, out)));
        }
        for (ForkJoinTask<?> t : tasks) {
            t.join();
        }
        return out;
    }

    /** argmax of the logits per image (the first maximum on ties). */
    public int[] predict(float[] images, int n) {
        return argmax(logits(images, n), n, classes());
    }

    /** Row-wise argmax of an n x k row-major matrix (the first maximum on ties). */
    public static int[] argmax(float[] logits, int n, int k) {
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            int best = 0;
            for (int j = 1; j < k; j++) {
                if (logits[i * k + j] > logits[i * k + best]) {
                    best = j;
                }
            }
            out[i] = best;
        }
        return out;
    }

    /** Images [from, to) through the whole network into out's rows [from, to). */
    private void forward(float[] images, int from, int to, float[] out) {
        int m = to - from;
        int pixels = Layers.SIDE * Layers.SIDE;
        int first = 0;
        float[] x; // features x m, feature-major
        if (layers.get(0).conv()) {
            int convs = 0;
            while (layers.get(convs).conv()) {
                convs++;
            }
            first = convs;
            Layers.Layer lastConv = layers.get(convs - 1);
            int side = lastConv.outSide() / 2;
            int features = lastConv.out() * side * side;
            x = new float[features * m];
            float[] sample = new float[pixels];
            for (int s = 0; s < m; s++) {
                System.arraycopy(images, (from + s) * pixels, sample, 0, pixels);
                float[] a = sample;
                for (int l = 0; l < convs; l++) {
                    a = convReluPool(layers.get(l), weights.get(l), biases.get(l), a);
                }
                for (int f = 0; f < features; f++) {
                    x[f * m + s] = a[f];
                }
            }
        } else {
            x = new float[pixels * m];
            for (int s = 0; s < m; s++) {
                for (int f = 0; f < pixels; f++) {
                    x[f * m + s] = images[(from + s) * pixels + f];
                }
            }
        }
        for (int l = first; l < layers.size(); l++) {
            x = dense(weights.get(l), biases.get(l), x, m, l < layers.size() - 1);
        }
        int k = classes();
        for (int s = 0; s < m; s++) {
            for (int c = 0; c < k; c++) {
                out[(from + s) * k + c] = x[c * m + s];
            }
        }
    }

    /** y = W x + b (ReLU'd if relu) for m samples held feature-major. */
    private static float[] dense(Csr w, float[] b, float[] x, int m, boolean relu) {
        int[] indptr = w.indptr();
        int[] indices = w.indices();
        float[] values = w.values();
        float[] y = new float[w.rows() * m];
        if (m == 1) {
            for (int r = 0; r < w.rows(); r++) {
                float sum = b[r];
                for (int k = indptr[r]; k < indptr[r + 1]; k++) {
                    sum += values[k] * x[indices[k]];
                }
                y[r] = relu ? Math.max(sum, 0.0f) : sum;
            }
            return y;
        }
        for (int r = 0; r < w.rows(); r++) {
            int row = r * m;
            java.util.Arrays.fill(y, row, row + m, b[r]);
            for (int k = indptr[r]; k < indptr[r + 1]; k++) {
                float v = values[k];
                int col = indices[k] * m;
                for (int s = 0; s < m; s++) {
                    y[row + s] += v * x[col + s];
                }
            }
            if (relu) {
                for (int s = 0; s < m; s++) {
                    y[row + s] = Math.max(y[row + s], 0.0f);
                }
            }
        }
        return y;
    }

    /** Valid convolution, ReLU and 2x2 max-pooling of one sample (channels x side x side). */
    private static float[] convReluPool(Layers.Layer l, Csr w, float[] b, float[] in) {
        int side = l.inSide();
        int outSide = l.outSide();
        int k = l.kernel();
        int plane = outSide * outSide;
        float[] conv = new float[l.out() * plane];
        int[] indptr = w.indptr();
        int[] indices = w.indices();
        float[] values = w.values();
        for (int o = 0; o < l.out(); o++) {
            int base = o * plane;
            java.util.Arrays.fill(conv, base, base + plane, b[o]);
            for (int e = indptr[o]; e < indptr[o + 1]; e++) {
                int col = indices[e];
                int c = col / (k * k);
                int kh = (col / k) % k;
                int kw = col % k;
                float v = values[e];
                int src = c * side * side + kh * side + kw;
                for (int i = 0; i < outSide; i++) {
                    int dst = base + i * outSide;
                    int at = src + i * side;
                    for (int j = 0; j < outSide; j++) {
                        conv[dst + j] += v * in[at + j];
                    }
                }
            }
        }
        int pooled = outSide / 2;
        float[] out = new float[l.out() * pooled * pooled];
        for (int o = 0; o < l.out(); o++) {
            for (int i = 0; i < pooled; i++) {
                for (int j = 0; j < pooled; j++) {
                    int at = o * plane + 2 * i * outSide + 2 * j;
                    float max = Math.max(Math.max(conv[at], conv[at + 1]),
                            Math.max(conv[at + outSide], conv[at + outSide + 1]));
                    out[(o * pooled + i) * pooled + j] = Math.max(max, 0.0f);
                }
            }
        }
        return out;
    }
}
