package org.rvsm.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.rvsm.cli.report.Html;
import org.rvsm.cli.sweep.EngineSettings;
import org.rvsm.cli.sweep.LocalEngine;
import org.rvsm.cli.sweep.PointRun;
import org.rvsm.cli.sweep.SweepEngine;
import org.rvsm.cli.sweep.SweepEngineProvider;
import org.rvsm.cli.sweep.SweepPlan;
import org.rvsm.cli.sweep.SweepPoint;
import org.rvsm.cli.sweep.SweepRuns;
import org.rvsm.nn.model.TrainDefaults;
import org.rvsm.nn.optim.RvsmOptimizer;
import org.rvsm.nn.train.TrainConfig;
import org.rvsm.nn.train.TrainConfig.Method;
import org.rvsm.penalty.Penalty;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The accuracy-sparsity trade-off on a real dataset: a plan of independent train runs (RVSM per penalty
 * over a threshold grid, magnitude pruning, dense SGD, each for every seed), run by an engine, then
 * collected into one report. Rerunning the command continues a killed or failed sweep.
 */
@Command(name = "sweep", mixinStandardHelpOptions = true, sortOptions = false,
        description = {
            "The accuracy-sparsity trade-off: RVSM per penalty against pruning and dense SGD.",
            "RVSM over a threshold grid or at target sparsities; pruning one-shot or gradual.",
            "A sweep is a plan of independent points, written to DIR/plan.json: RVSM with each penalty at",
            "each threshold, magnitude pruning at each target sparsity, and dense SGD, each for every seed.",
            "Each point is a 'train' run in DIR/runs/<name>. The sweep runs the points that are missing,",
            "then writes DIR/sweep.csv (a row per run), DIR/sweep.json and DIR/index.html (the mean per",
            "point over the seeds, with the spread as error bars).",
            "",
            "Rerunning the same command continues: finished points are kept, missing or failed ones run",
            "again. A different plan in the same DIR is refused. For job arrays (Slurm, Kubernetes Indexed",
            "Jobs), write the plan with --plan-only, run each point with --point I, then collect with the",
            "plain command.",
            "",
            "Thresholds t* (the |w| below which u is zero) become lambda per penalty (l1: lambda = beta t;",
            "l0: beta t^2/2; Tl1: from its threshold formula). The same t* is not the same pressure: l1 also",
            "shrinks every surviving weight, so it ends far sparser than l0 at one t*.",
            "",
            "Engines: local (child processes on this machine, --jobs at a time) or spark (Spark tasks,",
            "embedded local[*] unless --master or spark-submit names a cluster; each task trains in a child",
            "process and sends its files back, so workers need only the dataset).",
            ""},
        footer = {"", "Examples:",
            "  rvsm sweep --model lenet300 --epochs 15 --seeds 1,2,3 --out runs/sweep",
            "  rvsm sweep --engine spark --master spark://head:7077 --seeds 1,2,3 --out runs/sweep",
            "  rvsm sweep --model lenet300 --epochs 40 --beta 0.05 --sparsities 0.9,0.95,0.98 --a 0.1,1,10 \\",
            "      --lambda-rules uniform,initial-std --baselines dense,prune,gradual --seeds 1,2,3 \\",
            "      --out runs/study",
            "  rvsm sweep --seeds 1,2,3 --out runs/sweep --plan-only   # then --point 0, 1, ... in a job array",
            "Exit codes: 0 every point ended (completed or diverged), 2 bad input, 4 some points failed."})
final class SweepCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--model", paramLabel = "NAME", defaultValue = "lenet300",
            description = "lenet300, lenet5, resnet20 or vgg-small (default: ${DEFAULT-VALUE}).")
    String model;

    @Option(names = "--dataset", paramLabel = "D", defaultValue = "fashion-mnist", description = TestSetOptions.DATASET)
    String dataset;

    @Option(names = "--data", paramLabel = "DIR", description = TestSetOptions.DATA)
    Path data;

    @Option(names = "--augment", negatable = true,
            description = "Augment every run's training minibatches (crop and flip). Default: on for cifar10 only.")
    Boolean augment;

    @Option(names = "--thresholds", paramLabel = "T", split = ",", defaultValue = "0.03,0.06,0.09,0.12,0.15",
            description = "Thresholds t* of the RVSM grid (default: ${DEFAULT-VALUE}).")
    double[] thresholds;

    @Option(names = "--penalties", paramLabel = "P", split = ",", defaultValue = "l1,l0,tl1",
            description = "Penalties (default: ${DEFAULT-VALUE}); Tl1 uses --a.")
    List<String> penalties;

    @Option(names = "--a", paramLabel = "A", split = ",", defaultValue = "1.0",
            description = "Tl1 shapes a > 0: Tl1 runs once per value (default: ${DEFAULT-VALUE}).")
    double[] as;

    @Option(names = "--sparsities", paramLabel = "S", split = ",",
            description = "Target-sparsity mode: RVSM reaches each fraction of zeros S (train --target-sparsity) instead "
                    + "of the threshold grid, and the pruning baselines prune to the same S. Default: off.")
    double[] sparsities;

    @Option(names = "--target-ramp", paramLabel = "R", defaultValue = "cubic",
            description = "With --sparsities: cubic or final (train --target-ramp; default: ${DEFAULT-VALUE}).")
    String targetRamp;

    @Option(names = "--baselines", paramLabel = "B", split = ",", defaultValue = "dense,prune",
            description = "Baselines: dense, prune (one-shot magnitude pruning), gradual (gradual magnitude pruning); "
                    + "none for no baseline (default: ${DEFAULT-VALUE}).")
    List<String> baselines;

    @Option(names = "--lambda-rules", paramLabel = "R", split = ",", defaultValue = "uniform",
            description = "RVSM runs once per lambda rule: uniform, size, sqrt-size, initial-std (train --lambda-rule; "
                    + "default: ${DEFAULT-VALUE}).")
    List<String> lambdaRules;

    @Option(names = "--beta-growths", paramLabel = "G", split = ",", defaultValue = "1",
            description = "RVSM runs once per beta growth per epoch, each >= 1 (train --beta-growth; default: "
                    + "${DEFAULT-VALUE}).")
    double[] betaGrowths;

    @Option(names = "--beta", paramLabel = "BETA", defaultValue = "0.1", description = "Splitting weight (default: ${DEFAULT-VALUE}).")
    double beta;

    @Option(names = "--lr", paramLabel = "LR",
            description = "SGD learning rate of every point, dense and pruning included (train --lr). Default: the "
                    + "model's (train's).")
    Double lr;

    @Option(names = "--prune-sparsities", paramLabel = "S", split = ",",
            description = "Target fractions of zeros of the pruning baselines, each in (0, 1). Default: --sparsities if "
                    + "given, else 0.5,0.75,0.9,0.95. One-shot pruning fine-tunes for the last third of the epochs, "
                    + "gradual for the last fifth.")
    double[] pruneSparsities;

    @Option(names = "--epochs", paramLabel = "N", defaultValue = "15", description = "Epochs per run (default: ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--train-limit", paramLabel = "N", defaultValue = "0", description = "Use only the first N training images (0: all).")
    int trainLimit;

    @Option(names = "--test-limit", paramLabel = "N", defaultValue = "0", description = "Evaluate on the first N test images (0: all).")
    int testLimit;

    @Option(names = "--seeds", paramLabel = "SEED", split = ",", defaultValue = "1",
            description = "Seeds: every point runs once per seed (default: ${DEFAULT-VALUE}).")
    List<Long> seeds;

    @Option(names = "--engine", paramLabel = "NAME", defaultValue = "local",
            description = "local or spark (default: ${DEFAULT-VALUE}).")
    String engine;

    @Option(names = "--jobs", paramLabel = "N",
            description = "Local engine: points at a time. Default: half the cores, at least 1 (PyTorch uses several "
                    + "cores per run).")
    Integer jobs;

    @Option(names = "--master", paramLabel = "URL",
            description = "Spark engine: the master, spark://HOST:PORT or local[N] (yarn and k8s:// through "
                    + "spark-submit). Default: the one spark-submit set, else local[*].")
    String master;

    @Option(names = "--conf", paramLabel = "KEY=VALUE", description = "Spark engine: a Spark setting (repeatable).")
    Map<String, String> conf = new LinkedHashMap<>();

    @Option(names = "--attempts", paramLabel = "N", defaultValue = "2",
            description = "Tries per point before it is recorded as failed (default: ${DEFAULT-VALUE}; Spark: "
                    + "spark.task.maxFailures).")
    int attempts;

    @Option(names = "--point", paramLabel = "I",
            description = "Run only point I of the plan (from 0), e.g. one task of a job array; no report.")
    Integer point;

    @Option(names = "--plan-only", description = "Write DIR/plan.json, list the points, run nothing.")
    boolean planOnly;

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "runs/sweep",
            description = "Output directory: new, empty, or a sweep of the same plan to continue (default: ${DEFAULT-VALUE}).")
    Path out;

    @CommandLine.Mixin
    CommonOptions common;

    @Override
    public Integer call() throws Exception {
        SweepPlan plan = plan();
        EngineSettings settings = engineSettings();
        if (point != null && (point < 0 || point >= plan.points().size())) {
            throw new UserError("--point must be in [0, " + (plan.points().size() - 1) + "], got " + point);
        }
        openOrCreate(plan);
        PrintWriter stdout = spec.commandLine().getOut();
        if (planOnly) {
            for (SweepPoint p : plan.points()) {
                stdout.println(p.index() + "\t" + p.name());
            }
            stdout.println("plan of " + plan.points().size() + " points: " + out.resolve(SweepPlan.FILE).toAbsolutePath()
                    .normalize() + "; run point I with the same command and --point I (I from 0 to "
                    + (plan.points().size() - 1) + ")");
            return ExitCode.OK;
        }
        SweepRuns runs = new SweepRuns(out);
        runs.prepare();
        List<SweepPoint> wanted = point != null ? List.of(plan.points().get(point)) : plan.points();
        List<SweepPoint> todo = runs.unfinished(wanted);
        Map<String, String> failures = new ConcurrentHashMap<>();
        if (!todo.isEmpty()) {
            try (SweepEngine sweepEngine = openEngine(settings)) {
                spec.commandLine().getErr().println("sweep: " + (wanted.size() - todo.size()) + " of " + wanted.size()
                        + " points finished earlier; running " + todo.size() + " (" + sweepEngine.describe() + ")");
                run(sweepEngine, todo, runs, failures);
            }
        }
        if (point != null) {
            SweepPoint p = plan.points().get(point);
            if (failures.containsKey(p.name())) {
                stdout.println("point " + point + " (" + p.name() + ") failed: " + failures.get(p.name()));
                return ExitCode.INCOMPLETE;
            }
            stdout.println("point " + point + " (" + p.name() + "): " + runs.dir(p).toAbsolutePath().normalize());
            return ExitCode.OK;
        }
        SweepReport report = new SweepReport();
        for (SweepPoint p : plan.points()) {
            var summary = runs.finishedSummary(p);
            if (summary != null) {
                report.finished(p, summary);
            } else {
                report.unfinished(p, "failed", failures.getOrDefault(p.name(),
                        "no valid summary.json in " + runs.dir(p)));
            }
        }
        Map<String, Object> header = new LinkedHashMap<>(Invocation.of(spec).toJson());
        report.write(out, model, epochs, seeds, header);
        long failed = report.count("failed");
        stdout.println("sweep of " + plan.points().size() + " runs" + (failed > 0 ? " (" + failed + " failed; rerun the "
                + "same command to run them again)" : "") + ": " + out.resolve("index.html").toAbsolutePath().normalize());
        return failed > 0 ? ExitCode.INCOMPLETE : ExitCode.OK;
    }

    /** A point without its seed, and the train arguments that make it (besides those every point has). */
    private record Setting(String name, Method method, String penalty, double threshold, double sparsity, String curve,
                           List<String> args) {
    }

    private static final double[] DEFAULT_PRUNE_SPARSITIES = {0.5, 0.75, 0.9, 0.95};

    /** The plan these options make, after checking them; bad values are a UserError naming the option. */
    SweepPlan plan() {
        String m = Choices.oneOf("--model", model, org.rvsm.nn.model.Models.NAMES);
        Choices.oneOf("--dataset", dataset, org.rvsm.nn.data.Datasets.NAMES);
        Checks.positive("--beta", beta);
        for (double a : as) {
            Checks.positive("--a", a);
        }
        if (lr != null) {
            Checks.positive("--lr", lr);
        }
        Checks.atLeast("--epochs", epochs, 2);
        Checks.atLeast("--train-limit", trainLimit, 0);
        Checks.atLeast("--test-limit", testLimit, 0);
        for (double t : thresholds) {
            Checks.positive("--thresholds", t);
        }
        double[] targets = sparsities == null ? new double[0] : sparsities;
        double[] pruneAt = pruneSparsities != null ? pruneSparsities : targets.length > 0 ? targets
                : DEFAULT_PRUNE_SPARSITIES;
        fractions("--sparsities", targets);
        fractions("--prune-sparsities", pruneAt);
        for (String p : penalties) {
            Choices.oneOf("--penalties", p, List.of("l1", "l0", "tl1"));
        }
        String ramp = Choices.oneOf("--target-ramp", targetRamp, TrainConfig.TargetRamp.labels());
        List<String> chosenBaselines = baselines.equals(List.of("none")) ? List.of() : baselines;
        for (String b : chosenBaselines) {
            Choices.oneOf("--baselines", b, List.of("dense", "prune", "gradual"));
        }
        List<RvsmOptimizer.LambdaRule> rules = lambdaRules.stream().map(r -> RvsmOptimizer.LambdaRule.parse(
                Choices.oneOf("--lambda-rules", r, RvsmOptimizer.LambdaRule.labels()))).distinct().toList();
        for (double g : betaGrowths) {
            if (!(g >= 1) || Double.isInfinite(g)) {
                throw new UserError("--beta-growths: each must be finite and >= 1, got " + g);
            }
        }
        if (seeds.size() != new java.util.HashSet<>(seeds).size()) {
            throw new UserError("--seeds: each seed once, got " + seeds);
        }
        List<Setting> settings = new ArrayList<>();
        if (chosenBaselines.contains("dense")) {
            settings.add(new Setting("dense", Method.DENSE, Method.DENSE.label(), 0, 0, "dense", List.of()));
        }
        // target mode starts from the model's default threshold; calibration takes over
        double startThreshold = TrainDefaults.of(m).threshold();
        for (String p : penalties) {
            double[] shapes = p.equals("tl1") ? as : new double[] {as[0]};
            for (double a : shapes) {
                Penalty penalty = Choices.penalty(p, a);
                String label = p.equals("tl1") && as.length > 1 ? "tl1a" + a : p;
                String curveLabel = p.equals("tl1") && as.length > 1 ? "tl1 a=" + a : p;
                for (RvsmOptimizer.LambdaRule rule : rules) {
                    for (double growth : betaGrowths) {
                        String variant = (rule == RvsmOptimizer.LambdaRule.UNIFORM ? "" : "-" + rule.label())
                                + (growth == 1.0 ? "" : "-bg" + growth);
                        String curve = "RVSM " + curveLabel + (rule == RvsmOptimizer.LambdaRule.UNIFORM ? ""
                                : " " + rule.label()) + (growth == 1.0 ? "" : " beta x" + growth);
                        List<String> levers = new ArrayList<>();
                        if (rule != RvsmOptimizer.LambdaRule.UNIFORM) {
                            levers.addAll(List.of("--lambda-rule", rule.label()));
                        }
                        if (growth != 1.0) {
                            levers.addAll(List.of("--beta-growth", Double.toString(growth)));
                        }
                        List<String> base = List.of("--penalty", p, "--a", Double.toString(a));
                        if (targets.length > 0) {
                            double lambda = beta * penalty.muForThreshold(startThreshold);
                            boolean cubic = ramp.equals("cubic");
                            List<String> rampArgs = cubic ? List.of() : List.of("--target-ramp", ramp);
                            for (double z : targets) {
                                settings.add(new Setting(String.format(Locale.ROOT, "rvsm-%s%s%s-z%s", label, variant,
                                        cubic ? "" : "-" + ramp, z), Method.RVSM, p, 0, z, cubic ? curve : curve + " " + ramp,
                                        concat(base, List.of("--lambda", Double.toString(lambda), "--beta",
                                        Double.toString(beta), "--target-sparsity", Double.toString(z)), rampArgs, levers)));
                            }
                        } else {
                            for (double t : thresholds) {
                                double lambda = beta * penalty.muForThreshold(t);
                                settings.add(new Setting(String.format(Locale.ROOT, "rvsm-%s%s-t%s", label, variant, t),
                                        Method.RVSM, p, t, 0, curve, concat(base, List.of("--lambda",
                                        Double.toString(lambda), "--beta", Double.toString(beta)), levers)));
                            }
                        }
                    }
                }
            }
        }
        for (String b : List.of("prune", "gradual")) {
            if (!chosenBaselines.contains(b)) {
                continue;
            }
            Method method = Method.parse(b);
            for (double z : pruneAt) {
                List<String> args = new ArrayList<>(List.of("--prune-sparsity", Double.toString(z)));
                if (method == Method.PRUNE) {
                    args.addAll(List.of("--finetune-epochs", Integer.toString(Math.max(1, epochs / 3))));
                }
                settings.add(new Setting(String.format(Locale.ROOT, "%s-%s", b, z), method, b, 0, z, b, args));
            }
        }
        if (settings.isEmpty()) {
            throw new UserError("--baselines none and no --penalties: the sweep has no point");
        }
        List<SweepPoint> points = new ArrayList<>();
        for (Setting s : settings) {
            for (long seed : seeds) {
                List<String> args = new ArrayList<>(List.of("--model", model, "--dataset", dataset,
                        "--method", s.method().label(),
                        "--epochs", Integer.toString(epochs), "--seed", Long.toString(seed),
                        "--train-limit", Integer.toString(trainLimit), "--test-limit", Integer.toString(testLimit)));
                if (lr != null) {
                    args.addAll(List.of("--lr", Double.toString(lr)));
                }
                if (data != null) {
                    args.addAll(List.of("--data", data.toAbsolutePath().normalize().toString()));
                }
                if (augment != null) {
                    args.add(augment ? "--augment" : "--no-augment");
                }
                args.addAll(s.args());
                points.add(new SweepPoint(points.size(), s.name() + "-s" + seed, s.name(), seed, s.method(), s.penalty(),
                        s.threshold(), s.sparsity(), s.curve(), args));
            }
        }
        return new SweepPlan(Invocation.of(spec).command(), points);
    }

    private static void fractions(String option, double[] values) {
        for (double s : values) {
            if (!(s > 0 && s < 1)) {
                throw new UserError(option + ": each must be in (0, 1), got " + s);
            }
        }
    }

    @SafeVarargs
    private static List<String> concat(List<String>... parts) {
        List<String> out = new ArrayList<>();
        for (List<String> p : parts) {
            out.addAll(p);
        }
        return out;
    }

    /** The engine --engine names among those on the class path (found once); null for the local engine. */
    private SweepEngineProvider provider;

    private EngineSettings engineSettings() {
        List<String> engines = new ArrayList<>(List.of("local"));
        for (SweepEngineProvider p : ServiceLoader.load(SweepEngineProvider.class)) {
            engines.add(p.name());
            if (p.name().equals(engine)) {
                provider = p;
            }
        }
        if (!engines.contains("spark")) {
            engines.add("spark"); // named even when its module is absent: openEngine says where it is
        }
        Choices.oneOf("--engine", engine, engines);
        if (!engine.equals("local") && jobs != null) {
            throw new UserError("--jobs applies to --engine local; Spark's parallelism is its master's (e.g. local[4])");
        }
        if (engine.equals("local") && (master != null || !conf.isEmpty())) {
            throw new UserError((master != null ? "--master" : "--conf") + " applies to --engine spark only");
        }
        if (jobs != null) {
            Checks.atLeast("--jobs", jobs, 1);
        }
        Checks.atLeast("--attempts", attempts, 1);
        return new EngineSettings(jobs, master, attempts, conf);
    }

    private SweepEngine openEngine(EngineSettings settings) {
        if (engine.equals("local")) {
            return new LocalEngine(settings);
        }
        if (provider != null) {
            return provider.open(settings);
        }
        throw new UserError("--engine " + engine + ": its module is not on the class path; run through ./rvsm, or "
                + "java -jar spark/target/rvsm-spark.jar (mvn package builds it)");
    }

    /**
     * DIR new or empty: it becomes this plan's sweep. DIR holding a plan: it must be this plan (the sweep
     * continues). Anything else is refused: a sweep never writes into a directory it did not make.
     */
    private void openOrCreate(SweepPlan plan) {
        Path file = out.resolve(SweepPlan.FILE);
        if (Files.isRegularFile(file)) {
            SweepPlan earlier = SweepPlan.read(file);
            earlier.difference(plan).ifPresent(d -> {
                throw new UserError("--out " + out + " holds a different sweep plan (" + d + "); use a new --out, or "
                        + "the command in its plan.json: " + earlier.command());
            });
            return;
        }
        OutputDirs.requireFresh(out);
        Output.writeJsonAtomically(file, plan.toJson());
    }

    private void run(SweepEngine sweepEngine, List<SweepPoint> todo, SweepRuns runs, Map<String, String> failures)
            throws InterruptedException {
        AtomicInteger done = new AtomicInteger();
        try (ProgressBar bar = common.progressBar()) {
            bar.update("sweep", 0, todo.size());
            sweepEngine.run(todo, new SweepEngine.Listener() {
                @Override
                public void ended(SweepPoint p, PointRun run) {
                    try {
                        runs.commit(p, run);
                    } catch (IOException e) {
                        throw new UncheckedIOException("cannot write the run of point " + p.name(), e);
                    }
                    bar.update("sweep", done.incrementAndGet(), todo.size());
                }

                @Override
                public void failed(SweepPoint p, String error, int tries) {
                    String line = error + (tries > 1 ? " (" + tries + " attempts)" : "");
                    failures.put(p.name(), line);
                    runs.recordFailure(p, line);
                    bar.update("sweep", done.incrementAndGet(), todo.size());
                }
            });
        }
    }

    /** The sweep's index.html: the plot, the runs that diverged, links to the data; user text escaped. */
    static String page(String model, String command, String svg, String divergedHtml) {
        return Html.page("RVSM sweep: " + model, "<h1>Accuracy&ndash;sparsity trade-off: " + Html.esc(model) + "</h1>\n"
                + "<p>Command: <code>" + Html.esc(command) + "</code></p>\n"
                + svg + divergedHtml + "<p>Data: <a href=\"sweep.csv\">sweep.csv</a>, <a href=\"sweep.json\">sweep.json</a>; "
                + "each run's report is in runs/&lt;name&gt;/index.html.</p>\n");
    }
}
