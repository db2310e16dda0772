package org.rvsm.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The reader's rules, one small hand-made file each (the format: huggingface/safetensors README,
 * "Format", and the checks of its Rust reader, safetensors/src/tensor.rs), and the writer's quoting.
 * Every refusal must be an IOException whose one-line message names the file, the field and the bad
 * value.
 */
class SafetensorsRulesTest {

    @TempDir
    Path tmp;

    /** Jackson, with room for the 100,000-character names of the tests. */
    private static final ObjectMapper JACKSON = new ObjectMapper(JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxNameLength(1 << 20).maxStringLength(1 << 24).build())
            .build());

    private int files;

    /** A file: N = the header's UTF-8 length (no padding), the header, then dataBytes bytes 0, 1, 2, ... */
    private Path file(String header, int dataBytes) throws IOException {
        return file(header.getBytes(StandardCharsets.UTF_8), dataBytes);
    }

    private Path file(byte[] header, int dataBytes) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(8 + header.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(header.length).put(header);
        for (int i = 0; i < dataBytes; i++) {
            b.put((byte) i);
        }
        return raw(b.array());
    }

    private Path raw(byte[] bytes) throws IOException {
        Path f = tmp.resolve("f" + files++ + ".safetensors");
        Files.write(f, bytes);
        return f;
    }

    /** The reader refuses the file with a one-line message naming the file and each fragment. */
    private static IOException refused(Path f, String... fragments) {
        IOException e = assertThrows(IOException.class, () -> Safetensors.read(f));
        String m = e.getMessage();
        assertTrue(m.startsWith(f.toString() + ": "), "names the file: " + m);
        assertFalse(m.contains("\n") || m.contains("\r"), "one line: " + m);
        for (String fragment : fragments) {
            assertTrue(m.contains(fragment), "mentions " + fragment + ": " + m);
        }
        return e;
    }

    private static String entry(String name, String dtype, String shape, long begin, long end) {
        return "\"" + name + "\":{\"dtype\":\"" + dtype + "\",\"shape\":" + shape + ",\"data_offsets\":[" + begin + "," + end + "]}";
    }

    // ---- the header length --------------------------------------------------------------------

    @Test
    void headerLengthMustFitTheFileAndTheBound() throws IOException {
        refused(raw(new byte[] {2, 0, 0}), "3 bytes", "fewer than the 8");
        byte[] all = new byte[16];
        java.util.Arrays.fill(all, 0, 8, (byte) 0xff); // N = 2^64 - 1, unsigned
        refused(raw(all), "header length 18446744073709551615", "bound of 100000000");
        ByteBuffer b = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN).putLong(100_000_001L);
        refused(raw(b.array()), "header length 100000001", "bound");
        // within the bound but past the end of this 64-byte file: refused before allocating 100 MB
        b = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN).putLong(100_000_000L);
        refused(raw(b.array()), "header length 100000000", "does not fit", "64 bytes");
        b = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(9).put("{}      ".getBytes(StandardCharsets.UTF_8));
        refused(raw(b.array()), "header length 9", "8 + 9 > 16");
        refused(file("", 0), "must begin with '{'", "the end of the header");
    }

    // ---- UTF-8, the opening brace and the padding --------------------------------------------

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformedUtf8")
    void headerMustBeUtf8(String what, byte[] bad) throws IOException {
        ByteArrayOutputStream h = new ByteArrayOutputStream();
        h.writeBytes("{\"__metadata__\":{\"k\":\"".getBytes(StandardCharsets.UTF_8));
        h.writeBytes(bad);
        h.writeBytes("\"}}".getBytes(StandardCharsets.UTF_8));
        refused(file(h.toByteArray(), 0), "not valid UTF-8", "at byte 22");
    }

    static Stream<Arguments> malformedUtf8() {
        return Stream.of(
                Arguments.of("lone continuation byte", new byte[] {(byte) 0x80}),
                Arguments.of("truncated 2-byte sequence", new byte[] {(byte) 0xc3, 0x28}),
                Arguments.of("overlong '/'", new byte[] {(byte) 0xc0, (byte) 0xaf}),
                Arguments.of("encoded surrogate U+D800", new byte[] {(byte) 0xed, (byte) 0xa0, (byte) 0x80}),
                Arguments.of("beyond U+10FFFF", new byte[] {(byte) 0xf4, (byte) 0x90, (byte) 0x80, (byte) 0x80}),
                Arguments.of("0xff", new byte[] {(byte) 0xff}));
    }

    @Test
    void headerMustBeginWithABraceAndEndWithSpacesOnly() throws IOException {
        refused(file(" {}", 0), "must begin with '{'", "(at character 0");
        refused(file("\ufeff{}", 0), "must begin with '{'"); // a byte-order mark
        refused(file("[]", 0), "must begin with '{'", "an array");
        refused(file("{}\n", 0), "only spaces (0x20)", "\"\\n\"");
        refused(file("{}  x", 0), "only spaces (0x20)", "\"x\"");
        refused(file("{}{}", 0), "only spaces (0x20)", "an object");
        refused(file("{}\u0000", 0), "only spaces (0x20)", "\"\\u0000\"");
        refused(file("{", 0), "expected a tensor name", "the end of the header");
        assertTrue(Safetensors.read(file("{}       ", 0)).tensors().isEmpty(), "padding with spaces");
        assertTrue(Safetensors.read(file("{ \t\r\n}", 0)).tensors().isEmpty(), "JSON whitespace inside the object");
    }

    // ---- JSON syntax -------------------------------------------------------------------------

    @ParameterizedTest(name = "{0}")
    @MethodSource("badJson")
    void malformedJsonIsRefused(String what, String header, String fragment) throws IOException {
        refused(file(header, 4), fragment);
    }

    static Stream<Arguments> badJson() {
        String w = entry("w", "F32", "[1]", 0, 4);
        return Stream.of(
                Arguments.of("trailing comma", "{" + w + ",}", "expected a tensor name (a string), found '}'"),
                Arguments.of("trailing comma in an array", "{\"w\":{\"dtype\":\"F32\",\"shape\":[1,],\"data_offsets\":[0,4]}}",
                        "tensor \"w\": shape[1] must be a non-negative integer, found ']'"),
                Arguments.of("missing comma", "{" + w + " " + w.replace("\"w\"", "\"v\"") + "}", "expected ',' or '}'"),
                Arguments.of("missing colon", "{\"w\" {}}", "expected ':' after tensor name \"w\""),
                Arguments.of("single quotes", "{'w':{}}", "expected a tensor name (a string), found \"'w'\""),
                Arguments.of("unterminated string", "{\"w", "unterminated string"),
                Arguments.of("unterminated object", "{" + w, "expected ',' or '}' after the entry of \"w\", found the end"),
                Arguments.of("raw newline in a name", "{\"a\nb\":1}", "raw control character U+000A"),
                Arguments.of("raw tab in a name", "{\"a\tb\":1}", "raw control character U+0009"),
                Arguments.of("invalid escape", "{\"a\\xb\":1}", "invalid escape \"\\\\x\""),
                Arguments.of("bad hex escape", "{\"a\\u12G4\":1}", "invalid escape \"\\\\u12G4\""),
                Arguments.of("non-ASCII digit in an escape", "{\"a\\u12\u0663\u0664\":1}", "invalid escape"),
                Arguments.of("truncated escape", "{\"a\\u12", "truncated \\u escape"),
                Arguments.of("lone high surrogate", "{\"a\\ud800\":1}", "lone surrogate \\uD800"),
                Arguments.of("lone low surrogate", "{\"a\\udc00b\":1}", "lone surrogate \\uDC00"),
                Arguments.of("high surrogate then not low", "{\"a\\ud800\\u0041\":1}", "lone surrogate \\uD800"),
                Arguments.of("a value that is not an entry", "{\"w\":5}", "tensor \"w\" must be an object"),
                Arguments.of("null entry", "{\"w\":null}", "tensor \"w\" must be an object"),
                Arguments.of("duplicate tensor", "{" + w + "," + w + "}", "tensor \"w\" appears twice"),
                Arguments.of("duplicate key in an entry",
                        "{\"w\":{\"dtype\":\"F32\",\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}",
                        "tensor \"w\": key \"dtype\" appears twice"),
                Arguments.of("unknown key in an entry",
                        "{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4],\"extra\":1}}",
                        "tensor \"w\" has the unknown key \"extra\""),
                Arguments.of("a tensor nested under an unknown key", "{\"outer\":{" + w + "}}",
                        "tensor \"outer\" has the unknown key \"w\""),
                Arguments.of("missing shape", "{\"w\":{\"dtype\":\"F32\",\"data_offsets\":[0,4]}}",
                        "tensor \"w\" has no key \"shape\""),
                Arguments.of("missing dtype", "{\"w\":{\"shape\":[1],\"data_offsets\":[0,4]}}", "tensor \"w\" has no key \"dtype\""),
                Arguments.of("missing data_offsets", "{\"w\":{\"shape\":[1],\"dtype\":\"F32\"}}",
                        "tensor \"w\" has no key \"data_offsets\""),
                Arguments.of("empty entry", "{\"w\":{}}", "tensor \"w\" has no key \"dtype\""),
                Arguments.of("dtype not a string", "{\"w\":{\"dtype\":32,\"shape\":[1],\"data_offsets\":[0,4]}}",
                        "tensor \"w\": dtype must be a string, found \"32\""),
                Arguments.of("shape not an array", "{\"w\":{\"dtype\":\"F32\",\"shape\":1,\"data_offsets\":[0,4]}}",
                        "tensor \"w\": shape must be an array of non-negative integers, found \"1\""),
                Arguments.of("shape of strings", "{\"w\":{\"dtype\":\"F32\",\"shape\":[\"1\"],\"data_offsets\":[0,4]}}",
                        "tensor \"w\": shape[0] must be a non-negative integer, found a string"),
                Arguments.of("metadata not an object", "{\"__metadata__\":\"x\"," + w + "}",
                        "__metadata__ must be an object of string to string, found a string"),
                Arguments.of("metadata null", "{\"__metadata__\":null," + w + "}", "__metadata__ must be an object"),
                Arguments.of("metadata value a number", "{\"__metadata__\":{\"k\":1}," + w + "}",
                        "__metadata__ \"k\": the value must be a string, found \"1\""),
                Arguments.of("metadata value an object", "{\"__metadata__\":{\"k\":{}}," + w + "}",
                        "__metadata__ \"k\": the value must be a string, found an object"),
                Arguments.of("metadata twice", "{\"__metadata__\":{},\"__metadata__\":{}," + w + "}",
                        "the key \"__metadata__\" appears twice"),
                Arguments.of("metadata key twice", "{\"__metadata__\":{\"k\":\"a\",\"k\":\"b\"}," + w + "}",
                        "__metadata__ key \"k\" appears twice"));
    }

    @Test
    void deepNestingIsRefusedWithoutRecursion() throws IOException {
        String deep = "[".repeat(200_000) + "]".repeat(200_000);
        refused(file("{\"w\":{\"dtype\":\"F32\",\"shape\":" + deep + ",\"data_offsets\":[0,4]}}", 4),
                "tensor \"w\": shape[0] must be a non-negative integer, found an array");
        String objects = "{\"a\":".repeat(200_000) + "1" + "}".repeat(200_000);
        refused(file("{\"__metadata__\":" + objects + "}", 0), "__metadata__ \"a\": the value must be a string, found an object");
        refused(file("{\"w\":" + objects + "}", 0), "tensor \"w\" has the unknown key \"a\"");
    }

    // ---- dtypes --------------------------------------------------------------------------------

    @Test
    void unknownDtypesAreInvalidAndOtherFormatDtypesUnsupported() throws IOException {
        refused(file("{" + entry("w", "F33", "[1]", 0, 4) + "}", 4), "tensor \"w\": dtype \"F33\" is not a safetensors dtype");
        refused(file("{" + entry("w", "f32", "[1]", 0, 4) + "}", 4), "dtype \"f32\" is not a safetensors dtype");
        refused(file("{" + entry("w", "", "[1]", 0, 4) + "}", 4), "dtype \"\" is not a safetensors dtype");
        for (String dtype : List.of("BOOL", "U8", "I8", "F8_E5M2", "F8_E4M3", "I16", "F16", "BF16", "U32", "F64", "I64", "U64")) {
            int size = switch (dtype) {
                case "I16", "F16", "BF16" -> 2;
                case "U32" -> 4;
                case "F64", "I64", "U64" -> 8;
                default -> 1;
            };
            refused(file("{" + entry("w", dtype, "[2]", 0, 2 * size) + "}", 2 * size),
                    "tensor \"w\": dtype " + dtype + " is not supported here (supported: F32, I32, U16)");
        }
    }

    // ---- shape and data_offsets numbers ------------------------------------------------------------------

    @ParameterizedTest(name = "[{index}] {1}")
    @MethodSource("badNumbers")
    void numbersMustBePlainNonNegativeIntegers(String token, String fragment) throws IOException {
        refused(file("{\"w\":{\"dtype\":\"F32\",\"shape\":[" + token + "],\"data_offsets\":[0,4]}}", 4),
                "tensor \"w\": shape[0]", fragment);
        refused(file("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0," + token + "]}}", 4),
                "tensor \"w\": data_offsets[1]", fragment);
    }

    static Stream<Arguments> badNumbers() {
        return Stream.of(
                Arguments.of("-1", "is \"-1\": a negative or signed number"),
                Arguments.of("-0", "is \"-0\": a negative or signed number"),
                Arguments.of("+1", "must be a non-negative integer, found \"+1\""),
                Arguments.of("1.0", "is \"1.0\": not a plain integer"),
                Arguments.of("1e0", "is \"1e0\": not a plain integer"),
                Arguments.of("1E2", "is \"1E2\": not a plain integer"),
                Arguments.of("01", "is \"01\": JSON numbers have no leading zeros"),
                Arguments.of("99999999999999999999", "is \"99999999999999999999\", beyond the largest integer read here"),
                Arguments.of("9223372036854775808", "is \"9223372036854775808\", beyond"),
                Arguments.of("9".repeat(5000), "(5000 characters), beyond"),
                Arguments.of("true", "must be a non-negative integer, found \"true\""),
                Arguments.of("null", "must be a non-negative integer, found \"null\""),
                Arguments.of("\"4\"", "must be a non-negative integer, found a string"));
    }

    @Test
    void shapeAndOffsetsMustAgree() throws IOException {
        refused(file("{" + entry("w", "F32", "[3]", 0, 8) + "}", 8),
                "tensor \"w\": data_offsets [0, 8] hold 8 bytes, but shape [3] of F32 needs 12");
        refused(file("{" + entry("w", "U16", "[3]", 0, 4) + "}", 4), "shape [3] of U16 needs 6");
        refused(file("{" + entry("w", "F32", "[1]", 4, 0) + "}", 4), "tensor \"w\": data_offsets [4, 0] begin after they end");
        refused(file("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4]}}", 4),
                "tensor \"w\": data_offsets must be [begin, end], found 1 number");
        refused(file("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4,8]}}", 4),
                "tensor \"w\": data_offsets has more than 2 entries");
        refused(file("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[]}}", 4), "found 0 numbers");
        // a product that overflows 64 bits
        refused(file("{" + entry("w", "F32", "[4294967296,4294967296]", 0, 4) + "}", 4),
                "tensor \"w\": shape [4294967296,4294967296] of F32 holds more bytes than a 64-bit size counts");
        refused(file("{" + entry("w", "F32", "[4611686018427387904]", 0, 4) + "}", 4), "more bytes than a 64-bit size counts");
        // a consistent size too large for a Java array: refused before anything is allocated
        refused(file("{" + entry("w", "U16", "[2147483647]", 0, 4294967294L) + "}", 4),
                "tensor \"w\": shape [2147483647] holds 2147483647 elements, more than a Java array holds");
        // too many dimensions
        refused(file("{" + entry("w", "F32", "[" + "1,".repeat(1024) + "1]", 0, 4) + "}", 4), "shape has more than 1024 entries");
    }

    @Test
    void negativeAndZeroShapesAreNotSkipped() throws IOException {
        refused(file("{" + entry("w", "F32", "[2,-1]", 0, 4) + "}", 4), "shape[1] is \"-1\"");
        Safetensors.Tensor empty = Safetensors.read(file("{" + entry("w", "F32", "[2,0]", 0, 0) + "}", 0)).tensors().get("w");
        assertArrayEquals(new long[] {2, 0}, empty.shape(), "zero-size tensors are valid (format README)");
        assertEquals(0, empty.size());
        Safetensors.Tensor scalar = Safetensors.read(file("{" + entry("s", "F32", "[]", 0, 4) + "}", 4)).tensors().get("s");
        assertEquals(1, scalar.size(), "rank 0 is a scalar");
    }

    // ---- the buffers tile the data section ----------------------------------------------------

    @Test
    void buffersMustBeContiguousFromZeroToTheEndOfTheFile() throws IOException {
        String a = entry("a", "F32", "[1]", 0, 4);
        refused(file("{" + a + "," + entry("b", "F32", "[1]", 8, 12) + "}", 12),
                "tensor \"b\": data_offsets [8, 12] leave the bytes [4, 8) of the data section unused");
        refused(file("{" + entry("a", "F32", "[1]", 4, 8) + "}", 8), "tensor \"a\": data_offsets [4, 8] leave the bytes [0, 4)");
        refused(file("{" + entry("a", "F32", "[2]", 0, 8) + "," + entry("b", "F32", "[1]", 4, 8) + "}", 8),
                "tensor \"b\": data_offsets [4, 8] overlap tensor \"a\", which ends at 8");
        refused(file("{" + a + "," + entry("b", "F32", "[1]", 0, 4) + "}", 4), "overlap tensor \"a\"");
        refused(file("{" + entry("a", "F32", "[2]", 0, 8) + "}", 4),
                "tensor \"a\": data_offsets [0, 8] end past the data section, which holds 4 bytes");
        refused(file("{" + a + "}", 8), "the data section holds 8 bytes but the tensors' data_offsets end at 4");
        refused(file("{}", 4), "the data section holds 4 bytes but the tensors' data_offsets end at 0");
        refused(file("{" + entry("a", "F32", "[1]", 9223372036854775803L, 9223372036854775807L) + "}", 4), "end past the data section");
    }

    @Test
    void headerOrderIsKeptWhateverTheDataOrder() throws IOException {
        // the header lists b first, but a's buffer comes first; empty tensors may share an offset
        Path f = file("{" + entry("b", "F32", "[1]", 4, 8) + "," + entry("e", "F32", "[0]", 4, 4) + ","
                + entry("a", "U16", "[2]", 0, 4) + "," + entry("z", "I32", "[0,5]", 0, 0) + "}", 8);
        Safetensors.Contents c = Safetensors.read(f);
        assertEquals(List.of("b", "e", "a", "z"), new ArrayList<>(c.tensors().keySet()));
        assertArrayEquals(new int[] {0x0100, 0x0302}, c.tensors().get("a").ints(), "bytes 0 1 2 3 little-endian");
        assertEquals(Float.intBitsToFloat(0x07060504), c.tensors().get("b").data()[0]);
        assertTrue(c.metadata().isEmpty());
    }

    // ---- key order, escapes, long strings -------------------------------------------------------

    @Test
    void anyKeyOrderInAnEntryIsAccepted() throws IOException {
        String[] fields = {"\"dtype\":\"I32\"", "\"shape\":[2]", "\"data_offsets\":[0,8]"};
        int[][] orders = {{0, 1, 2}, {0, 2, 1}, {1, 0, 2}, {1, 2, 0}, {2, 0, 1}, {2, 1, 0}};
        for (int[] o : orders) {
            String header = "{\"__metadata__\":{\"k\":\"v\"},\"w\":{" + fields[o[0]] + "," + fields[o[1]] + "," + fields[o[2]] + "}}";
            Safetensors.Contents c = Safetensors.read(file(header, 8));
            assertArrayEquals(new int[] {0x03020100, 0x07060504}, c.tensors().get("w").ints(), header);
            assertEquals(Map.of("k", "v"), c.metadata());
        }
        // and the metadata anywhere among the tensors
        Safetensors.Contents c = Safetensors.read(file("{" + entry("a", "F32", "[1]", 0, 4) + ",\"__metadata__\":{},"
                + entry("b", "F32", "[1]", 4, 8) + "}", 8));
        assertEquals(List.of("a", "b"), new ArrayList<>(c.tensors().keySet()));
    }

    @Test
    void everyJsonEscapeIsDecoded() throws IOException {
        String header = "{\"__metadata__\":{\"e\":\"\\\" \\\\ \\/ \\b \\f \\n \\r \\t \\u00e9 \\u00C9 \\u0000 \\ud83d\\ude00 \\u2028\"},"
                + "\"caf\\u00e9\\n\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}";
        Safetensors.Contents c = Safetensors.read(file(header, 4));
        assertEquals("\" \\ / \b \f \n \r \t \u00e9 \u00c9 \u0000 \ud83d\ude00 \u2028", c.metadata().get("e"));
        assertEquals(List.of("caf\u00e9\n"), new ArrayList<>(c.tensors().keySet()));
        // Jackson, an independent JSON parser, decodes the same header to the same strings
        JsonNode tree = new ObjectMapper().readTree(header);
        assertEquals(tree.get("__metadata__").get("e").asText(), c.metadata().get("e"));
        assertTrue(tree.has("caf\u00e9\n"));
    }

    static Stream<String> awkwardStrings() {
        return Stream.of("a\nb", "\\n", "back\\slash", "quote\"d", "tab\tx", "cr\rlf\n", "\u0000nul", "\u001f\u007f", "\b\f",
                "caf\u00e9 \u65e5\u672c \ud83d\ude00", "/slash", "\u2028\u2029", "", " ", "__metadata__x", "{\"json\":[1]}",
                "\\u0041 not an escape", "x".repeat(100_000), "\n".repeat(50_000) + "\"".repeat(50_000));
    }

    @ParameterizedTest
    @MethodSource("awkwardStrings")
    void namesAndMetadataRoundTripExactly(String s) throws IOException {
        Map<String, Safetensors.Tensor> t = new LinkedHashMap<>();
        t.put(s, new Safetensors.Tensor(new long[] {1}, new float[] {1.5f}));
        t.put("other", Safetensors.Tensor.ints("U16", new long[] {1}, new int[] {7}));
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put(s, s);
        meta.put("k", s + s);
        Path f = tmp.resolve("round.safetensors");
        Safetensors.write(f, t, meta);
        Safetensors.Contents back = Safetensors.read(f);
        assertEquals(new ArrayList<>(t.keySet()), new ArrayList<>(back.tensors().keySet()));
        assertEquals(1.5f, back.tensors().get(s).data()[0]);
        assertEquals(meta, back.metadata());
        // the header is JSON that an independent parser (Jackson) reads to the same strings, with no
        // raw control character in it (RFC 8259 forbids them in strings)
        byte[] bytes = Files.readAllBytes(f);
        long n = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong();
        String header = new String(bytes, 8, (int) n, StandardCharsets.UTF_8);
        assertTrue(header.chars().noneMatch(c -> c < 0x20), "control characters escaped");
        JsonNode tree = JACKSON.readTree(header);
        assertEquals(s, tree.get("__metadata__").fieldNames().next());
        assertEquals(s + s, tree.get("__metadata__").get("k").asText());
        assertTrue(tree.has(s));
    }

    @Test
    void longHeaderStringsReadFine() throws IOException {
        // the regular expression this reader replaced overflowed the stack on strings of 2,000+ characters
        String value = "v".repeat(100_000);
        String name = "w".repeat(100_000);
        Path f = file("{\"__metadata__\":{\"long\":\"" + value + "\",\"escapes\":\"" + "\\n".repeat(50_000) + "\"},"
                + entry(name, "F32", "[1]", 0, 4) + "}", 4);
        Safetensors.Contents c = Safetensors.read(f);
        assertEquals(value, c.metadata().get("long"));
        assertEquals("\n".repeat(50_000), c.metadata().get("escapes"));
        assertTrue(c.tensors().containsKey(name));
        // and a refusal about such a string stays short
        IOException e = refused(file("{" + entry(name, "F64", "[1]", 0, 8) + "}", 8), "dtype F64", "(100000 characters)");
        assertTrue(e.getMessage().length() < 400, e.getMessage());
    }

    @Test
    void theWriterRefusesWhatCannotBeWrittenAsJsonOrReadBack() {
        Path f = tmp.resolve("x.safetensors");
        Safetensors.Tensor one = new Safetensors.Tensor(new long[] {1}, new float[] {1});
        assertThrows(IllegalArgumentException.class, () -> Safetensors.write(f, Map.of("a\ud800", one), Map.of()),
                "an unpaired surrogate is not Unicode: no reader takes it");
        assertThrows(IllegalArgumentException.class, () -> Safetensors.write(f, Map.of("a", one), Map.of("k", "\udc00")));
        assertThrows(IllegalArgumentException.class, () -> Safetensors.write(f, Map.of("__metadata__", one), Map.of()));
        assertThrows(IllegalArgumentException.class, () -> new Safetensors.Tensor(new long[] {-1, -1}, new float[1]),
                "negative dimensions, even with a positive product");
        assertThrows(IllegalArgumentException.class,
                () -> new Safetensors.Tensor(new long[] {1L << 32, 1L << 32}, new float[0]), "a product that overflows");
        assertFalse(Files.exists(f));
    }
}
