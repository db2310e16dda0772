package org.rvsm.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Files written by the official Python package (safetensors 0.8.0, {@code safetensors.numpy.save_file})
 * load, with the values the script wrote: {@code src/test/python/make_fixtures.py} made the files in
 * {@code src/test/resources/org/rvsm/runtime/python/} from fixed formulas, which the expectations
 * here recompute. The official writer sorts tensors by dtype, then by name, and writes the metadata
 * through serde_json.
 */
class PythonFixturesTest {

    private static Path fixture(String name) throws URISyntaxException {
        return Path.of(PythonFixturesTest.class.getResource("python/" + name).toURI());
    }

    /** make_fixtures.tiny_model: 784 -> 2 -> 3, the first weight (i % 17 - 8) / 64 at every fifth i, else 0. */
    static Map<String, float[]> tinyModel() {
        float[] w1 = new float[2 * 784];
        for (int i = 0; i < w1.length; i++) {
            w1[i] = i % 5 == 0 ? ((i % 17) - 8) / 64.0f : 0.0f;
        }
        float[] w2 = new float[6];
        for (int i = 0; i < 6; i++) {
            w2[i] = (i - 2.5f) / 2.0f;
        }
        Map<String, float[]> m = new LinkedHashMap<>();
        m.put("02Linear_weight", w1);
        m.put("02Linear_bias", new float[] {0.25f, -0.5f});
        m.put("04Linear_weight", w2);
        m.put("04Linear_bias", new float[] {0.125f, 0.0f, -0.125f});
        return m;
    }

    @Test
    void theTinyModelLoadsWithItsMetadataAndRuns() throws Exception {
        Safetensors.Contents c = Safetensors.read(fixture("tiny_model.safetensors"));
        // the writer's order: sorted by name
        assertEquals(List.of("02Linear_bias", "02Linear_weight", "04Linear_bias", "04Linear_weight"),
                new ArrayList<>(c.tensors().keySet()));
        Map<String, float[]> expected = tinyModel();
        for (Map.Entry<String, float[]> e : expected.entrySet()) {
            assertArrayEquals(e.getValue(), c.tensors().get(e.getKey()).data(), e.getKey());
        }
        assertArrayEquals(new long[] {2, 784}, c.tensors().get("02Linear_weight").shape());
        assertArrayEquals(new long[] {3, 2}, c.tensors().get("04Linear_weight").shape());
        // make_fixtures.NOTE, through serde_json's escapes (\n, \t, \", \\, \u0001) and raw UTF-8
        assertEquals(Map.of("model", "tiny",
                "note", "line1\nline2\t\"quoted\" back\\slash /slash \u0001 caf\u00e9 \u65e5\u672c \ud83d\ude00"), c.metadata());
        // the forward pass against numpy's (make_fixtures.logits, float64, stored as float32)
        Safetensors.Contents io = Safetensors.read(fixture("tiny_logits.safetensors"));
        float[] image = io.tensors().get("image").data();
        for (int i = 0; i < 784; i++) {
            assertEquals(((i % 11) - 5) / 8.0f, image[i], "make_fixtures.image");
        }
        float[] want = io.tensors().get("logits").data();
        SparseNetwork net = SparseNetwork.of(SparseFormat.readDense(fixture("tiny_model.safetensors")), 1);
        float[] got = net.logits(image, 1);
        assertEquals(3, got.length);
        for (int k = 0; k < 3; k++) {
            assertEquals(want[k], got[k], 1e-5f * (1 + Math.abs(want[k])), "logit " + k);
        }
    }

    @Test
    void theSparseExportWrittenByNumpyReadsDense() throws Exception {
        Safetensors.Contents c = Safetensors.read(fixture("tiny_sparse.safetensors"));
        assertEquals("U16", c.tensors().get("02Linear_weight.indices").dtype());
        assertEquals("I32", c.tensors().get("02Linear_weight.indptr").dtype());
        assertEquals("[2,784]", c.metadata().get("02Linear_weight.shape"));
        Map<String, Safetensors.Tensor> dense = SparseFormat.readDense(fixture("tiny_sparse.safetensors"));
        Map<String, float[]> expected = tinyModel();
        assertEquals(expected.keySet(), dense.keySet());
        for (Map.Entry<String, float[]> e : expected.entrySet()) {
            assertArrayEquals(e.getValue(), dense.get(e.getKey()).data(), e.getKey());
        }
        assertEquals(List.of("02Linear_weight", "04Linear_weight"), Layers.ofTensors(dense).stream().map(Layers.Layer::name).toList());
    }

    @Test
    void f32I32U16ScalarsAndEmptyTensors() throws Exception {
        Safetensors.Contents c = Safetensors.read(fixture("dtypes.safetensors"));
        assertEquals(List.of("empty", "f32", "scalar", "i32", "u16"), new ArrayList<>(c.tensors().keySet()),
                "F32 first (larger alignment), then I32, then U16, by name within each");
        assertArrayEquals(new float[] {-1.0f, -0.5f, 0.0f, 0.5f, 1.0f, 1.5f}, c.tensors().get("f32").data(), "arange(6) * 0.5 - 1");
        assertArrayEquals(new long[] {2, 3}, c.tensors().get("f32").shape());
        assertArrayEquals(new int[] {Integer.MIN_VALUE, -1, 0, Integer.MAX_VALUE}, c.tensors().get("i32").ints());
        assertArrayEquals(new int[] {0, 1, 65534, 65535}, c.tensors().get("u16").ints());
        assertArrayEquals(new long[] {2, 2}, c.tensors().get("u16").shape());
        assertArrayEquals(new long[0], c.tensors().get("scalar").shape());
        assertArrayEquals(new float[] {3.5f}, c.tensors().get("scalar").data());
        assertArrayEquals(new long[] {0, 3}, c.tensors().get("empty").shape());
        assertEquals(0, c.tensors().get("empty").size());
        assertTrue(c.metadata().isEmpty(), "no __metadata__ key at all");
    }

    @Test
    void emptyMetadata() throws Exception {
        Safetensors.Contents c = Safetensors.read(fixture("empty_metadata.safetensors"));
        assertTrue(c.metadata().isEmpty());
        assertArrayEquals(new float[] {0, 1, 2, 3}, c.tensors().get("x").data());
    }

    @Test
    void tensorsOutOfModelOrderReadButDoNotMakeAModel() throws Exception {
        Path f = fixture("unordered.safetensors");
        Safetensors.Contents c = Safetensors.read(f);
        assertEquals(List.of("classes_bias", "classes_weight", "hidden_bias", "hidden_weight"), new ArrayList<>(c.tensors().keySet()));
        Map<String, float[]> tiny = tinyModel();
        assertArrayEquals(tiny.get("02Linear_weight"), c.tensors().get("hidden_weight").data());
        assertArrayEquals(tiny.get("04Linear_weight"), c.tensors().get("classes_weight").data());
        // the layers are taken in header order, as the runtime has always done: refused, clearly
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Layers.ofTensors(c.tensors()));
        assertTrue(e.getMessage().contains("\"classes_weight\" of shape [3,2] does not take the 784 inputs"), e.getMessage());
        IOException io = assertThrows(IOException.class, () -> SparseFormat.readDense(f));
        assertTrue(io.getMessage().startsWith(f.toString()) && io.getMessage().contains("classes_weight"), io.getMessage());
        // in model order, the same tensors run
        Map<String, Safetensors.Tensor> ordered = new LinkedHashMap<>();
        for (String name : List.of("hidden_weight", "hidden_bias", "classes_weight", "classes_bias")) {
            ordered.put(name, c.tensors().get(name));
        }
        assertEquals(3, SparseNetwork.of(ordered, 1).classes());
    }

    @Test
    void anUnsupportedDtypeIsRefusedClearly() throws Exception {
        Path f = fixture("f64.safetensors");
        IOException e = assertThrows(IOException.class, () -> Safetensors.read(f));
        assertEquals(f + ": tensor \"w\": dtype F64 is not supported here (supported: F32, I32, U16)", e.getMessage());
    }
}
