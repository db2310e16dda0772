package org.rvsm.cli;

import java.util.Arrays;

/** Summary statistics of measurements. */
final class Stats {

    private Stats() {
    }

    /**
     * The median: the middle value of the sorted values, or the mean of the two middle ones for an
     * even count. The argument is not modified. An empty array is an {@link IllegalArgumentException}.
     */
    static double median(double[] values) {
        if (values.length == 0) {
            throw new IllegalArgumentException("the median of no values");
        }
        double[] s = values.clone();
        Arrays.sort(s);
        int m = s.length / 2;
        return s.length % 2 == 1 ? s[m] : 0.5 * (s[m - 1] + s[m]);
    }
}
