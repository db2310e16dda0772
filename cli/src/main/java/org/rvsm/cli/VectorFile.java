package org.rvsm.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a vector from a text file: one number per line; blank lines and lines starting with '#'
 * are skipped. Every problem is reported naming the option, the file and the line.
 */
final class VectorFile {

    private VectorFile() {
    }

    static double[] read(String option, Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new UserError(option + " " + file + ": no such file");
        } catch (java.nio.charset.MalformedInputException e) {
            throw new UserError(option + " " + file + ": not a UTF-8 text file");
        } catch (IOException e) {
            throw new UserError(option + " " + file + ": cannot read (" + e.getMessage() + ")");
        }
        List<Double> values = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String text = lines.get(i).strip();
            if (text.isEmpty() || text.startsWith("#")) {
                continue;
            }
            double value;
            try {
                value = Double.parseDouble(text);
            } catch (NumberFormatException e) {
                throw new UserError(option + " " + file + ": line " + (i + 1) + " is not a number: '" + text + "'");
            }
            if (!Double.isFinite(value)) {
                throw new UserError(option + " " + file + ": line " + (i + 1) + " is not finite: '" + text + "'");
            }
            values.add(value);
        }
        if (values.isEmpty()) {
            throw new UserError(option + " " + file + ": no numbers in the file");
        }
        return values.stream().mapToDouble(Double::doubleValue).toArray();
    }

    /** Checks a vector read from a file against the expected length d. */
    static double[] requireLength(String option, Path file, double[] v, int d) {
        if (v.length != d) {
            throw new UserError(option + " " + file + " has " + v.length + " entries, expected d = " + d);
        }
        return v;
    }
}
