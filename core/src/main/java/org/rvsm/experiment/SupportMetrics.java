package org.rvsm.experiment;

/**
 * How well the support of an estimate u matches the support of the teacher w*.
 *
 * @param precision |supp(u) and supp(w*)| / |supp(u)|; 1 when u is all zeros (nothing selected wrongly)
 * @param recall    |supp(u) and supp(w*)| / |supp(w*)|; 1 when w* is all zeros
 */
public record SupportMetrics(double precision, double recall) {

    /** Compares supports (non-zero entries, exactly). */
    public static SupportMetrics of(double[] u, double[] teacher) {
        if (u.length != teacher.length) {
            throw new IllegalArgumentException(
                    "estimate has " + u.length + " entries, teacher has " + teacher.length);
        }
        int selected = 0;
        int relevant = 0;
        int both = 0;
        for (int i = 0; i < u.length; i++) {
            boolean inU = u[i] != 0.0;
            boolean inTeacher = teacher[i] != 0.0;
            selected += inU ? 1 : 0;
            relevant += inTeacher ? 1 : 0;
            both += inU && inTeacher ? 1 : 0;
        }
        double precision = selected == 0 ? 1.0 : (double) both / selected;
        double recall = relevant == 0 ? 1.0 : (double) both / relevant;
        return new SupportMetrics(precision, recall);
    }

    /** Harmonic mean of precision and recall (0 when both are 0). */
    public double f1() {
        double sum = precision + recall;
        return sum == 0.0 ? 0.0 : 2.0 * precision * recall / sum;
    }
}
