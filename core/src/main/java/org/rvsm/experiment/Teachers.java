package org.rvsm.experiment;

import java.util.random.RandomGenerator;

/** Seeded generators for teachers w* and starting points w^0. */
public final class Teachers {

    private Teachers() {
    }

    /**
     * A sparse teacher: round(density * d) entries (at least one) at uniformly random positions,
     * each +-(0.5 + |N(0,1)|), so that every true coefficient is recoverable; the rest exactly 0.
     */
    public static double[] sparseTeacher(int d, double density, RandomGenerator rng) {
        if (!(density > 0.0 && density <= 1.0)) {
            throw new IllegalArgumentException("teacher density must be in (0, 1], got " + density);
        }
        int nonZeros = Math.max(1, (int) Math.round(density * d));
        int[] order = new int[d];
        for (int i = 0; i < d; i++) {
            order[i] = i;
        }
        for (int i = 0; i < nonZeros; i++) { // partial Fisher-Yates
            int j = i + rng.nextInt(d - i);
            int tmp = order[i];
            order[i] = order[j];
            order[j] = tmp;
        }
        double[] teacher = new double[d];
        for (int i = 0; i < nonZeros; i++) {
            double magnitude = 0.5 + Math.abs(rng.nextGaussian());
            teacher[order[i]] = rng.nextBoolean() ? magnitude : -magnitude;
        }
        return teacher;
    }

    /** A random start: N(0,1) entries scaled to the given norm (the angle to w* is below pi a.s.). */
    public static double[] randomStart(int d, double norm, RandomGenerator rng) {
        double[] w = new double[d];
        double sum = 0.0;
        for (int i = 0; i < d; i++) {
            w[i] = rng.nextGaussian();
            sum += w[i] * w[i];
        }
        double scale = norm / Math.sqrt(sum);
        for (int i = 0; i < d; i++) {
            w[i] *= scale;
        }
        return w;
    }
}
