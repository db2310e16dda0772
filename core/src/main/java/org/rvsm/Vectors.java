package org.rvsm;

/** The few vector reductions the project needs, in double, with checked lengths. */
public final class Vectors {

    private Vectors() {
    }

    /** x . y */
    public static double dot(double[] x, double[] y) {
        checkSameLength(x, y);
        double sum = 0.0;
        for (int i = 0; i < x.length; i++) {
            sum += x[i] * y[i];
        }
        return sum;
    }

    /** |x| (Euclidean). */
    public static double norm(double[] x) {
        return Math.sqrt(dot(x, x));
    }

    /** |x - y| (Euclidean). */
    public static double distance(double[] x, double[] y) {
        checkSameLength(x, y);
        double sum = 0.0;
        for (int i = 0; i < x.length; i++) {
            double diff = x[i] - y[i];
            sum += diff * diff;
        }
        return Math.sqrt(sum);
    }

    /** |x - y| / |y|; |x| when y is the zero vector. */
    public static double relativeDistance(double[] x, double[] y) {
        double ny = norm(y);
        double dist = distance(x, y);
        return ny == 0.0 ? dist : dist / ny;
    }

    /** Number of entries exactly equal to zero. */
    public static int countZeros(double[] x) {
        int zeros = 0;
        for (double v : x) {
            if (v == 0.0) {
                zeros++;
            }
        }
        return zeros;
    }

    /** Fraction of entries exactly equal to zero (0 for an empty vector). */
    public static double sparsity(double[] x) {
        return x.length == 0 ? 0.0 : (double) countZeros(x) / x.length;
    }

    /**
     * Angle between x and y in [0, pi], by Kahan's formula 2 atan2(|x/|x| - y/|y||, |x/|x| + y/|y||),
     * accurate also for nearly parallel vectors where acos loses half the digits.
     * Returns NaN if either vector is zero.
     */
    public static double angle(double[] x, double[] y) {
        checkSameLength(x, y);
        double nx = norm(x);
        double ny = norm(y);
        if (nx == 0.0 || ny == 0.0) {
            return Double.NaN;
        }
        double minus = 0.0;
        double plus = 0.0;
        for (int i = 0; i < x.length; i++) {
            double ex = x[i] / nx;
            double ey = y[i] / ny;
            minus += (ex - ey) * (ex - ey);
            plus += (ex + ey) * (ex + ey);
        }
        return 2.0 * Math.atan2(Math.sqrt(minus), Math.sqrt(plus));
    }

    /**
     * The median: the middle value of the sorted values, or the mean of the two middle ones for an
     * even count. The argument is not modified. An empty array is an {@link IllegalArgumentException}.
     */
    public static double median(double[] values) {
        if (values.length == 0) {
            throw new IllegalArgumentException("the median of no values");
        }
        double[] s = values.clone();
        java.util.Arrays.sort(s);
        int m = s.length / 2;
        return s.length % 2 == 1 ? s[m] : 0.5 * (s[m - 1] + s[m]);
    }

    /** True if every entry is finite. */
    public static boolean allFinite(double[] x) {
        for (double v : x) {
            if (!Double.isFinite(v)) {
                return false;
            }
        }
        return true;
    }

    /** The index of the first NaN or infinite entry, or -1 if every entry is finite. */
    public static int firstNonFinite(float[] x) {
        for (int i = 0; i < x.length; i++) {
            if (!Float.isFinite(x[i])) {
                return i;
            }
        }
        return -1;
    }

    private static void checkSameLength(double[] x, double[] y) {
        if (x.length != y.length) {
            throw new IllegalArgumentException(
                    "vectors differ in length: " + x.length + " and " + y.length);
        }
    }
}
