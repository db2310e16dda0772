package org.rvsm.cli;

/** Validation of option values, with messages that name the option and the value. */
final class Checks {

    private Checks() {
    }

    static double finite(String option, double value) {
        if (!Double.isFinite(value)) {
            throw new UserError(option + " must be a finite number, got " + value);
        }
        return value;
    }

    static double nonNegative(String option, double value) {
        finite(option, value);
        if (value < 0.0) {
            throw new UserError(option + " must be >= 0, got " + value);
        }
        return value;
    }

    static double positive(String option, double value) {
        finite(option, value);
        if (value <= 0.0) {
            throw new UserError(option + " must be > 0, got " + value);
        }
        return value;
    }

    static int atLeast(String option, int value, int min) {
        if (value < min) {
            throw new UserError(option + " must be >= " + min + ", got " + value);
        }
        return value;
    }

    static double inUnitInterval(String option, double value) {
        finite(option, value);
        if (!(value > 0.0 && value <= 1.0)) {
            throw new UserError(option + " must be in (0, 1], got " + value);
        }
        return value;
    }
}
