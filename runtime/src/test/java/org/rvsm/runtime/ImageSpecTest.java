package org.rvsm.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** The model metadata of the input: written, read back exactly, and hostile values refused in one line. */
class ImageSpecTest {

    @Test
    void roundTripsThroughMetadataExactly() {
        // per-channel statistics with long decimal expansions: Float.toString must read back to the same bits
        ImageSpec spec = new ImageSpec(3, 32, 32, 10, new float[] {0.49139968f, 0.48215827f, 0.44653124f},
                new float[] {0.24703233f, 0.24348505f, 0.26158768f});
        Map<String, String> meta = new LinkedHashMap<>();
        spec.toMetadata(meta);
        assertEquals("[3,32,32]", meta.get("input_shape"));
        assertEquals("10", meta.get("classes"));
        ImageSpec back = ImageSpec.fromMetadata(meta);
        assertEquals(spec, back);
        assertArrayEquals(spec.mean(), back.mean());
        assertEquals(3072, back.size());
    }

    @Test
    void aFileWithoutTheKeysIsFashionMnistShaped() {
        assertSame(ImageSpec.LEGACY, ImageSpec.fromMetadata(Map.of("model", "lenet300")));
        assertEquals(784, ImageSpec.LEGACY.size());
    }

    @ParameterizedTest
    @ValueSource(strings = {"[3,32]", "[0,28,28]", "[1,28,28,1]", "[1, 28,28]", "[-1,28,28]", "[01,28,28]", "[65,2,2]",
        "[1,4097,1]", "[64,4096,4096]", "[99999999999,1,1]", "3,32,32", "", "[1,28,28]x"})
    void refusesABadShapeInOneLine(String shape) {
        Map<String, String> meta = new HashMap<>(Map.of("input_shape", shape, "classes", "10"));
        String m = assertThrows(IllegalArgumentException.class, () -> ImageSpec.fromMetadata(meta)).getMessage();
        assertEquals(1, m.lines().count(), m);
    }

    @ParameterizedTest
    @ValueSource(strings = {"classes=0", "classes=-3", "classes=1e3", "classes=100001", "classes=", "mean=[0.5]",
        "mean=[0.5,0.5,0.5];std=[0.2,0,0.2]", "mean=[NaN,0,0];std=[1,1,1]", "mean=[0,0,0];std=[1,1,Infinity]",
        "mean=[0,0];std=[1,1]", "mean=[0,0,0];std=[1,1,1,]", "mean=0,0,0;std=[1,1,1]", "mean=[1e99,0,0];std=[1,1,1]",
        "std=[1,1,1]", "mean=[0x1p3,0,0];std=[1,1,1]"})
    void refusesBadValuesInOneLine(String change) {
        Map<String, String> meta = new HashMap<>(Map.of("input_shape", "[3,32,32]", "classes", "10"));
        for (String kv : change.split(";")) {
            String[] p = kv.split("=", 2);
            meta.put(p[0], p[1]);
        }
        String m = assertThrows(IllegalArgumentException.class, () -> ImageSpec.fromMetadata(meta)).getMessage();
        assertEquals(1, m.lines().count(), m);
        assertTrue(m.contains("classes") || m.contains("mean") || m.contains("std") || m.contains("channel"), m);
    }

    @Test
    void oneKeyWithoutTheOtherIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> ImageSpec.fromMetadata(Map.of("classes", "10")));
        assertThrows(IllegalArgumentException.class, () -> ImageSpec.fromMetadata(Map.of("input_shape", "[1,28,28]")));
    }
}
