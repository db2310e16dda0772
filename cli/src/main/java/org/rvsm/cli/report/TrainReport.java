package org.rvsm.cli.report;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.rvsm.runtime.ImageSpec;
import org.rvsm.runtime.Safetensors;
import org.rvsm.nn.train.EpochRecord;
import org.rvsm.nn.optim.LayerInfo;

/** The HTML page of one training run: curves, the layer table, and which input pixels survive. */
public final class TrainReport {

    private final Map<String, Object> config;
    private final List<EpochRecord> history;
    private final List<LayerInfo> layers;
    private final Safetensors.Contents model;

    public TrainReport(Map<String, Object> config, List<EpochRecord> history, List<LayerInfo> layers,
                       Safetensors.Contents model) {
        this.config = config;
        this.history = history;
        this.layers = layers;
        this.model = model;
    }

    public String html() {
        double[] epochs = history.stream().mapToDouble(EpochRecord::epoch).toArray();
        SvgPlot accuracy = new SvgPlot("Test accuracy", "epoch", false, "accuracy on the test set", false)
                .add(SvgPlot.Series.line("u-network (sparse, deployed)",
                        epochs, history.stream().mapToDouble(EpochRecord::testAccuracyU).toArray()))
                .add(SvgPlot.Series.dashed("w-network (dense training weights)",
                        epochs, history.stream().mapToDouble(EpochRecord::testAccuracyW).toArray()));
        SvgPlot sparsity = new SvgPlot("Sparsity of u", "epoch", false, "fraction of exact zeros", false)
                .add(SvgPlot.Series.line("all sparsified weights", epochs,
                        history.stream().mapToDouble(EpochRecord::sparsity).toArray()).colour(SvgPlot.BLACK));
        for (int l = 0; l < layers.size(); l++) {
            int layer = l;
            sparsity.add(SvgPlot.Series.dashed(layers.get(l).name(), epochs,
                    history.stream().mapToDouble(r -> r.layerSparsity().get(layer)).toArray()));
        }
        StringBuilder h = new StringBuilder();
        EpochRecord last = history.get(history.size() - 1);
        h.append("<h1>").append(Html.esc(config.get("model") + " on " + config.get("dataset") + ", "
                + config.get("method") + " (" + config.get("penalty") + ")")).append("</h1>\n");
        h.append(String.format(Locale.ROOT, "<p>Test accuracy of the sparse u-network: <b>%.2f%%</b> with <b>%.2f%%</b> "
                + "of the sparsified weights exactly zero, after %d epochs.</p>\n", 100 * last.testAccuracyU(),
                100 * last.sparsity(), history.size()));
        h.append("<p>Config: <code>").append(Html.esc(config.toString())).append("</code></p>\n");
        h.append(accuracy.render()).append(sparsity.render());
        h.append("<h2>Layers</h2>\n");
        List<List<String>> rows = layers.stream().map(l -> List.of(l.name(), java.util.Arrays.toString(l.shape()),
                Long.toString(l.nonZeros()), String.format(Locale.ROOT, "%.2f%%", 100.0 * (l.size() - l.nonZeros()) / l.size())))
                .toList();
        h.append(Html.table(List.of("tensor", "shape", "non-zeros", "sparsity"), rows));
        h.append("<h2>Which input pixels survive</h2>\n").append(pixelMap()).append("\n");
        return Html.page("RVSM training: " + config.get("model"), h.toString());
    }

    /**
     * For a dense first layer of shape (units, C H W): per input pixel, how many units still read it (a
     * non-zero weight on any channel), as an H x W grey map; for a conv first layer: the filters (their
     * first input channel), zeros white.
     */
    private String pixelMap() {
        if (layers.isEmpty()) {
            return "<p>No sparsified layer.</p>";
        }
        LayerInfo first = layers.get(0);
        Safetensors.Tensor t = model.tensors().get(first.name());
        long[] s = t.shape();
        StringBuilder svg = new StringBuilder();
        ImageSpec input;
        try {
            input = ImageSpec.fromMetadata(model.metadata());
        } catch (IllegalArgumentException e) {
            input = ImageSpec.LEGACY;
        }
        int rows = input.height();
        int cols = input.width();
        int pixels = rows * cols;
        if (s.length == 2 && s[1] == input.size() && pixels <= 128 * 128) {
            int units = (int) s[0];
            int size = input.size();
            int[] alive = new int[pixels];
            int max = 1;
            for (int u = 0; u < units; u++) {
                for (int p = 0; p < pixels; p++) {
                    for (int c = 0; c < input.channels(); c++) {
                        if (t.data()[u * size + c * pixels + p] != 0.0f) {
                            alive[p]++;
                            break;
                        }
                    }
                }
            }
            int dead = 0;
            for (int p = 0; p < pixels; p++) {
                max = Math.max(max, alive[p]);
                dead += alive[p] == 0 ? 1 : 0;
            }
            int cell = Math.max(2, 280 / Math.max(rows, cols));
            svg.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\">",
                    cols * cell, rows * cell));
            for (int p = 0; p < pixels; p++) {
                int grey = 255 - (int) Math.round(255.0 * alive[p] / max);
                svg.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"rgb(%d,%d,%d)\"/>",
                        (p % cols) * cell, (p / cols) * cell, cell, cell, grey, grey, grey));
            }
            svg.append("</svg>");
            return "<p>Dark: many of the " + units + " first-layer units still read the pixel; white: no unit does ("
                    + dead + " of " + pixels + " pixels are cut off entirely; at most " + max + " units read one pixel).</p>"
                    + svg;
        }
        if (s.length == 4) {
            int filters = (int) s[0];
            int kh = (int) s[2];
            int kw = (int) s[3];
            int cell = 8;
            int per = kh * kw * (int) s[1];
            svg.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\">",
                    filters * (kw * cell + 6), kh * cell));
            for (int f = 0; f < filters; f++) {
                for (int i = 0; i < kh * kw; i++) {
                    boolean on = t.data()[f * per + i] != 0.0f;
                    svg.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\"/>",
                            f * (kw * cell + 6) + (i % kw) * cell, (i / kw) * cell, cell, cell, on ? "#333" : "#eee"));
                }
            }
            svg.append("</svg>");
            return "<p>The first conv layer's " + filters + " filters (" + kh + "x" + kw + "): dark = non-zero weight.</p>" + svg;
        }
        return "<p>First layer of shape " + java.util.Arrays.toString(s) + ": no map.</p>";
    }
}
