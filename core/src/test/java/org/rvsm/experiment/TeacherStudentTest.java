package org.rvsm.experiment;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;
import org.rvsm.Tolerances;
import org.rvsm.Vectors;
import org.rvsm.optimizer.Method;
import org.rvsm.optimizer.SolverConfig;
import org.rvsm.penalty.Penalty;

class TeacherStudentTest {

    private static TeacherStudentSpec spec(GradientMode mode, long seed) {
        return spec(mode, seed, 300);
    }

    private static TeacherStudentSpec spec(GradientMode mode, long seed, int iterations) {
        return new TeacherStudentSpec(8, 20, SolverConfig.rvsm(Penalty.transformedL1(1.0), 0.02, 1.0, 0.5, iterations, 0.0),
                mode, 400, 32, seed, null, null, 0.3);
    }

    @ParameterizedTest
    @EnumSource(GradientMode.class)
    void sameSeedGivesBitIdenticalRuns(GradientMode mode) {
        TeacherStudentResult a = TeacherStudent.run(spec(mode, 17));
        TeacherStudentResult b = TeacherStudent.run(spec(mode, 17));
        assertArrayEquals(a.run().w(), b.run().w(), 0.0);
        assertArrayEquals(a.run().u(), b.run().u(), 0.0);
        assertEquals(a.run().trace(), b.run().trace());
        TeacherStudentResult c = TeacherStudent.run(spec(mode, 18));
        assertTrue(Vectors.distance(a.teacher(), c.teacher()) > 0.0, "another seed, another teacher");
    }

    @Test
    void metricsAreComputedFromTheFinalU() {
        TeacherStudentResult r = TeacherStudent.run(spec(GradientMode.POPULATION, 3, 5000));
        double[] u = r.run().u();
        assertEquals(Vectors.sparsity(u), r.sparsity(), 0.0);
        Tolerances.assertClose(Vectors.distance(u, r.teacher()) / Vectors.norm(r.teacher()),
                r.relativeErrorToTeacher(), 0.0, 1e-15, "error to w*");
        assertNotNull(r.prediction());
        assertTrue(r.relativeErrorToPrediction() < 1e-8, "converged to the prediction: " + r.relativeErrorToPrediction());
        assertEquals(r.run().last().monitored(), Vectors.distance(u, r.prediction().u()), 0.0);
        SupportMetrics perfect = SupportMetrics.of(r.teacher(), r.teacher());
        assertEquals(1.0, perfect.precision(), 0.0);
        assertEquals(1.0, perfect.recall(), 0.0);
    }

    @Test
    void proximalGradientHasNoPrediction() {
        TeacherStudentSpec s = new TeacherStudentSpec(8, 20, SolverConfig.rvsm(Penalty.l1(), 0.02, 1.0, 0.5, 50, 0.0)
                .withMethod(Method.PROXIMAL_GRADIENT), GradientMode.POPULATION, 1, 1, 1, null, null, 0.3);
        TeacherStudentResult r = TeacherStudent.run(s);
        assertNull(r.prediction());
        assertTrue(Double.isNaN(r.relativeErrorToPrediction()));
    }

    @Test
    void userTeacherAndStartAreValidatedAndUsed() {
        double[] teacher = new double[20];
        teacher[3] = 1.0;
        double[] init = new double[20];
        init[3] = 0.2;
        init[4] = 0.1;
        TeacherStudentSpec s = new TeacherStudentSpec(8, 20, SolverConfig.rvsm(Penalty.l1(), 0.0, 1.0, 0.5, 0, 0.0),
                GradientMode.POPULATION, 1, 1, 1, teacher, init, 0.3);
        TeacherStudentResult r = TeacherStudent.run(s);
        assertArrayEquals(teacher, r.teacher(), 0.0);
        assertArrayEquals(init, r.init(), 0.0);
        assertEquals("teacher has 19 entries, expected d = 20", assertThrows(IllegalArgumentException.class,
                () -> new TeacherStudentSpec(8, 20, s.solver(), GradientMode.POPULATION, 1, 1, 1, new double[19], null, 0.3))
                .getMessage());
    }
}
