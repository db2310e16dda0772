package org.rvsm.runtime;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
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

    /** Writes the model's tensors (dense, with zeros) in the sparse format, atomically. */
    public static void write(Path file, Map<String, Safetensors.Tensor> model, Map<String, String> metadata)
            throws IOException {
        Map<String, Safetensors.Tensor> out = new LinkedHashMap<>();
        Map<String, String> meta = new LinkedHashMap<>(metadata);
        meta.put("format", FORMAT);
        for (Map.Entry<String, Safetensors.Tensor> e : model.entrySet()) {
            Safetensors.Tensor t = e.getValue();
            if (!e.getKey().endsWith("_weight")) {
                out.put(e.getKey(), t);
                continue;
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

    /** The dense tensors (zeros restored) of a sparse export; checks every CSR it reads. */
    public static Map<String, Safetensors.Tensor> toDense(Safetensors.Contents contents) throws IOException {
        Map<String, Safetensors.Tensor> out = new LinkedHashMap<>();
        for (Map.Entry<String, Safetensors.Tensor> e : contents.tensors().entrySet()) {
            String key = e.getKey();
            if (!key.contains(".")) {
                out.put(key, e.getValue());
            } else if (key.endsWith(".indptr")) {
                String name = key.substring(0, key.length() - ".indptr".length());
                long[] shape = parseShape(contents.metadata().get(name + ".shape"), name);
                Csr csr = csr(contents, name, shape);
                out.put(name, new Safetensors.Tensor(shape, csr.toDense()));
            }
        }
        return out;
    }

    private static Csr csr(Safetensors.Contents contents, String name, long[] shape) throws IOException {
        Safetensors.Tensor indptr = contents.tensors().get(name + ".indptr");
        Safetensors.Tensor indices = contents.tensors().get(name + ".indices");
        Safetensors.Tensor values = contents.tensors().get(name + ".values");
        if (indptr.ints() == null || indices == null || indices.ints() == null || values == null
                || values.data() == null) {
            throw new IOException("sparse export: " + name + " needs int .indptr and .indices and float .values");
        }
        long rows = shape[0];
        long cols = 1;
        for (int i = 1; i < shape.length; i++) {
            cols *= shape[i];
        }
        if (rows > Integer.MAX_VALUE || rows * cols > Integer.MAX_VALUE) {
            throw new IOException("sparse export: " + name + " of shape " + Arrays.toString(shape) + " is too large");
        }
        try {
            return new Csr((int) rows, (int) cols, indptr.ints(), indices.ints(), values.data());
        } catch (IllegalArgumentException ex) {
            throw new IOException("sparse export: " + name + ": " + ex.getMessage(), ex);
        }
    }

    private static long[] parseShape(String text, String name) throws IOException {
        if (text == null || !text.matches("\\[\\d+(,\\d+)*]")) {
            throw new IOException("sparse export: metadata " + name + ".shape is " + text + ", expected [d0,d1,...]");
        }
        return Arrays.stream(text.substring(1, text.length() - 1).split(",")).mapToLong(Long::parseLong).toArray();
    }

    /** The network of a model file in either format: dense safetensors (zeros kept) or the sparse export. */
    public static Map<String, Safetensors.Tensor> readDense(Path file) throws IOException {
        Safetensors.Contents contents = Safetensors.read(file);
        return isSparse(contents) ? toDense(contents) : contents.tensors();
    }
}
