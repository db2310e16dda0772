package org.rvsm.experiment;

import org.rvsm.optimizer.RunResult;
import org.rvsm.teacher.PredictedLimit;

/**
 * The outcome of one teacher-student run.
 *
 * @param spec                     what was run
 * @param teacher                  w* actually used
 * @param init                     w^0 actually used
 * @param run                      final w, u, the trace (monitor = |u^t - predicted u|) and the status
 * @param prediction               the theory's limit for RVSM and gradient descent; null for
 *                                 proximal gradient, whose fixed point is a different one
 * @param relativeErrorToPrediction |u - predicted u| / |predicted u| (NaN without a prediction)
 * @param relativeErrorToTeacher   |u - w*| / |w*|
 * @param sparsity                 fraction of exact zeros in u
 * @param support                  support precision and recall of u against w*
 * @param populationLoss           l(u), the closed-form population loss of the sparse model
 */
public record TeacherStudentResult(TeacherStudentSpec spec, double[] teacher, double[] init, RunResult run,
                                   PredictedLimit prediction, double relativeErrorToPrediction,
                                   double relativeErrorToTeacher, double sparsity, SupportMetrics support,
                                   double populationLoss) {
}
