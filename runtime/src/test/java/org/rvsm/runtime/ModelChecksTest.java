package org.rvsm.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Models that cannot run are refused before use, with a one-line message naming the tensor:
 * {@link Layers#of} and {@link Layers#ofTensors} (and so {@link SparseNetwork#of}) throw
 * IllegalArgumentException, {@link SparseFormat#toDense} and {@link SparseFormat#readDense}
 * IOException; never another exception.
 */
class ModelChecksTest {

    @TempDir
    Path tmp;

    private static Map<String, Safetensors.Tensor> lenet300() {
        return SparseRuntimeTest.randomModel("lenet300", 0.9, 1);
    }

    private static Safetensors.Tensor floats(long... shape) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return new Safetensors.Tensor(shape, new float[(int) n]);
    }

    /** Layers.ofTensors and SparseNetwork.of refuse the edited model, and readDense refuses its file. */
    private void refused(Consumer<Map<String, Safetensors.Tensor>> edit, String... fragments) throws IOException {
        Map<String, Safetensors.Tensor> model = lenet300();
        edit.accept(model);
        for (IllegalArgumentException e : new IllegalArgumentException[] {
                assertThrows(IllegalArgumentException.class, () -> Layers.ofTensors(model)),
                assertThrows(IllegalArgumentException.class, () -> SparseNetwork.of(model, 1))}) {
            assertOneLine(e.getMessage(), fragments);
        }
        Path f = tmp.resolve("m.safetensors");
        Safetensors.write(f, model, Map.of());
        assertOneLine(assertThrows(IOException.class, () -> SparseFormat.readDense(f)).getMessage(), fragments);
    }

    private static void assertOneLine(String m, String... fragments) {
        assertFalse(m == null || m.isBlank() || m.contains("\n"), "a one-line message: " + m);
        for (String fragment : fragments) {
            assertTrue(m.contains(fragment), "mentions " + fragment + ": " + m);
        }
    }

    @Test
    void zeroSizedLayersAndClassesAreRefused() throws IOException {
        refused(m -> {
            m.put("06Linear_weight", floats(0, 100));
            m.put("06Linear_bias", floats(0));
        }, "\"06Linear_weight\" has shape [0,100]", "between 1 and");
        refused(m -> {
            m.put("04Linear_weight", floats(0, 300));
            m.put("04Linear_bias", floats(0));
            m.put("06Linear_weight", floats(10, 0));
        }, "\"04Linear_weight\" has shape [0,300]");
        assertThrows(IllegalArgumentException.class, () -> Layers.of(Map.of("w", new long[] {10, 784, 0, 0})));
        assertThrows(IllegalArgumentException.class, () -> Layers.of(Map.of()), "no weights");
        refused(m -> m.clear(), "no weights");
    }

    @Test
    void biasesMustBePresentF32AndOfTheWeightsOutputs() throws IOException {
        refused(m -> m.remove("04Linear_bias"), "\"04Linear_weight\" of shape [100,300] has no bias \"04Linear_bias\"");
        refused(m -> m.put("04Linear_bias", floats(101)), "bias \"04Linear_bias\" has shape [101]", "needs [100]");
        refused(m -> m.put("04Linear_bias", floats(1, 100)), "bias \"04Linear_bias\" has shape [1,100]");
        refused(m -> m.put("04Linear_bias", Safetensors.Tensor.ints("I32", new long[] {100}, new int[100])),
                "bias \"04Linear_bias\" has dtype I32");
        refused(m -> m.put("02Linear_weight", Safetensors.Tensor.ints("I32", new long[] {300, 784}, new int[300 * 784])),
                "weight \"02Linear_weight\" has dtype I32; weights must be F32");
    }

    @Test
    void shapesMustChainAndConvolutionsLeaveSomethingToPool() throws IOException {
        refused(m -> m.put("04Linear_weight", floats(100, 299)), "\"04Linear_weight\" of shape [100,299] does not take the 300 inputs");
        refused(m -> m.put("04Linear_weight", floats(100, 300, 1)), "\"04Linear_weight\" has shape [100,300,1]");
        long big = Integer.MAX_VALUE + 1L;
        assertOneLine(assertThrows(IllegalArgumentException.class,
                () -> Layers.of(Map.of("w", new long[] {big, 784}))).getMessage(), "between 1 and 2147483647");
        assertOneLine(assertThrows(IllegalArgumentException.class,
                () -> Layers.of(Map.of("w", new long[] {10_000_000, 784}))).getMessage(), "more values than a Java array");
        Map<String, long[]> conv = new LinkedHashMap<>();
        conv.put("c", new long[] {4, 1, 28, 28}); // a 1 x 1 output: nothing to pool
        conv.put("d", new long[] {10, 4});
        assertOneLine(assertThrows(IllegalArgumentException.class, () -> Layers.of(conv)).getMessage(), "\"c\" of shape [4,1,28,28]");
        conv.put("c", new long[] {4, 1, 27, 27}); // 2 x 2, pooled to 1 x 1: runs
        assertEquals(2, Layers.of(conv).size());
        conv.put("c", new long[] {4, 1, 5, 4});
        assertThrows(IllegalArgumentException.class, () -> Layers.of(conv), "a non-square kernel");
        conv.put("c", new long[] {4, 2, 5, 5});
        assertThrows(IllegalArgumentException.class, () -> Layers.of(conv), "2 channels into a 1-channel image");
        Map<String, long[]> denseThenConv = new LinkedHashMap<>();
        denseThenConv.put("d", new long[] {100, 784});
        denseThenConv.put("c", new long[] {4, 1, 5, 5});
        assertOneLine(assertThrows(IllegalArgumentException.class, () -> Layers.of(denseThenConv)).getMessage(), "follows a dense layer");
        Map<String, long[]> convLast = new LinkedHashMap<>();
        convLast.put("c", new long[] {4, 1, 5, 5});
        assertOneLine(assertThrows(IllegalArgumentException.class, () -> Layers.of(convLast)).getMessage(), "must end with a dense layer");
    }

    // ---- the sparse export ---------------------------------------------------------------------

    /** The sparse export of lenet300 with one edit to its tensors or metadata, refused by readDense. */
    private void sparseRefused(Consumer<Safetensors.Contents> edit, String... fragments) throws IOException {
        Path good = tmp.resolve("good.safetensors");
        SparseFormat.write(good, lenet300(), Map.of());
        Safetensors.Contents c = Safetensors.read(good);
        edit.accept(c);
        Path bad = tmp.resolve("bad.safetensors");
        Safetensors.write(bad, c.tensors(), c.metadata());
        IOException e = assertThrows(IOException.class, () -> SparseFormat.readDense(bad));
        assertTrue(e.getMessage().startsWith(bad.toString()), e.getMessage());
        assertOneLine(e.getMessage(), fragments);
        try { // without readDense's structure check: a dense model, or a one-line IOException
            Layers.ofTensors(SparseFormat.toDense(Safetensors.read(bad)));
        } catch (IOException | IllegalArgumentException ex) {
            assertOneLine(ex.getMessage());
        }
    }

    @Test
    void malformedCsrShapesAreRefused() throws IOException {
        String[] bad = {"[99999999999999999999,784]", "[-1,784]", "[]", "", "[300,784", "300,784", "[300,,784]", "[300,784,]",
            "[3e2,784]", "[300;784]", "[2147483648,1]", "[300,784]x", "[" + "1,".repeat(5000) + "1]"};
        for (String shape : bad) {
            sparseRefused(c -> c.metadata().put("04Linear_weight.shape", shape), "metadata \"04Linear_weight.shape\" is");
        }
        sparseRefused(c -> c.metadata().remove("04Linear_weight.shape"), "metadata \"04Linear_weight.shape\" is missing");
        // well formed, but not what indptr holds, or not the model's structure
        sparseRefused(c -> c.metadata().put("04Linear_weight.shape", "[100, 299]"), "\"04Linear_weight\" of shape [100,299]");
        sparseRefused(c -> c.metadata().put("06Linear_weight.shape", "[11,100]"), "indptr must have rows + 1 = 12");
        sparseRefused(c -> c.metadata().put("06Linear_weight.shape", "[0,100]"), "\"06Linear_weight\" has shape [0,100]");
    }

    @Test
    void incompleteOrMistypedCsrIsRefused() throws IOException {
        sparseRefused(c -> c.tensors().remove("04Linear_weight.indices"), "\"04Linear_weight\" has .indptr but no .indices");
        sparseRefused(c -> c.tensors().remove("04Linear_weight.values"), "\"04Linear_weight\" has .indptr but no .values");
        sparseRefused(c -> c.tensors().remove("04Linear_weight.indptr"), "\"04Linear_weight.indices\" has no \"04Linear_weight.indptr\"");
        sparseRefused(c -> c.tensors().put("04Linear_weight.indptr", floats(101)), "needs I32 .indptr", "has F32, U16 and F32");
        sparseRefused(c -> c.tensors().put("04Linear_weight.values", Safetensors.Tensor.ints("I32", new long[] {1}, new int[1])),
                "needs I32 .indptr");
        sparseRefused(c -> {
            Safetensors.Tensor v = c.tensors().get("04Linear_weight.values");
            c.tensors().put("04Linear_weight.values", new Safetensors.Tensor(new long[] {1, v.size()}, v.data()));
        }, "must be 1-d");
        sparseRefused(c -> c.tensors().put("04Linear_weight", floats(100, 300)), "\"04Linear_weight\" is held both dense and in CSR");
    }

    @Test
    void indptrPastTheEntriesIsRefusedNotAnIndexError() throws IOException {
        sparseRefused(c -> {
            int[] p = c.tensors().get("06Linear_weight.indptr").ints().clone();
            p[1] = p[p.length - 1] + 1000; // row 0 claims entries past nnz; later rows bring it back down
            c.tensors().put("06Linear_weight.indptr", Safetensors.Tensor.ints("I32", new long[] {p.length}, p));
        }, "\"06Linear_weight\"", "CSR: indptr decreases at row 0 or passes nnz");
        assertThrows(IllegalArgumentException.class,
                () -> new Csr(2, 3, new int[] {0, 100, 3}, new int[] {0, 1, 2}, new float[3]));
        assertThrows(IllegalArgumentException.class, () -> new Csr(Integer.MAX_VALUE, 1, new int[0], new int[0], new float[0]));
        assertThrows(IllegalArgumentException.class, () -> new Csr(1, 1, null, new int[0], new float[0]));
        assertThrows(IllegalArgumentException.class, () -> Csr.of(new float[0], -2, 0));
        assertThrows(IllegalArgumentException.class, () -> new Csr(70_000, 70_000, new int[70_001], new int[0], new float[0]).toDense());
    }

    @Test
    void aSmallFileCannotClaimAHugeDenseWeight() throws IOException {
        // 1 + 2^31 - 1 cells in a file of a few hundred KB: more than a Java array, refused before allocating
        sparseRefused(c -> c.metadata().put("06Linear_weight.shape", "[10,2147483647]"), "\"06Linear_weight\"");
        long heap = Runtime.getRuntime().maxMemory();
        Assumptions.assumeTrue(heap < 20L << 30, "this case of the heap budget needs a heap under 20 GiB");
        // 40,000 x 40,000 floats (6.4 GB), rows backed by a 160 KB indptr: over a quarter of the heap
        Map<String, Safetensors.Tensor> t = new LinkedHashMap<>();
        t.put("w_weight.indptr", Safetensors.Tensor.ints("I32", new long[] {40_001}, new int[40_001]));
        t.put("w_weight.indices", Safetensors.Tensor.ints("U16", new long[] {0}, new int[0]));
        t.put("w_weight.values", new Safetensors.Tensor(new long[] {0}, new float[0]));
        Safetensors.Contents c = new Safetensors.Contents(t, Map.of("format", SparseFormat.FORMAT, "w_weight.shape", "[40000,40000]"));
        assertOneLine(assertThrows(IOException.class, () -> SparseFormat.toDense(c)).getMessage(), "\"w_weight\"", "heap");
    }

    @Test
    void theSparseWriterRefusesNamesThatWouldNotReadBack() {
        Map<String, Safetensors.Tensor> m = lenet300();
        m.put("x.values", floats(1));
        assertThrows(IllegalArgumentException.class, () -> SparseFormat.write(tmp.resolve("s"), m, Map.of()));
        Map<String, Safetensors.Tensor> scalar = new LinkedHashMap<>();
        scalar.put("s_weight", floats());
        assertThrows(IllegalArgumentException.class, () -> SparseFormat.write(tmp.resolve("s"), scalar, Map.of()));
    }

    @Test
    void denseTensorsWithDotsPassThroughTheSparseExport() throws IOException {
        Map<String, Safetensors.Tensor> m = lenet300();
        m.put("extra.scale", floats(3));
        Path f = tmp.resolve("s.safetensors");
        SparseFormat.write(f, m, Map.of());
        Map<String, Safetensors.Tensor> back = SparseFormat.readDense(f);
        assertEquals(m.keySet(), back.keySet(), "a dotted name that is not a CSR part was dropped before");
    }
}
