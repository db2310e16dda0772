package org.rvsm.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A seeded fuzzer over the whole loading path. From valid files (small lenet300- and lenet5-shaped
 * models, dense and in the sparse export), each case applies one random mutation: truncation, bit
 * flips, byte insertions and deletions in the header, a lying header length, or an edit of the
 * header's JSON (keys swapped, digits changed, entries deleted, duplicated, renamed or nested,
 * dtypes changed, odd numbers, long and escaped strings, deep nesting, metadata edits). Each mutated
 * file must either give a model that runs (one forward pass, logits of the right length) or be
 * refused with an IOException or IllegalArgumentException whose message is one non-empty line;
 * anything else (NullPointerException, ArrayIndexOutOfBoundsException, NumberFormatException,
 * StackOverflowError, OutOfMemoryError, NegativeArraySizeException, ...) fails the test, with the
 * base, the case index, its seed and the mutation. Mutations that keep a file valid (keys permuted,
 * whitespace added, a long metadata string, the metadata moved) must load.
 */
class SafetensorsFuzzTest {

    /** The fixed seed; case i of base b uses SEED + 1,000,003 b + i. */
    static final long SEED = 0x5AFE7E45L;
    /** Cases per base file (4 bases). */
    static final int CASES = 400;

    private static final ObjectMapper JACKSON = new ObjectMapper();
    private static final float[] IMAGES = SparseRuntimeTest.randomImages(3, 99);

    @TempDir
    Path tmp;

    /** A small model of the family: lenet300 784-16-8-10 or lenet5 with 3 and 4 filters, 12 hidden units. */
    static Map<String, Safetensors.Tensor> smallModel(String kind, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        long[][] shapes = kind.equals("lenet300")
                ? new long[][] {{16, 784}, {8, 16}, {10, 8}}
                : new long[][] {{3, 1, 5, 5}, {4, 3, 5, 5}, {12, 64}, {10, 12}};
        String[] names = kind.equals("lenet300")
                ? new String[] {"02Linear", "04Linear", "06Linear"}
                : new String[] {"02Conv2d", "05Conv2d", "09Linear", "11Linear"};
        Map<String, Safetensors.Tensor> model = new LinkedHashMap<>();
        for (int l = 0; l < shapes.length; l++) {
            int n = (int) Arrays.stream(shapes[l]).reduce(1, (a, b) -> a * b);
            float[] w = new float[n];
            for (int i = 0; i < n; i++) {
                w[i] = rng.nextDouble() < 0.7 ? 0.0f : (float) rng.nextGaussian();
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

    private byte[] base(String base) throws IOException {
        String[] kind = base.split(" ");
        Path f = tmp.resolve("base.safetensors");
        Map<String, Safetensors.Tensor> model = smallModel(kind[0], 1);
        Map<String, String> meta = Map.of("model", kind[0]);
        if (kind[1].equals("sparse")) {
            SparseFormat.write(f, model, meta);
        } else {
            Safetensors.write(f, model, meta);
        }
        return Files.readAllBytes(f);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"lenet300 dense", "lenet300 sparse", "lenet5 dense", "lenet5 sparse"})
    @Timeout(120)
    void mutatedFilesLoadAsARunnableModelOrFailWithAOneLineMessage(String base) throws IOException {
        int b = List.of("lenet300 dense", "lenet300 sparse", "lenet5 dense", "lenet5 sparse").indexOf(base);
        byte[] original = base(base);
        Path f = tmp.resolve("mutated.safetensors");
        assertTrue(check(f, original, base + ": the unmutated file"), base + " loads");
        int loaded = 0;
        for (int i = 0; i < CASES; i++) {
            long seed = SEED + 1_000_003L * b + i;
            Mutation m = mutate(original, new SplittableRandom(seed));
            String where = base + ", case " + i + " (seed " + seed + "): " + m.description();
            boolean ok = check(f, m.bytes(), where);
            if (m.staysValid()) {
                assertTrue(ok, where + ": a valid file, refused");
            }
            loaded += ok ? 1 : 0;
        }
        // the mutations reach both outcomes: neither everything refused, nor nothing
        assertTrue(loaded >= CASES / 20 && loaded <= CASES - CASES / 20, base + ": " + loaded + " of " + CASES + " loaded");
    }

    /**
     * Loads the bytes both ways (readDense with its checks; Safetensors.read, toDense, Layers.ofTensors
     * and SparseNetwork.of without them): each must run or fail cleanly, and both must agree.
     */
    private static boolean check(Path f, byte[] bytes, String where) throws IOException {
        Files.write(f, bytes);
        boolean viaReadDense = attempt(where + " [readDense]", () -> SparseNetwork.of(SparseFormat.readDense(f), 1));
        boolean direct = attempt(where + " [read, toDense, ofTensors, SparseNetwork.of]", () -> {
            Safetensors.Contents c = Safetensors.read(f);
            Map<String, Safetensors.Tensor> t = SparseFormat.isSparse(c) ? SparseFormat.toDense(c) : c.tensors();
            Layers.ofTensors(t);
            return SparseNetwork.of(t, 1);
        });
        assertEquals(viaReadDense, direct, where + ": the two paths disagree");
        return viaReadDense;
    }

    interface Load {
        SparseNetwork get() throws IOException;
    }

    /** True when the load gives a network that runs; false when it is refused cleanly; fails otherwise. */
    private static boolean attempt(String where, Load load) {
        SparseNetwork net;
        try {
            net = load.get();
        } catch (IOException | IllegalArgumentException e) {
            String m = e.getMessage();
            if (m == null || m.isBlank() || m.contains("\n") || m.contains("\r") || m.length() > 2000) {
                throw new AssertionError(where + ": refused without a one-line message: " + e, e);
            }
            return false;
        } catch (Throwable t) {
            throw new AssertionError(where + ": threw " + t, t);
        }
        try {
            int k = net.classes();
            assertTrue(k >= 1, where + ": " + k + " classes");
            assertEquals(k, net.logits(IMAGES, 1).length, where + ": logits of one image");
            assertEquals(3 * k, net.logits(IMAGES, 3).length, where + ": logits of three images");
        } catch (Throwable t) {
            throw new AssertionError(where + ": loaded, but the forward pass threw " + t, t);
        }
        return true;
    }

    // ---- mutations -----------------------------------------------------------------------------

    record Mutation(String description, byte[] bytes, boolean staysValid) {
    }

    /** A JSON object as members in order: raw key literal, and a raw value or a nested object. */
    record Member(String key, Object value) {
    }

    private static final String[] DTYPES = {"F32", "I32", "U16", "F64", "BF16", "F16", "I8", "U8", "BOOL", "I64", "XYZ", "f32", ""};
    private static final String[] NUMBERS = {"0", "1", "-1", "-0", "01", "1.0", "1e3", "+4", "99999999999999999999",
        "9223372036854775807", "9223372036854775808", "4294967296", "2147483647", "\"4\"", "null", "[]", "{}", "true"};
    private static final String[] SHAPES = {"[99999999999999999999,784]", "[-1,784]", "[]", "", "[0,784]", "[16,0]", "[16]",
        "[16,784,1]", "[16, 784]", "[2147483647,2]", "[2147483648,1]", "[4294967296,1]", "[16,784", "[16,,784]", "x",
        "[1,1,1,1]", "[16,7840]", "[17,784]", "[10,2147483647]", "[" + "1,".repeat(3000) + "1]"};
    private static final String[] NAMES = {"\"\"", "\"__metadata__\"", "\"02Linear_weight\"", "\"04Linear_bias\"",
        "\"09Linear_weight\"", "\"a\\nb_weight\"", "\"x\\u0000_weight\"", "\"\\ud800\"", "\"\\ud83d\\ude00_weight\"",
        "\"02Linear_weight.indptr\"", "\"04Linear_weight.values\"", "\"x.indices\"", "\"caf\u00e9_bias\""};

    static Mutation mutate(byte[] original, SplittableRandom rng) {
        ByteBuffer b = ByteBuffer.wrap(original).order(ByteOrder.LITTLE_ENDIAN);
        int n = (int) b.getLong(0);
        byte[] data = Arrays.copyOfRange(original, 8 + n, original.length);
        String header = new String(original, 8, n, StandardCharsets.UTF_8);
        switch (rng.nextInt(8)) {
            case 0 -> {
                int len = rng.nextBoolean() ? rng.nextInt(Math.min(original.length, 16 + n)) : rng.nextInt(original.length);
                return new Mutation("truncated to " + len + " bytes", Arrays.copyOf(original, len), false);
            }
            case 1 -> {
                byte[] out = original.clone();
                StringBuilder d = new StringBuilder("bits flipped at");
                for (int k = 1 + rng.nextInt(3); k > 0; k--) {
                    int at = rng.nextInt(4) == 0 ? rng.nextInt(out.length) : 8 + rng.nextInt(n);
                    out[at] ^= (byte) (1 << rng.nextInt(8));
                    d.append(' ').append(at);
                }
                return new Mutation(d.toString(), out, false);
            }
            case 2 -> {
                byte[] h = Arrays.copyOfRange(original, 8, 8 + n);
                int at = rng.nextInt(h.length + 1);
                byte[] ins = new byte[1 + rng.nextInt(4)];
                String pool = "{}[]\",:\\ 0123456789-.eEuaz_\n\t";
                for (int k = 0; k < ins.length; k++) {
                    ins[k] = rng.nextInt(5) == 0 ? (byte) rng.nextInt(256) : (byte) pool.charAt(rng.nextInt(pool.length()));
                }
                byte[] nh = new byte[h.length + ins.length];
                System.arraycopy(h, 0, nh, 0, at);
                System.arraycopy(ins, 0, nh, at, ins.length);
                System.arraycopy(h, at, nh, at + ins.length, h.length - at);
                boolean fix = rng.nextBoolean();
                return new Mutation("inserted " + Arrays.toString(ins) + " at header byte " + at + (fix ? "" : ", length stale"),
                        assemble(nh, fix ? nh.length : n, data), false);
            }
            case 3 -> {
                byte[] h = Arrays.copyOfRange(original, 8, 8 + n);
                int at = rng.nextInt(h.length);
                int len = 1 + rng.nextInt(Math.min(8, h.length - at));
                byte[] nh = new byte[h.length - len];
                System.arraycopy(h, 0, nh, 0, at);
                System.arraycopy(h, at + len, nh, at, h.length - at - len);
                boolean fix = rng.nextBoolean();
                return new Mutation("deleted " + len + " header bytes at " + at + (fix ? "" : ", length stale"),
                        assemble(nh, fix ? nh.length : n, data), false);
            }
            case 4 -> {
                long[] lies = {0, 1, 2, n - 1, n + 1, n + 8, original.length - 8, original.length, 100_000_000L, 100_000_001L,
                    -1L, Long.MIN_VALUE, Long.MAX_VALUE, rng.nextLong(), rng.nextInt(1 << 20)};
                long lie = lies[rng.nextInt(lies.length)];
                byte[] out = original.clone();
                ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN).putLong(0, lie);
                return new Mutation("header length set to " + Long.toUnsignedString(lie), out, false);
            }
            default -> {
                return edit(parse(header), data, rng);
            }
        }
    }

    /** The length field, the header padded with spaces to a multiple of 8, the data. */
    private static byte[] assemble(byte[] header, long n, byte[] data) {
        int padded = (header.length + 7) / 8 * 8;
        ByteBuffer out = ByteBuffer.allocate(8 + padded + data.length).order(ByteOrder.LITTLE_ENDIAN);
        out.putLong(n == header.length ? padded : n).put(header);
        while (out.position() < 8 + padded) {
            out.put((byte) ' ');
        }
        return out.put(data).array();
    }

    private static List<Member> parse(String header) {
        try {
            return members(JACKSON.readTree(header));
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static List<Member> members(JsonNode object) throws IOException {
        List<Member> out = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = object.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            out.add(new Member(JACKSON.writeValueAsString(e.getKey()),
                    e.getValue().isObject() ? members(e.getValue()) : e.getValue().toString()));
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    private static String render(List<Member> object, String space) {
        StringBuilder sb = new StringBuilder("{");
        for (int i = 0; i < object.size(); i++) {
            Member m = object.get(i);
            sb.append(i > 0 ? "," + space : space).append(m.key()).append(':').append(space)
                    .append(m.value() instanceof List<?> l ? render((List<Member>) l, space) : m.value());
        }
        return sb.append(space).append('}').toString();
    }

    @SuppressWarnings("unchecked")
    private static Mutation edit(List<Member> top, byte[] data, SplittableRandom rng) {
        List<Integer> tensors = new ArrayList<>();
        int meta = -1;
        for (int i = 0; i < top.size(); i++) {
            if (top.get(i).key().equals("\"__metadata__\"")) {
                meta = i;
            } else {
                tensors.add(i);
            }
        }
        int t = tensors.get(rng.nextInt(tensors.size()));
        List<Member> entry = (List<Member>) top.get(t).value();
        List<Member> metadata = (List<Member>) top.get(meta).value();
        String tensor = top.get(t).key();
        String what;
        boolean valid = false;
        String space = "";
        switch (rng.nextInt(16)) {
            case 0 -> {
                Collections.shuffle(entry, new java.util.Random(rng.nextLong()));
                what = "keys of " + tensor + " permuted";
                valid = true;
            }
            case 1 -> {
                Member m = top.remove(meta);
                top.add(rng.nextInt(top.size() + 1), m);
                what = "__metadata__ moved";
                valid = true;
            }
            case 2 -> {
                int len = rng.nextInt(4) == 0 ? 100_000 : 1 + rng.nextInt(3000);
                StringBuilder s = new StringBuilder("\"");
                for (int k = 0; k < len; k++) {
                    s.append(switch (rng.nextInt(8)) {
                        case 0 -> "\\n";
                        case 1 -> "\\\"";
                        case 2 -> "\\u00e9";
                        case 3 -> "\u65e5";
                        default -> "x";
                    });
                }
                metadata.add(new Member("\"fuzz\"", s.append('"').toString()));
                what = "a metadata string of " + len + " units";
                valid = true;
            }
            case 3 -> {
                space = new String[] {" ", "\n", "\t", "\r\n  "}[rng.nextInt(4)];
                what = "whitespace " + JACKSON.valueToTree(space) + " between tokens";
                valid = true;
            }
            case 4 -> {
                Member m = entry.get(rng.nextInt(entry.size()));
                String v = (String) m.value();
                List<Integer> digits = new ArrayList<>();
                for (int k = 0; k < v.length(); k++) {
                    if (Character.isDigit(v.charAt(k))) {
                        digits.add(k);
                    }
                }
                if (digits.isEmpty()) {
                    what = "nothing (no digit in " + m.key() + ")";
                    valid = true;
                } else {
                    int at = digits.get(rng.nextInt(digits.size()));
                    String nv = v.substring(0, at) + (char) ('0' + rng.nextInt(10)) + v.substring(at + 1);
                    entry.set(entry.indexOf(m), new Member(m.key(), nv));
                    what = tensor + " " + m.key() + " " + v + " -> " + nv;
                }
            }
            case 5 -> {
                int k = rng.nextInt(entry.size());
                Member m = entry.get(k);
                String v = (String) m.value();
                String nv = m.key().equals("\"dtype\"") ? "\"" + DTYPES[rng.nextInt(DTYPES.length)] + "\""
                        : v.replaceFirst("[0-9]+", NUMBERS[rng.nextInt(NUMBERS.length)]);
                entry.set(k, new Member(m.key(), nv));
                what = tensor + " " + m.key() + " " + v + " -> " + nv;
            }
            case 6 -> {
                top.remove(t);
                what = tensor + " deleted";
            }
            case 7 -> {
                top.add(rng.nextInt(top.size() + 1), top.get(t));
                what = tensor + " duplicated";
            }
            case 8 -> {
                String name = NAMES[rng.nextInt(NAMES.length)];
                top.set(t, new Member(name, entry));
                what = tensor + " renamed " + name;
            }
            case 9 -> {
                Collections.shuffle(top, new java.util.Random(rng.nextLong()));
                what = "the top-level members shuffled";
            }
            case 10 -> {
                if (rng.nextBoolean()) {
                    entry.add(rng.nextInt(entry.size() + 1), new Member("\"extra\"", "1"));
                    what = tensor + " given an unknown key";
                } else {
                    top.set(t, new Member("\"outer\"", List.of(new Member(tensor, entry))));
                    what = tensor + " nested under \"outer\"";
                }
            }
            case 11 -> {
                int k = rng.nextInt(entry.size());
                int depth = 1 + rng.nextInt(20_000);
                entry.set(k, new Member(entry.get(k).key(), "[".repeat(depth) + "]".repeat(depth)));
                what = tensor + " " + entry.get(k).key() + " nested " + depth + " deep";
            }
            case 12 -> {
                if (metadata.isEmpty() || rng.nextInt(4) == 0) {
                    top.remove(meta);
                    what = "__metadata__ deleted";
                } else {
                    int k = rng.nextInt(metadata.size());
                    String v = SHAPES[rng.nextInt(SHAPES.length)];
                    metadata.set(k, new Member(metadata.get(k).key(), JACKSON.valueToTree(v).toString()));
                    what = "metadata " + metadata.get(k).key() + " set to " + (v.length() > 40 ? v.substring(0, 40) + "..." : v);
                }
            }
            case 13 -> {
                String[] values = {"1", "null", "{}", "[\"a\"]", "{\"a\":\"b\"}", "\"x\""};
                if (rng.nextBoolean()) {
                    top.set(meta, new Member("\"__metadata__\"", values[rng.nextInt(values.length)]));
                    what = "__metadata__ replaced by " + top.get(meta).value();
                } else {
                    top.set(t, new Member(tensor, values[rng.nextInt(values.length)]));
                    what = tensor + " replaced by " + top.get(t).value();
                }
            }
            case 14 -> {
                int k = rng.nextInt(entry.size());
                Member m = entry.remove(k);
                what = tensor + " lost its " + m.key();
            }
            default -> {
                // swap the offsets of two tensors: sizes or order now lie
                int u = tensors.get(rng.nextInt(tensors.size()));
                List<Member> other = (List<Member>) top.get(u).value();
                int a = indexOf(entry, "\"data_offsets\"");
                int c = indexOf(other, "\"data_offsets\"");
                Member ma = entry.get(a);
                entry.set(a, new Member(ma.key(), other.get(c).value()));
                other.set(c, new Member(ma.key(), ma.value()));
                what = "data_offsets of " + tensor + " and " + top.get(u).key() + " swapped";
                valid = u == t;
            }
        }
        byte[] header = render(top, space).getBytes(StandardCharsets.UTF_8);
        boolean stale = !valid && rng.nextInt(10) == 0;
        return new Mutation(what + (stale ? ", length stale" : ""), assemble(header, stale ? header.length + 8 : header.length, data),
                valid);
    }

    private static int indexOf(List<Member> entry, String key) {
        for (int i = 0; i < entry.size(); i++) {
            if (entry.get(i).key().equals(key)) {
                return i;
            }
        }
        throw new AssertionError(key);
    }
}
