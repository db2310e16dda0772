package org.rvsm.runtime;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A pure-Java inference runtime for the LeNet family ({@link Layers}) whose weights are held in CSR:
 * only the non-zero weights are stored and multiplied.
 *
 * <p>A batch is cut into one contiguous slice per thread, which the caller and the helpers of a
 * {@link SliceTeam} share, and each slice runs the whole network. Convolutions run eight samples at
 * a time as the CSR weight times the unrolled input windows (im2col). The dense layers run on the
 * slice held feature-major, one array per feature, so that each stored weight does one multiply-add
 * over the slice's samples, a loop the JIT vectorises. A single sample takes a gather dot product per
 * neuron instead. Both kernels sum a row's stored weights in the same grouped order, so a sample's
 * result is the same bits whatever the batch size and the thread count (tested).
 */
public final class SparseNetwork {

    /** Batches up to this size run on the calling thread only. */
    private static final int INLINE = 8;
    /**
     * Images convolved together in a batch: their output positions make one loop, 8 x 64 long in
     * lenet5's second convolution rather than 64, which the JIT's vector loop (16 floats at a time,
     * unrolled) would run mostly in its scalar pre- and post-loops (docs/performance.md).
     */
    private static final int CONV_GROUP = 8;

    private final List<Layers.Layer> layers;
    private final List<Csr> weights;
    private final List<float[]> biases;
    /** Per layer, the rows that hold a stored weight (the single-sample kernel visits only these). */
    private final int[][] liveRows;
    /** Per layer, the output of a row with no stored weight: its bias, ReLU'd except in the last layer. */
    private final float[][] idle;
    private final int threads;
    private final int inputSize; // values per image
    private final int firstDense; // index of the first dense layer: the convolutions come before it

    /** The network of a model's tensors: {@code *_weight} and {@code *_bias}, zeros dropped. */
    public static SparseNetwork of(Map<String, Safetensors.Tensor> tensors, int threads) {
        return of(tensors, ImageSpec.LEGACY, threads);
    }

    /** The network of a model's tensors taking the given images ({@link #of(Map, int)}). */
    public static SparseNetwork of(Map<String, Safetensors.Tensor> tensors, ImageSpec input, int threads) {
        List<Layers.Layer> layers = Layers.ofTensors(tensors, input);
        List<Csr> weights = new ArrayList<>();
        List<float[]> biases = new ArrayList<>();
        for (Layers.Layer l : layers) {
            weights.add(Csr.of(tensors.get(l.name()).data(), l.out(), l.fanIn()));
            biases.add(bias(tensors, l));
        }
        return new SparseNetwork(layers, weights, biases, input.size(), threads);
    }

    static float[] bias(Map<String, Safetensors.Tensor> tensors, Layers.Layer l) {
        Safetensors.Tensor b = tensors.get(l.biasName());
        if (b == null || b.data() == null || b.size() != l.out()) {
            throw new IllegalArgumentException("model has no F32 bias " + l.biasName() + " of " + l.out() + " values");
        }
        return b.data();
    }

    /**
     * A network from its layers and, per layer, the CSR weight (out x fanIn) and the bias, taking images
     * of inputSize values.
     */
    public SparseNetwork(List<Layers.Layer> layers, List<Csr> weights, List<float[]> biases, int inputSize, int threads) {
        if (inputSize < 1) {
            throw new IllegalArgumentException("inputSize must be >= 1, got " + inputSize);
        }
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        }
        Layers.Layer first = layers.get(0);
        long takes = first.conv() ? (long) first.in() * first.inSide() * first.inSide() : first.fanIn();
        if (takes != inputSize) {
            throw new IllegalArgumentException("layer " + first.name() + " takes " + takes + " values per image, not "
                    + inputSize);
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
        this.inputSize = inputSize;
        this.liveRows = new int[layers.size()][];
        this.idle = new float[layers.size()][];
        for (int i = 0; i < layers.size(); i++) {
            int[] indptr = weights.get(i).indptr();
            liveRows[i] = java.util.stream.IntStream.range(0, indptr.length - 1)
                    .filter(r -> indptr[r + 1] > indptr[r]).toArray();
            idle[i] = biases.get(i).clone();
            if (i < layers.size() - 1) {
                for (int r = 0; r < idle[i].length; r++) {
                    idle[i][r] = Math.max(idle[i][r], 0.0f);
                }
            }
        }
        int l = 0;
        while (this.layers.get(l).conv()) {
            l++;
        }
        this.firstDense = l;
    }

    /** Output classes (units of the last layer). */
    public int classes() {
        return layers.get(layers.size() - 1).out();
    }

    /**
     * Bytes of weights the CSR kernels read per image: values and column indices (4 + 4 per stored
     * weight) and row offsets (4 per row, plus one), all layers.
     */
    public long weightBytes() {
        return weights.stream().mapToLong(w -> 8L * w.nnz() + 4L * (w.rows() + 1)).sum();
    }

    /** Stored (non-zero) weights, all layers. */
    public long nonZeros() {
        return weights.stream().mapToLong(Csr::nnz).sum();
    }

    /** Values per input image (channels x height x width). */
    public int inputSize() {
        return inputSize;
    }

    /** Logits of n images (n x {@link #inputSize}, row-major) as n x classes, row-major. */
    public float[] logits(float[] images, int n) {
        int pixels = inputSize;
        if (images.length < (long) n * pixels) {
            throw new IllegalArgumentException("images: " + images.length + " values for " + n + " images of " + pixels);
        }
        float[] out = new float[n * classes()];
        int slices = n <= INLINE ? 1 : Math.min(threads, n);
        if (slices == 1) {
            forward(images, 0, n, out);
            return out;
        }
        SliceTeam.SHARED.run(slices, threads - 1,
                p -> forward(images, (int) ((long) n * p / slices), (int) ((long) n * (p + 1) / slices), out));
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
        int first = firstDense;
        int k = classes();
        if (m == 1) {
            float[] x = features(images, from);
            for (int l = first; l < layers.size(); l++) {
                x = denseSingle(weights.get(l), biases.get(l), liveRows[l], idle[l], x, l < layers.size() - 1);
            }
            System.arraycopy(x, 0, out, from * k, k);
            return;
        }
        // the first dense layer's inputs, sample-major (the images themselves when there is no conv)
        float[] rows = images;
        int offset = from * inputSize;
        int width = inputSize;
        if (first > 0) {
            offset = 0;
            for (int s = 0; s < m; s += CONV_GROUP) {
                float[][] f = convolved(images, from + s, Math.min(CONV_GROUP, m - s));
                if (s == 0) {
                    width = f[0].length;
                    rows = new float[m * width];
                }
                for (int i = 0; i < f.length; i++) {
                    System.arraycopy(f[i], 0, rows, (s + i) * width, width);
                }
            }
        }
        // feature-major, x[f] = feature f of the m samples; feature-outer so that the writes are
        // contiguous and the m sample rows being read stay in L1 (docs/performance.md)
        float[][] x = new float[width][m];
        for (int f = 0; f < width; f++) {
            float[] xf = x[f];
            for (int s = 0; s < m; s++) {
                xf[s] = rows[offset + s * width + f];
            }
        }
        for (int l = first; l < layers.size(); l++) {
            x = denseBatch(weights.get(l), biases.get(l), x, m, l < layers.size() - 1);
        }
        for (int s = 0; s < m; s++) {
            for (int c = 0; c < k; c++) {
                out[(from + s) * k + c] = x[c][s];
            }
        }
    }

    /**
     * The input of the first dense layer for one image: the image itself, or the convolutions' output.
     * The first image of a network without convolutions is read in place: the kernels only read the
     * first inputSize values, so no copy is made.
     */
    private float[] features(float[] images, int index) {
        if (firstDense == 0 && index == 0) {
            return images;
        }
        return convolved(images, index, 1)[0];
    }

    /** The images [from, from + g) through the convolutions (the images themselves when there are none). */
    private float[][] convolved(float[] images, int from, int g) {
        int pixels = inputSize;
        float[][] a = new float[g][];
        for (int i = 0; i < g; i++) {
            a[i] = java.util.Arrays.copyOfRange(images, (from + i) * pixels, (from + i + 1) * pixels);
        }
        for (int l = 0; l < firstDense; l++) {
            a = convReluPool(layers.get(l), weights.get(l), biases.get(l), a);
        }
        return a;
    }

    /*
     * Both dense kernels add a row's stored weights in groups of eight,
     * y += ((v0 x0 + v1 x1) + (v2 x2 + v3 x3)) + ((v4 x4 + v5 x5) + (v6 x6 + v7 x7)), then at most one
     * group of four, y += (v0 x0 + v1 x1) + (v2 x2 + v3 x3), then one at a time for the last 0 to 3.
     * The same expressions in both make a sample's result the same bits whether it comes alone or in a
     * batch. The grouping cuts the single-sample dot product's add-latency chain by eight; the batch
     * kernel computes each group of eight in two passes of four input streams (the first half into a
     * scratch row), which the JIT vectorises better than one pass over eight streams
     * (docs/performance.md).
     */

    /**
     * y = W x + b (ReLU'd if relu) for one sample: a gather dot product per live row; the other rows
     * output idle. The group loop runs to end - 7 computed beforehand, a bound the JIT treats as a
     * counted loop (docs/performance.md).
     */
    private static float[] denseSingle(Csr w, float[] b, int[] live, float[] idle, float[] x, boolean relu) {
        int[] indptr = w.indptr();
        int[] indices = w.indices();
        float[] values = w.values();
        float[] y = idle.clone();
        for (int r : live) {
            float sum = b[r];
            int k = indptr[r];
            int end = indptr[r + 1];
            int end8 = end - 7;
            for (; k < end8; k += 8) {
                sum += ((values[k] * x[indices[k]] + values[k + 1] * x[indices[k + 1]])
                        + (values[k + 2] * x[indices[k + 2]] + values[k + 3] * x[indices[k + 3]]))
                        + ((values[k + 4] * x[indices[k + 4]] + values[k + 5] * x[indices[k + 5]])
                        + (values[k + 6] * x[indices[k + 6]] + values[k + 7] * x[indices[k + 7]]));
            }
            if (k + 3 < end) {
                sum += (values[k] * x[indices[k]] + values[k + 1] * x[indices[k + 1]])
                        + (values[k + 2] * x[indices[k + 2]] + values[k + 3] * x[indices[k + 3]]);
                k += 4;
            }
            for (; k < end; k++) {
                sum += values[k] * x[indices[k]];
            }
            y[r] = relu ? Math.max(sum, 0.0f) : sum;
        }
        return y;
    }

    /**
     * y = W x + b (ReLU'd if relu) for m samples held feature-major, one array per feature: each group
     * of stored weights adds to y[row] a loop over the samples. Separate arrays (no offsets) let the
     * JIT vectorise it (docs/performance.md).
     */
    private static float[][] denseBatch(Csr w, float[] b, float[][] x, int m, boolean relu) {
        int[] indptr = w.indptr();
        int[] indices = w.indices();
        float[] values = w.values();
        float[][] y = new float[w.rows()][];
        float[] half = new float[m];
        for (int r = 0; r < w.rows(); r++) {
            float[] yr = new float[m];
            java.util.Arrays.fill(yr, b[r]);
            int k = indptr[r];
            int end = indptr[r + 1];
            int end8 = end - 7;
            for (; k < end8; k += 8) {
                groupOfFour(values, indices, x, k, m, half);
                float v4 = values[k + 4];
                float v5 = values[k + 5];
                float v6 = values[k + 6];
                float v7 = values[k + 7];
                float[] x4 = x[indices[k + 4]];
                float[] x5 = x[indices[k + 5]];
                float[] x6 = x[indices[k + 6]];
                float[] x7 = x[indices[k + 7]];
                for (int s = 0; s < m; s++) {
                    yr[s] += half[s] + ((v4 * x4[s] + v5 * x5[s]) + (v6 * x6[s] + v7 * x7[s]));
                }
            }
            if (k + 3 < end) {
                groupOfFour(values, indices, x, k, m, half);
                for (int s = 0; s < m; s++) {
                    yr[s] += half[s];
                }
                k += 4;
            }
            for (; k < end; k++) {
                float v = values[k];
                float[] xc = x[indices[k]];
                for (int s = 0; s < m; s++) {
                    yr[s] += v * xc[s];
                }
            }
            if (relu) {
                for (int s = 0; s < m; s++) {
                    yr[s] = Math.max(yr[s], 0.0f);
                }
            }
            y[r] = yr;
        }
        return y;
    }

    /**
     * out[s] = (v0 x0[s] + v1 x1[s]) + (v2 x2[s] + v3 x3[s]) for the stored weights k to k + 3 of a row
     * and the m samples: four input streams, a loop the JIT vectorises.
     */
    private static void groupOfFour(float[] values, int[] indices, float[][] x, int k, int m, float[] out) {
        float v0 = values[k];
        float v1 = values[k + 1];
        float v2 = values[k + 2];
        float v3 = values[k + 3];
        float[] x0 = x[indices[k]];
        float[] x1 = x[indices[k + 1]];
        float[] x2 = x[indices[k + 2]];
        float[] x3 = x[indices[k + 3]];
        for (int s = 0; s < m; s++) {
            out[s] = (v0 * x0[s] + v1 * x1[s]) + (v2 * x2[s] + v3 * x3[s]);
        }
    }

    /**
     * Valid convolution, ReLU and 2x2 max-pooling of g samples (each channels x side x side). The
     * inputs are unrolled (im2col) into one array per (channel, kernel row, kernel column), holding the
     * input window it multiplies at every output position of every sample, sample after sample; the
     * convolution is then the CSR weight (filters x channels k k) times that, by the same vectorised
     * kernel as the dense layers, and each output position gets the same expression whatever g is.
     * Reading the input planes at offsets instead kept the JIT from vectorising and ran several times
     * slower.
     */
    private static float[][] convReluPool(Layers.Layer l, Csr w, float[] b, float[][] in) {
        int side = l.inSide();
        int outSide = l.outSide();
        int k = l.kernel();
        int plane = outSide * outSide;
        int g = in.length;
        float[][] windows = new float[l.in() * k * k][];
        for (int c = 0; c < l.in(); c++) {
            for (int kh = 0; kh < k; kh++) {
                for (int kw = 0; kw < k; kw++) {
                    float[] win = new float[plane * g];
                    int src = c * side * side + kh * side + kw;
                    for (int e = 0; e < g; e++) {
                        for (int i = 0; i < outSide; i++) {
                            System.arraycopy(in[e], src + i * side, win, e * plane + i * outSide, outSide);
                        }
                    }
                    windows[(c * k + kh) * k + kw] = win;
                }
            }
        }
        float[][] conv = denseBatch(w, b, windows, plane * g, true);
        int pooled = outSide / 2;
        float[][] out = new float[g][l.out() * pooled * pooled];
        for (int o = 0; o < l.out(); o++) {
            float[] p = conv[o];
            for (int e = 0; e < g; e++) {
                for (int i = 0; i < pooled; i++) {
                    for (int j = 0; j < pooled; j++) {
                        int at = e * plane + 2 * i * outSide + 2 * j;
                        out[e][(o * pooled + i) * pooled + j] = Math.max(Math.max(p[at], p[at + 1]),
                                Math.max(p[at + outSide], p[at + outSide + 1]));
                    }
                }
            }
        }
        return out;
    }
}
