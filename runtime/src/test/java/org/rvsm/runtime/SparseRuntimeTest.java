package org.rvsm.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The CSR format, the sparse export, the pure-Java runtime and compaction, each against an
 * independent computation: a naive dense forward pass written out here, an independent safetensors
 * parser (Jackson), and the uncompacted network.
 */
class SparseRuntimeTest {

    @TempDir
    Path tmp;

    /** A random lenet300- or lenet5-shaped model with about the given fraction of zero weights. */
    static Map<String, Safetensors.Tensor> randomModel(String kind, double zeros, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        long[][] shapes = kind.equals("lenet300")
                ? new long[][] {{300, 784}, {100, 300}, {10, 100}}
                : new long[][] {{20, 1, 5, 5}, {50, 20, 5, 5}, {500, 800}, {10, 500}};
        String[] names = kind.equals("lenet300")
                ? new String[] {"02Linear", "04Linear", "06Linear"}
                : new String[] {"02Conv2d", "05Conv2d", "09Linear", "11Linear"};
        Map<String, Safetensors.Tensor> model = new LinkedHashMap<>();
        for (int l = 0; l < shapes.length; l++) {
            int n = 1;
            for (long d : shapes[l]) {
                n *= (int) d;
            }
            int fanIn = n / (int) shapes[l][0];
            float[] w = new float[n];
            for (int i = 0; i < n; i++) {
                w[i] = rng.nextDouble() < zeros ? 0.0f : (float) (rng.nextGaussian() * 2.0 / Math.sqrt(fanIn * (1 - zeros)));
            }
            float[] b = new float[(int) shapes[l][0]];
            for (int i = 0; i < b.length; i++) {
                b[i] = (float) (0.1 * rng.nextGaussian());
            }
            model.put(names[l] + "_weight", new Safetensors.Tensor(shapes[l], w));
            model.put(names[l] + "_bias", new Safetensors.Tensor(new long[] {b.length}, b));
        }
        return model;
    }

    static float[] randomImages(int n, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        float[] x = new float[n * 784];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) rng.nextGaussian();
        }
        return x;
    }

    /** The textbook forward pass, in double, straight from the definitions (valid conv, ReLU, 2x2 max-pool). */
    static double[] naiveLogits(Map<String, Safetensors.Tensor> model, float[] images, int index) {
        return naiveLogits(model, ImageSpec.LEGACY, images, index);
    }

    /** The textbook forward pass for images of the given (square) shape. */
    static double[] naiveLogits(Map<String, Safetensors.Tensor> model, ImageSpec spec, float[] images, int index) {
        int size = spec.size();
        double[] a = new double[size];
        for (int i = 0; i < size; i++) {
            a[i] = images[index * size + i];
        }
        int channels = spec.channels();
        int side = spec.height();
        var layers = Layers.ofTensors(model, spec);
        for (int l = 0; l < layers.size(); l++) {
            Layers.Layer layer = layers.get(l);
            float[] w = model.get(layer.name()).data();
            float[] b = model.get(layer.biasName()).data();
            if (layer.conv()) {
                int k = layer.kernel();
                int o = side - k + 1;
                double[] conv = new double[layer.out() * o * o];
                for (int f = 0; f < layer.out(); f++) {
                    for (int i = 0; i < o; i++) {
                        for (int j = 0; j < o; j++) {
                            double s = b[f];
                            for (int c = 0; c < channels; c++) {
                                for (int p = 0; p < k; p++) {
                                    for (int q = 0; q < k; q++) {
                                        s += w[((f * channels + c) * k + p) * k + q] * a[(c * side + i + p) * side + j + q];
                                    }
                                }
                            }
                            conv[(f * o + i) * o + j] = Math.max(s, 0);
                        }
                    }
                }
                int h = o / 2;
                double[] pooled = new double[layer.out() * h * h];
                for (int f = 0; f < layer.out(); f++) {
                    for (int i = 0; i < h; i++) {
                        for (int j = 0; j < h; j++) {
                            double m = Double.NEGATIVE_INFINITY;
                            for (int p = 0; p < 2; p++) {
                                for (int q = 0; q < 2; q++) {
                                    m = Math.max(m, conv[(f * o + 2 * i + p) * o + 2 * j + q]);
                                }
                            }
                            pooled[(f * h + i) * h + j] = m;
                        }
                    }
                }
                a = pooled;
                channels = layer.out();
                side = h;
            } else {
                int in = layer.in();
                double[] y = new double[layer.out()];
                for (int r = 0; r < y.length; r++) {
                    double s = b[r];
                    for (int c = 0; c < in; c++) {
                        s += w[r * in + c] * a[c];
                    }
                    y[r] = l < layers.size() - 1 ? Math.max(s, 0) : s;
                }
                a = y;
            }
        }
        return a;
    }

    /**
     * A lenet5-shaped network on 3 x 20 x 20 images (conv 4@5x5 -> 16, pool 8; conv 6@3x3 -> 6, pool 3;
     * dense 54 -> 12 -> 10): the runtime reads the channels and the side from the spec, and agrees with
     * the naive pass whatever the batch.
     */
    @Test
    void runtimeTakesTheImagesOfItsSpec() {
        ImageSpec spec = new ImageSpec(3, 20, 20, 10, null, null);
        SplittableRandom rng = new SplittableRandom(11);
        long[][] shapes = {{4, 3, 5, 5}, {6, 4, 3, 3}, {12, 54}, {10, 12}};
        Map<String, Safetensors.Tensor> model = new LinkedHashMap<>();
        for (int l = 0; l < shapes.length; l++) {
            int n = (int) java.util.Arrays.stream(shapes[l]).reduce(1, (x, y) -> x * y);
            float[] w = new float[n];
            for (int i = 0; i < n; i++) {
                w[i] = rng.nextDouble() < 0.5 ? 0.0f : (float) (rng.nextGaussian() * 0.3);
            }
            float[] b = new float[(int) shapes[l][0]];
            for (int i = 0; i < b.length; i++) {
                b[i] = (float) (0.1 * rng.nextGaussian());
            }
            model.put("0" + l + "Layer_weight", new Safetensors.Tensor(shapes[l], w));
            model.put("0" + l + "Layer_bias", new Safetensors.Tensor(new long[] {b.length}, b));
        }
        int n = 13;
        float[] images = new float[n * spec.size()];
        for (int i = 0; i < images.length; i++) {
            images[i] = (float) rng.nextGaussian();
        }
        SparseNetwork net = SparseNetwork.of(model, spec, 2);
        assertEquals(1200, net.inputSize());
        float[] batched = net.logits(images, n);
        for (int i = 0; i < n; i++) {
            double[] expected = naiveLogits(model, spec, images, i);
            float[] single = net.logits(java.util.Arrays.copyOfRange(images, i * 1200, (i + 1) * 1200), 1);
            for (int k = 0; k < 10; k++) {
                assertEquals(expected[k], batched[i * 10 + k], 1e-4 * (1 + Math.abs(expected[k])), "image " + i);
                assertEquals(batched[i * 10 + k], single[k], 0.0f, "same bits alone and in a batch");
            }
        }
        // the same tensors do not fit 1 x 28 x 28 images, nor non-square ones
        assertThrows(IllegalArgumentException.class, () -> SparseNetwork.of(model, 1));
        assertThrows(IllegalArgumentException.class, () -> SparseNetwork.of(model, new ImageSpec(3, 20, 21, 10, null, null), 1));
        float[] logitsOfCompact = SparseNetwork.of(Compactor.compact(model, spec).tensors(), spec, 1).logits(images, n);
        for (int i = 0; i < batched.length; i++) {
            assertEquals(batched[i], logitsOfCompact[i], 1e-4 * (1 + Math.abs(batched[i])), "compaction keeps the logits");
        }
    }

    @Test
    void csrRoundTripsAndRefusesBrokenIndexes() {
        float[] dense = {0, 2, 0, 0, 0, 0, -1, 3.5f, 0};
        Csr csr = Csr.of(dense, 3, 3);
        assertArrayEquals(new int[] {0, 1, 1, 3}, csr.indptr());
        assertArrayEquals(new int[] {1, 0, 1}, csr.indices());
        assertArrayEquals(dense, csr.toDense());
        assertThrows(IllegalArgumentException.class, () -> new Csr(2, 2, new int[] {0, 1, 2}, new int[] {0, 2}, new float[2]),
                "column out of range");
        assertThrows(IllegalArgumentException.class, () -> new Csr(1, 3, new int[] {0, 2}, new int[] {1, 1}, new float[2]),
                "columns not ascending");
        assertThrows(IllegalArgumentException.class, () -> new Csr(2, 2, new int[] {0, 2, 1}, new int[] {0, 1}, new float[2]),
                "indptr decreasing / not ending at nnz");
    }

    @ParameterizedTest
    @ValueSource(strings = {"lenet300", "lenet5"})
    void runtimeMatchesTheNaiveForwardPassAndIsIndependentOfBatchAndThreads(String kind) {
        Map<String, Safetensors.Tensor> model = randomModel(kind, 0.9, 3);
        for (Layers.Layer l : Layers.ofTensors(model)) { // every fifth unit has no stored weight
            float[] w = model.get(l.name()).data();
            for (int r = 0; r < l.out(); r += 5) {
                java.util.Arrays.fill(w, r * l.fanIn(), (r + 1) * l.fanIn(), 0.0f);
            }
        }
        int n = 40;
        float[] images = randomImages(n, 4);
        float[] batched = SparseNetwork.of(model, 2).logits(images, n);
        for (int i = 0; i < n; i++) {
            double[] expected = naiveLogits(model, images, i);
            for (int c = 0; c < 10; c++) {
                assertEquals(expected[c], batched[i * 10 + c], 1e-4 * (1 + Math.abs(expected[c])), kind + " image " + i);
            }
        }
        SparseNetwork oneThread = SparseNetwork.of(model, 1);
        assertArrayEquals(batched, oneThread.logits(images, n), "threads change nothing");
        for (int i = 0; i < n; i += 13) {
            float[] single = oneThread.logits(java.util.Arrays.copyOfRange(images, i * 784, (i + 1) * 784), 1);
            assertArrayEquals(java.util.Arrays.copyOfRange(batched, i * 10, i * 10 + 10), single, "batch 1, image " + i);
        }
        assertArrayEquals(java.util.Arrays.copyOf(batched, 10), oneThread.logits(images, 1),
                "batch 1 of a longer array: its first image");
    }

    @Test
    void sparseExportRoundTripsIsSmallAndReadsWithAnIndependentParser() throws IOException {
        Map<String, Safetensors.Tensor> model = randomModel("lenet300", 0.95, 5);
        Path dense = tmp.resolve("dense.safetensors");
        Path sparse = tmp.resolve("sparse.safetensors");
        Safetensors.write(dense, model, Map.of("model", "lenet300"));
        SparseFormat.write(sparse, model, Map.of("model", "lenet300"));
        long ratio = Files.size(dense) / Files.size(sparse);
        assertTrue(ratio >= 10, "CSR with U16 indices at 95% zeros is over 10x smaller: " + ratio);
        Map<String, Safetensors.Tensor> back = SparseFormat.readDense(sparse);
        assertEquals(model.keySet(), back.keySet());
        for (String name : model.keySet()) {
            assertArrayEquals(model.get(name).shape(), back.get(name).shape(), name);
            assertArrayEquals(model.get(name).data(), back.get(name).data(), name);
        }
        // an independent reader: Jackson for the header, ByteBuffer for the data, nothing of ours
        byte[] bytes = Files.readAllBytes(sparse);
        ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        long headerLength = buf.getLong();
        JsonNode header = new ObjectMapper().readTree(new String(bytes, 8, (int) headerLength, StandardCharsets.UTF_8));
        assertEquals("rvsm-csr-1", header.get("__metadata__").get("format").asText());
        assertEquals("[300,784]", header.get("__metadata__").get("02Linear_weight.shape").asText());
        JsonNode indices = header.get("02Linear_weight.indices");
        assertEquals("U16", indices.get("dtype").asText());
        JsonNode indptr = header.get("02Linear_weight.indptr");
        assertEquals("I32", indptr.get("dtype").asText());
        int base = 8 + (int) headerLength;
        float[] w = model.get("02Linear_weight").data();
        int rowStart = buf.getInt(base + indptr.get("data_offsets").get(0).asInt() + 4 * 7); // row 7
        int rowEnd = buf.getInt(base + indptr.get("data_offsets").get(0).asInt() + 4 * 8);
        JsonNode values = header.get("02Linear_weight.values");
        int stored = 0;
        for (int k = rowStart; k < rowEnd; k++) {
            int col = Short.toUnsignedInt(buf.getShort(base + indices.get("data_offsets").get(0).asInt() + 2 * k));
            float v = buf.getFloat(base + values.get("data_offsets").get(0).asInt() + 4 * k);
            assertEquals(w[7 * 784 + col], v, 0.0f, "row 7, column " + col);
            stored++;
        }
        long nonZerosInRow = java.util.stream.IntStream.range(0, 784).filter(c -> w[7 * 784 + c] != 0).count();
        assertEquals(nonZerosInRow, stored, "row 7 holds exactly its non-zeros");
        long end = 0;
        for (var it = header.fields(); it.hasNext(); ) {
            var e = it.next();
            if (!e.getKey().equals("__metadata__")) {
                end = Math.max(end, e.getValue().get("data_offsets").get(1).asLong());
            }
        }
        assertEquals(bytes.length, base + end, "the data buffer ends where the file does");
    }

    @Test
    void corruptSparseExportsAreRefused() throws IOException {
        Map<String, Safetensors.Tensor> model = randomModel("lenet300", 0.95, 6);
        Map<String, Safetensors.Tensor> broken = new LinkedHashMap<>();
        Path good = tmp.resolve("good.safetensors");
        SparseFormat.write(good, model, Map.of());
        Safetensors.Contents c = Safetensors.read(good);
        broken.putAll(c.tensors());
        int[] indices = broken.get("04Linear_weight.indices").ints().clone();
        indices[0] = 300; // past the 300 columns
        broken.put("04Linear_weight.indices", Safetensors.Tensor.ints("U16", new long[] {indices.length}, indices));
        Path bad = tmp.resolve("bad.safetensors");
        Safetensors.write(bad, broken, c.metadata());
        IOException e = assertThrows(IOException.class, () -> SparseFormat.readDense(bad));
        assertTrue(e.getMessage().contains("04Linear_weight"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"lenet300", "lenet5"})
    void compactionRemovesDeadUnitsAndKeepsTheOutputs(String kind) {
        Map<String, Safetensors.Tensor> model = randomModel(kind, 0.5, 7);
        SplittableRandom rng = new SplittableRandom(8);
        // kill units: zero incoming rows (bias folded forward) and zero outgoing columns (unused)
        var layers = Layers.ofTensors(model);
        int killed = 0;
        for (int l = 0; l < layers.size() - 1; l++) {
            Layers.Layer layer = layers.get(l);
            float[] w = model.get(layer.name()).data();
            for (int j = 0; j < layer.out(); j++) {
                if (rng.nextDouble() < 0.4) {
                    java.util.Arrays.fill(w, j * layer.fanIn(), (j + 1) * layer.fanIn(), 0.0f);
                    killed++;
                }
            }
        }
        Layers.Layer next = layers.get(1);
        float[] w2 = model.get(next.name()).data();
        int block = next.conv() ? next.kernel() * next.kernel() : 1;
        for (int o = 0; o < next.out(); o++) { // unit 3 of the first layer: nothing reads it
            java.util.Arrays.fill(w2, o * next.fanIn() + 3 * block, o * next.fanIn() + 4 * block, 0.0f);
        }
        Compactor.Result r = Compactor.compact(model);
        assertTrue(r.removed() >= killed, "removed " + r.removed() + " of the " + killed + " killed units at least");
        assertTrue(java.util.Arrays.stream(r.kept().get(0)).noneMatch(j -> j == 3), "the unread unit goes too");
        assertSameLogits(model, r.tensors(), 50, 9);
    }

    /** The two models' logits on n random images agree to float tolerance. */
    private static void assertSameLogits(Map<String, Safetensors.Tensor> model,
                                         Map<String, Safetensors.Tensor> compacted, int n, long seed) {
        float[] images = randomImages(n, seed);
        float[] before = SparseNetwork.of(model, 1).logits(images, n);
        float[] after = SparseNetwork.of(compacted, 1).logits(images, n);
        for (int i = 0; i < before.length; i++) {
            assertEquals(before[i], after[i], 1e-4f * (1 + Math.abs(before[i])), "logit " + i);
        }
    }

    /**
     * A hidden layer with no live unit (all its rows zero, biases positive so that each unit's
     * constant is folded forward): the compacted layer keeps one null unit, never width 0, and the
     * outputs stay.
     */
    @ParameterizedTest
    @ValueSource(strings = {"lenet300", "lenet5"})
    void aLayerWithNoLiveUnitKeepsOneNullUnit(String kind) {
        Map<String, Safetensors.Tensor> model = randomModel(kind, 0.5, 10);
        var layers = Layers.ofTensors(model);
        Layers.Layer dead = layers.get(1);
        java.util.Arrays.fill(model.get(dead.name()).data(), 0.0f);
        java.util.Arrays.fill(SparseNetwork.bias(model, dead), 0.25f);
        Compactor.Result r = Compactor.compact(model);
        assertEquals(1, r.kept().get(1).length, "one unit kept");
        Safetensors.Tensor w = r.tensors().get(dead.name());
        assertEquals(1, w.shape()[0]);
        for (float x : w.data()) {
            assertEquals(0.0f, x, "its weights are zero");
        }
        assertEquals(0.0f, r.tensors().get(dead.biasName()).data()[0], "and its bias");
        assertSameLogits(model, r.tensors(), 20, 11);
    }
}
