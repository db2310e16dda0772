package org.rvsm.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Reads a vector from a text file: one number per line; blank lines and lines starting with '#'
 * are skipped. Every problem is reported naming the option, the file and the line. Reading is
 * bounded: at most {@code maxEntries} numbers, lines of at most {@value #MAX_LINE} characters, and
 * at most {@value #BYTES_PER_ENTRY} bytes per allowed number (plus 1 MiB for comments), so a huge or
 * endless file (a device, a log) ends with one line and little memory.
 */
final class VectorFile {

    /** Numbers read when the length is not otherwise known. */
    static final int DEFAULT_MAX_ENTRIES = 1_000_000;
    static final int MAX_LINE = 4096;
    static final int BYTES_PER_ENTRY = 128;

    private VectorFile() {
    }

    static double[] read(String option, Path file, int maxEntries) {
        String name = option + " " + file;
        if (Files.isDirectory(file)) {
            throw new UserError(name + ": is a directory");
        }
        long maxBytes = (1L << 20) + (long) BYTES_PER_ENTRY * maxEntries;
        double[] values = new double[Math.min(maxEntries, 1024)];
        int count = 0;
        try (InputStream in = Files.newInputStream(file);
             BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8.newDecoder()
                     .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT)))) {
            StringBuilder line = new StringBuilder();
            long bytes = 0;
            int lineNumber = 0;
            boolean more = true;
            while (more) {
                line.setLength(0);
                int c;
                while ((c = reader.read()) >= 0 && c != '\n') {
                    if (++bytes > maxBytes) {
                        throw new UserError(name + ": longer than " + maxBytes + " bytes, more than " + maxEntries
                                + " numbers can take; is it the right file?");
                    }
                    if (line.length() == MAX_LINE) {
                        throw new UserError(name + ": line " + (lineNumber + 1) + " is longer than " + MAX_LINE
                                + " characters; expected one number per line");
                    }
                    line.append((char) c);
                }
                bytes++;
                more = c >= 0;
                lineNumber++;
                String text = line.toString().strip();
                if (text.isEmpty() || text.startsWith("#")) {
                    continue;
                }
                double value;
                try {
                    value = Double.parseDouble(text);
                } catch (NumberFormatException e) {
                    throw new UserError(name + ": line " + lineNumber + " is not a number: '" + text + "'");
                }
                if (!Double.isFinite(value)) {
                    throw new UserError(name + ": line " + lineNumber + " is not finite: '" + text + "'");
                }
                if (count == maxEntries) {
                    throw new UserError(name + ": has more than " + maxEntries + " numbers"
                            + (maxEntries == DEFAULT_MAX_ENTRIES ? " (give --d for a longer vector)" : ", expected d = "
                            + maxEntries));
                }
                if (count == values.length) {
                    values = Arrays.copyOf(values, (int) Math.min(maxEntries, 2L * values.length));
                }
                values[count++] = value;
            }
        } catch (NoSuchFileException e) {
            throw new UserError(name + ": no such file");
        } catch (CharacterCodingException e) {
            throw new UserError(name + ": not a UTF-8 text file");
        } catch (IOException e) {
            throw new UserError(name + ": cannot read (" + e.getMessage() + ")");
        }
        if (count == 0) {
            throw new UserError(name + ": no numbers in the file");
        }
        return Arrays.copyOf(values, count);
    }

    /** Checks a vector read from a file against the expected length d. */
    static double[] requireLength(String option, Path file, double[] v, int d) {
        if (v.length != d) {
            throw new UserError(option + " " + file + " has " + v.length + " entries, expected d = " + d);
        }
        return v;
    }
}
