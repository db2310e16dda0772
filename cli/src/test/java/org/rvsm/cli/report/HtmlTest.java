package org.rvsm.cli.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class HtmlTest {

    @Test
    void pageWrapsTheBodyInOneHeadWithTheSharedStyleAndAnEscapedTitle() {
        String page = Html.page("Dinh & Xin <script>", "<p>body</p>\n");
        assertTrue(page.startsWith("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"), page);
        assertTrue(page.contains("<title>Dinh &amp; Xin &lt;script&gt;</title>"), page);
        assertTrue(page.contains("<style>" + Html.STYLE + "</style>"), page);
        assertTrue(page.endsWith("<body>\n<p>body</p>\n</body></html>\n"), page);
        assertEquals(1, page.split("<head>", -1).length - 1);
    }

    @Test
    void escEscapesMarkupAndQuotes() {
        assertEquals("&lt;a href=&quot;x&quot;&gt;&amp;&lt;/a&gt;", Html.esc("<a href=\"x\">&</a>"));
    }
}
