package org.rvsm.runtime;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The sparse export: a safetensors file (so it loads anywhere safetensors does, without running code)
 * that holds every weight tensor W of shape (out, d1, ...) in CSR over the matrix (out, d1 * ...),
 * as three tensors, and everything else (biases) dense:
 *
 * <pre>
 *   W.indptr   I32  [out + 1]   row r's entries are k in [indptr[r], indptr[r+1])
 *   W.indices  U16  [nnz]       column of each entry, ascending within a row (I32 if a row has
 *                               more than 65,536 columns)
 *   W.values   F32  [nnz]       the non-zero weights
 *   metadata   "format": "rvsm-csr-1", "W.shape": "[out,d1,...]", plus the model's own metadata
 * </pre>
 *
 * Python: {@code t = safetensors.numpy.load_file(f)}; {@code scipy.sparse.csr_matrix((t["W.values"],
 * t["W.indices"], t["W.indptr"]), shape=(out, d1 * ...))}.
 */
public final class SparseFormat {

    /** The metadata value of "format" in a sparse export. */
    public static final String FORMAT = "rvsm-csr-1";

    private SparseFormat() {
    }

    /** Suffixes of the three tensors that hold one weight in CSR. */
    private static final List<String> PARTS = List.of(".indptr", ".indices", ".values");

    /**
     * Writes the model's tensors (dense, with zeros) in the sparse format, atomically.
     *
     * @throws IllegalArgumentException when a {@code *_weight} tensor is not F32 of rank 1 or more, or
     *                                  another tensor's name ends like a CSR part (.indptr, .indices,
     *                                  .values), which would not read back
     */
    public static void write(Path file, Map<String, Safetensors.Tensor> model, Map<String, String> metadata)
            throws IOException {
        Map<String, Safetensors.Tensor> out = new LinkedHashMap<>();
        Map<String, String> meta = new LinkedHashMap<>(metadata);
        meta.put("format", FORMAT);
        for (Map.Entry<String, Safetensors.Tensor> e : model.entrySet()) {
            Safetensors.Tensor t = e.getValue();
            if (part(e.getKey()) != null) {
                throw new IllegalArgumentException("tensor " + Safetensors.jsonString(e.getKey(), true)
                        + ": a name ending in .indptr, .indices or .values would read back as part of a CSR weight");
            }
            if (!e.getKey().endsWith("_weight")) {
                out.put(e.getKey(), t);
                continue;
            }
            if (t.data() == null || t.shape().length == 0) {
                throw new IllegalArgumentException("weight " + Safetensors.jsonString(e.getKey(), true)
                        + " must be F32 of rank 1 or more, is " + t.dtype() + " of shape " + Arrays.toString(t.shape()));
            }
            int rows = (int) t.shape()[0];
            int cols = t.size() / Math.max(rows, 1);
            Csr csr = Csr.of(t.data(), rows, cols);
            String name = e.getKey();
            out.put(name + ".indptr", Safetensors.Tensor.ints("I32", new long[] {rows + 1}, csr.indptr()));
            out.put(name + ".indices", Safetensors.Tensor.ints(cols <= 0x10000 ? "U16" : "I32",
                    new long[] {csr.nnz()}, csr.indices()));
            out.put(name + ".values", new Safetensors.Tensor(new long[] {csr.nnz()}, csr.values()));
            meta.put(name + ".shape", Arrays.toString(t.shape()).replace(" ", ""));
        }
        Safetensors.write(file, out, meta);
    }

    /** True when the file's metadata marks it as a sparse export. */
    public static boolean isSparse(Safetensors.Contents contents) {
        return FORMAT.equals(contents.metadata().get("format"));
    }

    /**
     * The dense tensors (zeros restored) of a sparse export, in file order (each weight where its
     * .indptr is); checks every CSR it reads before allocating its dense form: the three parts
     * present, .indptr I32, .indices U16 or I32, .values F32, all 1-d, the metadata shape well formed
     * ({@code [d0,d1,...]}, decimal dimensions up to {@link Integer#MAX_VALUE}), the dense size within
     * a Java array and, all weights together, within a quarter of this JVM's heap (a small file can
     * claim a huge shape), and the indexes (see {@link Csr}). Tensors that are not CSR parts pass
     * through.
     *
     * @throws IOException with a one-line message naming the weight, for any malformed CSR
     */
    public static Map<String, Safetensors.Tensor> toDense(Safetensors.Contents contents) throws IOException {
        return densify(contents, csrShapes(contents));
    }

    /**
     * The dense shape of each CSR weight, in the order of their .indptr, after the checks that need no
     * allocation: every part beside its .indptr, no weight both dense and in CSR, the metadata shapes
     * well formed and within a Java array, all dense forms together within a quarter of the heap.
     */
    private static Map<String, long[]> csrShapes(Safetensors.Contents contents) throws IOException {
        Map<String, Safetensors.Tensor> tensors = contents.tensors();
        Map<String, long[]> shapes = new LinkedHashMap<>();
        long heap = Runtime.getRuntime().maxMemory();
        long denseBytes = 0;
        for (String key : tensors.keySet()) {
            String part = part(key);
            if (part == null) {
                continue;
            }
            String name = key.substring(0, key.length() - part.length());
            if (!tensors.containsKey(name + ".indptr")) {
                throw new IOException("sparse export: tensor " + show(key) + " has no " + show(name + ".indptr") + " beside it");
            }
            if (part.equals(".indptr")) {
                if (tensors.containsKey(name)) {
                    throw new IOException("sparse export: " + show(name) + " is held both dense and in CSR");
                }
                long[] shape = parseShape(contents.metadata().get(name + ".shape"), name);
                denseBytes += 4 * cells(shape, name);
                if (denseBytes > heap / 4) {
                    throw new IOException("sparse export: " + show(name) + " of shape " + shapeText(shape)
                            + " would take the dense weights over a quarter of this JVM's heap of " + heap
                            + " bytes (raise -Xmx)");
                }
                shapes.put(name, shape);
            }
        }
        return shapes;
    }

    /** The tensors with each CSR weight made dense, in place of its .indptr. */
    private static Map<String, Safetensors.Tensor> densify(Safetensors.Contents contents, Map<String, long[]> shapes)
            throws IOException {
        Map<String, Safetensors.Tensor> out = new LinkedHashMap<>();
        for (Map.Entry<String, Safetensors.Tensor> e : contents.tensors().entrySet()) {
            String key = e.getKey();
            String part = part(key);
            if (part == null) {
                out.put(key, e.getValue());
            } else if (part.equals(".indptr")) {
                String name = key.substring(0, key.length() - part.length());
                long[] shape = shapes.get(name);
                out.put(name, new Safetensors.Tensor(shape, csr(contents, name, shape).toDense()));
            }
        }
        return out;
    }

    /** The CSR part a name ends with (".indptr", ".indices", ".values"), or null. */
    private static String part(String key) {
        for (String p : PARTS) {
            if (key.endsWith(p)) {
                return p;
            }
        }
        return null;
    }

    /** Elements of the dense form, checked to fit a Java array. */
    private static long cells(long[] shape, String name) throws IOException {
        long cells = 1;
        for (long d : shape) {
            cells *= d; // each factor at most 2^31 - 1, the product kept at most MAX_ELEMENTS: no overflow
            if (cells > Safetensors.MAX_ELEMENTS) {
                throw new IOException("sparse export: " + show(name) + " of shape " + shapeText(shape)
                        + " holds more values than a Java array (" + Safetensors.MAX_ELEMENTS + ")");
            }
        }
        return cells;
    }

    private static Csr csr(Safetensors.Contents contents, String name, long[] shape) throws IOException {
        Safetensors.Tensor indptr = contents.tensors().get(name + ".indptr");
        Safetensors.Tensor indices = contents.tensors().get(name + ".indices");
        Safetensors.Tensor values = contents.tensors().get(name + ".values");
        String what = "sparse export: " + show(name);
        if (indices == null || values == null) {
            throw new IOException(what + " has .indptr but no " + (indices == null ? ".indices" : ".values"));
        }
        if (!indptr.dtype().equals("I32") || indices.ints() == null || values.data() == null) {
            throw new IOException(what + ": needs I32 .indptr, U16 or I32 .indices and F32 .values, has "
                    + indptr.dtype() + ", " + indices.dtype() + " and " + values.dtype());
        }
        if (indptr.shape().length != 1 || indices.shape().length != 1 || values.shape().length != 1) {
            throw new IOException(what + ": .indptr, .indices and .values must be 1-d, have shapes " + shapeText(indptr.shape())
                    + ", " + shapeText(indices.shape()) + " and " + shapeText(values.shape()));
        }
        long cols = cells(shape, name) / Math.max(shape[0], 1);
        try {
            return new Csr((int) shape[0], (int) cols, indptr.ints(), indices.ints(), values.data());
        } catch (IllegalArgumentException ex) {
            throw new IOException(what + ": " + ex.getMessage(), ex);
        }
    }

    /**
     * A metadata shape "[d0,d1,...]" (spaces allowed around the numbers): decimal digits, each
     * dimension at most 2^31 - 1, at most {@link SafetensorsHeader#MAX_RANK} of them. Read by hand, in
     * one pass: a regular expression with a repeated group recurses per repetition and overflows the
     * stack on a long enough value.
     */
    private static long[] parseShape(String text, String name) throws IOException {
        String what = "sparse export: metadata " + show(name + ".shape");
        if (text == null) {
            throw new IOException(what + " is missing");
        }
        String bad = what + " is " + show(text) + ", expected [d0,d1,...] of non-negative integers up to "
                + Integer.MAX_VALUE;
        int n = text.length();
        if (n < 2 || text.charAt(0) != '[' || text.charAt(n - 1) != ']') {
            throw new IOException(bad);
        }
        long[] shape = new long[8];
        int rank = 0;
        int i = 1;
        while (true) {
            while (i < n - 1 && text.charAt(i) == ' ') {
                i++;
            }
            int start = i;
            long d = 0;
            while (i < n - 1 && text.charAt(i) >= '0' && text.charAt(i) <= '9') {
                d = d * 10 + (text.charAt(i) - '0');
                i++;
                if (d > Integer.MAX_VALUE) {
                    throw new IOException(bad);
                }
            }
            if (i == start || rank == SafetensorsHeader.MAX_RANK) {
                throw new IOException(bad);
            }
            if (rank == shape.length) {
                shape = Arrays.copyOf(shape, 2 * rank);
            }
            shape[rank++] = d;
            while (i < n - 1 && text.charAt(i) == ' ') {
                i++;
            }
            if (i == n - 1) {
                return Arrays.copyOf(shape, rank);
            }
            if (text.charAt(i) != ',') {
                throw new IOException(bad);
            }
            i++;
        }
    }

    private static String show(String s) {
        return SafetensorsHeader.show(s);
    }

    private static String shapeText(long[] shape) {
        return Arrays.toString(shape).replace(" ", "");
    }

    /**
     * The network of a model file in either format: dense safetensors (zeros kept) or the sparse
     * export. Checks the whole model: the file ({@link Safetensors#read}), the CSR weights ({@link
     * #toDense}) and the layer structure ({@link Layers#ofTensors}, before the CSR weights are made
     * dense too), so that what it returns can run.
     *
     * @throws IOException with a one-line message naming the file, for any file that is not a model
     *                     that can run (never IllegalArgumentException)
     */
    public static Map<String, Safetensors.Tensor> readDense(Path file) throws IOException {
        return readModel(file).tensors();
    }

    /**
     * {@link #readDense}, with the file's metadata; the layers are checked against the input its
     * metadata gives ({@link ImageSpec#fromMetadata}, itself checked).
     */
    public static Safetensors.Contents readModel(Path file) throws IOException {
        Safetensors.Contents contents = Safetensors.read(file);
        try {
            ImageSpec input = ImageSpec.fromMetadata(contents.metadata());
            Map<String, Safetensors.Tensor> dense;
            if (isSparse(contents)) {
                Map<String, long[]> csr = csrShapes(contents);
                Map<String, long[]> weights = new LinkedHashMap<>(); // in the order densify gives them
                for (Map.Entry<String, Safetensors.Tensor> e : contents.tensors().entrySet()) {
                    String part = part(e.getKey());
                    String name = part == null ? e.getKey() : e.getKey().substring(0, e.getKey().length() - part.length());
                    if (name.endsWith("_weight") && (part == null || part.equals(".indptr"))) {
                        weights.put(name, part == null ? e.getValue().shape() : csr.get(name));
                    }
                }
                Layers.of(weights, input); // the structure first: no dense allocation for a model that cannot run
                dense = densify(contents, csr);
            } else {
                dense = contents.tensors();
            }
            Layers.ofTensors(dense, input);
            return new Safetensors.Contents(dense, contents.metadata());
        } catch (IOException | IllegalArgumentException e) {
            throw new IOException(file + ": " + (e instanceof IOException ? "" : "not a model that can run: ")
                    + e.getMessage(), e);
        }
    }
}
