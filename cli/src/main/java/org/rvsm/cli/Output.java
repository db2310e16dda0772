package org.rvsm.cli;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.rvsm.runtime.AtomicFile;

/**
 * Writers for the machine-readable outputs. JSON is built from ordered maps; NaN and infinities
 * (undefined metrics) are written as null so every file is valid JSON. Numbers in CSV use
 * {@link Double#toString(double)}, which round-trips exactly.
 */
final class Output {

    private static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .configure(JsonGenerator.Feature.AUTO_CLOSE_TARGET, false);

    private Output() {
    }

    /** An ordered JSON object. */
    static Map<String, Object> object() {
        return new LinkedHashMap<>();
    }

    /** A JSON array of numbers, non-finite values as null. */
    static List<Object> numbers(double[] values) {
        List<Object> list = new ArrayList<>(values.length);
        for (double v : values) {
            list.add(number(v));
        }
        return list;
    }

    /** A JSON number, or null when not finite. */
    static Object number(double v) {
        return Double.isFinite(v) ? v : null;
    }

    static void writeJson(Path file, Object tree) {
        try (Writer writer = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            MAPPER.writeValue(writer, tree);
            writer.write('\n');
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes a CSV with a header row; cells are numbers or simple identifiers (no quoting needed). */
    static void writeCsv(Path file, List<String> header, List<List<Object>> rows) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.join(",", header)).append('\n');
        for (List<Object> row : rows) {
            for (int i = 0; i < row.size(); i++) {
                if (i > 0) {
                    sb.append(',');
                }
                sb.append(cell(row.get(i)));
            }
            sb.append('\n');
        }
        writeText(file, sb.toString());
    }

    /** Compact JSON of a tree (a canonical form: the same tree gives the same string). */
    static String toJson(Object tree) {
        try {
            return new ObjectMapper().writeValueAsString(tree);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes JSON to a temporary file beside the target, then moves it into place. */
    static void writeJsonAtomically(Path file, Object tree) {
        try {
            writeTextAtomically(file, MAPPER.writeValueAsString(tree) + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes text to a temporary file beside the target, then moves it into place. */
    static void writeTextAtomically(Path file, String text) {
        try {
            AtomicFile.writeString(file, text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void writeText(Path file, String text) {
        try {
            Files.writeString(file, text, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String cell(Object value) {
        if (value == null) {
            return "";
        }
        if (value instanceof Double d) {
            return Double.isFinite(d) ? Double.toString(d) : "";
        }
        String text = String.valueOf(value);
        if (text.contains(",") || text.contains("\"") || text.contains("\n")) {
            return '"' + text.replace("\"", "\"\"") + '"';
        }
        return text;
    }

    /** A fixed-locale format for human-readable numbers. */
    static String format(String pattern, Object... args) {
        return String.format(Locale.ROOT, pattern, args);
    }
}
