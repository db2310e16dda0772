package org.rvsm;

import static org.junit.jupiter.api.Assertions.fail;

/** Tolerances chosen from the computation, and the one assertion helper for numbers. */
public final class Tolerances {

    /** Double closed forms evaluated two algebraically equal ways. */
    public static final double CLOSED_FORM = 1e-12;
    /** Central finite differences of a smooth double function with h ~ 1e-5. */
    public static final double FINITE_DIFFERENCE = 1e-6;
    /** The theory's predicted limit against a converged RVSM run (issue 2: <= 1e-8). */
    public static final double LIMIT = 1e-8;

    private Tolerances() {
    }

    /** Passes when |expected - actual| <= absTol + relTol |expected|. */
    public static void assertClose(double expected, double actual, double absTol, double relTol, String what) {
        double diff = Math.abs(expected - actual);
        if (!(diff <= absTol + relTol * Math.abs(expected))) {
            fail(String.format("%s: expected %.17g, got %.17g, difference %.3g (abs tol %.1g, rel tol %.1g)",
                    what, expected, actual, diff, absTol, relTol));
        }
    }

    /** Elementwise {@link #assertClose(double, double, double, double, String)}, naming the index. */
    public static void assertClose(double[] expected, double[] actual, double absTol, double relTol, String what) {
        if (expected.length != actual.length) {
            fail(what + ": lengths differ, " + expected.length + " vs " + actual.length);
        }
        for (int i = 0; i < expected.length; i++) {
            assertClose(expected[i], actual[i], absTol, relTol, what + "[" + i + "]");
        }
    }
}
