package org.rvsm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.rvsm.optimizer.DifferentiableObjective;
import org.rvsm.optimizer.RunResult;
import org.rvsm.optimizer.RunStatus;
import org.rvsm.optimizer.Solver;
import org.rvsm.optimizer.SolverConfig;
import org.rvsm.penalty.Penalty;

/** The README's library example, kept compiling and true. */
class ReadmeExampleTest {

    @Test
    void sparseLeastSquaresWithRvsm() {
        // README: begin
        // least squares l(w) = |A w - b|^2 with a sparse truth; any DifferentiableObjective works
        double[][] a = {{1, 0, 0.5, 0}, {0, 1, 0, 0.5}, {0.5, 0, 1, 0}, {0, 0.5, 0, 1}, {1, 1, 1, 1}};
        double[] b = {2, 0, 1, 0, 2}; // = A (2, 0, 0, 0)
        DifferentiableObjective leastSquares = new DifferentiableObjective() {
            public int dimension() {
                return 4;
            }

            public double lossAndGradient(double[] w, double[] gradient) {
                java.util.Arrays.fill(gradient, 0.0);
                double loss = 0.0;
                for (int i = 0; i < a.length; i++) {
                    double r = -b[i];
                    for (int j = 0; j < 4; j++) {
                        r += a[i][j] * w[j];
                    }
                    loss += r * r;
                    for (int j = 0; j < 4; j++) {
                        gradient[j] += 2 * r * a[i][j];
                    }
                }
                return loss;
            }
        };
        SolverConfig config = SolverConfig.rvsm(Penalty.transformedL1(1.0), 0.05, 1.0, 0.05, 10_000, 1e-12);
        RunResult result = Solver.run(leastSquares, new double[] {0.1, 0.1, 0.1, 0.1}, config);
        double[] u = result.u(); // the sparse model: exact zeros where the truth is zero
        // README: end
        assertEquals(RunStatus.CONVERGED, result.status());
        assertEquals(3, Vectors.countZeros(u));
        assertTrue(Math.abs(u[0] - 2.0) < 0.1, "kept weight near the truth: " + u[0]);
    }
}
