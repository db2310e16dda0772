package org.rvsm.cli.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A line chart as a standalone SVG: linear or log axes, tick labels, axis titles with units, a
 * legend, optional vertical reference lines. Deterministic text output (the same data gives the
 * same bytes), no fonts or AWT needed. Non-finite points, and non-positive ones on a log axis, are
 * left out and break the line. The legend sits right of the plot in a box sized from an estimate
 * of its text width ({@link #textWidth}); the image widens so that a long series name fits.
 */
public final class SvgPlot {

    /**
     * One curve.
     *
     * @param colour index into the palette, or -1 for the series' position in the plot
     * @param yErr   half-lengths of vertical error bars (y - e to y + e), one per point; null for none
     */
    public record Series(String name, double[] x, double[] y, boolean dashed, boolean markers, int colour,
                         double[] yErr) {
        public Series {
            if (x.length != y.length) {
                throw new IllegalArgumentException("series " + name + ": " + x.length + " x values, " + y.length + " y values");
            }
            if (yErr != null && yErr.length != y.length) {
                throw new IllegalArgumentException("series " + name + ": " + y.length + " y values, " + yErr.length
                        + " error bars");
            }
        }

        public Series(String name, double[] x, double[] y, boolean dashed, boolean markers, int colour) {
            this(name, x, y, dashed, markers, colour, null);
        }

        public static Series line(String name, double[] x, double[] y) {
            return new Series(name, x, y, false, false, -1);
        }

        public static Series points(String name, double[] x, double[] y) {
            return new Series(name, x, y, false, true, -1);
        }

        public static Series dashed(String name, double[] x, double[] y) {
            return new Series(name, x, y, true, false, -1);
        }

        /** The same series in palette colour i ({@link #BLACK} for black). */
        public Series colour(int i) {
            return new Series(name, x, y, dashed, markers, i, yErr);
        }

        /** The same series with vertical error bars of half-length e[i] at point i (non-finite: none there). */
        public Series errorBars(double[] e) {
            return new Series(name, x, y, dashed, markers, colour, e.clone());
        }
    }

    /** Palette index of black. */
    public static final int BLACK = 6;

    /** Okabe-Ito colours (distinguishable with the common colour-vision deficiencies), then grey. */
    private static final String[] COLOURS = {"#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9",
        "#000000", "#999999"};
    private static final int WIDTH = 760;
    private static final int HEIGHT = 440;
    private static final int LEFT = 78;
    /** The least right margin (legend included); a wider legend widens the image. */
    private static final int RIGHT = 210;
    /** Font size of the plot's text (tick labels, legend). */
    private static final int FONT_SIZE = 12;
    /**
     * Estimated width of one character at {@link #FONT_SIZE} in Helvetica/Arial, on the generous side
     * (wide letters and digits included) so that a legend never clips its text.
     */
    static final int CHAR_WIDTH = 7;
    /** Legend layout: gap from the plot to the box, padding inside it, the line sample and the gap after it. */
    private static final int LEGEND_GAP = 8;
    private static final int LEGEND_PAD = 6;
    private static final int LEGEND_SWATCH = 22;
    private static final int LEGEND_SWATCH_GAP = 6;
    private static final int LEGEND_ROW = 19;
    private static final int TOP = 40;
    private static final int BOTTOM = 58;
    private static final int MAX_POINTS = 800;

    private final String title;
    private final String xLabel;
    private final String yLabel;
    private final boolean logX;
    private final boolean logY;
    private final List<Series> series = new ArrayList<>();
    private final List<double[]> verticals = new ArrayList<>();
    private final List<String> verticalLabels = new ArrayList<>();

    public SvgPlot(String title, String xLabel, boolean logX, String yLabel, boolean logY) {
        this.title = title;
        this.xLabel = xLabel;
        this.yLabel = yLabel;
        this.logX = logX;
        this.logY = logY;
    }

    public SvgPlot add(Series s) {
        series.add(s);
        return this;
    }

    /** A dashed vertical line at x with a label. */
    public SvgPlot vertical(double x, String label) {
        verticals.add(new double[] {x});
        verticalLabels.add(label);
        return this;
    }

    /** Estimated rendered width in pixels of text at the plot's font size: {@link #CHAR_WIDTH} per character. */
    static int textWidth(String text) {
        return CHAR_WIDTH * text.codePointCount(0, text.length());
    }

    /** Width of the legend box: padding, line sample, the widest name, padding. */
    private int legendWidth() {
        int widest = 0;
        for (Series s : series) {
            widest = Math.max(widest, textWidth(s.name()));
        }
        return LEGEND_PAD + LEGEND_SWATCH + LEGEND_SWATCH_GAP + widest + LEGEND_PAD;
    }

    /** The SVG document. */
    public String render() {
        double[] xr = range(true);
        double[] yr = range(false);
        int plotW = WIDTH - LEFT - RIGHT;
        int plotH = HEIGHT - TOP - BOTTOM;
        int legendW = legendWidth();
        int width = LEFT + plotW + Math.max(RIGHT, LEGEND_GAP + legendW + LEGEND_GAP);
        Axis xAxis = new Axis(xr[0], xr[1], logX, LEFT, LEFT + plotW);
        Axis yAxis = new Axis(yr[0], yr[1], logY, TOP + plotH, TOP);
        StringBuilder svg = new StringBuilder();
        svg.append(fmt("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
                + "font-family=\"Helvetica, Arial, sans-serif\" font-size=\"%d\">%n", width, HEIGHT, width, HEIGHT,
                FONT_SIZE));
        svg.append(fmt("<rect width=\"%d\" height=\"%d\" fill=\"white\"/>%n", width, HEIGHT));
        svg.append(fmt("<text x=\"%d\" y=\"24\" font-size=\"15\" font-weight=\"bold\">%s</text>%n", LEFT, esc(title)));
        // grid and ticks
        for (double t : xAxis.ticks()) {
            double px = xAxis.map(t);
            svg.append(fmt("<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#e5e5e5\"/>%n", px, TOP, px, TOP + plotH));
            svg.append(fmt("<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>%n", px, TOP + plotH + 17,
                    esc(xAxis.label(t))));
        }
        for (double t : yAxis.ticks()) {
            double py = yAxis.map(t);
            svg.append(fmt("<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#e5e5e5\"/>%n", LEFT, py, LEFT + plotW, py));
            svg.append(fmt("<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>%n", LEFT - 6, py + 4,
                    esc(yAxis.label(t))));
        }
        svg.append(fmt("<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#333\"/>%n",
                LEFT, TOP, plotW, plotH));
        svg.append(fmt("<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%s</text>%n", LEFT + plotW / 2, HEIGHT - 14,
                esc(xLabel)));
        svg.append(fmt("<text x=\"16\" y=\"%d\" text-anchor=\"middle\" transform=\"rotate(-90 16 %d)\">%s</text>%n",
                TOP + plotH / 2, TOP + plotH / 2, esc(yLabel)));
        for (int v = 0; v < verticals.size(); v++) {
            double x = verticals.get(v)[0];
            if (inRange(x, xr, logX)) {
                double px = xAxis.map(x);
                svg.append(fmt("<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#666\" stroke-dasharray=\"2,3\"/>%n",
                        px, TOP, px, TOP + plotH));
                svg.append(fmt("<text x=\"%.1f\" y=\"%d\" font-size=\"11\" fill=\"#444\">%s</text>%n", px + 4, TOP + 14,
                        esc(verticalLabels.get(v))));
            }
        }
        // curves, clipped to the plot area
        // ids must be unique in an HTML page that inlines several plots
        String clipId = "clip-" + title.replaceAll("[^A-Za-z0-9]+", "-").toLowerCase(Locale.ROOT);
        svg.append(fmt("<clipPath id=\"%s\"><rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\"/></clipPath>%n",
                clipId, LEFT, TOP, plotW, plotH));
        svg.append(fmt("<g clip-path=\"url(#%s)\" fill=\"none\" stroke-width=\"1.8\">%n", clipId));
        for (int s = 0; s < series.size(); s++) {
            Series ser = series.get(s);
            String colour = colourOf(ser, s);
            String dash = ser.dashed() ? " stroke-dasharray=\"6,4\"" : "";
            int stride = Math.max(1, (ser.x().length + MAX_POINTS - 1) / MAX_POINTS);
            StringBuilder points = new StringBuilder();
            for (int i = 0; i < ser.x().length; i++) {
                boolean keep = i % stride == 0 || i == ser.x().length - 1;
                if (!keep) {
                    continue;
                }
                double x = ser.x()[i];
                double y = ser.y()[i];
                if (!usable(x, logX) || !usable(y, logY)) {
                    flush(svg, points, colour, dash);
                    continue;
                }
                points.append(fmt("%.1f,%.1f ", xAxis.map(x), yAxis.map(y)));
                if (ser.yErr() != null && Double.isFinite(ser.yErr()[i]) && ser.yErr()[i] > 0) {
                    errorBar(svg, xAxis.map(x), yAxis, y, ser.yErr()[i], colour);
                }
                if (ser.markers()) {
                    svg.append(fmt("<circle cx=\"%.1f\" cy=\"%.1f\" r=\"2.6\" fill=\"%s\" stroke=\"none\"/>%n",
                            xAxis.map(x), yAxis.map(y), colour));
                }
            }
            flush(svg, points, colour, dash);
        }
        svg.append("</g>\n");
        // legend: a box as wide as its widest name (estimated), one row per series
        if (!series.isEmpty()) {
            int boxX = LEFT + plotW + LEGEND_GAP;
            svg.append(fmt("<rect class=\"legend\" x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"white\" "
                    + "stroke=\"#ddd\"/>%n", boxX, TOP, legendW, LEGEND_PAD + series.size() * LEGEND_ROW));
            int ly = TOP + 8 + LEGEND_PAD / 2;
            int lx = boxX + LEGEND_PAD;
            for (int s = 0; s < series.size(); s++) {
                Series ser = series.get(s);
                String colour = colourOf(ser, s);
                svg.append(fmt("<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" stroke-width=\"2.5\"%s/>%n",
                        lx, ly, lx + LEGEND_SWATCH, ly, colour, ser.dashed() ? " stroke-dasharray=\"6,4\"" : ""));
                svg.append(fmt("<text x=\"%d\" y=\"%d\">%s</text>%n", lx + LEGEND_SWATCH + LEGEND_SWATCH_GAP, ly + 4,
                        esc(ser.name())));
                ly += LEGEND_ROW;
            }
        }
        svg.append("</svg>\n");
        return svg.toString();
    }

    /** A vertical bar from y - e to y + e with short caps (a log axis keeps only the part above zero). */
    private void errorBar(StringBuilder svg, double px, Axis yAxis, double y, double e, String colour) {
        double lo = y - e;
        double top = yAxis.map(y + e);
        double bottom = usable(lo, logY) ? yAxis.map(lo) : yAxis.map(y);
        svg.append(fmt("<path d=\"M%.1f,%.1fV%.1fM%.1f,%.1fH%.1fM%.1f,%.1fH%.1f\" stroke=\"%s\" stroke-width=\"1.2\"/>%n",
                px, top, bottom, px - 3, top, px + 3, px - 3, bottom, px + 3, colour));
    }

    private static String colourOf(Series s, int position) {
        return COLOURS[(s.colour() >= 0 ? s.colour() : position) % COLOURS.length];
    }

    private static void flush(StringBuilder svg, StringBuilder points, String colour, String dash) {
        if (points.length() > 0) {
            svg.append(fmt("<polyline points=\"%s\" stroke=\"%s\"%s/>%n", points.toString().strip(), colour, dash));
            points.setLength(0);
        }
    }

    private double[] range(boolean isX) {
        boolean log = isX ? logX : logY;
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (Series s : series) {
            double[] values = isX ? s.x() : s.y();
            for (int i = 0; i < values.length; i++) {
                double e = !isX && s.yErr() != null && Double.isFinite(s.yErr()[i]) ? Math.abs(s.yErr()[i]) : 0;
                for (double v : new double[] {values[i] - e, values[i] + e}) {
                    if (usable(v, log) && usable(values[i], log)) {
                        lo = Math.min(lo, v);
                        hi = Math.max(hi, v);
                    }
                }
            }
        }
        if (isX) {
            for (double[] v : verticals) {
                if (usable(v[0], log)) {
                    lo = Math.min(lo, v[0]);
                    hi = Math.max(hi, v[0]);
                }
            }
        }
        if (lo > hi) { // no data
            return log ? new double[] {1, 10} : new double[] {0, 1};
        }
        if (log) {
            if (hi / lo < 10) {
                double mid = Math.sqrt(hi * lo);
                lo = Math.min(lo, mid / Math.sqrt(10));
                hi = Math.max(hi, mid * Math.sqrt(10));
            }
            return new double[] {lo, hi};
        }
        if (hi - lo < 1e-12 * Math.max(1.0, Math.abs(hi))) {
            lo -= 0.5;
            hi += 0.5;
        }
        double pad = 0.04 * (hi - lo);
        return new double[] {lo - pad, hi + pad};
    }

    private static boolean usable(double v, boolean log) {
        return Double.isFinite(v) && (!log || v > 0.0);
    }

    private static boolean inRange(double v, double[] r, boolean log) {
        return usable(v, log) && v >= r[0] && v <= r[1];
    }

    private static String fmt(String pattern, Object... args) {
        return String.format(Locale.ROOT, pattern, args);
    }

    static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    /** One axis: data range to pixels, and tick positions and labels. */
    private record Axis(double lo, double hi, boolean log, double p0, double p1) {

        double map(double v) {
            double f = log ? (Math.log10(v) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo))
                    : (v - lo) / (hi - lo);
            return p0 + f * (p1 - p0);
        }

        List<Double> ticks() {
            List<Double> ticks = new ArrayList<>();
            if (log) {
                int first = (int) Math.ceil(Math.log10(lo) - 1e-9);
                int last = (int) Math.floor(Math.log10(hi) + 1e-9);
                int step = Math.max(1, (last - first + 1) / 8);
                for (int e = first; e <= last; e += step) {
                    ticks.add(Math.pow(10, e));
                }
                if (last - first < 2) { // few decades: label 2 and 5 too
                    for (int e = first - 1; e <= last; e++) {
                        for (double m : new double[] {2, 5}) {
                            double t = m * Math.pow(10, e);
                            if (t >= lo && t <= hi) {
                                ticks.add(t);
                            }
                        }
                    }
                }
                return ticks;
            }
            double raw = (hi - lo) / 6;
            double magnitude = Math.pow(10, Math.floor(Math.log10(raw)));
            double step = raw / magnitude < 1.5 ? magnitude : raw / magnitude < 3.5 ? 2 * magnitude
                    : raw / magnitude < 7.5 ? 5 * magnitude : 10 * magnitude;
            for (double t = Math.ceil(lo / step) * step; t <= hi + 1e-9 * step; t += step) {
                ticks.add(Math.abs(t) < 1e-12 * step ? 0.0 : t);
            }
            return ticks;
        }

        String label(double v) {
            if (v == 0.0) {
                return "0";
            }
            double a = Math.abs(v);
            if (a >= 1e-3 && a < 1e5) {
                String s = String.format(Locale.ROOT, "%.6g", v);
                if (s.contains(".")) {
                    s = s.replaceAll("0+$", "").replaceAll("\\.$", "");
                }
                return s;
            }
            int exponent = (int) Math.floor(Math.log10(a) + 1e-9);
            double mantissa = v / Math.pow(10, exponent);
            return Math.abs(mantissa - Math.rint(mantissa)) < 1e-9 && Math.rint(mantissa) == 1.0
                    ? "1e" + exponent : String.format(Locale.ROOT, "%.3ge%d", mantissa, exponent);
        }
    }
}
