package org.rvsm.runtime;

/**
 * A compressed sparse row matrix: row r holds the entries k in [indptr[r], indptr[r+1]), at columns
 * indices[k] (ascending) with values values[k]. A weight tensor of shape (out, d1, d2, ...) is seen as
 * the matrix (out, d1 * d2 * ...): one row per output neuron or conv filter, columns in row-major
 * order of the remaining dimensions.
 *
 * @param rows    number of rows
 * @param cols    number of columns
 * @param indptr  rows + 1 offsets, indptr[0] = 0, non-decreasing, indptr[rows] = nnz
 * @param indices nnz column indices, ascending within a row, in [0, cols)
 * @param values  nnz values (no zeros when built by {@link #of})
 */
public record Csr(int rows, int cols, int[] indptr, int[] indices, float[] values) {

    public Csr {
        if (indptr == null || indices == null || values == null) {
            throw new IllegalArgumentException("CSR: indptr, indices and values are all needed");
        }
        if (rows < 0 || cols < 0 || rows == Integer.MAX_VALUE) {
            throw new IllegalArgumentException("CSR: " + rows + " x " + cols + " is not a matrix size");
        }
        if (indptr.length != rows + 1 || indptr[0] != 0 || indices.length != values.length
                || indptr[rows] != values.length) {
            throw new IllegalArgumentException("CSR: indptr must have rows + 1 = " + (rows + 1)
                    + " entries from 0 to nnz = " + values.length + " (and indices as many as values)");
        }
        for (int r = 0; r < rows; r++) {
            if (indptr[r + 1] < indptr[r] || indptr[r + 1] > values.length) {
                throw new IllegalArgumentException("CSR: indptr decreases at row " + r + " or passes nnz = " + values.length);
            }
            for (int k = indptr[r]; k < indptr[r + 1]; k++) {
                if (indices[k] < 0 || indices[k] >= cols || (k > indptr[r] && indices[k] <= indices[k - 1])) {
                    throw new IllegalArgumentException("CSR: column index " + indices[k] + " at entry " + k
                            + " is out of [0, " + cols + ") or not ascending in row " + r);
                }
            }
        }
    }

    /** The non-zero entries of a dense row-major (rows x cols) matrix. */
    public static Csr of(float[] dense, int rows, int cols) {
        if (dense == null) {
            throw new IllegalArgumentException("CSR: no values");
        }
        if (rows < 0 || cols < 0 || rows == Integer.MAX_VALUE || (long) rows * cols != dense.length) {
            throw new IllegalArgumentException("CSR: " + rows + " x " + cols + " does not match " + dense.length + " values");
        }
        int nnz = 0;
        for (float v : dense) {
            nnz += v != 0.0f ? 1 : 0;
        }
        int[] indptr = new int[rows + 1];
        int[] indices = new int[nnz];
        float[] values = new float[nnz];
        int k = 0;
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                float v = dense[r * cols + c];
                if (v != 0.0f) {
                    indices[k] = c;
                    values[k++] = v;
                }
            }
            indptr[r + 1] = k;
        }
        return new Csr(rows, cols, indptr, indices, values);
    }

    /** The dense row-major matrix (zeros where no entry is stored). */
    public float[] toDense() {
        if ((long) rows * cols > Safetensors.MAX_ELEMENTS) {
            throw new IllegalArgumentException("CSR: " + rows + " x " + cols + " holds more values than a Java array");
        }
        float[] out = new float[rows * cols];
        for (int r = 0; r < rows; r++) {
            for (int k = indptr[r]; k < indptr[r + 1]; k++) {
                out[r * cols + indices[k]] = values[k];
            }
        }
        return out;
    }

    /** Number of stored entries. */
    public int nnz() {
        return values.length;
    }
}
