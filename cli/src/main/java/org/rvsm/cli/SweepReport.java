package org.rvsm.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.rvsm.cli.report.Html;
import org.rvsm.cli.report.SvgPlot;
import org.rvsm.cli.sweep.SweepPoint;
import org.rvsm.nn.train.TrainConfig.Method;

/**
 * A sweep's results: one row per run (sweep.csv, sweep.json's "runs"), and per setting the mean over
 * its seeds with the spread (sweep.json's "settings", the table and the plot of index.html).
 */
final class SweepReport {

    /** sweep.csv's columns, one row per run. */
    static final List<String> COLUMNS = List.of("name", "setting", "seed", "method", "penalty", "threshold",
            "target_sparsity", "lambda", "status", "sparsity", "test_accuracy", "test_accuracy_w",
            "seconds_per_epoch", "diverged_at", "error");
    private static final List<String> NUMBERS = List.of("sparsity", "test_accuracy", "test_accuracy_w",
            "seconds_per_epoch");

    private final List<Map<String, Object>> runs = new ArrayList<>();
    private final Map<String, String> curves = new LinkedHashMap<>(); // setting -> the plot's series

    /** A run that finished: its summary.json gives the numbers (none when it diverged). */
    void finished(SweepPoint p, JsonNode summary) {
        Map<String, Object> r = row(p, summary.path("status").asText());
        r.put("lambda", p.method() == Method.RVSM ? summary.path("config").path("lambda").asDouble() : 0.0);
        if ("completed".equals(r.get("status"))) {
            for (String k : NUMBERS) {
                r.put(k, summary.path(k).asDouble());
            }
        } else {
            JsonNode at = summary.path("diverged_at");
            r.put("diverged_at", "epoch " + at.path("epoch").asInt() + ", minibatch " + at.path("minibatch").asInt()
                    + ", " + at.path("tensor").asText());
        }
        runs.add(r);
    }

    /** A run that did not end with a result: failed (error says why) or missing (not run yet). */
    void unfinished(SweepPoint p, String status, String error) {
        Map<String, Object> r = row(p, status);
        r.put("error", error);
        runs.add(r);
    }

    private Map<String, Object> row(SweepPoint p, String status) {
        curves.put(p.setting(), p.curve());
        Map<String, Object> r = new LinkedHashMap<>();
        for (String c : COLUMNS) {
            r.put(c, null); // null in JSON, an empty cell in CSV
        }
        r.put("name", p.name());
        r.put("setting", p.setting());
        r.put("seed", p.seed());
        r.put("method", p.method().label());
        r.put("penalty", p.penalty());
        r.put("threshold", p.threshold());
        r.put("target_sparsity", p.sparsity());
        r.put("status", status);
        r.put("diverged_at", "");
        r.put("error", "");
        return r;
    }

    long count(String status) {
        return runs.stream().filter(r -> status.equals(r.get("status"))).count();
    }

    /**
     * Per setting, in plan order: the number of seeds that completed, and the mean and sample standard
     * deviation (0 for one seed) of each number over them. Settings with no completed run are left out.
     */
    List<Map<String, Object>> settings() {
        Map<String, List<Map<String, Object>>> bySetting = new LinkedHashMap<>();
        for (Map<String, Object> r : runs) {
            bySetting.computeIfAbsent((String) r.get("setting"), k -> new ArrayList<>()).add(r);
        }
        List<Map<String, Object>> out = new ArrayList<>();
        bySetting.forEach((setting, rs) -> {
            List<Map<String, Object>> done = rs.stream().filter(r -> "completed".equals(r.get("status"))).toList();
            if (done.isEmpty()) {
                return;
            }
            Map<String, Object> s = new LinkedHashMap<>();
            s.put("setting", setting);
            s.put("method", rs.get(0).get("method"));
            s.put("penalty", rs.get(0).get("penalty"));
            s.put("curve", curves.get(setting));
            s.put("seeds", done.size());
            s.put("runs", rs.size());
            for (String k : NUMBERS) {
                double[] v = done.stream().mapToDouble(r -> (double) r.get(k)).toArray();
                s.put(k + "_mean", mean(v));
                s.put(k + "_sd", standardDeviation(v));
            }
            out.add(s);
        });
        return out;
    }

    static double mean(double[] v) {
        return java.util.Arrays.stream(v).average().orElse(Double.NaN);
    }

    /** The sample standard deviation (n - 1 in the denominator); 0 for fewer than two values. */
    static double standardDeviation(double[] v) {
        if (v.length < 2) {
            return 0.0;
        }
        double mean = mean(v);
        double ss = 0;
        for (double x : v) {
            ss += (x - mean) * (x - mean);
        }
        return Math.sqrt(ss / (v.length - 1));
    }

    /** sweep.csv, sweep.json, sweep.svg, sweep.md and index.html in dir. */
    void write(Path dir, String model, int epochs, List<Long> seeds, Map<String, Object> header) {
        List<List<Object>> rows = new ArrayList<>();
        for (Map<String, Object> r : runs) {
            rows.add(COLUMNS.stream().map(r::get).toList());
        }
        Output.writeCsv(dir.resolve("sweep.csv"), COLUMNS, rows);
        List<Map<String, Object>> settings = settings();
        Map<String, Object> json = Output.object();
        json.putAll(header);
        json.put("model", model);
        json.put("epochs", epochs);
        json.put("seeds", seeds);
        json.put("runs", runs);
        json.put("settings", settings);
        Output.writeJsonAtomically(dir.resolve("sweep.json"), json);
        String svg = plot(model, epochs, seeds.size(), settings);
        Output.writeTextAtomically(dir.resolve("sweep.svg"), svg);
        Output.writeTextAtomically(dir.resolve("sweep.md"), markdown(settings));
        Output.writeTextAtomically(dir.resolve("index.html"), SweepCommand.page(model, (String) header.get("command"),
                svg, seedsNote(seeds.size()) + table(settings) + notEnded()));
    }

    /** Accuracy against sparsity: per setting the mean over seeds, error bars one standard deviation. */
    static String plot(String model, int epochs, int seeds, List<Map<String, Object>> settings) {
        SvgPlot plot = new SvgPlot("Accuracy against sparsity (" + model + ", " + epochs + " epochs, "
                + (seeds == 1 ? "1 seed" : "mean of " + seeds + " seeds") + ")",
                "fraction of weights exactly zero", false, "test accuracy of the deployed network", false);
        Map<String, List<Map<String, Object>>> byCurve = new LinkedHashMap<>();
        for (Map<String, Object> s : settings) {
            byCurve.computeIfAbsent((String) s.get("curve"), k -> new ArrayList<>()).add(s);
        }
        // a curve whose every point has no zeros (dense SGD) is a dashed level across the others, so the
        // axis spans the sparsities compared instead of stretching to 0
        double[] sparse = settings.stream().mapToDouble(s -> (double) s.get("sparsity_mean")).filter(x -> x > 0).toArray();
        double lo = java.util.Arrays.stream(sparse).min().orElse(0);
        double hi = java.util.Arrays.stream(sparse).max().orElse(0);
        byCurve.forEach((curve, ss) -> {
            if (hi > lo && ss.stream().allMatch(s -> (double) s.get("sparsity_mean") == 0.0)) {
                double level = ss.stream().mapToDouble(s -> (double) s.get("test_accuracy_mean")).average().orElse(0);
                plot.add(SvgPlot.Series.dashed(curve + " (no zeros)", new double[] {lo, hi}, new double[] {level, level})
                        .colour(SvgPlot.BLACK));
                return;
            }
            List<Map<String, Object>> sorted = ss.stream()
                    .sorted((x, y) -> Double.compare((double) x.get("sparsity_mean"), (double) y.get("sparsity_mean")))
                    .toList();
            SvgPlot.Series series = SvgPlot.Series.points(curve,
                    sorted.stream().mapToDouble(s -> (double) s.get("sparsity_mean")).toArray(),
                    sorted.stream().mapToDouble(s -> (double) s.get("test_accuracy_mean")).toArray());
            plot.add(seeds > 1 ? series.errorBars(sorted.stream().mapToDouble(s -> (double) s.get("test_accuracy_sd"))
                    .toArray()) : series);
        });
        return plot.render();
    }

    private static String seedsNote(int seeds) {
        return seeds == 1 ? "<p>One seed per point: no spread is shown (give <code>--seeds 1,2,3</code> for error "
                + "bars).</p>\n"
                : "<p>Each point is the mean over " + seeds + " seeds; error bars and &plusmn; are one sample standard "
                + "deviation across seeds. A setting whose runs did not all complete says how many did.</p>\n";
    }

    private static final List<String> TABLE_HEADER = List.of("setting", "seeds completed", "zeros", "test accuracy",
            "seconds per epoch");

    /** Per setting: name, seeds completed, then mean ± SD of zeros, accuracy and seconds per epoch. */
    private static List<List<String>> tableRows(List<Map<String, Object>> settings) {
        List<List<String>> rows = new ArrayList<>();
        for (Map<String, Object> s : settings) {
            rows.add(List.of((String) s.get("setting"), s.get("seeds") + " of " + s.get("runs"),
                    spread(s, "sparsity", 100, "%"), spread(s, "test_accuracy", 100, "%"),
                    spread(s, "seconds_per_epoch", 1, " s")));
        }
        return rows;
    }

    private static String table(List<Map<String, Object>> settings) {
        return Html.table(TABLE_HEADER, tableRows(settings));
    }

    /** The table of index.html in Markdown, for a README or a paper's notes: per setting mean ± SD. */
    static String markdown(List<Map<String, Object>> settings) {
        StringBuilder md = new StringBuilder("| " + String.join(" | ", TABLE_HEADER) + " |\n"
                + "|---".repeat(TABLE_HEADER.size()) + "|\n");
        for (List<String> row : tableRows(settings)) {
            md.append("| ").append(String.join(" | ", row)).append(" |\n");
        }
        return md.toString();
    }

    private static String spread(Map<String, Object> s, String key, double scale, String unit) {
        return Output.format("%.2f%s \u00b1 %.2f", scale * (double) s.get(key + "_mean"), unit,
                scale * (double) s.get(key + "_sd"));
    }

    /** A paragraph naming the runs that diverged, failed or are missing (none of them plotted), or nothing. */
    private String notEnded() {
        StringBuilder html = new StringBuilder();
        for (String status : List.of("diverged", "failed", "missing")) {
            List<String> names = runs.stream().filter(r -> status.equals(r.get("status")))
                    .map(r -> r.get("name") + " (" + (status.equals("diverged") ? r.get("diverged_at") : r.get("error"))
                            + ")").toList();
            if (!names.isEmpty()) {
                html.append("<p><strong>").append(Character.toUpperCase(status.charAt(0))).append(status.substring(1))
                        .append("</strong> (not plotted; status in sweep.csv): ").append(Html.esc(String.join("; ", names)))
                        .append(".</p>\n");
            }
        }
        return html.toString();
    }
}
