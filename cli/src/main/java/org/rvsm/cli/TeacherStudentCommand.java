package org.rvsm.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.rvsm.experiment.GradientMode;
import org.rvsm.experiment.TeacherStudent;
import org.rvsm.experiment.TeacherStudentResult;
import org.rvsm.experiment.TeacherStudentSpec;
import org.rvsm.optimizer.IterationRecord;
import org.rvsm.optimizer.Method;
import org.rvsm.optimizer.SolverConfig;
import org.rvsm.penalty.Penalty;
import org.rvsm.teacher.NoOverlapNetwork;
import org.rvsm.teacher.PredictedLimit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** One teacher-student run of the paper's problem. */
@Command(name = "teacher-student",
        sortOptions = false,
        mixinStandardHelpOptions = true,
        description = {
            "Learn the paper's no-overlap ReLU network from a teacher, by RVSM or a baseline.",
            "The network has one hidden layer, f(Z,w) = (1/k) sum_i relu(Z_i.w), and Gaussian input; the",
            "sparse result u is compared with the teacher and with the limit the theory predicts.",
            "",
            "Writes DIR/summary.json (config, w, u, predicted_u, errors, sparsity, support precision",
            "and recall, loss, iterations, status) and DIR/trace.csv (one row per iteration).",
            "DIR must be new or empty; --force replaces an earlier output of this command there (and nothing",
            "else), once the run has finished. On any error DIR is left untouched.",
            ""},
        footer = {"",
            "Examples:",
            "  rvsm teacher-student --penalty l1 --lambda 0.02 --out runs/l1",
            "  rvsm teacher-student --penalty l0 --lambda 0.02 --gradient empirical --samples 20000 --out runs/l0",
            "  rvsm teacher-student --teacher wstar.txt --init w0.txt --penalty tl1 --a 0.5 --out runs/mine",
            "",
            "Exit codes: 0 done, 2 bad input (one line on stderr names the option), 1 unexpected failure."})
final class TeacherStudentCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--d", paramLabel = "D",
            description = "Filter (patch) dimension. Default: the length of --teacher, else 20.")
    Integer d;

    @Option(names = "--k", paramLabel = "K", defaultValue = "8", description = "Patches per input (default: ${DEFAULT-VALUE}).")
    int k;

    @Option(names = "--penalty", paramLabel = "P", defaultValue = "tl1",
            description = "l1 (soft threshold), l0 (hard), tl1 (transformed l1, shape --a) or none (plain gradient descent). Default: ${DEFAULT-VALUE}.")
    String penalty;

    @Option(names = "--a", paramLabel = "A", defaultValue = "1.0",
            description = "Tl1 shape a > 0: small a behaves like l0, large a like l1 (default: ${DEFAULT-VALUE}).")
    double a;

    @Option(names = "--lambda", paramLabel = "LAMBDA", defaultValue = "0.005",
            description = "Penalty weight lambda >= 0 (default: ${DEFAULT-VALUE}).")
    double lambda;

    @Option(names = "--beta", paramLabel = "BETA", defaultValue = "1.0",
            description = "Splitting weight beta > 0; u = T_{lambda/beta}(w) (default: ${DEFAULT-VALUE}).")
    double beta;

    @Option(names = "--eta", paramLabel = "ETA", defaultValue = "0.5",
            description = "Step size eta > 0; RVSM descends for eta < 2/(beta + L) (default: ${DEFAULT-VALUE}).")
    double eta;

    @Option(names = "--iterations", paramLabel = "N", defaultValue = "20000",
            description = "Most iterations (default: ${DEFAULT-VALUE}).")
    int iterations;

    @Option(names = "--tol", paramLabel = "TOL", defaultValue = "1e-12",
            description = "Stop when |w^{t+1} - w^t| < TOL; 0 never stops early (default: ${DEFAULT-VALUE}).")
    double tol;

    @Option(names = "--method", paramLabel = "M", defaultValue = "rvsm",
            description = "rvsm or proximal-gradient (baseline: w = T_{eta lambda}(w - eta grad)). Default: ${DEFAULT-VALUE}.")
    String method;

    @Option(names = "--gradient", paramLabel = "G", defaultValue = "population",
            description = "population (closed form), empirical (fixed sample of --samples inputs) or online (fresh --batch each step). Default: ${DEFAULT-VALUE}.")
    String gradient;

    @Option(names = "--samples", paramLabel = "N", defaultValue = "10000",
            description = "Sample size for --gradient empirical (default: ${DEFAULT-VALUE}).")
    int samples;

    @Option(names = "--batch", paramLabel = "B", defaultValue = "64",
            description = "Batch size for --gradient online (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--seed", paramLabel = "SEED", defaultValue = "1",
            description = "Seeds the teacher, the start and the data; same seed, same bits (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--teacher", paramLabel = "FILE",
            description = "Teacher w*, one number per line. Default: a seeded sparse teacher.")
    Path teacherFile;

    @Option(names = "--teacher-density", paramLabel = "F", defaultValue = "0.25",
            description = "Fraction of non-zeros of the generated teacher, entries +-(0.5 + |N(0,1)|) (default: ${DEFAULT-VALUE}).")
    double teacherDensity;

    @Option(names = "--init", paramLabel = "FILE",
            description = "Start w^0, one number per line. Default: seeded Gaussian with |w^0| = |w*|.")
    Path initFile;

    @Option(names = "--out", paramLabel = "DIR",
            description = "Output directory, new or empty. Default: runs/teacher-student, where an earlier output "
                    + "(and nothing else) is replaced.")
    Path out;

    @Option(names = "--force", description = "Replace DIR if it holds an earlier teacher-student output and nothing else.")
    boolean force;

    @CommandLine.Mixin
    CommonOptions common;

    @Override
    public Integer call() {
        TeacherStudentSpec runSpec = buildSpec();
        Invocation invocation = Invocation.of(spec);
        PrintWriter stdout = spec.commandLine().getOut();
        List<Path> inputs = new ArrayList<>();
        for (Path p : new Path[] {teacherFile, initFile}) {
            if (p != null) {
                inputs.add(p);
            }
        }
        try (StagedDirectory staged = StagedDirectory.create("teacher-student", "--out",
                out != null ? out : Path.of("runs/teacher-student"), force || out == null, inputs);
             ProgressBar bar = common.progressBar()) {
            long started = System.nanoTime();
            int budget = runSpec.solver().maxIterations();
            TeacherStudentResult result = TeacherStudent.run(runSpec,
                    r -> bar.update("teacher-student", r.iteration(), budget));
            double seconds = (System.nanoTime() - started) / 1e9;
            Output.writeJson(staged.path().resolve("summary.json"), summary(result, invocation));
            writeTrace(staged.path().resolve("trace.csv"), result);
            staged.commit();
            bar.close();
            stdout.println(Output.format("%s after %d iterations (%.2f s): sparsity %.3f, error to w* %.3g, "
                            + "error to predicted limit %s",
                    result.run().status().label(), result.run().iterations(), seconds, result.sparsity(),
                    result.relativeErrorToTeacher(), Double.isNaN(result.relativeErrorToPrediction()) ? "n/a"
                            : Output.format("%.3g", result.relativeErrorToPrediction())));
            stdout.println("wrote " + staged.target().resolve("summary.json") + " and trace.csv");
        }
        return ExitCode.OK;
    }

    private TeacherStudentSpec buildSpec() {
        String penaltyName = Choices.oneOf("--penalty", penalty, Choices.PENALTIES);
        String methodName = Choices.oneOf("--method", method, Choices.METHODS);
        String gradientName = Choices.oneOf("--gradient", gradient, Choices.GRADIENTS);
        Checks.atLeast("--k", k, 1);
        Checks.nonNegative("--lambda", lambda);
        Checks.positive("--beta", beta);
        Checks.positive("--eta", eta);
        Checks.positive("--a", a);
        Checks.atLeast("--iterations", iterations, 0);
        Checks.nonNegative("--tol", tol);
        Checks.atLeast("--samples", samples, 1);
        Checks.atLeast("--batch", batch, 1);
        Checks.inUnitInterval("--teacher-density", teacherDensity);
        if (d != null) { // before reading any file, which is then read only up to d numbers
            requireMemory(Checks.atLeast("--d", d, 1));
        }
        int most = d != null ? d : VectorFile.DEFAULT_MAX_ENTRIES;
        double[] teacher = teacherFile == null ? null : VectorFile.read("--teacher", teacherFile, most);
        double[] init = initFile == null ? null : VectorFile.read("--init", initFile, d != null ? d
                : teacher != null ? teacher.length : most);
        int dimension = d != null ? d : teacher != null ? teacher.length : 20;
        if (d == null) {
            requireMemory(dimension);
        }
        if (teacher != null) {
            VectorFile.requireLength("--teacher", teacherFile, teacher, dimension);
        }
        if (init != null) {
            VectorFile.requireLength("--init", initFile, init, dimension);
        }
        NoOverlapNetwork network = new NoOverlapNetwork(k, dimension);
        requireArraySize(network, "--samples", samples);
        requireArraySize(network, "--batch", batch);
        Method m = Choices.method(penaltyName, methodName);
        SolverConfig solver = new SolverConfig(m, Choices.penalty(penaltyName, a),
                penaltyName.equals("none") ? 0.0 : lambda, beta, eta, iterations, tol);
        return new TeacherStudentSpec(k, dimension, solver, Choices.gradient(gradientName), samples, batch, seed,
                teacher, init, teacherDensity);
    }

    /**
     * Bytes a run may take per coordinate of w: the solver's and the theory's vectors, the per-iteration
     * trace is not per coordinate, and summary.json's six vectors as JSON (boxed numbers, then text).
     */
    static final long BYTES_PER_COORDINATE = 512;

    /** Refuses a dimension whose vectors (and sample, --gradient empirical/online) cannot fit in the JVM's heap. */
    private void requireMemory(int dimension) {
        long perSample = 8L * k * dimension;
        long bytes = BYTES_PER_COORDINATE * dimension + switch (gradient) {
            case "empirical" -> perSample * samples;
            case "online" -> perSample * batch;
            default -> 0L;
        };
        long available = Runtime.getRuntime().maxMemory();
        if (bytes > available * 0.8) {
            throw new UserError(Output.format("--d %d (with --k %d, --gradient %s) needs about %,.1f GB of memory, more "
                    + "than this JVM's %,.1f GB; choose a smaller --d (or raise the heap: RVSM_JAVA_OPTS=-Xmx...)",
                    dimension, k, gradient, bytes / 1e9, available / 1e9));
        }
    }

    /** The (count, k, d) sample must fit in one Java array. */
    private static void requireArraySize(NoOverlapNetwork network, String option, int count) {
        try {
            network.flatSize(option, count);
        } catch (IllegalArgumentException e) {
            throw new UserError(e.getMessage());
        }
    }

    private Map<String, Object> config(TeacherStudentSpec s) {
        SolverConfig c = s.solver();
        Map<String, Object> m = Output.object();
        m.put("k", s.k());
        m.put("d", s.d());
        m.put("method", c.method().label());
        m.put("penalty", c.method() == Method.GRADIENT_DESCENT ? "none" : penaltyName(c.penalty()));
        m.put("a", c.penalty() instanceof org.rvsm.penalty.TransformedL1 t ? t.a() : null);
        m.put("lambda", c.lambda());
        m.put("beta", c.beta());
        m.put("eta", c.eta());
        m.put("iterations", c.maxIterations());
        m.put("tol", c.tolerance());
        m.put("gradient", s.gradient().label());
        m.put("samples", s.samples());
        m.put("batch", s.batch());
        m.put("seed", s.seed());
        m.put("teacher_file", teacherFile == null ? null : teacherFile.toString());
        m.put("init_file", initFile == null ? null : initFile.toString());
        m.put("teacher_density", s.teacher() == null ? s.teacherDensity() : null);
        return m;
    }

    static String penaltyName(Penalty p) {
        return p instanceof org.rvsm.penalty.TransformedL1 ? "tl1" : p.label();
    }

    private Map<String, Object> summary(TeacherStudentResult r, Invocation invocation) {
        Map<String, Object> m = Output.object();
        m.putAll(invocation.toJson());
        m.put("config", config(r.spec()));
        m.put("status", r.run().status().label());
        m.put("iterations", r.run().iterations());
        m.put("loss", Output.number(r.populationLoss()));
        m.put("lagrangian", Output.number(r.run().last().lagrangian()));
        m.put("sparsity", r.sparsity());
        m.put("relative_error_to_teacher", Output.number(r.relativeErrorToTeacher()));
        m.put("relative_error_to_prediction", Output.number(r.relativeErrorToPrediction()));
        m.put("support_precision", r.support().precision());
        m.put("support_recall", r.support().recall());
        m.put("u", Output.numbers(r.run().u()));
        m.put("w", Output.numbers(r.run().w()));
        m.put("teacher", Output.numbers(r.teacher()));
        m.put("init", Output.numbers(r.init()));
        PredictedLimit p = r.prediction();
        if (p != null) {
            Map<String, Object> theory = Output.object();
            theory.put("exact_limit", r.spec().gradient() == GradientMode.POPULATION);
            theory.put("bistable_coordinates", java.util.Arrays.stream(p.bistable()).boxed().toList());
            theory.put("c_w", Output.number(p.cw()));
            theory.put("c_star", Output.number(p.cStar()));
            theory.put("theta", Output.number(p.theta()));
            theory.put("solver_residual", Output.number(p.residual()));
            m.put("predicted_u", Output.numbers(p.u()));
            m.put("predicted_w", Output.numbers(p.w()));
            m.put("theory", theory);
        } else {
            m.put("predicted_u", null);
        }
        return m;
    }

    private static void writeTrace(Path file, TeacherStudentResult r) {
        List<List<Object>> rows = new ArrayList<>(r.run().trace().size());
        for (IterationRecord t : r.run().trace()) {
            rows.add(List.of(t.iteration(), t.loss(), t.lagrangian(), t.splitGap(), t.sparsity(), t.monitored()));
        }
        Output.writeCsv(file, List.of("iteration", "loss", "lagrangian", "split_gap", "sparsity",
                "distance_to_prediction"), rows);
    }
}
