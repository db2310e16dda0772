package org.rvsm.runtime;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The JSON header of a safetensors file, parsed strictly and without recursion. The parser knows the
 * header's schema, which is three levels deep at most: the top object maps tensor names to entry
 * objects (and {@code "__metadata__"} to an object of string to string), and an entry maps exactly
 * {@code dtype} (a string), {@code shape} and {@code data_offsets} (arrays of non-negative integers)
 * in any order. Any other value, key or nesting is refused, so hostile input cannot nest deeper than
 * that, and every loop runs over the input once.
 *
 * <p>JSON as RFC 8259 defines it: whitespace is space, tab, CR and LF; strings hold no raw control
 * characters and decode every escape (a backslash and one of {@code " \ / b f n r t}, or u and four
 * hex digits; surrogate pairs joined, a lone surrogate refused, as serde_json, the official reader's
 * parser, refuses it). Numbers here are non-negative integers only: no sign, fraction, exponent or
 * leading zero, at most {@link Long#MAX_VALUE}. Duplicate keys are refused at every level. After the
 * top object, only spaces (0x20) may follow. Each error is one line: the file, the place and the
 * offending value, strings shown JSON-quoted and cut to a few dozen characters.
 */
final class SafetensorsHeader {

    /** Most dimensions a shape may have (numpy allows 64); keeps a hostile header's arrays small. */
    static final int MAX_RANK = 1024;

    /** One tensor's entry as the header gives it. */
    record Entry(String name, String dtype, long[] shape, long begin, long end) {
    }

    private final Path file;
    private final String s;
    private int pos;
    /** The tensors, in header order. */
    final List<Entry> entries = new ArrayList<>();
    /** The metadata, in header order; empty when the header has none. */
    final Map<String, String> metadata = new LinkedHashMap<>();

    private SafetensorsHeader(Path file, String text) {
        this.file = file;
        this.s = text;
    }

    /** Parses a header's text (already decoded from UTF-8); refuses anything but the format's JSON. */
    static SafetensorsHeader parse(Path file, String text) throws IOException {
        SafetensorsHeader h = new SafetensorsHeader(file, text);
        h.top();
        return h;
    }

    private void top() throws IOException {
        if (s.isEmpty() || s.charAt(0) != '{') {
            throw fail("the header must begin with '{', found " + describe());
        }
        pos = 1;
        Set<String> names = new HashSet<>();
        boolean sawMetadata = false;
        ws();
        if (peek() == '}') {
            pos++;
        } else {
            while (true) {
                int at = pos;
                if (peek() != '"') {
                    throw fail("expected a tensor name (a string), found " + describe());
                }
                String key = string();
                colon("tensor name " + show(key));
                if (key.equals("__metadata__")) {
                    if (sawMetadata) {
                        throw failAt(at, "the key \"__metadata__\" appears twice");
                    }
                    sawMetadata = true;
                    metadataObject();
                } else {
                    if (!names.add(key)) {
                        throw failAt(at, "tensor " + show(key) + " appears twice (duplicate key)");
                    }
                    entries.add(entry(key));
                }
                if (commaOrClose('}', "the entry of " + show(key))) {
                    break;
                }
            }
        }
        for (; pos < s.length(); pos++) {
            if (s.charAt(pos) != ' ') {
                throw fail("only spaces (0x20) may pad the header after its object, found " + describe());
            }
        }
    }

    private Entry entry(String name) throws IOException {
        String tensor = "tensor " + show(name);
        if (peek() != '{') {
            throw fail(tensor + " must be an object {\"dtype\", \"shape\", \"data_offsets\"}, found " + describe());
        }
        pos++;
        ws();
        String dtype = null;
        long[] shape = null;
        long[] offsets = null;
        int open = pos;
        if (peek() == '}') {
            pos++;
        } else {
            while (true) {
                int at = pos;
                if (peek() != '"') {
                    throw fail(tensor + ": expected a key (a string), found " + describe());
                }
                String field = string();
                colon(tensor + " key " + show(field));
                switch (field) {
                    case "dtype" -> {
                        if (dtype != null) {
                            throw failAt(at, tensor + ": key \"dtype\" appears twice");
                        }
                        if (peek() != '"') {
                            throw fail(tensor + ": dtype must be a string, found " + describe());
                        }
                        dtype = string();
                    }
                    case "shape" -> {
                        if (shape != null) {
                            throw failAt(at, tensor + ": key \"shape\" appears twice");
                        }
                        shape = integers(tensor, "shape", MAX_RANK);
                    }
                    case "data_offsets" -> {
                        if (offsets != null) {
                            throw failAt(at, tensor + ": key \"data_offsets\" appears twice");
                        }
                        offsets = integers(tensor, "data_offsets", 2);
                    }
                    default -> throw failAt(at, tensor + " has the unknown key " + show(field)
                            + " (an entry holds exactly dtype, shape and data_offsets)");
                }
                if (commaOrClose('}', tensor + " key " + show(field))) {
                    break;
                }
            }
        }
        String missing = dtype == null ? "dtype" : shape == null ? "shape" : offsets == null ? "data_offsets" : null;
        if (missing != null) {
            throw failAt(open, tensor + " has no key \"" + missing + "\" (an entry holds exactly dtype, shape and data_offsets)");
        }
        if (offsets.length != 2) {
            throw failAt(open, tensor + ": data_offsets must be [begin, end], found " + offsets.length + " number"
                    + (offsets.length == 1 ? "" : "s"));
        }
        return new Entry(name, dtype, shape, offsets[0], offsets[1]);
    }

    private void metadataObject() throws IOException {
        if (peek() != '{') {
            throw fail("__metadata__ must be an object of string to string, found " + describe());
        }
        pos++;
        ws();
        if (peek() == '}') {
            pos++;
            return;
        }
        while (true) {
            int at = pos;
            if (peek() != '"') {
                throw fail("__metadata__: expected a key (a string), found " + describe());
            }
            String key = string();
            colon("__metadata__ key " + show(key));
            if (peek() != '"') {
                throw fail("__metadata__ " + show(key) + ": the value must be a string, found " + describe());
            }
            String value = string();
            if (metadata.containsKey(key)) {
                throw failAt(at, "__metadata__ key " + show(key) + " appears twice (duplicate key)");
            }
            metadata.put(key, value);
            if (commaOrClose('}', "__metadata__ " + show(key))) {
                return;
            }
        }
    }

    /** An array of at most max non-negative integers. */
    private long[] integers(String tensor, String field, int max) throws IOException {
        if (peek() != '[') {
            throw fail(tensor + ": " + field + " must be an array of non-negative integers, found " + describe());
        }
        pos++;
        ws();
        if (peek() == ']') {
            pos++;
            return new long[0];
        }
        long[] out = new long[Math.min(max, 8)];
        int n = 0;
        while (true) {
            if (n == max) {
                throw fail(tensor + ": " + field + " has more than " + max + " entries");
            }
            if (n == out.length) {
                out = Arrays.copyOf(out, Math.min(max, 2 * n));
            }
            out[n] = integer(tensor + ": " + field + "[" + n + "]");
            n++;
            if (commaOrClose(']', tensor + ": " + field + "[" + (n - 1) + "]")) {
                return Arrays.copyOf(out, n);
            }
        }
    }

    /** A non-negative integer in plain digits, at most Long.MAX_VALUE. */
    private long integer(String what) throws IOException {
        int start = pos;
        int c = peek();
        if (c != '-' && (c < '0' || c > '9')) {
            throw fail(what + " must be a non-negative integer, found " + describe());
        }
        while (pos < s.length() && "0123456789+-.eE".indexOf(s.charAt(pos)) >= 0) {
            pos++;
        }
        String token = s.substring(start, pos);
        if (token.charAt(0) == '-') {
            throw failAt(start, what + " is " + cut(token) + ": a negative or signed number, not a non-negative integer");
        }
        for (int i = 0; i < token.length(); i++) {
            if (token.charAt(i) < '0' || token.charAt(i) > '9') {
                throw failAt(start, what + " is " + cut(token) + ": not a plain integer (no fractions, exponents or signs)");
            }
        }
        if (token.length() > 1 && token.charAt(0) == '0') {
            throw failAt(start, what + " is " + cut(token) + ": JSON numbers have no leading zeros");
        }
        if (token.length() > 19 || (token.length() == 19 && token.compareTo("9223372036854775807") > 0)) {
            throw failAt(start, what + " is " + cut(token) + ", beyond the largest integer read here, "
                    + Long.MAX_VALUE);
        }
        return Long.parseLong(token);
    }

    /** A JSON string starting at the current '"', every escape decoded. */
    private String string() throws IOException {
        int open = pos;
        pos++;
        int chunk = pos;
        StringBuilder sb = null;
        while (true) {
            if (pos >= s.length()) {
                throw failAt(open, "unterminated string " + cut(s.substring(open)));
            }
            char c = s.charAt(pos);
            if (c == '"') {
                String out = sb == null ? s.substring(chunk, pos) : sb.append(s, chunk, pos).toString();
                pos++;
                return out;
            }
            if (c < 0x20) {
                throw fail(String.format("raw control character U+%04X in a string; JSON needs it escaped", (int) c));
            }
            if (c != '\\') {
                pos++;
                continue;
            }
            if (sb == null) {
                sb = new StringBuilder();
            }
            sb.append(s, chunk, pos);
            int escape = pos;
            pos++;
            char e = pos < s.length() ? s.charAt(pos) : 0;
            pos++;
            switch (e) {
                case '"', '\\', '/' -> sb.append(e);
                case 'b' -> sb.append('\b');
                case 'f' -> sb.append('\f');
                case 'n' -> sb.append('\n');
                case 'r' -> sb.append('\r');
                case 't' -> sb.append('\t');
                case 'u' -> {
                    char u = hex4(escape);
                    if (Character.isHighSurrogate(u)) {
                        if (!s.startsWith("\\u", pos)) {
                            throw failAt(escape, "lone surrogate \\u" + hex(u) + " in a string (not followed by a low surrogate)");
                        }
                        int second = pos;
                        pos += 2;
                        char low = hex4(second);
                        if (!Character.isLowSurrogate(low)) {
                            throw failAt(escape, "lone surrogate \\u" + hex(u) + " in a string (followed by \\u" + hex(low) + ")");
                        }
                        sb.append(u).append(low);
                    } else if (Character.isLowSurrogate(u)) {
                        throw failAt(escape, "lone surrogate \\u" + hex(u) + " in a string");
                    } else {
                        sb.append(u);
                    }
                }
                default -> throw failAt(escape, "invalid escape " + cut(s.substring(escape, Math.min(s.length(), escape + 2)))
                        + " in a string");
            }
            chunk = pos;
        }
    }

    /** The four hex digits after "\\u" (pos is just past the 'u'). */
    private char hex4(int escape) throws IOException {
        if (pos + 4 > s.length()) {
            throw failAt(escape, "truncated \\u escape in a string");
        }
        int v = 0;
        for (int i = 0; i < 4; i++) {
            char h = s.charAt(pos + i);
            int d = h >= '0' && h <= '9' ? h - '0' : h >= 'a' && h <= 'f' ? h - 'a' + 10 : h >= 'A' && h <= 'F' ? h - 'A' + 10 : -1;
            if (d < 0) {
                throw failAt(escape, "invalid escape " + cut(s.substring(escape, pos + 4)) + " in a string");
            }
            v = v * 16 + d;
        }
        pos += 4;
        return (char) v;
    }

    private static String hex(char c) {
        return String.format("%04X", (int) c);
    }

    private void colon(String after) throws IOException {
        ws();
        if (peek() != ':') {
            throw fail("expected ':' after " + after + ", found " + describe());
        }
        pos++;
        ws();
    }

    /** After a member: ',' (returns false, more follow) or the closing bracket (returns true). */
    private boolean commaOrClose(char close, String after) throws IOException {
        ws();
        int c = peek();
        if (c == ',') {
            pos++;
            ws();
            return false;
        }
        if (c == close) {
            pos++;
            return true;
        }
        throw fail("expected ',' or '" + close + "' after " + after + ", found " + describe());
    }

    private void ws() {
        while (pos < s.length()) {
            char c = s.charAt(pos);
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
                return;
            }
            pos++;
        }
    }

    private int peek() {
        return pos < s.length() ? s.charAt(pos) : -1;
    }

    /** What is at pos, for a message. */
    private String describe() {
        if (pos >= s.length()) {
            return "the end of the header";
        }
        return switch (s.charAt(pos)) {
            case '"' -> "a string";
            case '{' -> "an object";
            case '[' -> "an array";
            case '}', ']', ',', ':' -> "'" + s.charAt(pos) + "'";
            default -> {
                int end = pos;
                while (end < s.length() && end - pos < 24 && ",:]} \t\r\n".indexOf(s.charAt(end)) < 0) {
                    end++;
                }
                yield cut(s.substring(pos, Math.max(end, pos + 1)));
            }
        };
    }

    private IOException fail(String message) {
        return failAt(pos, message);
    }

    private IOException failAt(int at, String message) {
        return new IOException(file + ": safetensors header: " + message + " (at character " + at + " of the header)");
    }

    /** A JSON-quoted string for a message: one line, at most about 60 characters of it. */
    static String show(String text) {
        return Safetensors.jsonString(text.length() > 60 ? text.substring(0, 60) : text, true)
                + (text.length() > 60 ? "... (" + text.length() + " characters)" : "");
    }

    /** Raw header text for a message: one line, cut to about 60 characters. */
    private static String cut(String raw) {
        return show(raw);
    }
}
