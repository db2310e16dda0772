package org.rvsm.cli.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;

class SvgPlotTest {

    private static SvgPlot plot() {
        return new SvgPlot("A <title> & more", "x (units)", false, "y", true)
                .add(SvgPlot.Series.line("first", new double[] {0, 1, 2, 3}, new double[] {1, 0.1, 0.0, 0.001}))
                .add(SvgPlot.Series.dashed("second", new double[] {0, 3}, new double[] {Double.NaN, 10}).colour(SvgPlot.BLACK))
                .vertical(1.5, "mark");
    }

    @Test
    void rendersWellFormedSvgWithEscapedText() throws Exception {
        String svg = plot().render();
        Document doc = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
        assertEquals("svg", doc.getDocumentElement().getTagName());
        assertTrue(svg.contains("A &lt;title&gt; &amp; more"));
        assertTrue(svg.contains(">first<") && svg.contains(">second<") && svg.contains(">mark<"));
    }

    @Test
    void logAxisBreaksTheLineAtNonPositiveValues() {
        String svg = plot().render();
        // the first series has y = 0 at x = 2: two polylines (points 0,1 and point 3), never a log of 0
        int polylines = svg.split("<polyline", -1).length - 1;
        assertEquals(3, polylines, "two pieces for the first series, one point-line for the second");
        assertFalse(svg.contains("NaN") || svg.contains("Infinity"));
    }

    @Test
    void sameDataSameBytes() {
        assertEquals(plot().render(), plot().render());
    }
}
