package org.rvsm.runtime;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.CharBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The safetensors format (https://github.com/huggingface/safetensors, README "Format"), of which this
 * project reads and writes the dtypes F32, I32 and U16: an unsigned little-endian 64-bit header
 * length N, N bytes of UTF-8 JSON {"name": {"dtype": "F32", "shape": [...], "data_offsets": [begin,
 * end]}, ..., "__metadata__": {"key": "value"}} padded with spaces, then the tensors' bytes,
 * little-endian, row-major. Loading it never runs code. Python: {@code
 * safetensors.numpy.load_file(path)} or {@code safetensors.torch.load_file(path)}.
 *
 * <p>{@link #read} is strict: it accepts exactly the files the format allows and the official reader
 * loads (of the three dtypes), and refuses anything else with a one-line {@link IOException} that
 * names the file, the field and the offending value. The rules:
 * <ul>
 * <li>N is at most {@link #MAX_HEADER} (the official bound), checked before anything is allocated,
 *     and 8 + N is at most the file size;
 * <li>the header is valid UTF-8, begins with '{', is one JSON object ({@link SafetensorsHeader}: any
 *     key order, no duplicate keys, exactly dtype, shape and data_offsets per tensor, an optional
 *     {@code __metadata__} object of string to string), followed by spaces (0x20) only;
 * <li>dtype is one of the format's; of those, only F32, I32 and U16 are read here;
 * <li>shape holds non-negative integers whose product (overflow checked) times the dtype's size is
 *     end - begin; data_offsets are [begin, end] with begin &lt;= end;
 * <li>sorted by begin, the tensors' buffers follow each other with no gap or overlap, from 0 to
 *     exactly the end of the file (the byte buffer is entirely indexed, as the format requires);
 * <li>each tensor's element count fits a Java array, and all of them fit this JVM's heap.
 * </ul>
 * A header with no tensor is valid (the format allows it); whether the tensors make a model is for
 * {@link Layers} to say. Tensors come back in header order, which the official Python writer sorts
 * (by dtype, then name), so it need not be the order of the data nor of a model's layers.
 *
 * <p>{@link #write} writes tensors back to back in map order, the header padded with spaces to a
 * multiple of 8, names and metadata as JSON strings that read back exactly; it goes to a temporary
 * file in the same directory, then an atomic move.
 */
public final class Safetensors {

    /**
     * One tensor: dtype, shape and row-major values, in {@code data} (F32) or {@code ints} (I32, and
     * U16 whose values must lie in [0, 65535]); the other array is null.
     */
    public record Tensor(String dtype, long[] shape, float[] data, int[] ints) {
        public Tensor {
            if (dtype == null || shape == null) {
                throw new IllegalArgumentException("a tensor needs a dtype and a shape");
            }
            long n = 1;
            for (long d : shape) {
                if (d < 0) {
                    throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " has a negative dimension");
                }
                try {
                    n = Math.multiplyExact(n, d);
                } catch (ArithmeticException e) {
                    throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " holds more values than a long counts");
                }
            }
            int length;
            switch (dtype) {
                case "F32" -> {
                    if (data == null || ints != null) {
                        throw new IllegalArgumentException("an F32 tensor holds floats only");
                    }
                    length = data.length;
                }
                case "I32", "U16" -> {
                    if (ints == null || data != null) {
                        throw new IllegalArgumentException("an " + dtype + " tensor holds ints only");
                    }
                    if (dtype.equals("U16")) {
                        for (int v : ints) {
                            if (v < 0 || v > 0xFFFF) {
                                throw new IllegalArgumentException("U16 value out of range: " + v);
                            }
                        }
                    }
                    length = ints.length;
                }
                default -> throw new IllegalArgumentException("dtype must be F32, I32 or U16, got " + dtype);
            }
            if (n != length) {
                throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " holds " + n
                        + " values, data has " + length);
            }
        }

        /** A float32 tensor. */
        public Tensor(long[] shape, float[] data) {
            this("F32", shape, data, null);
        }

        /** An I32 or U16 tensor. */
        public static Tensor ints(String dtype, long[] shape, int[] values) {
            return new Tensor(dtype, shape, null, values);
        }

        /** Bytes per element. */
        public int elementBytes() {
            return bytesOf(dtype);
        }

        /** Number of elements. */
        public int size() {
            return data != null ? data.length : ints.length;
        }
    }

    private static int bytesOf(String dtype) {
        return switch (dtype) {
            case "F32", "I32" -> 4;
            case "U16" -> 2;
            default -> throw new IllegalArgumentException("unsupported dtype " + dtype);
        };
    }

    /** What a file holds. */
    public record Contents(Map<String, Tensor> tensors, Map<String, String> metadata) {
    }

    /** Largest header read: the official reader's bound (safetensors/src/tensor.rs, MAX_HEADER_SIZE). */
    public static final long MAX_HEADER = 100_000_000L;

    /** Most elements in one tensor: the largest array length every JVM allocates. */
    public static final int MAX_ELEMENTS = Integer.MAX_VALUE - 8;

    /**
     * The format's dtypes (safetensors/src/tensor.rs, enum Dtype: the 15 of the 0.4 format and the
     * sub-byte, FNUZ and complex ones added since), of which F32, I32 and U16 are read here.
     */
    static final Set<String> FORMAT_DTYPES = Set.of("BOOL", "U8", "I8", "F8_E5M2", "F8_E4M3", "I16", "U16", "F16",
            "BF16", "I32", "U32", "F32", "F64", "I64", "U64", "F4", "F6_E2M3", "F6_E3M2", "F8_E8M0", "F8_E4M3FNUZ",
            "F8_E5M2FNUZ", "C64");

    /** Bytes read or written per call. */
    private static final int CHUNK = 1 << 20;

    private Safetensors() {
    }

    /**
     * Writes the tensors (in map order) and the metadata, atomically.
     *
     * @throws IllegalArgumentException for a null name, tensor, key or value, a tensor named
     *                                  {@code __metadata__}, or a string that is not valid Unicode
     *                                  (an unpaired surrogate), which no safetensors reader accepts
     */
    public static void write(Path file, Map<String, Tensor> tensors, Map<String, String> metadata) throws IOException {
        StringBuilder json = new StringBuilder("{");
        long offset = 0;
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            if (e.getKey() == null || e.getValue() == null) {
                throw new IllegalArgumentException("a tensor name or tensor is null");
            }
            if (e.getKey().equals("__metadata__")) {
                throw new IllegalArgumentException("a tensor cannot be named __metadata__, the header's metadata key");
            }
            long bytes = (long) e.getValue().elementBytes() * e.getValue().size();
            json.append(jsonString(e.getKey(), false)).append(":{\"dtype\":\"").append(e.getValue().dtype())
                    .append("\",\"shape\":[");
            long[] shape = e.getValue().shape();
            for (int i = 0; i < shape.length; i++) {
                json.append(i > 0 ? "," : "").append(shape[i]);
            }
            json.append("],\"data_offsets\":[").append(offset).append(',').append(offset + bytes).append("]},");
            offset += bytes;
        }
        json.append("\"__metadata__\":{");
        boolean first = true;
        for (Map.Entry<String, String> e : metadata.entrySet()) {
            if (e.getKey() == null || e.getValue() == null) {
                throw new IllegalArgumentException("a metadata key or value is null");
            }
            json.append(first ? "" : ",").append(jsonString(e.getKey(), false)).append(':')
                    .append(jsonString(e.getValue(), false));
            first = false;
        }
        json.append("}}");
        byte[] header = json.toString().getBytes(StandardCharsets.UTF_8);
        int padded = (header.length + 7) / 8 * 8;
        Path tmp = AtomicFile.temporarySibling(file);
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer head = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
                head.putLong(padded).put(header);
                while (head.hasRemaining()) {
                    head.put((byte) ' ');
                }
                head.flip();
                writeFully(ch, head);
                ByteBuffer buf = ByteBuffer.allocate(CHUNK).order(ByteOrder.LITTLE_ENDIAN);
                for (Tensor t : tensors.values()) {
                    for (int i = 0; i < t.size(); i++) {
                        if (buf.remaining() < 4) {
                            writeFully(ch, buf.flip());
                            buf.clear();
                        }
                        switch (t.dtype()) {
                            case "F32" -> buf.putFloat(t.data()[i]);
                            case "I32" -> buf.putInt(t.ints()[i]);
                            default -> buf.putShort((short) t.ints()[i]);
                        }
                    }
                }
                writeFully(ch, buf.flip());
                ch.force(true);
            }
            AtomicFile.moveIntoPlace(tmp, file);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static void writeFully(FileChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }

    /**
     * Reads a safetensors file of F32, I32 and U16 tensors, checking it against the format (see the
     * class comment) before anything is allocated.
     *
     * @throws IOException with a one-line message naming the file, the field and the bad value, for
     *                     any file the format does not allow or that holds another dtype
     */
    public static Contents read(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < 8) {
                throw new IOException(file + ": not a safetensors file: " + size
                        + " bytes, fewer than the 8 of the header length");
            }
            ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, len, 0, file);
            long n = len.flip().getLong();
            if (n < 0 || n > MAX_HEADER) {
                throw new IOException(file + ": header length " + Long.toUnsignedString(n) + " exceeds the format's bound of "
                        + MAX_HEADER + " bytes");
            }
            if (n > size - 8) {
                throw new IOException(file + ": header length " + n + " does not fit the file: 8 + " + n + " > " + size
                        + " bytes (truncated?)");
            }
            ByteBuffer hb = ByteBuffer.allocate((int) n);
            readFully(ch, hb, 8, file);
            SafetensorsHeader header = SafetensorsHeader.parse(file, utf8(hb.flip(), file));
            long dataSize = size - 8 - n;
            long[] counts = check(file, header.entries, dataSize);
            Map<String, Tensor> tensors = new LinkedHashMap<>();
            List<SafetensorsHeader.Entry> entries = header.entries;
            for (int i = 0; i < entries.size(); i++) {
                SafetensorsHeader.Entry e = entries.get(i);
                tensors.put(e.name(), tensor(ch, 8 + n + e.begin(), e, (int) counts[i], file));
            }
            return new Contents(tensors, header.metadata);
        }
    }

    /** The header's text: strict UTF-8 (malformed bytes refused, not replaced). */
    private static String utf8(ByteBuffer bytes, Path file) throws IOException {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        CharBuffer out = CharBuffer.allocate(bytes.remaining());
        CoderResult r = decoder.decode(bytes, out, true);
        if (!r.isError()) {
            r = decoder.flush(out);
        }
        if (r.isError()) {
            throw new IOException(file + ": the header is not valid UTF-8: " + r.length()
                    + " malformed byte(s) at byte " + bytes.position() + " of the header");
        }
        return out.flip().toString();
    }

    /**
     * Checks every entry's dtype, size and offsets, and that the buffers tile the data section;
     * returns each entry's element count.
     */
    private static long[] check(Path file, List<SafetensorsHeader.Entry> entries, long dataSize) throws IOException {
        long[] counts = new long[entries.size()];
        long heap = 0;
        for (int i = 0; i < entries.size(); i++) {
            SafetensorsHeader.Entry e = entries.get(i);
            String tensor = file + ": tensor " + SafetensorsHeader.show(e.name());
            if (!FORMAT_DTYPES.contains(e.dtype())) {
                throw new IOException(tensor + ": dtype " + SafetensorsHeader.show(e.dtype()) + " is not a safetensors dtype");
            }
            if (!e.dtype().equals("F32") && !e.dtype().equals("I32") && !e.dtype().equals("U16")) {
                throw new IOException(tensor + ": dtype " + e.dtype()
                        + " is not supported here (supported: F32, I32, U16)");
            }
            long count = 1;
            long bytes;
            try {
                for (long d : e.shape()) {
                    count = Math.multiplyExact(count, d);
                }
                bytes = Math.multiplyExact(count, bytesOf(e.dtype()));
            } catch (ArithmeticException overflow) {
                throw new IOException(tensor + ": shape " + shapeText(e.shape()) + " of " + e.dtype()
                        + " holds more bytes than a 64-bit size counts");
            }
            if (e.begin() > e.end()) {
                throw new IOException(tensor + ": data_offsets [" + e.begin() + ", " + e.end() + "] begin after they end");
            }
            if (e.end() - e.begin() != bytes) {
                throw new IOException(tensor + ": data_offsets [" + e.begin() + ", " + e.end() + "] hold "
                        + (e.end() - e.begin()) + " bytes, but shape " + shapeText(e.shape()) + " of " + e.dtype()
                        + " needs " + bytes);
            }
            if (count > MAX_ELEMENTS) {
                throw new IOException(tensor + ": shape " + shapeText(e.shape()) + " holds " + count
                        + " elements, more than a Java array holds (" + MAX_ELEMENTS + ")");
            }
            counts[i] = count;
            heap += 4 * count; // U16 values are held as ints
        }
        List<SafetensorsHeader.Entry> sorted = new ArrayList<>(entries);
        sorted.sort(Comparator.comparingLong(SafetensorsHeader.Entry::begin).thenComparingLong(SafetensorsHeader.Entry::end));
        long at = 0;
        String previous = null;
        for (SafetensorsHeader.Entry e : sorted) {
            String tensor = file + ": tensor " + SafetensorsHeader.show(e.name()) + ": data_offsets [" + e.begin() + ", "
                    + e.end() + "]";
            if (e.end() > dataSize) {
                throw new IOException(tensor + " end past the data section, which holds " + dataSize
                        + " bytes (file size - 8 - header length; truncated?)");
            }
            if (e.begin() > at) {
                throw new IOException(tensor + " leave the bytes [" + at + ", " + e.begin()
                        + ") of the data section unused; the buffers must follow each other from 0");
            }
            if (e.begin() < at) {
                throw new IOException(tensor + " overlap " + (previous == null ? "" : "tensor " + previous + ", ")
                        + "which ends at " + at);
            }
            at = e.end();
            previous = SafetensorsHeader.show(e.name());
        }
        if (at != dataSize) {
            throw new IOException(file + ": the data section holds " + dataSize + " bytes but the tensors' data_offsets end at "
                    + at + "; the buffer must be entirely indexed");
        }
        if (heap > Runtime.getRuntime().maxMemory() / 2) {
            throw new IOException(file + ": its tensors take " + heap + " bytes, over half of this JVM's heap ("
                    + Runtime.getRuntime().maxMemory() + " bytes; raise -Xmx)");
        }
        return counts;
    }

    private static Tensor tensor(FileChannel ch, long position, SafetensorsHeader.Entry e, int count, Path file)
            throws IOException {
        int size = bytesOf(e.dtype());
        ByteBuffer buf = ByteBuffer.allocate((int) Math.min((long) count * size, CHUNK)).order(ByteOrder.LITTLE_ENDIAN);
        float[] floats = e.dtype().equals("F32") ? new float[count] : null;
        int[] ints = floats == null ? new int[count] : null;
        for (int i = 0; i < count; ) {
            int take = Math.min(count - i, buf.capacity() / size);
            buf.clear().limit(take * size);
            readFully(ch, buf, position, file);
            position += (long) take * size;
            buf.flip();
            switch (e.dtype()) {
                case "F32" -> buf.asFloatBuffer().get(floats, i, take);
                case "I32" -> buf.asIntBuffer().get(ints, i, take);
                default -> {
                    for (int k = 0; k < take; k++) {
                        ints[i + k] = Short.toUnsignedInt(buf.getShort());
                    }
                }
            }
            i += take;
        }
        return new Tensor(e.dtype(), e.shape(), floats, ints);
    }

    private static void readFully(FileChannel ch, ByteBuffer b, long position, Path file) throws IOException {
        while (b.hasRemaining()) {
            int got = ch.read(b, position);
            if (got < 0) {
                throw new IOException(file + ": truncated (the file ended at byte " + position + " while being read)");
            }
            position += got;
        }
    }

    private static String shapeText(long[] shape) {
        return Arrays.toString(shape).replace(" ", "");
    }

    /**
     * s as a JSON string literal: '"' and '\' escaped, control characters as \b \f \n \r \t or a
     * backslash-u00XX escape, everything else as itself (UTF-8 in the file). An unpaired surrogate is
     * not Unicode and no safetensors reader accepts it: refused (IllegalArgumentException), or, when
     * lenient (for messages), written as a backslash-u escape.
     */
    static String jsonString(String s, boolean lenient) {
        StringBuilder sb = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\b' -> sb.append("\\b");
                case '\f' -> sb.append("\\f");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    boolean paired = Character.isHighSurrogate(c) ? i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))
                            : !Character.isLowSurrogate(c) || (i > 0 && Character.isHighSurrogate(s.charAt(i - 1)));
                    if (c < 0x20 || (!paired && lenient)) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else if (!paired) {
                        throw new IllegalArgumentException("string " + jsonString(s.length() > 60 ? s.substring(0, 60) : s, true)
                                + " has an unpaired surrogate at index " + i + ": not Unicode, so not JSON");
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append('"').toString();
    }
}
