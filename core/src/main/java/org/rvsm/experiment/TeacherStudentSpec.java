package org.rvsm.experiment;

import org.rvsm.Vectors;
import org.rvsm.optimizer.SolverConfig;

/**
 * One teacher-student run of the paper's problem.
 *
 * @param k              patches per input
 * @param d              patch dimension (length of w)
 * @param solver         method, penalty, lambda, beta, eta, iterations, tolerance
 * @param gradient       population, empirical (fixed sample) or online (fresh batch per step)
 * @param samples        n, the fixed sample size (empirical)
 * @param batch          the batch size (online)
 * @param seed           seeds every random draw of the run (teacher, start, data, in that order)
 * @param teacher        w*, or null for a seeded sparse teacher of the given density
 * @param init           w^0, or null for a seeded random start with |w^0| = |w*|
 * @param teacherDensity fraction of non-zeros of a generated teacher, in (0, 1]
 */
public record TeacherStudentSpec(int k, int d, SolverConfig solver, GradientMode gradient, int samples,
                                 int batch, long seed, double[] teacher, double[] init,
                                 double teacherDensity) {

    public TeacherStudentSpec {
        if (k < 1) {
            throw new IllegalArgumentException("k must be >= 1, got " + k);
        }
        if (d < 1) {
            throw new IllegalArgumentException("d must be >= 1, got " + d);
        }
        if (solver == null || gradient == null) {
            throw new IllegalArgumentException("solver and gradient must not be null");
        }
        if (samples < 1) {
            throw new IllegalArgumentException("samples must be >= 1, got " + samples);
        }
        if (batch < 1) {
            throw new IllegalArgumentException("batch must be >= 1, got " + batch);
        }
        if (!(teacherDensity > 0.0 && teacherDensity <= 1.0)) {
            throw new IllegalArgumentException("teacherDensity must be in (0, 1], got " + teacherDensity);
        }
        teacher = checkVector("teacher", teacher, d);
        init = checkVector("init", init, d);
    }

    private static double[] checkVector(String name, double[] v, int d) {
        if (v == null) {
            return null;
        }
        if (v.length != d) {
            throw new IllegalArgumentException(name + " has " + v.length + " entries, expected d = " + d);
        }
        if (!Vectors.allFinite(v)) {
            throw new IllegalArgumentException(name + " entries must be finite");
        }
        return v.clone();
    }
}
