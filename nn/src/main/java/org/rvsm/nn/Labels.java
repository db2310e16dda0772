package org.rvsm.nn;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The command-line names of the project's choice enums (methods, groups, lambda rules): the constant's
 * name in lower case with '-' for '_' ({@code INITIAL_STD} is {@code initial-std}), parsed once at the
 * edge into the enum.
 */
public final class Labels {

    private Labels() {
    }

    /** The label of a constant. */
    public static String of(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** The labels of the constants, in order. */
    public static List<String> all(Enum<?>[] values) {
        return Arrays.stream(values).map(Labels::of).toList();
    }

    /**
     * The constant whose label is given.
     *
     * @param field what is being parsed, for the message ("method")
     * @throws IllegalArgumentException "FIELD must be one of [..], got 'LABEL'"
     */
    public static <E extends Enum<E>> E parse(E[] values, String field, String label) {
        for (E e : values) {
            if (of(e).equals(label)) {
                return e;
            }
        }
        throw new IllegalArgumentException(field + " must be one of " + all(values) + ", got '" + label + "'");
    }
}
