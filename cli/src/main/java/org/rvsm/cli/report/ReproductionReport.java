package org.rvsm.cli.report;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;
import org.rvsm.Vectors;
import org.rvsm.experiment.Reproduction;
import org.rvsm.experiment.Reproduction.MethodRun;
import org.rvsm.experiment.Reproduction.PathPoint;
import org.rvsm.experiment.Reproduction.SampleSizePoint;
import org.rvsm.experiment.ReproductionSettings;
import org.rvsm.experiment.TeacherStudentResult;
import org.rvsm.optimizer.IterationRecord;
import org.rvsm.optimizer.Method;
import org.rvsm.penalty.Penalty;

/**
 * Turns a {@link Reproduction.Result} into files: one SVG and one CSV per figure, results.json and
 * index.html (figures inline, so the page stands alone).
 */
public final class ReproductionReport {

    /** Writes text or JSON files; the CLI supplies it so this class does no I/O policy of its own. */
    public interface Sink {
        void text(String name, String content);

        void csv(String name, List<String> header, List<List<Object>> rows);

        void json(String name, Object tree);
    }

    /** Where a figure's files are and what it shows. */
    private record Figure(String id, String title, String svg, String csv, String caption) {
    }

    private final Reproduction.Result result;
    private final Map<String, Object> provenance;
    private final double seconds;
    private final List<Figure> figures = new ArrayList<>();

    public ReproductionReport(Reproduction.Result result, Map<String, Object> provenance, double seconds) {
        this.result = result;
        this.provenance = provenance;
        this.seconds = seconds;
    }

    /** Writes everything through the sink. */
    public void write(Sink sink) {
        convergence(sink);
        path(sink);
        sampleSizes(sink);
        methods(sink);
        sink.json("results.json", json());
        sink.text("index.html", html());
    }

    private static String label(Penalty p) {
        return p.label();
    }

    private static double teacherSparsity(double[] teacher) {
        return Vectors.sparsity(teacher);
    }

    // ---- (a) convergence to the predicted limit ----

    private void convergence(Sink sink) {
        List<List<Object>> rows = new ArrayList<>();
        SvgPlot loss = new SvgPlot("(a) Population loss of the sparse model u", "iteration t", false,
                "loss l(w^t) (no 1/2 factor)", true);
        SvgPlot distance = new SvgPlot("(a) Distance to the predicted limit", "iteration t", false,
                "|u^t - predicted u|", true);
        SvgPlot sparsity = new SvgPlot("(a) Sparsity of u", "iteration t", false, "fraction of exact zeros in u^t", false);
        for (TeacherStudentResult r : result.convergence()) {
            List<IterationRecord> trace = r.run().trace();
            String name = label(r.spec().solver().penalty());
            double[] t = column(trace, IterationRecord::iteration);
            int colour = colourOf(r.spec().solver().penalty());
            loss.add(SvgPlot.Series.line(name, t, column(trace, IterationRecord::loss)).colour(colour));
            distance.add(SvgPlot.Series.line(name, t, column(trace, IterationRecord::monitored)).colour(colour));
            sparsity.add(SvgPlot.Series.line(name, t, column(trace, IterationRecord::sparsity)).colour(colour));
            for (IterationRecord rec : trace) {
                rows.add(List.of(name, rec.iteration(), rec.loss(), rec.lagrangian(), rec.splitGap(), rec.sparsity(),
                        rec.monitored()));
            }
        }
        sink.csv("fig-a-convergence.csv", List.of("penalty", "iteration", "loss", "lagrangian", "split_gap",
                "sparsity", "distance_to_prediction"), rows);
        add(sink, "fig-a-loss", loss, "fig-a-convergence.csv", "Loss l(w^t) along RVSM with the population gradient, "
                + "one curve per penalty (lambda = " + num(result.settings().lambda()) + ", beta = "
                + num(result.settings().beta()) + ", eta = " + num(result.settings().eta()) + ").");
        add(sink, "fig-a-distance", distance, "fig-a-convergence.csv", "Euclidean distance from u^t to the limit the "
                + "theory predicts (docs/math.md section 4, solved independently of the iteration). Linear "
                + "convergence down to rounding level confirms the predicted limit.");
        add(sink, "fig-a-sparsity", sparsity, "fig-a-convergence.csv", "Fraction of exact zeros in u^t. The teacher has "
                + pct(teacherSparsity(result.teacher())) + " zeros.");
    }

    // ---- (b) the lambda path ----

    private void path(Sink sink) {
        Map<String, List<PathPoint>> byPenalty = group(result.path(), PathPoint::penalty);
        SvgPlot error = new SvgPlot("(b) Accuracy against sparsity (lambda path)", "sparsity of u (fraction of zeros)",
                false, "relative error |u - w*| / |w*|", true);
        SvgPlot support = new SvgPlot("(b) Support recovery against sparsity", "sparsity of u (fraction of zeros)",
                false, "support F1 (precision and recall vs w*)", false);
        SvgPlot byLambda = new SvgPlot("(b) Error along the lambda path", "lambda (penalty weight)", true,
                "relative error |u - w*| / |w*|", true);
        List<List<Object>> rows = new ArrayList<>();
        byPenalty.forEach((name, points) -> {
            error.add(SvgPlot.Series.points(name, col(points, PathPoint::sparsity), col(points, PathPoint::errorToTeacher))
                    .colour(colourOfLabel(name)));
            support.add(SvgPlot.Series.points(name, col(points, PathPoint::sparsity), col(points, p -> p.support().f1()))
                    .colour(colourOfLabel(name)));
            byLambda.add(SvgPlot.Series.points(name, col(points, PathPoint::lambda), col(points, PathPoint::errorToTeacher))
                    .colour(colourOfLabel(name)));
            for (PathPoint p : points) {
                rows.add(List.of(name, p.lambda(), p.sparsity(), p.errorToTeacher(), p.support().precision(),
                        p.support().recall(), p.support().f1(), p.errorToPrediction(), p.iterations(), p.status()));
            }
        });
        double truth = teacherSparsity(result.teacher());
        error.vertical(truth, "w* sparsity");
        support.vertical(truth, "w* sparsity");
        sink.csv("fig-b-path.csv", List.of("penalty", "lambda", "sparsity", "relative_error_to_teacher",
                "support_precision", "support_recall", "support_f1", "relative_error_to_prediction", "iterations",
                "status"), rows);
        add(sink, "fig-b-error", error, "fig-b-path.csv", "Each point is where RVSM ends for one lambda, on the "
                + "empirical loss of one fixed sample of n = " + result.settings().pathSamples() + " inputs whose labels "
                + "carry Gaussian noise of standard deviation " + num(result.settings().pathLabelNoise()) + " (beyond "
                + "the paper, whose labels are noiseless: there every small lambda recovers the support exactly and "
                + "no trade-off is visible), on a path "
                + "from the largest lambda down, each run started from the previous w (warm start, as glmnet). Left of "
                + "the dotted line u keeps noise coordinates; right of it, it drops true ones. Lower is better at a "
                + "given sparsity.");
        add(sink, "fig-b-lambda", byLambda, "fig-b-path.csv", "The same path against lambda: l1 pays a bias that "
                + "grows with lambda, l0 none until it drops a coordinate; Tl1 moves from l0 (small a) to l1 (large a).");
        add(sink, "fig-b-support", support, "fig-b-path.csv", "F1 score of the support of u against the support "
                + "of w* (1 = exactly the true non-zeros).");
    }

    // ---- (c) sample sizes ----

    private void sampleSizes(Sink sink) {
        Map<String, List<SampleSizePoint>> byPenalty = group(result.sampleSizes(), SampleSizePoint::penalty);
        SvgPlot plot = new SvgPlot("(c) Empirical gradient: error shrinks with n", "sample size n (inputs)", true,
                "relative distance to the predicted limit", true);
        List<List<Object>> rows = new ArrayList<>();
        double[] ns = null;
        double first = Double.NaN;
        for (Map.Entry<String, List<SampleSizePoint>> e : byPenalty.entrySet()) {
            List<SampleSizePoint> points = e.getValue();
            ns = col(points, p -> p.samples());
            plot.add(SvgPlot.Series.points(e.getKey(), ns, col(points, SampleSizePoint::meanErrorToPrediction))
                    .colour(colourOfLabel(e.getKey())));
            if (Double.isNaN(first)) {
                first = points.get(0).meanErrorToPrediction();
            }
            for (SampleSizePoint p : points) {
                rows.add(List.of(e.getKey(), p.samples(), p.meanErrorToPrediction(), p.sdErrorToPrediction(),
                        p.meanErrorToTeacher(), p.meanSparsity(), p.seeds(), p.converged()));
            }
        }
        if (ns != null) {
            double[] reference = new double[ns.length];
            for (int i = 0; i < ns.length; i++) {
                reference[i] = first * Math.sqrt(ns[0] / ns[i]);
            }
            plot.add(SvgPlot.Series.dashed("n^(-1/2) reference", ns, reference).colour(SvgPlot.BLACK));
        }
        sink.csv("fig-c-samples.csv", List.of("penalty", "samples", "mean_relative_error_to_prediction",
                "sd_relative_error_to_prediction", "mean_relative_error_to_teacher", "mean_sparsity", "seeds",
                "runs_converged"), rows);
        add(sink, "fig-c-samples", plot, "fig-c-samples.csv", "RVSM on the empirical loss of a fixed sample of n "
                + "Gaussian inputs, mean over " + result.settings().seedsPerSize() + " samples per n, against the "
                + "population limit. The dashed line has the Monte Carlo slope n^(-1/2). The labels are noiseless, "
                + "so an unbiased penalty (l0, once its support is right) has the empirical minimiser w* itself for "
                + "every n and sits at rounding level; the shrinking penalties (l1, Tl1) approach the population "
                + "limit at the Monte Carlo rate. At most "
                + result.settings().empiricalIterations() + " iterations: the empirical loss is piecewise smooth and "
                + "gradient steps may cycle across a ReLU kink far below the sampling error (runs_converged in the CSV).");
    }

    // ---- (d) methods ----

    private void methods(Sink sink) {
        SvgPlot error = new SvgPlot("(d) RVSM vs proximal gradient vs gradient descent", "iteration t", false,
                "relative error |u^t - w*| / |w*|", true);
        SvgPlot sparsity = new SvgPlot("(d) Sparsity along the iterations", "iteration t", false,
                "fraction of exact zeros", false);
        List<List<Object>> rows = new ArrayList<>();
        for (MethodRun m : result.methods()) {
            String name = methodName(m);
            List<IterationRecord> trace = m.run().trace();
            double[] t = column(trace, IterationRecord::iteration);
            int colour = m.method() == Method.GRADIENT_DESCENT ? SvgPlot.BLACK : colourOf(m.penalty());
            boolean dashed = m.method() == Method.PROXIMAL_GRADIENT;
            error.add(series(name, t, column(trace, IterationRecord::monitored), dashed).colour(colour));
            sparsity.add(series(name, t, column(trace, IterationRecord::sparsity), dashed).colour(colour));
            for (IterationRecord rec : trace) {
                rows.add(List.of(m.method().label(), m.method() == Method.GRADIENT_DESCENT ? "none" : label(m.penalty()),
                        rec.iteration(), rec.monitored(), rec.sparsity(), rec.lagrangian()));
            }
        }
        sink.csv("fig-d-methods.csv", List.of("method", "penalty", "iteration", "relative_error_to_teacher",
                "sparsity", "objective"), rows);
        add(sink, "fig-d-error", error, "fig-d-methods.csv", "Same teacher, start, lambda and step size for every "
                + "method; one colour per penalty, solid: RVSM, dashed: proximal gradient (threshold eta lambda); "
                + "black: plain gradient descent (no penalty: unbiased, but no weight is ever exactly zero).");
        add(sink, "fig-d-sparsity", sparsity, "fig-d-methods.csv", "Fraction of exact zeros in the model each method "
                + "reports (u for RVSM, w for the others).");
    }

    private static SvgPlot.Series series(String name, double[] x, double[] y, boolean dashed) {
        return dashed ? SvgPlot.Series.dashed(name, x, y) : SvgPlot.Series.line(name, x, y);
    }

    private int colourOfLabel(String penaltyLabel) {
        List<Penalty> ps = result.settings().penalties();
        for (int i = 0; i < ps.size(); i++) {
            if (ps.get(i).label().equals(penaltyLabel)) {
                return i;
            }
        }
        return -1;
    }

    /** One colour per penalty, the same in every figure. */
    private int colourOf(Penalty p) {
        return result.settings().penalties().indexOf(p);
    }

    private static String methodName(MethodRun m) {
        return switch (m.method()) {
            case GRADIENT_DESCENT -> "gradient descent";
            case RVSM -> "RVSM " + label(m.penalty());
            case PROXIMAL_GRADIENT -> "prox-grad " + label(m.penalty());
        };
    }

    // ---- outputs ----

    private void add(Sink sink, String id, SvgPlot plot, String csv, String caption) {
        String svg = plot.render();
        sink.text(id + ".svg", svg);
        figures.add(new Figure(id, id, svg, csv, caption));
    }

    /** The per-penalty headline of experiment (a): what the README table shows. */
    public static List<Map<String, Object>> headline(Reproduction.Result result) {
        List<Map<String, Object>> rows = new ArrayList<>();
        for (TeacherStudentResult r : result.convergence()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("penalty", label(r.spec().solver().penalty()));
            m.put("lambda", r.spec().solver().lambda());
            m.put("sparsity", r.sparsity());
            m.put("relative_error_to_teacher", r.relativeErrorToTeacher());
            m.put("relative_error_to_prediction", r.relativeErrorToPrediction());
            m.put("support_precision", r.support().precision());
            m.put("support_recall", r.support().recall());
            m.put("bistable_coordinates", r.prediction() == null ? 0 : r.prediction().bistable().length);
            m.put("iterations", r.run().iterations());
            m.put("status", r.run().status().label());
            rows.add(m);
        }
        return rows;
    }

    private Map<String, Object> json() {
        ReproductionSettings s = result.settings();
        Map<String, Object> root = new LinkedHashMap<>(provenance);
        root.put("seconds", seconds);
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("k", s.k());
        settings.put("d", s.d());
        settings.put("teacher_density", s.teacherDensity());
        settings.put("beta", s.beta());
        settings.put("eta", s.eta());
        settings.put("lambda", s.lambda());
        settings.put("penalties", s.penalties().stream().map(Penalty::label).toList());
        settings.put("lambda_grid", finite(s.lambdaGrid()));
        settings.put("path_samples", s.pathSamples());
        settings.put("path_label_noise", s.pathLabelNoise());
        settings.put("sample_sizes", Arrays.stream(s.sampleSizes()).boxed().toList());
        settings.put("seeds_per_size", s.seedsPerSize());
        settings.put("iterations", s.iterations());
        settings.put("empirical_iterations", s.empiricalIterations());
        settings.put("tolerance", ReproductionSettings.TOLERANCE);
        settings.put("seed", s.seed());
        root.put("settings", settings);
        root.put("teacher", finite(result.teacher()));
        root.put("start", finite(result.start()));
        root.put("convergence", headline(result));
        List<Map<String, Object>> path = new ArrayList<>();
        for (PathPoint p : result.path()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("penalty", p.penalty());
            m.put("lambda", p.lambda());
            m.put("sparsity", p.sparsity());
            m.put("relative_error_to_teacher", finite(p.errorToTeacher()));
            m.put("support_precision", p.support().precision());
            m.put("support_recall", p.support().recall());
            m.put("relative_error_to_prediction", finite(p.errorToPrediction()));
            m.put("iterations", p.iterations());
            m.put("status", p.status());
            path.add(m);
        }
        root.put("lambda_path", path);
        List<Map<String, Object>> sizes = new ArrayList<>();
        for (SampleSizePoint p : result.sampleSizes()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("penalty", p.penalty());
            m.put("samples", p.samples());
            m.put("mean_relative_error_to_prediction", finite(p.meanErrorToPrediction()));
            m.put("sd_relative_error_to_prediction", finite(p.sdErrorToPrediction()));
            m.put("mean_relative_error_to_teacher", finite(p.meanErrorToTeacher()));
            m.put("mean_sparsity", p.meanSparsity());
            m.put("seeds", p.seeds());
            m.put("runs_converged", p.converged());
            sizes.add(m);
        }
        root.put("sample_sizes", sizes);
        List<Map<String, Object>> methods = new ArrayList<>();
        for (MethodRun r : result.methods()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("method", r.method().label());
            m.put("penalty", r.method() == Method.GRADIENT_DESCENT ? "none" : label(r.penalty()));
            m.put("relative_error_to_teacher", finite(r.errorToTeacher()));
            m.put("sparsity", r.sparsity());
            m.put("support_precision", r.support().precision());
            m.put("support_recall", r.support().recall());
            m.put("objective", finite(r.objective()));
            m.put("iterations", r.run().iterations());
            m.put("status", r.run().status().label());
            methods.add(m);
        }
        root.put("methods", methods);
        return root;
    }

    private String html() {
        ReproductionSettings s = result.settings();
        StringBuilder h = new StringBuilder();
        h.append("<h1>RVSM on the no-overlap ReLU network: reproduction of Dinh &amp; Xin (arXiv 1812.05719)</h1>\n");
        h.append("<p>Command: <code>").append(Html.esc(String.valueOf(provenance.get("command")))).append("</code><br>")
                .append("Version ").append(Html.esc(String.valueOf(provenance.get("version"))))
                .append(", Java ").append(Html.esc(String.valueOf(provenance.get("java"))))
                .append(", seed ").append(s.seed()).append(", ")
                .append(String.format(Locale.ROOT, "%.1f s", seconds)).append(" on ")
                .append(Runtime.getRuntime().availableProcessors()).append(" cores.</p>\n");
        h.append("<p>Problem: f(Z, w) = (1/k) &Sigma;<sub>i</sub> max(Z<sub>i</sub>&middot;w, 0) with k = ").append(s.k())
                .append(" non-overlapping Gaussian patches of dimension d = ").append(s.d())
                .append("; a seeded teacher w* with ").append(pct(1 - teacherSparsity(result.teacher())))
                .append(" non-zeros, each &plusmn;(0.5 + |N(0,1)|). Loss l(w) = E[(f(Z,w) - f(Z,w*))&sup2;] ")
                .append("(no 1/2 factor). RVSM: w &larr; w - &eta;&nabla;l(w) - &eta;&beta;(w - u), then u &larr; ")
                .append("T<sub>&lambda;/&beta;</sub>(w). The tie at a hard threshold goes to 0. Every run stops when ")
                .append("|w<sup>t+1</sup> - w<sup>t</sup>| &lt; ").append(num(ReproductionSettings.TOLERANCE))
                .append(" or after ").append(s.iterations()).append(" iterations.</p>\n");
        h.append("<p>Machine-readable: <a href=\"results.json\">results.json</a>; each figure links its CSV.</p>\n");

        h.append("<h2>(a) RVSM converges to the limit the theory predicts</h2>\n");
        List<List<String>> rows = new ArrayList<>();
        for (Map<String, Object> m : headline(result)) {
            rows.add(List.of(String.valueOf(m.get("penalty")), num((double) m.get("lambda")), pct((double) m.get("sparsity")),
                    sci((double) m.get("relative_error_to_teacher")), sci((double) m.get("relative_error_to_prediction")),
                    String.valueOf(m.get("support_precision")), String.valueOf(m.get("support_recall")),
                    String.valueOf(m.get("bistable_coordinates")), String.valueOf(m.get("iterations")),
                    String.valueOf(m.get("status"))));
        }
        h.append(Html.table(List.of("penalty", "lambda", "sparsity of u", "|u - w*|/|w*|", "|u - predicted|/|predicted|",
                "support precision", "support recall", "bistable coords", "iterations", "status"), rows));
        h.append("<p class=\"note\">Error to w* is the bias each penalty pays at this lambda: l1 shrinks every kept "
                + "weight, l0 keeps kept weights unbiased, Tl1 lies in between. For l0 (and Tl1 where it applies) some "
                + "coordinates are bistable: both the kept and the dropped state are fixed points, and the prediction "
                + "uses the state the run ended in.</p>\n");
        figures(h, "fig-a");
        h.append("<h2>(b) The accuracy&ndash;sparsity trade-off</h2>\n");
        figures(h, "fig-b");
        h.append("<h2>(c) Finite samples: the empirical gradient</h2>\n");
        figures(h, "fig-c");
        h.append("<h2>(d) RVSM against proximal gradient and plain gradient descent</h2>\n");
        List<List<String>> mrows = new ArrayList<>();
        for (MethodRun m : result.methods()) {
            mrows.add(List.of(methodName(m), pct(m.sparsity()), sci(m.errorToTeacher()),
                    num(m.support().precision()), num(m.support().recall()), sci(m.objective()),
                    String.valueOf(m.run().iterations()), m.run().status().label()));
        }
        h.append(Html.table(List.of("method", "sparsity", "|u - w*|/|w*|", "support precision", "support recall",
                "l(u) + lambda P(u)", "iterations", "status"), mrows));
        figures(h, "fig-d");
        return Html.page("RVSM: reproduction of Dinh & Xin (arXiv 1812.05719)", h.toString());
    }

    private void figures(StringBuilder h, String prefix) {
        for (Figure f : figures) {
            if (f.id().startsWith(prefix)) {
                h.append("<figure id=\"").append(f.id()).append("\">\n").append(f.svg())
                        .append("<figcaption>").append(Html.esc(f.caption())).append(" Data: <a href=\"")
                        .append(f.csv()).append("\">").append(f.csv()).append("</a>, image: <a href=\"")
                        .append(f.id()).append(".svg\">").append(f.id()).append(".svg</a>.</figcaption></figure>\n");
            }
        }
    }

    // ---- small helpers ----

    private static <T> Map<String, List<T>> group(List<T> items, Function<T, String> key) {
        Map<String, List<T>> map = new LinkedHashMap<>();
        for (T item : items) {
            map.computeIfAbsent(key.apply(item), k -> new ArrayList<>()).add(item);
        }
        return map;
    }

    private static double[] column(List<IterationRecord> trace, ToDoubleFunction<IterationRecord> f) {
        return trace.stream().mapToDouble(f).toArray();
    }

    private static <T> double[] col(List<T> items, ToDoubleFunction<T> f) {
        return items.stream().mapToDouble(f).toArray();
    }

    private static Object finite(double v) {
        return Double.isFinite(v) ? v : null;
    }

    private static List<Object> finite(double[] v) {
        List<Object> list = new ArrayList<>(v.length);
        for (double x : v) {
            list.add(finite(x));
        }
        return list;
    }

    private static String pct(double fraction) {
        return String.format(Locale.ROOT, "%.1f%%", 100 * fraction);
    }

    private static String sci(double v) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, "%.3g", v) : "n/a";
    }

    /** Shortest exact decimal: 0.001, 0.5, 1e-12. */
    private static String num(double v) {
        return java.math.BigDecimal.valueOf(v).stripTrailingZeros().toString().replace("E", "e");
    }
}
