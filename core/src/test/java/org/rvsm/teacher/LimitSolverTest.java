package org.rvsm.teacher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.rvsm.Tolerances.assertClose;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.rvsm.Tolerances;
import org.rvsm.Vectors;
import org.rvsm.experiment.Teachers;
import org.rvsm.optimizer.RunResult;
import org.rvsm.optimizer.RunStatus;
import org.rvsm.optimizer.Solver;
import org.rvsm.optimizer.SolverConfig;
import org.rvsm.penalty.Penalty;
import org.rvsm.penalty.TransformedL1;

/** The theory of docs/math.md section 4 against RVSM runs and against its own closed forms. */
class LimitSolverTest {

    private static double[] gaussian(int d, SplittableRandom rng) {
        double[] v = new double[d];
        for (int i = 0; i < d; i++) {
            v[i] = rng.nextGaussian();
        }
        return v;
    }

    private static RunResult rvsm(int k, double[] teacher, Penalty p, double lambda, double beta, long seed) {
        double[] start = Teachers.randomStart(teacher.length, Vectors.norm(teacher), new SplittableRandom(seed));
        return Solver.run(new PopulationLoss(k, teacher), start,
                SolverConfig.rvsm(p, lambda, beta, 0.5, 20_000, 1e-15));
    }

    @Test
    void l1RunMatchesThePredictedLimitOnTheCheckProblem() {
        // docs/math.md section 4.5 check: k=8, d=20, l1, lambda=0.02, beta=1, eta=0.5, 2e4 iterations
        double[] teacher = gaussian(20, new SplittableRandom(8));
        PredictedLimit limit = LimitSolver.solve(8, teacher, Penalty.l1(), 0.02, 1.0, null);
        assertTrue(limit.converged(), "solver residual " + limit.residual());
        RunResult run = rvsm(8, teacher, Penalty.l1(), 0.02, 1.0, 9);
        assertEquals(RunStatus.CONVERGED, run.status());
        double error = Vectors.relativeDistance(run.u(), limit.u());
        assertTrue(error <= Tolerances.LIMIT, "relative error " + error);
        assertClose(limit.w(), run.w(), 1e-9, 0.0, "w̄");
    }

    @ParameterizedTest
    @CsvSource({"8, 20, 0.02, 1.0, 1", "4, 50, 0.05, 0.5, 2", "16, 10, 0.01, 2.0, 3", "1, 30, 0.03, 1.0, 4"})
    void l1LimitMatchesItsClosedFormAndRvsm(int k, int d, double lambda, double beta, long seed) {
        double[] teacher = Teachers.sparseTeacher(d, 0.4, new SplittableRandom(seed));
        PredictedLimit limit = LimitSolver.solve(k, teacher, Penalty.l1(), lambda, beta, null);
        // closed form: ū = ((cw + beta)/cw) S_{lambda/beta}(cStar w* / (cw + beta))
        double[] closed = new double[d];
        for (int i = 0; i < d; i++) {
            closed[i] = (limit.cw() + beta) / limit.cw()
                    * Penalty.l1().prox(limit.cStar() * teacher[i] / (limit.cw() + beta), lambda / beta);
        }
        assertClose(closed, limit.u(), 1e-13, 1e-12, "closed-form l1 limit");
        RunResult run = rvsm(k, teacher, Penalty.l1(), lambda, beta, seed + 100);
        double error = Vectors.relativeDistance(run.u(), limit.u());
        assertTrue(error <= Tolerances.LIMIT, "relative error " + error);
        assertTrue(Vectors.sparsity(limit.u()) > 0.0, "the limit is sparse");
    }

    @ParameterizedTest
    @CsvSource({"1.0, 0.02, 1.0", "2.0, 0.05, 1.0", "5.0, 0.1, 0.5", "0.5, 0.01, 1.0"})
    void transformedL1LimitMatchesRvsmInTheContinuousRegime(double a, double lambda, double beta) {
        TransformedL1 p = new TransformedL1(a);
        assertTrue(p.isContinuousRegime(lambda / beta), "test setting must be continuous");
        double[] teacher = Teachers.sparseTeacher(20, 0.3, new SplittableRandom(5));
        PredictedLimit limit = LimitSolver.solve(8, teacher, p, lambda, beta, null);
        assertTrue(limit.converged(), "solver residual " + limit.residual());
        RunResult run = rvsm(8, teacher, p, lambda, beta, 6);
        double error = Vectors.relativeDistance(run.u(), limit.u());
        assertTrue(error <= Tolerances.LIMIT, "relative error " + error);
    }

    @Test
    void l0ReportsBistableCoordinatesAndMatchesTheRunGivenItsSupport() {
        double[] teacher = Teachers.sparseTeacher(20, 0.5, new SplittableRandom(7));
        double lambda = 0.02; // t = 0.2: inside the band c t < |cStar w*_i| <= (c + beta) t for most i
        double beta = 1.0;
        PredictedLimit free = LimitSolver.solve(8, teacher, Penalty.l0(), lambda, beta, null);
        RunResult run = rvsm(8, teacher, Penalty.l0(), lambda, beta, 8);
        PredictedLimit given = LimitSolver.solve(8, teacher, Penalty.l0(), lambda, beta, LimitSolver.supportOf(run.u()));
        assertTrue(given.converged());
        assertTrue(Vectors.relativeDistance(run.u(), given.u()) <= Tolerances.LIMIT,
                "l0 limit given the run's support: " + Vectors.relativeDistance(run.u(), given.u()));
        // the bistable set is exactly where kept and dropped states both satisfy their inequalities:
        // cw t < |cStar w*_i| <= (cw + beta) t
        double t = Math.sqrt(2 * lambda / beta);
        int expected = 0;
        for (double wi : teacher) {
            double s = Math.abs(free.cStar() * wi);
            expected += free.cw() * t < s && s <= (free.cw() + beta) * t ? 1 : 0;
        }
        assertEquals(expected, free.bistable().length);
        assertTrue(expected > 0, "this setting was chosen to have bistable coordinates");
    }

    @Test
    void everyReturnedCoordinateSolutionSatisfiesTheScalarEquation() {
        SplittableRandom rng = new SplittableRandom(10);
        double[] xs = new double[3];
        double[] ys = new double[3];
        for (int trial = 0; trial < 20_000; trial++) {
            Penalty p = switch (trial % 3) {
                case 0 -> Penalty.l1();
                case 1 -> Penalty.l0();
                default -> Penalty.transformedL1(Math.pow(10, rng.nextDouble(-1.5, 1.5)));
            };
            double mu = Math.pow(10, rng.nextDouble(-3, 0));
            double c = rng.nextDouble(0.01, 1.0);
            double beta = Math.pow(10, rng.nextDouble(-1, 1));
            double s = rng.nextGaussian();
            int n = LimitSolver.coordinateSolutions(p, mu, c, beta, s, xs, ys);
            assertTrue(n >= 1, "a solution always exists: " + p.label() + " mu=" + mu + " s=" + s);
            for (int j = 0; j < n; j++) {
                assertEquals(p.prox(xs[j], mu), ys[j], 1e-7 * (1 + Math.abs(ys[j])), "y = T(x)");
                double residual = (c + beta) * xs[j] - beta * p.prox(xs[j], mu) - s;
                assertClose(0.0, residual, 1e-7 * (1 + Math.abs(s)), 0.0, p.label() + " equation");
            }
        }
    }

    @Test
    void smallBetaWithFixedMuTendsToThresholdingTheTeacher() {
        // docs/math.md section 4.4: beta -> 0 with lambda/beta fixed gives ū -> T_{lambda/beta}(w*)
        double[] teacher = Teachers.sparseTeacher(20, 0.5, new SplittableRandom(11));
        double mu = 0.3;
        double[] expected = new double[20];
        Penalty.l1().prox(teacher, expected, mu);
        double previous = Double.POSITIVE_INFINITY;
        for (double beta : new double[] {1e-1, 1e-2, 1e-3, 1e-4}) {
            PredictedLimit limit = LimitSolver.solve(8, teacher, Penalty.l1(), mu * beta, beta, null);
            double gap = Vectors.distance(limit.u(), expected);
            assertTrue(gap < previous, "beta=" + beta + " gap=" + gap);
            previous = gap;
        }
        assertTrue(previous < 1e-2, "close to T(w*) at beta=1e-4: " + previous);
    }

    @Test
    void lambdaZeroPredictsTheTeacher() {
        double[] teacher = gaussian(15, new SplittableRandom(12));
        PredictedLimit limit = LimitSolver.solve(6, teacher, Penalty.l0(), 0.0, 1.0, null);
        assertClose(teacher, limit.u(), 1e-12, 1e-12, "ū = w*");
        assertClose(teacher, limit.w(), 1e-12, 1e-12, "w̄ = w*");
    }
}
