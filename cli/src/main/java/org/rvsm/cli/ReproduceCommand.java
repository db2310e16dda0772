package org.rvsm.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.rvsm.cli.report.ReproductionReport;
import org.rvsm.experiment.Reproduction;
import org.rvsm.experiment.ReproductionSettings;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The paper's experiments as a report. */
@Command(name = "reproduce",
        sortOptions = false,
        mixinStandardHelpOptions = true,
        description = {
            "Reproduce the paper's claims on the no-overlap network, as a report.",
            "The report (Gaussian input) shows:",
            "  (a) RVSM converges, for l1, l0 and Tl1, to the limit the theory predicts;",
            "  (b) the accuracy-sparsity trade-off along a warm-started lambda path, per penalty;",
            "  (c) with the empirical gradient the error to that limit shrinks like n^(-1/2);",
            "  (d) RVSM against proximal gradient and plain gradient descent.",
            "",
            "Writes DIR/index.html (all figures inline), one SVG and one CSV per figure, and",
            "DIR/results.json with the command, version, seed, settings and every number.",
            "No data to download. --quick takes seconds (d = 30); the full run a few minutes (d = 50).",
            ""},
        footer = {"",
            "Examples:",
            "  rvsm reproduce --quick --out reports/quick",
            "  rvsm reproduce --out reports/full --seed 7",
            "",
            "Exit codes: 0 done, 2 bad input, 1 unexpected failure."})
final class ReproduceCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--quick", description = "The small version (d = 30, 20 lambdas, n up to 8,000): seconds.")
    boolean quick;

    @Option(names = "--out", paramLabel = "DIR",
            description = "Output directory, new or empty. Default: reports/quick with --quick, else reports/full, "
                    + "where an earlier report (and nothing else) is replaced.")
    Path out;

    @Option(names = "--force", description = "Replace DIR if it holds an earlier report and nothing else.")
    boolean force;

    @Option(names = "--seed", paramLabel = "SEED", defaultValue = "1",
            description = "Seeds the teacher, the start and every sample (default: ${DEFAULT-VALUE}).")
    long seed;

    @CommandLine.Mixin
    CommonOptions common;

    @Override
    public Integer call() {
        Path target = out != null ? out : Path.of(quick ? "reports/quick" : "reports/full");
        ReproductionSettings settings = quick ? ReproductionSettings.quick(seed) : ReproductionSettings.full(seed);
        Invocation invocation = Invocation.of(spec);
        PrintWriter stdout = spec.commandLine().getOut();
        try (StagedDirectory staged = StagedDirectory.create("reproduce", "--out", target, force || out == null,
                List.of());
             ProgressBar bar = common.progressBar()) {
            long started = System.nanoTime();
            Reproduction.Result result = Reproduction.run(settings, bar::update);
            double seconds = (System.nanoTime() - started) / 1e9;
            bar.close();
            Map<String, Object> provenance = invocation.toJson();
            provenance.put("mode", quick ? "quick" : "full");
            new ReproductionReport(result, provenance, seconds).write(sink(staged.path()));
            staged.commit();
            stdout.println(String.format(Locale.ROOT, "reproduction (%s, seed %d) in %.1f s:",
                    quick ? "quick" : "full", seed, seconds));
            stdout.println(String.format(Locale.ROOT, "  %-16s %9s %14s %18s", "penalty", "sparsity", "error to w*",
                    "error to predicted"));
            for (Map<String, Object> row : ReproductionReport.headline(result)) {
                stdout.println(String.format(Locale.ROOT, "  %-16s %8.1f%% %14.3g %18.3g", row.get("penalty"),
                        100 * (double) row.get("sparsity"), (double) row.get("relative_error_to_teacher"),
                        (double) row.get("relative_error_to_prediction")));
            }
            stdout.println("report: " + staged.target().resolve("index.html"));
        }
        return ExitCode.OK;
    }

    private static ReproductionReport.Sink sink(Path dir) {
        return new ReproductionReport.Sink() {
            @Override
            public void text(String name, String content) {
                Output.writeText(dir.resolve(name), content);
            }

            @Override
            public void csv(String name, List<String> header, List<List<Object>> rows) {
                Output.writeCsv(dir.resolve(name), header, rows);
            }

            @Override
            public void json(String name, Object tree) {
                Output.writeJson(dir.resolve(name), tree);
            }
        };
    }
}
