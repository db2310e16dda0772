package org.rvsm.nn.data;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;

/**
 * A strict reader of the IDX format (the MNIST family): a 4-byte magic 0x00 0x00 type rank, then rank
 * big-endian int32 dimensions, then the data. Only unsigned bytes (type 0x08) are supported, which is
 * what MNIST and Fashion-MNIST use.
 *
 * <p>Everything is checked before anything large is allocated: the magic, the rank (1 to 4), that each
 * dimension is positive, that their product fits in an array and under {@link #MAX_ENTRIES}, and that
 * the file holds exactly that many bytes: the file size for raw files, and the gzip trailer's
 * uncompressed size (ISIZE) for .gz files. The data is then read in full; a stream that ends early or
 * has bytes left over is rejected. Every error is an {@link IdxException} naming the file.
 */
public final class IdxFile {

    /** The largest number of entries accepted (256 Mi): far above MNIST's 47 M, far below the heap. */
    public static final long MAX_ENTRIES = 1L << 28;

    private static final int UNSIGNED_BYTE = 0x08;

    private final int[] dims;
    private final byte[] data;

    private IdxFile(int[] dims, byte[] data) {
        this.dims = dims;
        this.data = data;
    }

    /** The dimensions, e.g. (60000, 28, 28). */
    public int[] dims() {
        return dims.clone();
    }

    /** The raw unsigned bytes, row-major. Not copied. */
    public byte[] data() {
        return data;
    }

    /** Reads a raw or gzip-compressed IDX file of unsigned bytes. */
    public static IdxFile read(Path file) throws IdxException {
        if (!Files.isRegularFile(file)) {
            throw new IdxException(file, "no such file");
        }
        try {
            boolean gzip = isGzip(file);
            long fileSize = Files.size(file);
            long available = gzip ? gzipUncompressedSize(file) : fileSize;
            try (InputStream raw = Files.newInputStream(file);
                 DataInputStream in = new DataInputStream(new BufferedInputStream(
                         gzip ? new GZIPInputStream(raw, 1 << 16) : raw, 1 << 16))) {
                int magic = readHeaderInt(in, file, "magic number");
                if ((magic >>> 16) != 0) {
                    throw new IdxException(file, String.format("bad magic number 0x%08x (an IDX file starts with "
                            + "0x0000, then the type and the rank)", magic));
                }
                int type = (magic >>> 8) & 0xff;
                int rank = magic & 0xff;
                if (type != UNSIGNED_BYTE) {
                    throw new IdxException(file, String.format("data type 0x%02x is not supported (only unsigned "
                            + "bytes, 0x08)", type));
                }
                if (rank < 1 || rank > 4) {
                    throw new IdxException(file, "rank " + rank + " is not supported (1 to 4)");
                }
                int[] dims = new int[rank];
                long entries = 1;
                for (int i = 0; i < rank; i++) {
                    dims[i] = readHeaderInt(in, file, "dimension " + i);
                    if (dims[i] <= 0) {
                        throw new IdxException(file, "dimension " + i + " is " + dims[i] + ", must be positive");
                    }
                    entries *= dims[i];
                    if (entries > MAX_ENTRIES) {
                        throw new IdxException(file, "the header claims more than " + MAX_ENTRIES
                                + " entries " + Arrays.toString(Arrays.copyOf(dims, i + 1)) + ", refusing");
                    }
                }
                long header = 4L + 4L * rank;
                // gzip's ISIZE is the uncompressed size modulo 2^32; every accepted size is below 2^32
                long expected = header + entries;
                long actual = gzip ? available : fileSize;
                if (actual != expected) {
                    throw new IdxException(file, "the header " + Arrays.toString(dims) + " needs " + expected
                            + " bytes but the " + (gzip ? "uncompressed data has " : "file has ") + actual
                            + (actual < expected ? " (truncated?)" : " (bytes left over)"));
                }
                byte[] data = new byte[(int) entries];
                try {
                    in.readFully(data);
                } catch (EOFException e) {
                    throw new IdxException(file, "truncated: the data ends before " + entries + " bytes");
                }
                if (in.read() != -1) {
                    throw new IdxException(file, "bytes left over after " + entries + " data bytes");
                }
                return new IdxFile(dims, data);
            }
        } catch (java.util.zip.ZipException e) {
            throw new IdxException(file, "corrupt gzip data (" + e.getMessage() + ")");
        } catch (EOFException e) {
            throw new IdxException(file, "truncated (unexpected end of file)");
        } catch (IOException e) {
            throw new IdxException(file, "cannot read (" + e.getMessage() + ")");
        }
    }

    private static int readHeaderInt(DataInputStream in, Path file, String what) throws IOException {
        try {
            return in.readInt();
        } catch (EOFException e) {
            throw new IdxException(file, "truncated: the header ends before its " + what);
        }
    }

    private static boolean isGzip(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return in.read() == 0x1f && in.read() == 0x8b;
        }
    }

    /** The ISIZE field: the last 4 bytes of a gzip file, little-endian. */
    private static long gzipUncompressedSize(Path file) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
            if (f.length() < 18) {
                throw new IdxException(file, "truncated gzip file (" + f.length() + " bytes)");
            }
            f.seek(f.length() - 4);
            int b0 = f.read();
            int b1 = f.read();
            int b2 = f.read();
            int b3 = f.read();
            return (b0 | (b1 << 8) | (b2 << 16) | ((long) b3 << 24)) & 0xffffffffL;
        }
    }

    /** A problem with an IDX file; the message names the file. */
    public static final class IdxException extends IOException {
        private static final long serialVersionUID = 1L;

        public IdxException(Path file, String problem) {
            super(file + ": " + problem);
        }
    }
}
