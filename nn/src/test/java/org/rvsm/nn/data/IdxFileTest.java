package org.rvsm.nn.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxFileTest {

    @TempDir
    Path tmp;

    private static byte[] idx(int magic, int[] dims, int dataBytes) {
        ByteBuffer b = ByteBuffer.allocate(4 + 4 * dims.length + dataBytes);
        b.putInt(magic);
        for (int d : dims) {
            b.putInt(d);
        }
        for (int i = 0; i < dataBytes; i++) {
            b.put((byte) (i * 7));
        }
        return b.array();
    }

    private static byte[] gzip(byte[] data) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(data);
        }
        return out.toByteArray();
    }

    private Path write(String name, byte[] bytes) throws IOException {
        Path p = tmp.resolve(name);
        Files.write(p, bytes);
        return p;
    }

    private String error(Path p) {
        return assertThrows(IdxFile.IdxException.class, () -> IdxFile.read(p)).getMessage();
    }

    @Test
    void readsRawAndGzipIdentically() throws IOException {
        byte[] file = idx(0x00000803, new int[] {3, 2, 4}, 24);
        IdxFile raw = IdxFile.read(write("a-idx3-ubyte", file));
        IdxFile gz = IdxFile.read(write("a-idx3-ubyte.gz", gzip(file)));
        assertArrayEquals(new int[] {3, 2, 4}, raw.dims());
        assertArrayEquals(raw.data(), gz.data());
        assertEquals((byte) 7, raw.data()[1]); // hand-worked: byte i is 7 i
    }

    @Test
    void rejectsBadFilesWithANamedReason() throws IOException {
        byte[] good = idx(0x00000803, new int[] {3, 2, 4}, 24);
        byte[] truncated = java.util.Arrays.copyOf(good, good.length - 5);
        assertTrue(error(write("trunc", truncated)).contains("truncated"));
        assertTrue(error(write("trunc.gz", gzip(truncated))).contains("truncated"));
        byte[] longer = java.util.Arrays.copyOf(good, good.length + 3);
        assertTrue(error(write("long", longer)).contains("bytes left over"));
        assertTrue(error(write("magic", idx(0x12340803, new int[] {3, 2, 4}, 24))).contains("bad magic"));
        assertTrue(error(write("type", idx(0x00000d03, new int[] {3, 2, 4}, 96))).contains("data type 0x0d"));
        assertTrue(error(write("rank", idx(0x00000800, new int[] {}, 0))).contains("rank 0"));
        assertTrue(error(write("neg", idx(0x00000801, new int[] {-5}, 0))).contains("must be positive"));
        // a header that lies about the size: refused by the size check, before allocating 2^40 bytes;
        // (300, 2, 4) needs a 16-byte header + 2400 data bytes = 2416
        assertTrue(error(write("huge", idx(0x00000803, new int[] {1 << 20, 1 << 10, 1 << 10}, 24)))
                .contains("more than"));
        assertTrue(error(write("lying", idx(0x00000803, new int[] {300, 2, 4}, 24))).contains("needs 2416 bytes"));
        assertTrue(error(write("lying.gz", gzip(idx(0x00000803, new int[] {300, 2, 4}, 24)))).contains("needs 2416 bytes"));
        byte[] corrupt = gzip(good);
        corrupt[corrupt.length / 2] ^= 0x55;
        assertTrue(error(write("corrupt.gz", corrupt)).matches(".*(corrupt|truncated|needs|left over).*"));
        assertTrue(error(write("empty", new byte[0])).contains("truncated"));
        assertTrue(error(tmp.resolve("missing")).contains("no such file"));
        assertTrue(error(write("named", truncated)).startsWith(tmp.resolve("named").toString()));
    }

    @Test
    void loadsADatasetAndChecksThatLabelsMatchImages() throws IOException {
        Path dir = tmp.resolve("mnist");
        Files.createDirectories(dir);
        Files.write(dir.resolve("t10k-images-idx3-ubyte.gz"), gzip(idx(0x00000803, new int[] {2, 2, 2}, 8)));
        byte[] labels = idx(0x00000801, new int[] {2}, 0);
        labels = java.util.Arrays.copyOf(labels, labels.length + 2);
        labels[labels.length - 1] = 9;
        Files.write(dir.resolve("t10k-labels-idx1-ubyte"), labels);
        ImageDataset test = ImageDataset.load(dir, false, 0.5f, 0.25f);
        assertEquals(2, test.count());
        assertArrayEquals(new int[] {0, 9}, test.labels());
        // pixel byte 7 -> (7/255 - 0.5) / 0.25
        assertEquals((7 / 255.0 - 0.5) / 0.25, test.images()[1], 1e-6);
        String missing = assertThrows(IOException.class, () -> ImageDataset.load(tmp.resolve("nope"), true, 0, 1))
                .getMessage();
        assertTrue(missing.contains("apt-get install dataset-fashion-mnist"), missing);
        Files.write(dir.resolve("t10k-labels-idx1-ubyte"), idx(0x00000801, new int[] {3}, 3));
        assertTrue(assertThrows(IOException.class, () -> ImageDataset.load(dir, false, 0, 1)).getMessage()
                .contains("do not match"));
    }
}
