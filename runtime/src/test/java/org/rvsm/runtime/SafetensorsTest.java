package org.rvsm.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsTest {

    @TempDir
    Path tmp;

    @Test
    void bytesFollowThePublishedLayout() throws IOException {
        Map<String, Safetensors.Tensor> t = new LinkedHashMap<>();
        t.put("a", new Safetensors.Tensor(new long[] {2}, new float[] {1.0f, -0.0f}));
        t.put("b", new Safetensors.Tensor(new long[] {1, 1}, new float[] {0.5f}));
        Path f = tmp.resolve("m.safetensors");
        Safetensors.write(f, t, Map.of("format", "pt"));
        byte[] bytes = Files.readAllBytes(f);
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        long n = b.getLong();
        assertEquals(0, n % 8, "header padded to 8 bytes");
        String header = new String(bytes, 8, (int) n, StandardCharsets.UTF_8);
        // hand-written expectation of the format: tensors in order, offsets into the data buffer
        assertEquals("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[1,1],\"data_offsets\":[8,12]},"
                + "\"__metadata__\":{\"format\":\"pt\"}}", header.strip());
        assertEquals(8 + n + 12, bytes.length);
        b.position((int) (8 + n));
        assertEquals(1.0f, b.getFloat());
        assertEquals(Float.floatToRawIntBits(-0.0f), Float.floatToRawIntBits(b.getFloat()));
        assertEquals(0.5f, b.getFloat());
        Safetensors.Contents back = Safetensors.read(f);
        assertArrayEquals(new float[] {1.0f, -0.0f}, back.tensors().get("a").data());
        assertArrayEquals(new long[] {1, 1}, back.tensors().get("b").shape());
        assertEquals("pt", back.metadata().get("format"));
    }

    @Test
    void rejectsTruncatedAndLyingFiles() throws IOException {
        Map<String, Safetensors.Tensor> t = Map.of("w", new Safetensors.Tensor(new long[] {3}, new float[] {1, 2, 3}));
        Path f = tmp.resolve("m.safetensors");
        Safetensors.write(f, t, Map.of());
        byte[] bytes = Files.readAllBytes(f);
        Path cut = tmp.resolve("cut.safetensors");
        Files.write(cut, java.util.Arrays.copyOf(bytes, bytes.length - 4));
        assertThrows(IOException.class, () -> Safetensors.read(cut));
        Path tiny = tmp.resolve("tiny");
        Files.write(tiny, new byte[] {1, 2, 3});
        assertThrows(IOException.class, () -> Safetensors.read(tiny));
        byte[] lying = bytes.clone();
        lying[0] = (byte) 0xff; // header length far beyond the file
        Path lie = tmp.resolve("lie");
        Files.write(lie, lying);
        assertThrows(IOException.class, () -> Safetensors.read(lie));
    }
}
