package org.rvsm.experiment;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.rvsm.Vectors;
import org.rvsm.optimizer.Method;
import org.rvsm.optimizer.RunResult;
import org.rvsm.optimizer.Solver;
import org.rvsm.optimizer.SolverConfig;
import org.rvsm.penalty.Penalty;
import org.rvsm.teacher.EmpiricalLoss;
import org.rvsm.teacher.LimitSolver;
import org.rvsm.teacher.NoOverlapNetwork;
import org.rvsm.teacher.PopulationLoss;
import org.rvsm.teacher.PredictedLimit;

/**
 * The paper's experiments, as data:
 * (a) convergence of RVSM to the predicted limit, per penalty;
 * (b) the accuracy-sparsity trade-off along a warm-started lambda path, per penalty;
 * (c) the empirical gradient at growing sample sizes;
 * (d) RVSM against proximal gradient and plain gradient descent.
 * Independent runs execute in parallel; each has its own seed and results are gathered in a fixed
 * order, so the outcome does not depend on the number of threads.
 */
public final class Reproduction {

    /** Reports progress: units of work done out of a total known in advance. */
    @FunctionalInterface
    public interface Progress {
        void advance(String stage, int done, int total);
    }

    /** One point of a lambda path; errorToPrediction is against the population limit at that lambda. */
    public record PathPoint(String penalty, double lambda, double sparsity, double errorToTeacher,
                            SupportMetrics support, double errorToPrediction, int iterations, String status) {
    }

    /** Experiment (c) at one sample size: means and standard deviations over the seeds. */
    public record SampleSizePoint(String penalty, int samples, double meanErrorToPrediction,
                                  double sdErrorToPrediction, double meanErrorToTeacher, double meanSparsity,
                                  int seeds, int converged) {
    }

    /**
     * Experiment (d): one method with one penalty. The trace's monitored value is |u^t - w*| / |w*|.
     *
     * @param objective l(u) + lambda P(u) at the final sparse model, the common yardstick
     */
    public record MethodRun(Method method, Penalty penalty, RunResult run, double errorToTeacher,
                            double sparsity, SupportMetrics support, double objective) {
    }

    /** Everything the reproduction computed. */
    public record Result(ReproductionSettings settings, double[] teacher, double[] start,
                         List<TeacherStudentResult> convergence, List<PathPoint> path,
                         List<SampleSizePoint> sampleSizes, List<MethodRun> methods) {
    }

    private Reproduction() {
    }

    /** Runs (a) to (d). */
    public static Result run(ReproductionSettings s, Progress progress) {
        SplittableRandom root = new SplittableRandom(s.seed());
        double[] teacher = Teachers.sparseTeacher(s.d(), s.teacherDensity(), root.split());
        double[] start = Teachers.randomStart(s.d(), Vectors.norm(teacher), root.split());
        long dataSeed = root.nextLong();

        int total = s.penalties().size() * (1 + s.lambdaGrid().length + s.sampleSizes().length * s.seedsPerSize())
                + 1 + 2 * s.penalties().size();
        AtomicInteger done = new AtomicInteger();
        Runnable tick = () -> progress.advance("reproduce", done.incrementAndGet(), total);

        List<TeacherStudentResult> convergence = parallel(s.penalties().size(), i -> {
            TeacherStudentResult r = population(s, teacher, start, rvsm(s, s.penalties().get(i)));
            tick.run();
            return r;
        });
        NoOverlapNetwork net = new NoOverlapNetwork(s.k(), s.d());
        SplittableRandom pathRng = new SplittableRandom(dataSeed);
        double[] pathSample = net.sample(s.pathSamples(), pathRng);
        double[] pathLabels = net.label(pathSample, teacher);
        for (int j = 0; j < pathLabels.length; j++) {
            pathLabels[j] += s.pathLabelNoise() * pathRng.nextGaussian();
        }
        EmpiricalLoss pathLoss = new EmpiricalLoss(net, pathSample, pathLabels);
        List<List<PathPoint>> paths = parallel(s.penalties().size(), i -> path(s, teacher, start, pathLoss,
                s.penalties().get(i), tick));
        List<PathPoint> path = new ArrayList<>();
        paths.forEach(path::addAll);
        List<List<SampleSizePoint>> sizes = parallel(s.penalties().size(), i -> sampleSizes(s, teacher, start,
                s.penalties().get(i), dataSeed + 1, tick));
        List<SampleSizePoint> sampleSizes = new ArrayList<>();
        sizes.forEach(sampleSizes::addAll);
        List<SolverConfig> configs = new ArrayList<>();
        configs.add(rvsm(s, Penalty.l1()).withMethod(Method.GRADIENT_DESCENT));
        for (Penalty p : s.penalties()) {
            configs.add(rvsm(s, p));
            configs.add(rvsm(s, p).withMethod(Method.PROXIMAL_GRADIENT));
        }
        PopulationLoss loss = new PopulationLoss(s.k(), teacher);
        double teacherNorm = Vectors.norm(teacher);
        List<MethodRun> methods = parallel(configs.size(), i -> {
            SolverConfig c = configs.get(i);
            RunResult run = Solver.run(loss, start, c, u -> Vectors.distance(u, teacher) / teacherNorm);
            double lambda = c.method() == Method.GRADIENT_DESCENT ? 0.0 : c.lambda();
            tick.run();
            return new MethodRun(c.method(), c.penalty(), run, Vectors.relativeDistance(run.u(), teacher),
                    Vectors.sparsity(run.u()), SupportMetrics.of(run.u(), teacher),
                    loss.value(run.u()) + lambda * c.penalty().value(run.u()));
        });
        return new Result(s, teacher, start, convergence, path, sampleSizes, methods);
    }

    private static SolverConfig rvsm(ReproductionSettings s, Penalty p) {
        return SolverConfig.rvsm(p, s.lambda(), s.beta(), s.eta(), s.iterations(), ReproductionSettings.TOLERANCE);
    }

    private static TeacherStudentResult population(ReproductionSettings s, double[] teacher, double[] start,
                                                   SolverConfig config) {
        return TeacherStudent.run(new TeacherStudentSpec(s.k(), s.d(), config, GradientMode.POPULATION, 1, 1,
                s.seed(), teacher, start, s.teacherDensity()));
    }

    /**
     * (b): the lambda path from the largest lambda down, each run started from the previous w, on the
     * empirical loss of one fixed sample.
     */
    private static List<PathPoint> path(ReproductionSettings s, double[] teacher, double[] start,
                                        EmpiricalLoss loss, Penalty p, Runnable tick) {
        double[] grid = s.lambdaGrid();
        List<PathPoint> points = new ArrayList<>();
        double[] w = start;
        for (int i = grid.length - 1; i >= 0; i--) {
            double lambda = grid[i];
            RunResult run = Solver.run(loss, w, SolverConfig.rvsm(p, lambda, s.beta(), s.eta(),
                    s.empiricalIterations(), ReproductionSettings.TOLERANCE));
            w = run.w();
            PredictedLimit limit = LimitSolver.solve(s.k(), teacher, p, lambda, s.beta(),
                    LimitSolver.supportOf(run.u()));
            points.add(new PathPoint(p.label(), lambda, Vectors.sparsity(run.u()),
                    Vectors.relativeDistance(run.u(), teacher), SupportMetrics.of(run.u(), teacher),
                    Vectors.relativeDistance(run.u(), limit.u()), run.iterations(), run.status().label()));
            tick.run();
        }
        return points;
    }

    /** (c): RVSM on the empirical loss of fixed samples of growing size. */
    private static List<SampleSizePoint> sampleSizes(ReproductionSettings s, double[] teacher, double[] start,
                                                     Penalty p, long dataSeed, Runnable tick) {
        NoOverlapNetwork net = new NoOverlapNetwork(s.k(), s.d());
        List<SampleSizePoint> points = new ArrayList<>();
        for (int n : s.sampleSizes()) {
            double[] toPrediction = new double[s.seedsPerSize()];
            double toTeacher = 0.0;
            double sparsity = 0.0;
            int converged = 0;
            for (int r = 0; r < s.seedsPerSize(); r++) {
                // the same samples for every penalty: seeded by (n, r) only
                SplittableRandom rng = new SplittableRandom(dataSeed ^ (31L * n + r));
                EmpiricalLoss loss = EmpiricalLoss.labelledBy(net, net.sample(n, rng), teacher);
                RunResult run = Solver.run(loss, start, SolverConfig.rvsm(p, s.lambda(), s.beta(), s.eta(),
                        s.empiricalIterations(), ReproductionSettings.TOLERANCE));
                converged += run.status() == org.rvsm.optimizer.RunStatus.CONVERGED ? 1 : 0;
                PredictedLimit limit = LimitSolver.solve(s.k(), teacher, p, s.lambda(), s.beta(),
                        LimitSolver.supportOf(run.u()));
                toPrediction[r] = Vectors.relativeDistance(run.u(), limit.u());
                toTeacher += Vectors.relativeDistance(run.u(), teacher) / s.seedsPerSize();
                sparsity += Vectors.sparsity(run.u()) / s.seedsPerSize();
                tick.run();
            }
            double mean = 0.0;
            for (double e : toPrediction) {
                mean += e / toPrediction.length;
            }
            double var = 0.0;
            for (double e : toPrediction) {
                var += (e - mean) * (e - mean) / Math.max(1, toPrediction.length - 1);
            }
            points.add(new SampleSizePoint(p.label(), n, mean, Math.sqrt(var), toTeacher, sparsity,
                    s.seedsPerSize(), converged));
        }
        return points;
    }

    /** Runs count independent tasks on the common pool, returning their results in index order. */
    private static <T> List<T> parallel(int count, java.util.function.IntFunction<T> task) {
        return IntStream.range(0, count).parallel().mapToObj(task).toList();
    }
}
