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
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.rvsm.cli.report.Html;
import org.rvsm.cli.report.SvgPlot;
import org.rvsm.penalty.Penalty;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The accuracy-sparsity trade-off on a real dataset: a grid per penalty plus magnitude pruning. */
@Command(name = "sweep", mixinStandardHelpOptions = true, sortOptions = false,
        description = {
            "The accuracy-sparsity trade-off: RVSM per penalty over a threshold grid, pruning, dense SGD.",
            "RVSM with each penalty over a grid of thresholds, magnitude pruning at the sparsities l0",
            "reached, and dense SGD, each a 'train' run in DIR/runs/<name>.",
            "The grid is given as thresholds t* (the |w| below which u is zero) and converted to lambda per",
            "penalty (l1: lambda = beta t; l0: beta t^2/2; Tl1: from its threshold formula). The same t* is",
            "not the same pressure: l1 (and Tl1 with large a) also shrinks every surviving weight by mu, so",
            "it ends far sparser than l0 at one t*; give l1 smaller thresholds to cover the same range.",
            "",
            "Writes DIR/sweep.csv, DIR/sweep.json and DIR/index.html (accuracy against sparsity, one curve",
            "per method). Grid points run in parallel child processes (--jobs).",
            ""},
        footer = {"", "Example:  rvsm sweep --model lenet300 --epochs 15 --out runs/sweep"})
final class SweepCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--model", paramLabel = "NAME", defaultValue = "lenet300", description = "lenet300 or lenet5 (default: ${DEFAULT-VALUE}).")
    String model;

    @Option(names = "--data", paramLabel = "DIR", description = TestSetOptions.DATA)
    Path data;

    @Option(names = "--thresholds", paramLabel = "T", split = ",", defaultValue = "0.03,0.06,0.09,0.12,0.15",
            description = "Thresholds t* of the grid (default: ${DEFAULT-VALUE}).")
    double[] thresholds;

    @Option(names = "--penalties", paramLabel = "P", split = ",", defaultValue = "l1,l0,tl1",
            description = "Penalties (default: ${DEFAULT-VALUE}); Tl1 uses --a.")
    List<String> penalties;

    @Option(names = "--a", paramLabel = "A", defaultValue = "1.0", description = "Tl1 shape (default: ${DEFAULT-VALUE}).")
    double a;

    @Option(names = "--beta", paramLabel = "BETA", defaultValue = "0.1", description = "Splitting weight (default: ${DEFAULT-VALUE}).")
    double beta;

    @Option(names = "--epochs", paramLabel = "N", defaultValue = "15", description = "Epochs per run (default: ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--train-limit", paramLabel = "N", defaultValue = "0", description = "Use only the first N training images (0: all).")
    int trainLimit;

    @Option(names = "--test-limit", paramLabel = "N", defaultValue = "0", description = "Evaluate on the first N test images (0: all).")
    int testLimit;

    @Option(names = "--seed", paramLabel = "SEED", defaultValue = "1", description = "Seed of every run (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--jobs", paramLabel = "N",
            description = "Runs at a time. Default: half the cores, at least 1 (PyTorch uses several cores per run).")
    Integer jobs;

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "runs/sweep", description = "Output directory, new or empty (default: ${DEFAULT-VALUE}).")
    Path out;

    @CommandLine.Mixin
    CommonOptions common;

    /** One grid point: its name and the train options that make it. */
    private record Point(String name, String method, String penalty, double threshold, List<String> args) {
    }

    @Override
    public Integer call() throws Exception {
        Choices.oneOf("--model", model, org.rvsm.nn.model.Models.NAMES);
        Checks.positive("--beta", beta);
        Checks.positive("--a", a);
        Checks.atLeast("--epochs", epochs, 2);
        for (double t : thresholds) {
            Checks.positive("--thresholds", t);
        }
        for (String p : penalties) {
            Choices.oneOf("--penalties", p, List.of("l1", "l0", "tl1"));
        }
        int parallel = jobs != null ? Checks.atLeast("--jobs", jobs, 1)
                : Math.max(1, Runtime.getRuntime().availableProcessors() / 2);
        OutputDirs.requireFresh(out);
        Files.createDirectories(out.resolve("runs"));

        List<Point> grid = new ArrayList<>();
        grid.add(point("dense", "dense", "l1", 0, List.of()));
        for (String p : penalties) {
            Penalty penalty = Choices.penalty(p, a);
            for (double t : thresholds) {
                double lambda = beta * penalty.muForThreshold(t);
                grid.add(point(String.format(Locale.ROOT, "rvsm-%s-t%s", p, t), "rvsm", p, t,
                        List.of("--penalty", p, "--a", Double.toString(a), "--lambda", Double.toString(lambda),
                                "--beta", Double.toString(beta))));
            }
        }
        PrintWriter stdout = spec.commandLine().getOut();
        List<Map<String, Object>> results = new ArrayList<>(runAll(grid, parallel));
        // magnitude pruning at the sparsities l0 reached (or l1's if l0 is not in the sweep)
        String reference = penalties.contains("l0") ? "l0" : penalties.get(0);
        List<Point> pruning = new ArrayList<>();
        for (Map<String, Object> r : results) {
            if (r.get("method").equals("rvsm") && r.get("penalty").equals(reference) && completed(r)) {
                double s = Math.min(0.999, (double) r.get("sparsity"));
                pruning.add(point(String.format(Locale.ROOT, "prune-%.4f", s), "prune", "l1", 0,
                        List.of("--prune-sparsity", Double.toString(s),
                                "--finetune-epochs", Integer.toString(Math.max(1, epochs / 3)))));
            }
        }
        results.addAll(runAll(pruning, parallel));
        writeOutputs(results);
        stdout.println("sweep of " + results.size() + " runs: " + out.resolve("index.html").toAbsolutePath().normalize());
        return ExitCode.OK;
    }

    private Point point(String name, String method, String penalty, double threshold, List<String> extra) {
        List<String> args = new ArrayList<>(List.of("train", "-q", "--model", model, "--method", method,
                "--epochs", Integer.toString(epochs), "--seed", Long.toString(seed),
                "--train-limit", Integer.toString(trainLimit), "--test-limit", Integer.toString(testLimit),
                "--out", out.resolve("runs").resolve(name).toString()));
        if (data != null) {
            args.addAll(List.of("--data", data.toString()));
        }
        args.addAll(extra);
        return new Point(name, method, penalty, threshold, args);
    }

    private List<Map<String, Object>> runAll(List<Point> points, int parallel) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(parallel);
        AtomicInteger done = new AtomicInteger();
        int threadsPerRun = Math.max(1, Runtime.getRuntime().availableProcessors() / parallel);
        try (ProgressBar bar = common.progressBar()) {
            List<Future<Map<String, Object>>> futures = new ArrayList<>();
            for (Point p : points) {
                futures.add(pool.submit(() -> {
                    Map<String, Object> r = runOne(p, threadsPerRun);
                    bar.update("sweep", done.incrementAndGet(), points.size());
                    return r;
                }));
            }
            List<Map<String, Object>> results = new ArrayList<>();
            for (Future<Map<String, Object>> f : futures) {
                try {
                    results.add(f.get());
                } catch (java.util.concurrent.ExecutionException e) {
                    if (e.getCause() instanceof UserError u) {
                        throw u; // a point that failed: say which, exit 2
                    }
                    throw e;
                }
            }
            return results;
        } finally {
            pool.shutdownNow();
        }
    }

    /** Runs one point as a child JVM (the engine allows one gradient recorder per process). */
    private Map<String, Object> runOne(Point p, int threads) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        command.addAll(p.args());
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().put("OMP_NUM_THREADS", Integer.toString(threads));
        Path log = out.resolve("runs").resolve(p.name() + ".log");
        pb.redirectErrorStream(true).redirectOutput(log.toFile());
        int code = pb.start().waitFor();
        if (code != ExitCode.OK && code != ExitCode.DIVERGED) {
            throw new UserError("sweep point " + p.name() + " failed with exit code " + code + "; see " + log);
        }
        JsonNode s = new ObjectMapper().readTree(out.resolve("runs").resolve(p.name()).resolve("summary.json").toFile());
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("name", p.name());
        r.put("method", p.method());
        r.put("penalty", p.method().equals("rvsm") ? p.penalty() : p.method());
        r.put("threshold", p.threshold());
        r.put("lambda", p.method().equals("rvsm") ? s.get("config").get("lambda").asDouble() : 0.0);
        r.put("status", s.path("status").asText("completed"));
        if (code == ExitCode.DIVERGED) { // a status, not a result: no numbers
            JsonNode at = s.path("diverged_at");
            r.put("diverged_at", "epoch " + at.path("epoch").asInt() + ", minibatch " + at.path("minibatch").asInt()
                    + ", " + at.path("tensor").asText());
            for (String key : List.of("sparsity", "test_accuracy", "test_accuracy_w", "seconds_per_epoch")) {
                r.put(key, null); // null in JSON, an empty cell in CSV
            }
            return r;
        }
        r.put("diverged_at", "");
        r.put("sparsity", s.get("sparsity").asDouble());
        r.put("test_accuracy", s.get("test_accuracy").asDouble());
        r.put("test_accuracy_w", s.get("test_accuracy_w").asDouble());
        r.put("seconds_per_epoch", s.get("seconds_per_epoch").asDouble());
        return r;
    }

    /** A paragraph naming the runs that diverged (not plotted), or nothing. */
    private static String diverged(List<Map<String, Object>> results) {
        List<String> names = results.stream().filter(r -> !completed(r))
                .map(r -> r.get("name") + " (" + r.get("diverged_at") + ")").toList();
        return names.isEmpty() ? "" : "<p><strong>Diverged</strong> (not plotted; status in sweep.csv): "
                + Html.esc(String.join("; ", names)) + ".</p>";
    }

    private static boolean completed(Map<String, Object> r) {
        return "completed".equals(r.get("status"));
    }

    private void writeOutputs(List<Map<String, Object>> results) {
        List<String> header = List.of("name", "method", "penalty", "threshold", "lambda", "status", "sparsity",
                "test_accuracy", "test_accuracy_w", "seconds_per_epoch", "diverged_at");
        List<List<Object>> rows = new ArrayList<>();
        for (Map<String, Object> r : results) {
            rows.add(header.stream().map(r::get).toList());
        }
        Output.writeCsv(out.resolve("sweep.csv"), header, rows);
        Map<String, Object> json = Output.object();
        json.putAll(Invocation.of(spec).toJson());
        json.put("model", model);
        json.put("epochs", epochs);
        json.put("beta", beta);
        json.put("thresholds", Arrays.stream(thresholds).boxed().toList());
        json.put("runs", results);
        Output.writeJsonAtomically(out.resolve("sweep.json"), json);
        SvgPlot plot = new SvgPlot("Accuracy against sparsity (" + model + ", " + epochs + " epochs)",
                "fraction of weights exactly zero", false, "test accuracy of the deployed network", false);
        Map<String, List<Map<String, Object>>> byCurve = new LinkedHashMap<>();
        for (Map<String, Object> r : results.stream().filter(SweepCommand::completed).toList()) {
            String curve = r.get("method").equals("rvsm") ? "RVSM " + r.get("penalty") : (String) r.get("method");
            byCurve.computeIfAbsent(curve, k -> new ArrayList<>()).add(r);
        }
        byCurve.forEach((curve, rs) -> {
            List<Map<String, Object>> sorted = rs.stream()
                    .sorted((x, y) -> Double.compare((double) x.get("sparsity"), (double) y.get("sparsity"))).toList();
            plot.add(SvgPlot.Series.points(curve, sorted.stream().mapToDouble(r -> (double) r.get("sparsity")).toArray(),
                    sorted.stream().mapToDouble(r -> (double) r.get("test_accuracy")).toArray()));
        });
        String svg = plot.render();
        Output.writeText(out.resolve("sweep.svg"), svg);
        Output.writeTextAtomically(out.resolve("index.html"),
                page(model, Invocation.of(spec).command(), svg, diverged(results)));
    }

    /** The sweep's index.html: the plot, the runs that diverged, links to the data; user text escaped. */
    static String page(String model, String command, String svg, String divergedHtml) {
        return Html.page("RVSM sweep: " + model, "<h1>Accuracy&ndash;sparsity trade-off: " + Html.esc(model) + "</h1>\n"
                + "<p>Command: <code>" + Html.esc(command) + "</code></p>\n"
                + svg + divergedHtml + "<p>Data: <a href=\"sweep.csv\">sweep.csv</a>, <a href=\"sweep.json\">sweep.json</a>; "
                + "each run's report is in runs/&lt;name&gt;/index.html.</p>\n");
    }
}
