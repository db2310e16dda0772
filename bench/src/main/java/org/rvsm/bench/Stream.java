package org.rvsm.bench;

/** Reads an array once, as fast as memory allows: the baseline "stream the sample" time. */
final class Stream {

    private Stream() {
    }

    /** Sum with eight independent accumulators (one would be bound by the add latency). */
    static double sum(double[] x) {
        double s0 = 0.0;
        double s1 = 0.0;
        double s2 = 0.0;
        double s3 = 0.0;
        double s4 = 0.0;
        double s5 = 0.0;
        double s6 = 0.0;
        double s7 = 0.0;
        int i = 0;
        for (; i + 7 < x.length; i += 8) {
            s0 += x[i];
            s1 += x[i + 1];
            s2 += x[i + 2];
            s3 += x[i + 3];
            s4 += x[i + 4];
            s5 += x[i + 5];
            s6 += x[i + 6];
            s7 += x[i + 7];
        }
        for (; i < x.length; i++) {
            s0 += x[i];
        }
        return ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7));
    }
}
