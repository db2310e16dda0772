package org.rvsm.experiment;

import java.util.SplittableRandom;
import java.util.function.Consumer;
import org.rvsm.Vectors;
import org.rvsm.optimizer.DifferentiableObjective;
import org.rvsm.optimizer.IterationRecord;
import org.rvsm.optimizer.RunResult;
import org.rvsm.optimizer.Solver;
import org.rvsm.optimizer.SolverConfig;
import org.rvsm.teacher.EmpiricalLoss;
import org.rvsm.teacher.LimitSolver;
import org.rvsm.teacher.NoOverlapNetwork;
import org.rvsm.teacher.OnlineLoss;
import org.rvsm.teacher.PopulationLoss;
import org.rvsm.teacher.PredictedLimit;

/** Runs one teacher-student experiment of the paper and measures it against the theory. */
public final class TeacherStudent {

    private TeacherStudent() {
    }

    /** The teacher, start and data a spec's seed produces, in this fixed order of draws. */
    public record Setup(double[] teacher, double[] init, DifferentiableObjective objective) {
    }

    /** Draws (or takes) the teacher and the start and builds the objective of the gradient mode. */
    public static Setup setUp(TeacherStudentSpec spec) {
        SplittableRandom root = new SplittableRandom(spec.seed());
        SplittableRandom teacherRng = root.split();
        SplittableRandom initRng = root.split();
        SplittableRandom dataRng = root.split();
        double[] teacher = spec.teacher() != null ? spec.teacher()
                : Teachers.sparseTeacher(spec.d(), spec.teacherDensity(), teacherRng);
        double teacherNorm = Vectors.norm(teacher);
        double[] init = spec.init() != null ? spec.init()
                : Teachers.randomStart(spec.d(), teacherNorm > 0.0 ? teacherNorm : 1.0, initRng);
        NoOverlapNetwork network = new NoOverlapNetwork(spec.k(), spec.d());
        DifferentiableObjective objective = switch (spec.gradient()) {
            case POPULATION -> new PopulationLoss(spec.k(), teacher);
            case EMPIRICAL -> EmpiricalLoss.labelledBy(network, network.sample(spec.samples(), dataRng), teacher);
            case ONLINE -> new OnlineLoss(network, teacher, spec.batch(), dataRng);
        };
        return new Setup(teacher, init, objective);
    }

    /** Runs the spec. */
    public static TeacherStudentResult run(TeacherStudentSpec spec) {
        return run(spec, null);
    }

    /** Runs the spec, telling the listener of every iteration record (null for none). */
    public static TeacherStudentResult run(TeacherStudentSpec spec, Consumer<IterationRecord> listener) {
        Setup setup = setUp(spec);
        SolverConfig config = spec.solver();
        double[] teacher = setup.teacher();

        PredictedLimit prediction = predict(spec, teacher, null);
        RunResult run = Solver.run(setup.objective(), setup.init(), config, monitorOf(prediction), listener);
        if (prediction != null && spec.gradient() == GradientMode.POPULATION && prediction.bistable().length > 0
                && !sameSupport(prediction.u(), run.u())) {
            // the limit of a bistable coordinate depends on the path: predict the branch the run took,
            // then replay the (deterministic) run to record the distance to that prediction
            prediction = predict(spec, teacher, LimitSolver.supportOf(run.u()));
            run = Solver.run(setup.objective(), setup.init(), config, monitorOf(prediction));
        }
        double[] u = run.u();
        double errorToPrediction = prediction == null ? Double.NaN : Vectors.relativeDistance(u, prediction.u());
        return new TeacherStudentResult(spec, teacher, setup.init(), run, prediction, errorToPrediction,
                Vectors.relativeDistance(u, teacher), Vectors.sparsity(u), SupportMetrics.of(u, teacher),
                new PopulationLoss(spec.k(), teacher).value(u));
    }

    /** The theory's limit for RVSM (gradient descent: lambda = 0); null for proximal gradient. */
    static PredictedLimit predict(TeacherStudentSpec spec, double[] teacher, boolean[] hint) {
        SolverConfig c = spec.solver();
        return switch (c.method()) {
            case RVSM -> LimitSolver.solve(spec.k(), teacher, c.penalty(), c.lambda(), c.beta(), hint);
            case GRADIENT_DESCENT -> LimitSolver.solve(spec.k(), teacher, c.penalty(), 0.0, c.beta(), hint);
            case PROXIMAL_GRADIENT -> null;
        };
    }

    private static java.util.function.ToDoubleFunction<double[]> monitorOf(PredictedLimit prediction) {
        if (prediction == null) {
            return null;
        }
        double[] target = prediction.u();
        return u -> Vectors.distance(u, target);
    }

    private static boolean sameSupport(double[] x, double[] y) {
        for (int i = 0; i < x.length; i++) {
            if ((x[i] != 0.0) != (y[i] != 0.0)) {
                return false;
            }
        }
        return true;
    }
}
