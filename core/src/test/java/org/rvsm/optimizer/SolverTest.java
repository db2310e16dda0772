package org.rvsm.optimizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.rvsm.Tolerances;
import org.rvsm.Vectors;
import org.rvsm.experiment.Teachers;
import org.rvsm.penalty.Penalty;
import org.rvsm.teacher.EmpiricalLoss;
import org.rvsm.teacher.NoOverlapNetwork;
import org.rvsm.teacher.PopulationLoss;

class SolverTest {

    static Stream<Penalty> penalties() {
        return Stream.of(Penalty.l1(), Penalty.l0(), Penalty.transformedL1(1.0), Penalty.transformedL1(0.1));
    }

    private static final double[] TEACHER = Teachers.sparseTeacher(20, 0.3, new SplittableRandom(1));
    private static final double[] START = Teachers.randomStart(20, Vectors.norm(TEACHER), new SplittableRandom(2));

    @ParameterizedTest
    @MethodSource("penalties")
    void lambdaZeroIsPlainGradientDescentBitForBit(Penalty penalty) {
        NoOverlapNetwork net = new NoOverlapNetwork(8, 20);
        DifferentiableObjective[] objectives = {
                new PopulationLoss(8, TEACHER),
                EmpiricalLoss.labelledBy(net, net.sample(500, new SplittableRandom(3)), TEACHER)};
        for (DifferentiableObjective f : objectives) {
            RunResult rvsm = Solver.run(f, START, SolverConfig.rvsm(penalty, 0.0, 0.7, 0.3, 200, 0.0));
            RunResult gd = Solver.run(f, START, SolverConfig.rvsm(penalty, 0.05, 0.7, 0.3, 200, 0.0)
                    .withMethod(Method.GRADIENT_DESCENT));
            // and an independent hand-written gradient descent loop
            double[] w = START.clone();
            double[] g = new double[20];
            for (int t = 0; t < 200; t++) {
                f.lossAndGradient(w, g);
                for (int i = 0; i < 20; i++) {
                    w[i] = w[i] - 0.3 * g[i];
                }
            }
            assertArrayEquals(w, rvsm.w(), 0.0, "RVSM(lambda=0) vs hand-written GD");
            assertArrayEquals(w, gd.w(), 0.0, "gradient-descent method vs hand-written GD");
            assertArrayEquals(rvsm.w(), rvsm.u(), 0.0, "u = w when lambda = 0");
            for (int t = 0; t <= 200; t++) {
                assertEquals(gd.trace().get(t), rvsm.trace().get(t), "trace at " + t);
            }
        }
    }

    @ParameterizedTest
    @MethodSource("penalties")
    void lagrangianIsNonIncreasingForASmallStepOnThePopulationLoss(Penalty penalty) {
        // docs/math.md section 2.2: descent when eta < 2/(beta + L); L is O(1) here, so eta = 0.1 is small
        RunResult run = Solver.run(new PopulationLoss(8, TEACHER), START,
                SolverConfig.rvsm(penalty, 0.05, 1.0, 0.1, 3000, 0.0));
        double previous = Double.POSITIVE_INFINITY;
        for (IterationRecord r : run.trace()) {
            assertTrue(r.lagrangian() <= previous + 1e-13 * Math.abs(previous),
                    penalty.label() + ": L_beta rose at t=" + r.iteration() + ": " + previous + " -> " + r.lagrangian());
            previous = r.lagrangian();
        }
        double[] t = new double[20];
        penalty.prox(run.w(), t, 0.05);
        assertArrayEquals(t, run.u(), 0.0, "u = T_{lambda/beta}(w) at the end");
    }

    @Test
    void lagrangianIsReportedAsDefined() {
        Penalty p = Penalty.transformedL1(1.0);
        PopulationLoss f = new PopulationLoss(8, TEACHER);
        RunResult run = Solver.run(f, START, SolverConfig.rvsm(p, 0.05, 2.0, 0.1, 0, 0.0));
        double[] u0 = new double[20];
        p.prox(START, u0, 0.05 / 2.0);
        double gap = Vectors.distance(START, u0);
        double expected = f.value(START) + 0.05 * p.value(u0) + 0.5 * 2.0 * gap * gap;
        Tolerances.assertClose(expected, run.trace().get(0).lagrangian(), 0.0, 1e-14, "L_beta(w0, u0)");
        assertEquals(0, run.iterations());
    }

    @Test
    void proximalGradientEndsAtItsFixedPoint() {
        Penalty p = Penalty.l1();
        PopulationLoss f = new PopulationLoss(8, TEACHER);
        RunResult run = Solver.run(f, START, SolverConfig.rvsm(p, 0.01, 1.0, 0.5, 50_000, 1e-14)
                .withMethod(Method.PROXIMAL_GRADIENT));
        assertEquals(RunStatus.CONVERGED, run.status());
        double[] g = new double[20];
        f.gradient(run.w(), g);
        double[] step = new double[20];
        for (int i = 0; i < 20; i++) {
            step[i] = run.w()[i] - 0.5 * g[i];
        }
        p.prox(step, step, 0.5 * 0.01);
        Tolerances.assertClose(run.w(), step, 1e-12, 0.0, "w = T(w - eta grad l(w))");
        assertTrue(Vectors.sparsity(run.u()) > 0.0);
    }

    @Test
    void stopsAtTheToleranceOrTheBudgetAndFlagsDivergence() {
        PopulationLoss f = new PopulationLoss(8, TEACHER);
        RunResult budget = Solver.run(f, START, SolverConfig.rvsm(Penalty.l1(), 0.01, 1, 0.5, 7, 0.0));
        assertEquals(RunStatus.MAX_ITERATIONS, budget.status());
        assertEquals(7, budget.iterations());
        RunResult converged = Solver.run(f, START, SolverConfig.rvsm(Penalty.l1(), 0.01, 1, 0.5, 100_000, 1e-9));
        assertEquals(RunStatus.CONVERGED, converged.status());
        assertTrue(converged.iterations() < 100_000);
        RunResult diverged = Solver.run(f, START, SolverConfig.rvsm(Penalty.l1(), 0.01, 1, 1e3, 10_000, 0.0));
        assertEquals(RunStatus.DIVERGED, diverged.status());
    }

    @Test
    void configRejectsBadValuesByName() {
        assertEquals("lambda must be >= 0, got -0.1", assertThrows(IllegalArgumentException.class,
                () -> SolverConfig.rvsm(Penalty.l1(), -0.1, 1, 1, 1, 0)).getMessage());
        assertEquals("beta must be > 0, got 0.0", assertThrows(IllegalArgumentException.class,
                () -> SolverConfig.rvsm(Penalty.l1(), 0.1, 0, 1, 1, 0)).getMessage());
        assertEquals("eta must be finite, got NaN", assertThrows(IllegalArgumentException.class,
                () -> SolverConfig.rvsm(Penalty.l1(), 0.1, 1, Double.NaN, 1, 0)).getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> Solver.run(new PopulationLoss(2, TEACHER), new double[3], SolverConfig.rvsm(Penalty.l1(), 0, 1, 1, 1, 0)));
    }
}
