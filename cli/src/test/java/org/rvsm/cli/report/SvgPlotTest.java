package org.rvsm.cli.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

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
    void legendBoxIsAsWideAsItsLongestNameAndFitsInTheImage() throws Exception {
        String longName = "w-network (dense training weights), with a name much longer than the usual margin";
        String svg = new SvgPlot("Legend", "epoch", false, "accuracy", false)
                .add(SvgPlot.Series.line("u", new double[] {0, 1}, new double[] {0, 1}))
                .add(SvgPlot.Series.dashed(longName, new double[] {0, 1}, new double[] {1, 0}))
                .render();
        Document doc = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
        Element box = null;
        NodeList rects = doc.getElementsByTagName("rect");
        for (int i = 0; i < rects.getLength(); i++) {
            Element r = (Element) rects.item(i);
            if (r.getAttribute("class").equals("legend")) {
                box = r;
            }
        }
        assertTrue(box != null, "a legend box: " + svg);
        double boxX = Double.parseDouble(box.getAttribute("x"));
        double boxRight = boxX + Double.parseDouble(box.getAttribute("width"));
        int estimated = 7 * longName.length(); // 7 px a character at font size 12
        assertTrue(SvgPlot.textWidth(longName) >= estimated);
        assertTrue(boxRight - boxX >= estimated, "box " + (boxRight - boxX) + " px for text of about " + estimated);
        Element text = null;
        NodeList texts = doc.getElementsByTagName("text");
        for (int i = 0; i < texts.getLength(); i++) {
            if (texts.item(i).getTextContent().equals(longName)) {
                text = (Element) texts.item(i);
            }
        }
        assertTrue(text != null, "the long name is drawn");
        double textX = Double.parseDouble(text.getAttribute("x"));
        assertTrue(textX >= boxX && textX + estimated <= boxRight, "the text lies inside the box");
        double width = Double.parseDouble(doc.getDocumentElement().getAttribute("width"));
        assertTrue(boxRight <= width, "the box lies inside the image (" + boxRight + " > " + width + ")");
        assertEquals("0 0 " + (int) width + " 440", doc.getDocumentElement().getAttribute("viewBox"));
    }

    @Test
    void shortNamesKeepTheUsualSize() {
        assertTrue(plot().render().startsWith("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"760\" height=\"440\""));
    }

    @Test
    void sameDataSameBytes() {
        assertEquals(plot().render(), plot().render());
    }

    @Test
    void errorBarsSpanMeanPlusMinusTheirHalfLengthAndWidenTheAxis() throws Exception {
        // y in [0.5, 0.7] with bars of 0.2: the axis must reach 0.3 to 0.9, and each bar spans y -/+ e
        SvgPlot p = new SvgPlot("bars", "x", false, "y", false).add(SvgPlot.Series.points("m",
                new double[] {0, 1}, new double[] {0.5, 0.7}).errorBars(new double[] {0.2, 0.2}));
        String svg = p.render();
        Document doc = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
        NodeList paths = doc.getElementsByTagName("path");
        assertEquals(2, paths.getLength(), "one bar per point");
        NodeList circles = doc.getElementsByTagName("circle");
        for (int i = 0; i < 2; i++) {
            // "Mx,topVbottom...": top and bottom are equally far from the marker's centre
            String d = ((Element) paths.item(i)).getAttribute("d");
            double top = Double.parseDouble(d.substring(d.indexOf(',') + 1, d.indexOf('V')));
            double bottom = Double.parseDouble(d.substring(d.indexOf('V') + 1, d.indexOf('M', 1)));
            double cy = Double.parseDouble(((Element) circles.item(i)).getAttribute("cy"));
            assertEquals(cy - top, bottom - cy, 0.11, d);
            assertTrue(bottom - top > 20, "a bar of 0.4 in a range of about 0.65 is tall: " + d);
        }
        // no bars when none are given, and a wrong count is refused
        assertFalse(new SvgPlot("t", "x", false, "y", false).add(SvgPlot.Series.points("m", new double[] {0},
                new double[] {1})).render().contains("<path"));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () ->
                SvgPlot.Series.points("m", new double[] {0}, new double[] {1}).errorBars(new double[] {1, 2}));
    }
}
