package org.rvsm.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.rvsm.cli.report.TrainReport;
import org.rvsm.nn.data.Datasets;
import org.rvsm.nn.data.ImageDataset;
import org.rvsm.runtime.Safetensors;
import org.rvsm.nn.model.Models;
import org.rvsm.nn.model.TrainDefaults;
import org.rvsm.nn.train.CheckpointException;
import org.rvsm.nn.train.Divergence;
import org.rvsm.nn.train.EpochRecord;
import org.rvsm.nn.optim.LayerInfo;
import org.rvsm.nn.optim.RvsmOptimizer;
import org.rvsm.nn.train.TrainConfig;
import org.rvsm.nn.train.TrainingRun;
import org.rvsm.penalty.Penalty;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Sparse training of a real network on Fashion-MNIST (or MNIST) with RVSM on DJL/PyTorch. */
@Command(name = "train",
        sortOptions = false,
        mixinStandardHelpOptions = true,
        description = {
            "Train a model (lenet300, lenet5, resnet20, vgg-small) with RVSM or a baseline.",
            "On Fashion-MNIST, MNIST or CIFAR-10, on the PyTorch engine.",
            "Dense and conv weights are sparsified (u = T_{lambda/beta}(w) after every step); biases stay dense.",
            "",
            "Writes DIR/metrics.csv (per epoch: train loss, test accuracy of the w- and u-networks, overall and",
            "per-layer sparsity of u, seconds), DIR/summary.json, DIR/model.safetensors (the u weights, shapes",
            "and zeros kept; Python: safetensors.numpy.load_file) and DIR/index.html. A checkpoint is written",
            "after every epoch; a killed run continues with --resume DIR and ends as if never stopped.",
            ""},
        footer = {"",
            "Examples:",
            "  rvsm train --model lenet300 --out runs/lenet300          # Tl1 (a = 0.1) to 95%% zeros",
            "  rvsm train --model lenet300 --penalty tl1 --a 1 --lambda 3e-6 --out runs/tl1",
            "  rvsm train --model lenet300 --method dense --out runs/dense",
            "  rvsm train --model lenet300 --target-sparsity 0.98 --out runs/t98",
            "  rvsm train --model lenet300 --method gradual --prune-sparsity 0.95 --out runs/gradual95",
            "  rvsm train --resume runs/lenet300",
            "",
            "Data: /usr/share/datasets/fashion-mnist by default (apt-get install dataset-fashion-mnist);",
            "--data DIR for any directory with the four MNIST-format IDX files; --dataset cifar10 --data DIR for",
            "cifar-10-batches-bin (from " + org.rvsm.nn.data.Cifar10.URL + ").",
            "Nothing is downloaded.",
            "Exit codes: 0 done (a sparse network at chance level, collapsed by too short a run, also warns on",
            "stderr and in summary.json); 3 diverged (the loss or a weight became NaN or infinite:",
            "summary.json has status \"diverged\" and where, and no model is written); 2 bad input (one line",
            "names the problem); 1 unexpected failure."})
final class TrainCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--model", paramLabel = "NAME", defaultValue = "lenet300",
            description = "lenet300 (CHW-300-100-classes), lenet5 (conv 20, conv 50, fc 500, fc classes), resnet20 or "
                    + "vgg-small (batch norm; README). Default: ${DEFAULT-VALUE}.")
    String model;

    @Option(names = "--dataset", paramLabel = "D", defaultValue = "fashion-mnist", description = TestSetOptions.DATASET)
    String dataset;

    @Option(names = "--data", paramLabel = "DIR", description = TestSetOptions.DATA)
    Path data;

    @Option(names = "--augment", negatable = true, description = "Random crop (4-pixel zero padding) and horizontal flip "
            + "of every training minibatch, seeded. Default: on for cifar10, off otherwise.")
    Boolean augment;

    @Option(names = "--method", paramLabel = "M", defaultValue = "rvsm",
            description = "rvsm, proximal (proximal SGD), dense (plain SGD), prune (dense SGD, one-shot magnitude "
                    + "pruning, fine-tuning with the mask held) or gradual (gradual magnitude pruning, Zhu and Gupta's "
                    + "cubic schedule from epoch 2 to the fine-tuning). Default: ${DEFAULT-VALUE}.")
    String method;

    @Option(names = "--penalty", paramLabel = "P", description = "l1, l0 or tl1 (none = --method dense). Default per "
            + "model (lenet300: tl1 with --a 0.1; lenet5, resnet20, vgg-small: l1).")
    String penalty;

    @Option(names = "--a", paramLabel = "A",
            description = "Tl1 shape a > 0. Default: the model's where its default penalty is tl1, else 1.")
    Double a;

    @Option(names = "--lambda", paramLabel = "LAMBDA", description = "Penalty weight. Default per model, for its "
            + "penalty (lenet300: 1.18e-5, Tl1's for the threshold 0.0026; lenet5, resnet20, vgg-small: 1e-4); for "
            + "another penalty, the lambda of the same threshold.")
    Double lambda;

    @Option(names = "--beta", paramLabel = "BETA", description = "Splitting weight. Default per model (lenet300: 0.05; lenet5, resnet20, "
            + "vgg-small: 0.1).")
    Double beta;

    @Option(names = "--lr", paramLabel = "LR", description = "SGD learning rate; x0.1 for the last third of the epochs. Default per model (lenet300, "
            + "lenet5: 0.02; resnet20: 0.1; vgg-small: 0.05).")
    Double lr;

    @Option(names = "--momentum", paramLabel = "M", description = "SGD momentum in [0, 1). Default: 0.9.")
    Double momentum;

    @Option(names = "--epochs", paramLabel = "N", description = "Epochs. Default per model (lenet300: 40; lenet5: 20; resnet20, "
            + "vgg-small: 160).")
    Integer epochs;

    @Option(names = "--batch", paramLabel = "B", description = "Minibatch size. Default per model (lenet300, lenet5: 64; "
            + "resnet20, vgg-small: 128).")
    Integer batch;

    @Option(names = "--seed", paramLabel = "SEED", defaultValue = "1", description = "Seeds the initial weights and the shuffles (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--train-limit", paramLabel = "N", defaultValue = "0", description = "Use only the first N training images (0: all).")
    int trainLimit;

    @Option(names = "--test-limit", paramLabel = "N", defaultValue = "0", description = "Evaluate on the first N test images (0: all).")
    int testLimit;

    @Option(names = "--prune-sparsity", paramLabel = "F", defaultValue = "0.95",
            description = "--method prune and gradual: fraction of the weights zeroed by magnitude (default: ${DEFAULT-VALUE}).")
    double pruneSparsity;

    @Option(names = "--target-sparsity", paramLabel = "F",
            description = "rvsm: reach this fraction of zeros. After each epoch before the fine-tuning, lambda (every "
                    + "layer's, by one factor) is set so that u has a fraction rising on Zhu and Gupta's cubic to F, "
                    + "which u has when its support is frozen. --lambda is then only the start. Default: the "
                    + "model's (lenet300, lenet5: 0.95; others: off) where --lambda and --group are not given; 0: off.")
    Double targetSparsity;

    @Option(names = "--target-ramp", paramLabel = "R",
            description = "--target-sparsity's schedule: cubic (after every epoch before the fine-tuning, onto the "
                    + "cubic to F) or final (once, after the last of those epochs: the run's own lambda until "
                    + "then, its final support set to F). Default: cubic; for the model's own target, its ramp "
                    + "(lenet5: final).")
    String targetRamp;

    @Option(names = "--lambda-rule", paramLabel = "R", defaultValue = "uniform",
            description = "rvsm: lambda per layer: uniform; size (in proportion to the layer's weight count, the mean "
                    + "being --lambda); sqrt-size (in proportion to its square root); initial-std (each layer's threshold in "
                    + "proportion to its initial weight scale). "
                    + "Default: ${DEFAULT-VALUE}.")
    String lambdaRule;

    @Option(names = "--layer-lambda", paramLabel = "NAME=LAMBDA", split = ",",
            description = "rvsm: lambda of named weight tensors, over the rule (e.g. 06Linear_weight=1e-5).")
    Map<String, Double> layerLambdas;

    @Option(names = "--beta-growth", paramLabel = "G", defaultValue = "1",
            description = "rvsm: beta continuation, beta multiplied by G each epoch before the fine-tuning (lambda with "
                    + "it, so the threshold lambda/beta stays). Default: ${DEFAULT-VALUE} (constant beta).")
    double betaGrowth;

    @Option(names = "--beta-max", paramLabel = "B", description = "rvsm: the cap of beta continuation. Default: none.")
    Double betaMax;

    @Option(names = "--finetune-epochs", paramLabel = "N",
            description = "Final epochs with the support held: after pruning (prune, gradual), or with u's support frozen and the "
                    + "kept weights trained freely (rvsm debiasing). Default: rvsm epochs / 5; gradual epochs / 5 and prune "
                    + "epochs / 6, at least 1.")
    Integer fineTuneEpochs;

    @Option(names = "--sparsify", paramLabel = "NAME", split = ",",
            description = "Sparsify only these weight tensors (e.g. 02Linear_weight,04Linear_weight; the names are in "
                    + "summary.json). Default: every dense and conv weight; biases are never sparsified.")
    List<String> sparsify;

    @Option(names = "--group", paramLabel = "G", defaultValue = "none",
            description = "Structured RVSM: none; neuron (each hidden neuron's incoming weights are one group, thresholded "
                    + "by its l2 norm: whole neurons drop out); filter (each conv filter is one group). Same penalty family "
                    + "as --penalty, applied after the element-wise one. Default: ${DEFAULT-VALUE}.")
    String group;

    @Option(names = "--group-lambda", paramLabel = "LAMBDA", defaultValue = "0",
            description = "Weight of the group penalty (threshold parameter group-lambda / beta). Default: ${DEFAULT-VALUE}.")
    double groupLambda;

    @Option(names = "--out", paramLabel = "DIR", description = "Output directory; must not hold another run. Default: runs/<model>-<method>.")
    Path out;

    @Option(names = "--resume", paramLabel = "DIR", description = "Continue the run in DIR from its last checkpoint (other options are taken from DIR/run.json).")
    Path resume;

    @CommandLine.Mixin
    CommonOptions common;

    @Override
    public Integer call() throws IOException {
        Map<String, Object> run = resume != null ? resumedRun(resume) : options();
        Path dir = resume != null ? resume : out != null ? out : Path.of("runs/" + model + "-" + method);
        TrainConfig config = toConfig(run);
        Datasets.Splits splits = TrainData.load(run);
        ImageDataset train = splits.train();
        ImageDataset test = splits.test();
        if (resume == null) { // after the data loaded, so a bad --data leaves no empty directory behind
            OutputDirs.requireFresh(dir);
        }
        if (config.trainLimit() > 0) {
            train = train.head(Math.min(config.trainLimit(), train.count()));
        }
        if (config.testLimit() > 0) {
            test = test.head(Math.min(config.testLimit(), test.count()));
        }
        Files.createDirectories(dir);
        String configText = Output.toJson(run);
        if (resume == null) {
            Map<String, Object> runFile = Output.object();
            runFile.putAll(Invocation.of(spec).toJson());
            runFile.put("config", run);
            Output.writeJsonAtomically(dir.resolve("run.json"), runFile);
        }
        PrintWriter stdout = spec.commandLine().getOut();
        TrainingRun.Outcome outcome;
        try (ProgressBar bar = common.progressBar()) {
            outcome = TrainingRun.run(config, configText, train, test, dir,
                    (epoch, done, total) -> bar.update("epoch " + epoch + "/" + config.epochs(), done, total));
        } catch (CheckpointException e) {
            throw new UserError("--resume " + e.getMessage());
        }
        if (!outcome.completed()) {
            Divergence d = outcome.divergence();
            Output.writeJsonAtomically(dir.resolve("summary.json"), summary(run, config, outcome));
            spec.commandLine().getErr().println("rvsm: training diverged: " + d.describe() + "; no model was written. "
                    + "Try a smaller --lr (this run: " + config.lr() + ")" + (config.method() == TrainConfig.Method.RVSM
                    ? " or --beta (" + config.beta() + ")" : "") + "; details in " + dir.resolve("summary.json"));
            return ExitCode.DIVERGED;
        }
        List<EpochRecord> history = outcome.history();
        EpochRecord last = history.get(history.size() - 1);
        String warning = chanceWarning(last.testAccuracyU(), test, config.epochs(), train.count());
        Map<String, Object> summary = summary(run, config, outcome);
        if (warning != null) {
            summary.put("warning", warning);
        }
        Output.writeJsonAtomically(dir.resolve("summary.json"), summary);
        Output.writeTextAtomically(dir.resolve("index.html"), new TrainReport(run, history, outcome.layers(),
                Safetensors.read(dir.resolve("model.safetensors"))).html());
        stdout.println(String.format(Locale.ROOT, "%s %s: test accuracy %.2f%% (u-network) with %.2f%% of the weights "
                        + "exactly zero, after %d epochs (%.1f s per epoch)", config.model(), config.method().label(),
                100 * last.testAccuracyU(), 100 * last.sparsity(), history.size(),
                history.stream().mapToDouble(EpochRecord::seconds).average().orElse(0)));
        stdout.println("wrote " + dir.toAbsolutePath().normalize().resolve("summary.json"));
        if (warning != null) {
            spec.commandLine().getErr().println("rvsm: warning: " + warning);
        }
        return ExitCode.OK;
    }

    /**
     * A warning where the sparse network is no better than predicting the test set's most frequent class
     * (at most one point above that class's share): it has collapsed, as a run far too short for its
     * sparsity does (e.g. lenet5 to 95% zeros in 3 epochs of 3000 images). Else null. The run still
     * completed: its numbers are what they are, and summary.json carries the warning with them.
     */
    static String chanceWarning(double accuracy, ImageDataset test, int epochs, int images) {
        int[] perClass = new int[test.classes()];
        for (int y : test.labels()) {
            perClass[y]++;
        }
        double chance = (double) Arrays.stream(perClass).max().orElse(0) / Math.max(1, test.count());
        if (accuracy > chance + 0.01) {
            return null;
        }
        return String.format(Locale.ROOT, "the sparse network is at chance level (%.2f%% on the test set, whose most "
                + "frequent class is %.2f%% of it): it has collapsed. Train longer (this run: %d epochs of %d images) "
                + "or sparsify less", 100 * accuracy, 100 * chance, epochs, images);
    }

    /** The run's config from the options and the model's defaults (the config of run.json), every range checked. */
    Map<String, Object> options() {
        String m = Choices.oneOf("--model", model, Models.NAMES);
        TrainConfig.Method meth = TrainConfig.Method.parse(Choices.oneOf("--method", method,
                TrainConfig.Method.labels()));
        String ds = Choices.oneOf("--dataset", dataset, Datasets.NAMES);
        TrainDefaults d = TrainDefaults.of(m);
        String p = penalty == null ? d.penalty() : Choices.oneOf("--penalty", penalty, Choices.PENALTIES);
        if (p.equals("none")) {
            meth = TrainConfig.Method.DENSE;
            p = d.penalty();
        }
        Map<String, Object> run = Output.object();
        run.put("model", m);
        run.put("dataset", ds);
        run.put("data", TestSetOptions.directory(ds, data).toAbsolutePath().toString());
        if (augment != null ? augment : Datasets.augmentsByDefault(ds)) {
            run.put("augment", true); // absent when off: the config of a run without it reads as before
        }
        run.put("method", meth.label());
        run.put("penalty", p);
        double shape = a != null ? a : p.equals(d.penalty()) ? d.a() : 1.0;
        run.put("a", Checks.positive("--a", shape));
        // the ranges are TrainConfig's (checked once, there, by toConfig below)
        run.put("lambda", lambda != null ? lambda : d.lambdaFor(Choices.penalty(p, shape)));
        run.put("beta", beta != null ? beta : d.beta());
        run.put("lr", lr != null ? lr : d.lr());
        run.put("momentum", momentum != null ? momentum : d.momentum());
        int e = epochs != null ? epochs : d.epochs();
        run.put("epochs", e);
        run.put("batch", batch != null ? batch : d.batch());
        run.put("seed", seed);
        run.put("train_limit", trainLimit);
        run.put("test_limit", testLimit);
        boolean prune = meth == TrainConfig.Method.PRUNE;
        guarded(() -> TrainConfig.checkPruneSparsity(pruneSparsity));
        run.put("prune_sparsity", prune || meth == TrainConfig.Method.GRADUAL ? pruneSparsity : 0.0);
        int ft = fineTuneEpochs != null ? fineTuneEpochs : prune ? Math.max(1, e / 6)
                : meth == TrainConfig.Method.GRADUAL ? Math.max(1, e / 5) : e / 5;
        run.put("finetune_epochs", meth == TrainConfig.Method.DENSE || meth == TrainConfig.Method.PROXIMAL ? 0 : ft);
        List<String> chosen = sparsify == null ? List.of() : sparsify;
        if (!chosen.isEmpty()) {
            List<String> weights = Models.weightNames(m);
            for (String name : chosen) {
                if (!weights.contains(name)) {
                    throw new UserError("--sparsify: " + m + " has no weight tensor '" + name + "'; its weight tensors are "
                            + weights);
                }
            }
        }
        run.put("sparsify", chosen);
        RvsmOptimizer.Group g = RvsmOptimizer.Group.parse(Choices.oneOf("--group", group,
                RvsmOptimizer.Group.labels()));
        guarded(() -> TrainConfig.checkGroupLambda(groupLambda));
        run.put("group", g.label());
        run.put("group_lambda", g == RvsmOptimizer.Group.NONE ? 0.0 : groupLambda);
        // the model's target applies to a plain RVSM run whose lambda is not given: a given lambda decides alone
        putLevers(run, m, lambda == null && meth == TrainConfig.Method.RVSM && g == RvsmOptimizer.Group.NONE
                ? d : null);
        toConfig(run); // every range, in one place
        return run;
    }

    /**
     * The levers, each only when it differs from its default (so a run without them has the config of
     * an earlier version, and resumes); model holds the model's target sparsity and its ramp where they
     * apply (else null), used unless --target-sparsity is given (0 there: off).
     */
    private void putLevers(Map<String, Object> run, String m, TrainDefaults model) {
        RvsmOptimizer.LambdaRule rule = RvsmOptimizer.LambdaRule.parse(Choices.oneOf("--lambda-rule", lambdaRule,
                RvsmOptimizer.LambdaRule.labels()));
        if (rule != RvsmOptimizer.LambdaRule.UNIFORM) {
            run.put("lambda_rule", rule.label());
        }
        if (layerLambdas != null && !layerLambdas.isEmpty()) {
            List<String> weights = Models.weightNames(m);
            Map<String, Object> sorted = new java.util.TreeMap<>();
            for (Map.Entry<String, Double> l : layerLambdas.entrySet()) {
                if (!weights.contains(l.getKey())) {
                    throw new UserError("--layer-lambda: " + m + " has no weight tensor '" + l.getKey()
                            + "'; its weight tensors are " + weights);
                }
                sorted.put(l.getKey(), l.getValue());
            }
            run.put("layer_lambdas", sorted);
        }
        if (betaGrowth != 1.0) {
            run.put("beta_growth", betaGrowth);
        }
        if (betaMax != null) {
            run.put("beta_max", betaMax);
        }
        boolean modelTarget = targetSparsity == null && model != null && model.targetSparsity() > 0;
        double target = targetSparsity != null ? targetSparsity : modelTarget ? model.targetSparsity() : 0.0;
        if (target != 0.0) {
            run.put("target_sparsity", target);
        }
        String rampLabel = targetRamp != null ? targetRamp : modelTarget ? model.targetRamp() : "cubic";
        TrainConfig.TargetRamp ramp = TrainConfig.TargetRamp.parse(Choices.oneOf("--target-ramp", rampLabel,
                TrainConfig.TargetRamp.labels()));
        if (ramp != TrainConfig.TargetRamp.CUBIC) {
            if (target == 0.0) {
                throw new UserError("--target-ramp " + ramp.label() + " needs --target-sparsity");
            }
            run.put("target_ramp", ramp.label());
        }
    }

    /** The options' names of TrainConfig's fields, for its messages. */
    private static final Map<String, String> OPTION_OF = Map.ofEntries(Map.entry("lambda", "--lambda"),
            Map.entry("beta", "--beta"), Map.entry("lr", "--lr"), Map.entry("momentum", "--momentum"),
            Map.entry("epochs", "--epochs"), Map.entry("batch", "--batch"), Map.entry("trainLimit", "--train-limit"),
            Map.entry("testLimit", "--test-limit"), Map.entry("pruneSparsity", "--prune-sparsity"),
            Map.entry("fineTuneEpochs", "--finetune-epochs"), Map.entry("group", "--group"),
            Map.entry("groupLambda", "--group-lambda"), Map.entry("method", "--method"), Map.entry("model", "--model"),
            Map.entry("lambdaRule", "--lambda-rule"), Map.entry("layerLambda", "--layer-lambda"),
            Map.entry("betaGrowth", "--beta-growth"), Map.entry("betaMax", "--beta-max"),
            Map.entry("targetSparsity", "--target-sparsity"));

    private static final java.util.regex.Pattern FIELD = java.util.regex.Pattern.compile(
            "(?<![-\\w])(" + String.join("|", OPTION_OF.keySet()) + ")(?!\\w)");

    /** TrainConfig's message with its field names as this command's options ("--lr must be > 0, got -1.0"). */
    static String asOptions(String message) {
        return FIELD.matcher(message).replaceAll(r -> OPTION_OF.get(r.group(1)));
    }

    private static void guarded(Runnable check) {
        try {
            check.run();
        } catch (IllegalArgumentException e) {
            throw new UserError(asOptions(e.getMessage()));
        }
    }

    private static TrainConfig toConfig(Map<String, Object> r) {
        Penalty p = Choices.penalty((String) r.get("penalty"), ((Number) r.get("a")).doubleValue());
        try {
            return new TrainConfig((String) r.get("model"), TrainConfig.Method.parse((String) r.get("method")), p,
                    num(r, "lambda"), num(r, "beta"), num(r, "lr"), num(r, "momentum"),
                    ((Number) r.get("epochs")).intValue(), ((Number) r.get("batch")).intValue(),
                    ((Number) r.get("seed")).longValue(), ((Number) r.get("train_limit")).intValue(),
                    ((Number) r.get("test_limit")).intValue(), num(r, "prune_sparsity"),
                    ((Number) r.get("finetune_epochs")).intValue(),
                    ((List<?>) r.get("sparsify")).stream().map(String::valueOf).toList(),
                    RvsmOptimizer.Group.parse((String) r.getOrDefault("group", "none")),
                    ((Number) r.getOrDefault("group_lambda", 0.0)).doubleValue(), levers(r));
        } catch (IllegalArgumentException e) {
            throw new UserError(asOptions(e.getMessage()));
        }
    }

    @SuppressWarnings("unchecked")
    private static TrainConfig.Levers levers(Map<String, Object> r) {
        Map<String, Double> layers = new LinkedHashMap<>();
        ((Map<String, Object>) r.getOrDefault("layer_lambdas", Map.of()))
                .forEach((k, v) -> layers.put(k, ((Number) v).doubleValue()));
        return new TrainConfig.Levers(RvsmOptimizer.LambdaRule.parse((String) r.getOrDefault("lambda_rule", "uniform")),
                layers, ((Number) r.getOrDefault("beta_growth", 1.0)).doubleValue(),
                ((Number) r.getOrDefault("beta_max", 0.0)).doubleValue(),
                ((Number) r.getOrDefault("target_sparsity", 0.0)).doubleValue(),
                TrainConfig.TargetRamp.parse((String) r.getOrDefault("target_ramp", "cubic")));
    }

    private static double num(Map<String, Object> r, String key) {
        return ((Number) r.get(key)).doubleValue();
    }

    /**
     * The config of the run in dir (its run.json), validated exactly as the options of a new run are:
     * its values are set as this command's options, then {@link #options()} checks them.
     */
    @SuppressWarnings("unchecked")
    private Map<String, Object> resumedRun(Path dir) {
        Path file = dir.resolve("run.json");
        if (!Files.isRegularFile(file) || !Files.isRegularFile(dir.resolve(TrainingRun.CHECKPOINT))) {
            throw new UserError("--resume " + dir + ": no run.json and checkpoint there (not a training directory?)");
        }
        Map<String, Object> r;
        try {
            JsonNode node = new ObjectMapper().readTree(file.toFile());
            if (node == null || !node.path("config").isObject()) {
                throw new UserError("--resume " + file + ": no \"config\" object in it");
            }
            r = new ObjectMapper().convertValue(node.get("config"), java.util.LinkedHashMap.class);
        } catch (IOException | IllegalArgumentException e) {
            throw new UserError("--resume " + file + ": unreadable (" + e.getMessage() + ")");
        }
        String where = "--resume " + file + ": config.";
        model = field(r, "model", String.class, where);
        dataset = field(r, "dataset", String.class, where);
        data = Path.of(field(r, "data", String.class, where));
        Object aug = r.getOrDefault("augment", false);
        if (!(aug instanceof Boolean)) {
            throw new UserError(where + "augment must be true or false, got " + Output.toJson(aug));
        }
        augment = (Boolean) aug;
        method = field(r, "method", String.class, where);
        penalty = field(r, "penalty", String.class, where);
        a = field(r, "a", Number.class, where).doubleValue();
        lambda = field(r, "lambda", Number.class, where).doubleValue();
        beta = field(r, "beta", Number.class, where).doubleValue();
        lr = field(r, "lr", Number.class, where).doubleValue();
        momentum = field(r, "momentum", Number.class, where).doubleValue();
        epochs = whole(r, "epochs", where);
        batch = whole(r, "batch", where);
        Number s = field(r, "seed", Number.class, where);
        if (!(s instanceof Integer || s instanceof Long)) {
            throw new UserError(where + "seed must be an integer, got " + s);
        }
        seed = s.longValue();
        trainLimit = whole(r, "train_limit", where);
        testLimit = whole(r, "test_limit", where);
        pruneSparsity = field(r, "prune_sparsity", Number.class, where).doubleValue();
        fineTuneEpochs = whole(r, "finetune_epochs", where);
        List<?> names = field(r, "sparsify", List.class, where);
        sparsify = new ArrayList<>();
        for (Object o : names) {
            if (!(o instanceof String n)) {
                throw new UserError(where + "sparsify must be a list of names, got " + names);
            }
            sparsify.add(n);
        }
        group = r.containsKey("group") ? field(r, "group", String.class, where) : "none";
        groupLambda = r.containsKey("group_lambda") ? field(r, "group_lambda", Number.class, where).doubleValue() : 0.0;
        lambdaRule = r.containsKey("lambda_rule") ? field(r, "lambda_rule", String.class, where) : "uniform";
        layerLambdas = null;
        if (r.containsKey("layer_lambdas")) {
            Map<?, ?> given = field(r, "layer_lambdas", Map.class, where);
            layerLambdas = new LinkedHashMap<>();
            for (Map.Entry<?, ?> l : given.entrySet()) {
                if (!(l.getValue() instanceof Number n)) {
                    throw new UserError(where + "layer_lambdas." + l.getKey() + " must be a number, got "
                            + Output.toJson(l.getValue()));
                }
                layerLambdas.put(String.valueOf(l.getKey()), n.doubleValue());
            }
        }
        betaGrowth = r.containsKey("beta_growth") ? field(r, "beta_growth", Number.class, where).doubleValue() : 1.0;
        betaMax = r.containsKey("beta_max") ? field(r, "beta_max", Number.class, where).doubleValue() : null;
        targetSparsity = r.containsKey("target_sparsity")
                ? field(r, "target_sparsity", Number.class, where).doubleValue() : null;
        targetRamp = r.containsKey("target_ramp") ? field(r, "target_ramp", String.class, where) : "cubic";
        try {
            Map<String, Object> checked = options();
            toConfig(checked);
            return checked;
        } catch (UserError e) {
            throw new UserError("--resume " + file + ": " + e.getMessage());
        }
    }

    private static <T> T field(Map<String, Object> r, String key, Class<T> type, String where) {
        Object v = r.get(key);
        if (!type.isInstance(v)) {
            throw new UserError(where + key + " must be " + (type == Number.class ? "a number" : type == String.class
                    ? "a string" : type == Map.class ? "an object" : "a list") + ", got "
                    + (v == null ? "nothing" : Output.toJson(v)));
        }
        return type.cast(v);
    }

    private static int whole(Map<String, Object> r, String key, String where) {
        Number n = field(r, key, Number.class, where);
        if (!(n instanceof Integer)) {
            throw new UserError(where + key + " must be a whole number, got " + n);
        }
        return n.intValue();
    }

    private static Map<String, Object> summary(Map<String, Object> run, TrainConfig config, TrainingRun.Outcome outcome) {
        List<EpochRecord> h = outcome.history();
        Map<String, Object> m = Output.object();
        m.put("status", outcome.completed() ? "completed" : "diverged");
        if (!outcome.completed()) {
            Divergence d = outcome.divergence();
            Map<String, Object> at = Output.object();
            at.put("epoch", d.epoch());
            at.put("minibatch", d.minibatch());
            at.put("tensor", d.tensor());
            at.put("value", Double.toString(d.value()));
            m.put("diverged_at", at);
            m.put("epochs_completed", h.size());
            m.put("config", run);
            return m;
        }
        EpochRecord last = h.get(h.size() - 1);
        m.put("test_accuracy", last.testAccuracyU());
        m.put("test_accuracy_w", last.testAccuracyW());
        m.put("sparsity", last.sparsity());
        m.put("epochs", h.size());
        m.put("seconds_per_epoch", h.stream().mapToDouble(EpochRecord::seconds).average().orElse(0));
        List<Map<String, Object>> layers = new ArrayList<>();
        for (LayerInfo l : outcome.layers()) {
            Map<String, Object> lm = Output.object();
            lm.put("name", l.name());
            lm.put("shape", l.shape());
            lm.put("nnz", l.nonZeros());
            lm.put("sparsity", 1.0 - (double) l.nonZeros() / l.size());
            if (outcome.lambdas().containsKey(l.name()) && (config.method() == TrainConfig.Method.RVSM
                    || config.method() == TrainConfig.Method.PROXIMAL)) {
                lm.put("lambda", outcome.lambdas().get(l.name())); // final: the levers change it
            }
            layers.add(lm);
        }
        m.put("layers", layers);
        if (config.method() == TrainConfig.Method.RVSM) {
            m.put("beta", outcome.beta());
        }
        m.put("config", run);
        return m;
    }
}
