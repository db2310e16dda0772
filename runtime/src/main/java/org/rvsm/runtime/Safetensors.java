package org.rvsm.runtime;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The safetensors format (dtypes F32, I32 and U16): an unsigned little-endian 64-bit header length N,
 * N bytes of UTF-8 JSON {"name": {"dtype": "F32", "shape": [...], "data_offsets": [begin, end]}, ...,
 * "__metadata__": {"key": "value"}} padded with spaces to a multiple of 8, then the tensors' bytes,
 * little-endian, row-major, back to back in header order. Loading it never runs code. Python:
 * {@code safetensors.numpy.load_file(path)} or {@code safetensors.torch.load_file(path)}.
 *
 * <p>Writes go to a temporary file in the same directory, then an atomic move.
 */
public final class Safetensors {

    /**
     * One tensor: dtype, shape and row-major values, in {@code data} (F32) or {@code ints} (I32, and
     * U16 whose values must lie in [0, 65535]); the other array is null.
     */
    public record Tensor(String dtype, long[] shape, float[] data, int[] ints) {
        public Tensor {
            long n = 1;
            for (long d : shape) {
                n *= d;
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
                throw new IllegalArgumentException("shape " + java.util.Arrays.toString(shape) + " holds " + n
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

    private static final long MAX_HEADER = 100L << 20;

    private Safetensors() {
    }

    /** Writes the tensors (in map order) and the metadata, atomically. */
    public static void write(Path file, Map<String, Tensor> tensors, Map<String, String> metadata) throws IOException {
        StringBuilder json = new StringBuilder("{");
        long offset = 0;
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            long bytes = (long) e.getValue().elementBytes() * e.getValue().size();
            json.append(quote(e.getKey())).append(":{\"dtype\":\"").append(e.getValue().dtype())
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
            json.append(first ? "" : ",").append(quote(e.getKey())).append(':').append(quote(e.getValue()));
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
                for (Tensor t : tensors.values()) {
                    ByteBuffer data = ByteBuffer.allocate(t.elementBytes() * t.size()).order(ByteOrder.LITTLE_ENDIAN);
                    switch (t.dtype()) {
                        case "F32" -> data.asFloatBuffer().put(t.data());
                        case "I32" -> data.asIntBuffer().put(t.ints());
                        default -> {
                            for (int v : t.ints()) {
                                data.putShort((short) v);
                            }
                            data.flip();
                        }
                    }
                    writeFully(ch, data);
                }
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

    private static final Pattern ENTRY = Pattern.compile(
            "\"((?:[^\"\\\\]|\\\\.)*)\"\\s*:\\s*\\{\\s*\"dtype\"\\s*:\\s*\"([A-Z0-9]+)\"\\s*,\\s*\"shape\"\\s*:\\s*\\[([0-9,\\s]*)\\]"
                    + "\\s*,\\s*\"data_offsets\"\\s*:\\s*\\[\\s*([0-9]+)\\s*,\\s*([0-9]+)\\s*\\]\\s*\\}");
    private static final Pattern META = Pattern.compile("\"((?:[^\"\\\\]|\\\\.)*)\"\\s*:\\s*\"((?:[^\"\\\\]|\\\\.)*)\"");

    /**
     * Reads a file written by {@link #write} (or any safetensors file of F32 tensors whose header
     * lists dtype, shape, data_offsets in that order). Sizes are checked against the file before
     * anything is allocated.
     */
    public static Contents read(Path file) throws IOException {
        long size = Files.size(file);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            if (size < 8) {
                throw new IOException(file + ": not a safetensors file (" + size + " bytes)");
            }
            ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, len, file);
            long headerLength = len.flip().getLong();
            if (headerLength < 2 || headerLength > MAX_HEADER || 8 + headerLength > size) {
                throw new IOException(file + ": header length " + headerLength + " does not fit the file of " + size + " bytes");
            }
            ByteBuffer hb = ByteBuffer.allocate((int) headerLength);
            readFully(ch, hb, file);
            String header = new String(hb.array(), StandardCharsets.UTF_8).strip();
            long dataStart = 8 + headerLength;
            Map<String, Tensor> tensors = new LinkedHashMap<>();
            Matcher m = ENTRY.matcher(header);
            String rest = header;
            while (m.find()) {
                String name = unquote(m.group(1));
                String dtype = m.group(2);
                if (!java.util.List.of("F32", "I32", "U16").contains(dtype)) {
                    throw new IOException(file + ": tensor " + name + " has dtype " + dtype
                            + ", only F32, I32 and U16 are supported");
                }
                String dims = m.group(3).strip();
                long[] shape = dims.isEmpty() ? new long[0]
                        : java.util.Arrays.stream(dims.split(",")).map(String::strip).mapToLong(Long::parseLong).toArray();
                long begin = Long.parseLong(m.group(4));
                long end = Long.parseLong(m.group(5));
                long count = 1;
                for (long d : shape) {
                    count *= d;
                }
                if (end < begin || end - begin != bytesOf(dtype) * count || dataStart + end > size) {
                    throw new IOException(file + ": tensor " + name + " offsets [" + begin + ", " + end
                            + "] do not match its shape or the file size");
                }
                ByteBuffer data = ByteBuffer.allocate((int) (end - begin)).order(ByteOrder.LITTLE_ENDIAN);
                ch.position(dataStart + begin);
                readFully(ch, data, file);
                data.flip();
                Tensor tensor;
                if (dtype.equals("F32")) {
                    float[] values = new float[(int) count];
                    data.asFloatBuffer().get(values);
                    tensor = new Tensor(shape, values);
                } else {
                    int[] values = new int[(int) count];
                    if (dtype.equals("I32")) {
                        data.asIntBuffer().get(values);
                    } else {
                        for (int i = 0; i < values.length; i++) {
                            values[i] = Short.toUnsignedInt(data.getShort());
                        }
                    }
                    tensor = Tensor.ints(dtype, shape, values);
                }
                tensors.put(name, tensor);
                rest = rest.replace(m.group(0), "");
            }
            Map<String, String> metadata = new LinkedHashMap<>();
            int metaAt = rest.indexOf("\"__metadata__\"");
            if (metaAt >= 0) {
                Matcher mm = META.matcher(rest.substring(rest.indexOf('{', metaAt)));
                while (mm.find()) {
                    metadata.put(unquote(mm.group(1)), unquote(mm.group(2)));
                }
            }
            if (tensors.isEmpty()) {
                throw new IOException(file + ": no tensors in the header");
            }
            return new Contents(tensors, metadata);
        }
    }

    private static void readFully(FileChannel ch, ByteBuffer b, Path file) throws IOException {
        while (b.hasRemaining()) {
            if (ch.read(b) < 0) {
                throw new IOException(file + ": truncated");
            }
        }
    }

    private static String quote(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append('"').toString();
    }

    private static String unquote(String s) {
        return s.replace("\\\"", "\"").replace("\\n", "\n").replace("\\\\", "\\");
    }
}
