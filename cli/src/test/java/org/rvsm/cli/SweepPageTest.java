package org.rvsm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The sweep's index.html: built on the shared page, with the user's text escaped. */
class SweepPageTest {

    @Test
    void escapesTheCommandLineAndTheModel() {
        String html = SweepCommand.page("lenet<5>", "./rvsm sweep --out '<script>alert(\"x\")</script>' & more",
                "<svg></svg>", "");
        assertFalse(html.contains("<script>"), html);
        assertTrue(html.contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"), html);
        assertTrue(html.contains("&amp; more"), html);
        assertTrue(html.contains("lenet&lt;5&gt;"), html);
        assertFalse(html.contains("lenet<5>"), html);
        assertTrue(html.contains("<svg></svg>"), "the plot is inlined as it is");
        assertTrue(html.startsWith("<!DOCTYPE html>") && html.contains("<style>"), "the shared page and style");
        assertEquals(1, html.split("<body>", -1).length - 1);
    }
}
