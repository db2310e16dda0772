package org.rvsm.cli.report;

import java.util.List;

/** The HTML pages of the reports: one page scaffold with one style, tables, and escaping. */
public final class Html {

    private Html() {
    }

    /** Text escaped for HTML element content and double-quoted attribute values. */
    public static String esc(String s) {
        return SvgPlot.esc(s);
    }

    /**
     * A standalone page: the doctype, the head (UTF-8, the title, the shared {@link #STYLE}) and the
     * body. The title is plain text and is escaped here; bodyHtml is HTML, in which the caller has
     * escaped every piece of user text (command lines, names, paths) with {@link #esc}.
     */
    public static String page(String title, String bodyHtml) {
        return "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>" + esc(title)
                + "</title>\n<style>" + STYLE + "</style></head><body>\n" + bodyHtml + "</body></html>\n";
    }

    /** A table with a header row; cells are escaped. */
    public static String table(List<String> header, List<List<String>> rows) {
        StringBuilder sb = new StringBuilder("<table>\n<tr>");
        for (String h : header) {
            sb.append("<th>").append(esc(h)).append("</th>");
        }
        sb.append("</tr>\n");
        for (List<String> row : rows) {
            sb.append("<tr>");
            for (String cell : row) {
                sb.append("<td>").append(esc(cell)).append("</td>");
            }
            sb.append("</tr>\n");
        }
        return sb.append("</table>\n").toString();
    }

    static final String STYLE = """
            body { font-family: Helvetica, Arial, sans-serif; max-width: 1000px; margin: 2em auto; color: #222;
                   line-height: 1.45; padding: 0 1em; }
            h1 { font-size: 1.6em; } h2 { margin-top: 2em; border-bottom: 1px solid #ddd; }
            table { border-collapse: collapse; margin: 1em 0; font-size: 0.92em; }
            th, td { border: 1px solid #ccc; padding: 3px 8px; text-align: right; }
            th { background: #f3f3f3; } td:first-child, th:first-child { text-align: left; }
            code, pre { background: #f6f6f6; padding: 1px 4px; }
            pre { padding: 8px; overflow-x: auto; }
            figure { margin: 1em 0; } figcaption { font-size: 0.9em; color: #444; max-width: 760px; }
            .note { color: #555; font-size: 0.92em; }
            """;
}
