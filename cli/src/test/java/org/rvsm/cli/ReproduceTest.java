package org.rvsm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The quick reproduction end to end: every file of the report, and the headline claims. */
class ReproduceTest {

    @TempDir
    Path tmp;

    @Test
    void quickReproductionWritesTheReportAndConfirmsTheTheory() throws IOException {
        Path out = tmp.resolve("quick");
        StringWriter err = new StringWriter();
        int code = Main.execute(new String[] {"reproduce", "--quick", "-q", "--out", out.toString()},
                new PrintWriter(new StringWriter(), true), new PrintWriter(err, true));
        assertEquals(0, code, err.toString());
        for (String f : List.of("index.html", "results.json", "fig-a-convergence.csv", "fig-a-loss.svg",
                "fig-a-distance.svg", "fig-a-sparsity.svg", "fig-b-path.csv", "fig-b-error.svg", "fig-b-support.svg",
                "fig-c-samples.csv", "fig-c-samples.svg", "fig-d-methods.csv", "fig-d-error.svg", "fig-d-sparsity.svg")) {
            assertTrue(Files.size(out.resolve(f)) > 0, f);
        }
        JsonNode results = new ObjectMapper().readTree(out.resolve("results.json").toFile());
        assertTrue(results.get("command").asText().contains("reproduce --quick"));
        assertEquals(1, results.get("settings").get("seed").asInt());
        // (a): every penalty converges to the predicted limit, with the teacher's exact support
        for (JsonNode row : results.get("convergence")) {
            assertEquals("converged", row.get("status").asText(), row.toString());
            assertTrue(row.get("relative_error_to_prediction").asDouble() < 1e-8, row.toString());
            assertEquals(1.0, row.get("support_recall").asDouble(), 0.0, row.toString());
            assertEquals(1.0, row.get("support_precision").asDouble(), 0.0, row.toString());
        }
        // (d): plain gradient descent never produces an exact zero; RVSM does
        boolean sawGradientDescent = false;
        for (JsonNode row : results.get("methods")) {
            if (row.get("method").asText().equals("gradient-descent")) {
                sawGradientDescent = true;
                assertEquals(0.0, row.get("sparsity").asDouble(), 0.0);
            } else if (row.get("method").asText().equals("rvsm")) {
                assertTrue(row.get("sparsity").asDouble() > 0.5);
            }
        }
        assertTrue(sawGradientDescent);
        String html = Files.readString(out.resolve("index.html"));
        assertTrue(html.contains("<svg") && html.contains("results.json") && html.contains("reproduce --quick"));
    }
}
