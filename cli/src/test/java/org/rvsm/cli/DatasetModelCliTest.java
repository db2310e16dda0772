package org.rvsm.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rvsm.runtime.ImageSpec;
import org.rvsm.runtime.Safetensors;

/**
 * CIFAR-10 and the models beyond LeNet through the CLI, on small synthetic cifar-10-batches-bin and
 * IDX files made here (nothing is downloaded): train, evaluate, export and infer take the input
 * shape from the model file, and every bad input is one line and exit 2.
 */
class DatasetModelCliTest {

    @TempDir
    static Path tmp;

    static Path cifar;

    /**
     * A cifar-10-batches-bin directory: perFile records in each training file, test in the test file;
     * the label (0 to 2) is the colour channel that is brightest, an easy task.
     */
    static Path writeCifar(Path root, int perFile, int test, long seed) throws IOException {
        Path dir = root.resolve("cifar-10-batches-bin");
        Files.createDirectories(dir);
        SplittableRandom rng = new SplittableRandom(seed);
        for (int f = 1; f <= 5; f++) {
            Files.write(dir.resolve("data_batch_" + f + ".bin"), records(perFile, rng));
        }
        Files.write(dir.resolve("test_batch.bin"), records(test, rng));
        return dir;
    }

    private static byte[] records(int n, SplittableRandom rng) {
        byte[] b = new byte[n * 3073];
        for (int r = 0; r < n; r++) {
            int label = rng.nextInt(3);
            b[r * 3073] = (byte) label;
            for (int k = 0; k < 3072; k++) {
                b[r * 3073 + 1 + k] = (byte) (rng.nextInt(100) + (k / 1024 == label ? 120 : 0));
            }
        }
        return b;
    }

    /** An IDX split of n side x side images. */
    static void writeIdx(Path dir, String prefix, int n, int side) throws IOException {
        Files.createDirectories(dir);
        ByteBuffer images = ByteBuffer.allocate(16 + n * side * side).putInt(0x803).putInt(n).putInt(side).putInt(side);
        ByteBuffer labels = ByteBuffer.allocate(8 + n).putInt(0x801).putInt(n);
        for (int i = 0; i < n; i++) {
            labels.put((byte) (i % 10));
            for (int p = 0; p < side * side; p++) {
                images.put((byte) (i * 7 + p));
            }
        }
        Files.write(dir.resolve(prefix + "-images-idx3-ubyte"), images.array());
        Files.write(dir.resolve(prefix + "-labels-idx1-ubyte"), labels.array());
    }

    @BeforeAll
    static void makeData() throws IOException {
        cifar = writeCifar(tmp.resolve("cifar"), 24, 40, 1);
    }

    private static void assertOneLine(CliRun r, String expected) {
        assertEquals(ExitCode.BAD_INPUT, r.code(), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().contains(expected), "expected '" + expected + "' in: " + r.err());
    }

    private static String accuracyLine(Path summary) throws IOException {
        double a = new ObjectMapper().readTree(summary.toFile()).get("test_accuracy").asDouble();
        return String.format(Locale.ROOT, "test accuracy %.2f%%", 100 * a);
    }

    @Test
    void vggSmallOnCifarTrainsEvaluatesAndExportsWithoutTheCompactModel() throws IOException {
        Path out = tmp.resolve("vgg");
        String[] args = {"train", "-q", "--model", "vgg-small", "--dataset", "cifar10", "--data", cifar.toString(),
            "--epochs", "2", "--batch", "16", "--lr", "0.02", "--seed", "3", "--out", out.toString()};
        CliRun train = CliRun.of(args);
        assertEquals(0, train.code(), train.err());
        JsonNode config = new ObjectMapper().readTree(out.resolve("run.json").toFile()).get("config");
        assertEquals("cifar10", config.get("dataset").asText());
        assertTrue(config.get("augment").asBoolean(), "augmented by default on cifar10");
        Safetensors.Contents model = Safetensors.read(out.resolve("model.safetensors"));
        ImageSpec spec = ImageSpec.fromMetadata(model.metadata());
        assertEquals("[3,32,32]", model.metadata().get("input_shape"));
        assertEquals(10, spec.classes());
        assertEquals(3, spec.mean().length);
        assertTrue(model.tensors().keySet().stream().anyMatch(k -> k.endsWith("runningVar")), "batch norm statistics saved");

        // same seed, same bits: augmentation and batch norm included
        Path again = tmp.resolve("vgg-again");
        args[args.length - 1] = again.toString();
        assertEquals(0, CliRun.of(args).code());
        assertArrayEquals(Files.readAllBytes(out.resolve("model.safetensors")),
                Files.readAllBytes(again.resolve("model.safetensors")));

        // evaluate finds the dataset, the normalisation and the shape in the file
        CliRun eval = CliRun.of("evaluate", "--model", out.resolve("model.safetensors").toString(), "--data", cifar.toString());
        assertEquals(0, eval.code(), eval.err());
        assertTrue(eval.out().contains(accuracyLine(out.resolve("summary.json"))), eval.out());

        Path export = tmp.resolve("vgg-export");
        CliRun ex = CliRun.of("export", "--model", out.resolve("model.safetensors").toString(), "--out", export.toString());
        assertEquals(0, ex.code(), ex.err());
        assertTrue(ex.out().contains("export: vgg-small: the sparse runtime runs sequential dense/conv/pool networks"), ex.out());
        assertTrue(Files.exists(export.resolve("dense.safetensors")) && Files.exists(export.resolve("sparse.safetensors")));
        assertFalse(Files.exists(export.resolve("compact.safetensors")));
        assertTrue(new ObjectMapper().readTree(export.resolve("export.json").toFile()).get("compact_bytes").isNull());
        CliRun fromCsr = CliRun.of("evaluate", "--model", export.resolve("sparse.safetensors").toString(),
                "--data", cifar.toString());
        assertEquals(0, fromCsr.code(), fromCsr.err());
        assertTrue(fromCsr.out().contains(accuracyLine(out.resolve("summary.json"))), "CSR export, same network: " + fromCsr.out());

        assertOneLine(CliRun.of("infer", "--model", out.resolve("model.safetensors").toString(), "--data", cifar.toString()),
                "the sparse runtime runs sequential dense/conv/pool networks");
        assertOneLine(CliRun.of("evaluate", "--model", out.resolve("model.safetensors").toString(), "--dataset",
                "fashion-mnist", "--data", tmp.resolve("cifar").toString()), "--data");
    }

    @Test
    void lenet5OnCifarRunsOnTheSparseRuntimeFromTheFilesShape() throws IOException {
        Path out = tmp.resolve("lenet5");
        CliRun train = CliRun.of("train", "-q", "--model", "lenet5", "--dataset", "cifar10", "--data", cifar.toString(),
                "--no-augment", "--epochs", "2", "--batch", "8", "--lr", "0.01", "--out", out.toString());
        assertEquals(0, train.code(), train.err());
        assertFalse(new ObjectMapper().readTree(out.resolve("run.json").toFile()).get("config").has("augment"));
        Path export = tmp.resolve("lenet5-export");
        CliRun ex = CliRun.of("export", "--model", out.resolve("model.safetensors").toString(), "--out", export.toString());
        assertEquals(0, ex.code(), ex.err());
        assertTrue(Files.exists(export.resolve("compact.safetensors")));
        String expected = accuracyLine(out.resolve("summary.json"));
        for (String file : List.of("sparse.safetensors", "compact.safetensors")) {
            CliRun infer = CliRun.of("infer", "-q", "--model", export.resolve(file).toString(), "--data", cifar.toString(),
                    "--threads", "2");
            assertEquals(0, infer.code(), infer.err());
            assertTrue(infer.out().contains(expected), file + ": " + infer.out() + " vs " + expected);
        }
    }

    @Test
    void badInputIsOneLineAndExitTwo() throws IOException {
        Path out = tmp.resolve("never");
        // a CIFAR file that is not a whole number of records
        Path broken = writeCifar(tmp.resolve("broken"), 2, 2, 5);
        byte[] b = Files.readAllBytes(broken.resolve("data_batch_3.bin"));
        Files.write(broken.resolve("data_batch_3.bin"), java.util.Arrays.copyOf(b, b.length - 1));
        assertOneLine(CliRun.of("train", "--dataset", "cifar10", "--data", broken.toString(), "--out", out.toString()),
                "is not a positive whole number of 3073-byte records");
        // a model that does not exist
        assertOneLine(CliRun.of("train", "--model", "resnet56", "--data", cifar.toString(), "--out", out.toString()),
                "--model must be one of lenet300, lenet5, resnet20, vgg-small");
        // an input shape the model cannot take: 12 x 12 IDX images for lenet5 (needs 16 x 16)
        Path small = tmp.resolve("idx12");
        writeIdx(small, "train", 20, 12);
        writeIdx(small, "t10k", 10, 12);
        assertOneLine(CliRun.of("train", "--model", "lenet5", "--data", small.toString(), "--out", out.toString()),
                "lenet5 cannot take 1x12x12 images");
        // an unknown dataset, in train and in evaluate
        assertOneLine(CliRun.of("train", "--dataset", "imagenet", "--out", out.toString()), "--dataset must be one of");
        Path lenet = tmp.resolve("lenet.safetensors");
        Safetensors.write(lenet, TestModels.lenet300(3, 1.0), Map.of());
        assertOneLine(CliRun.of("evaluate", "--model", lenet.toString(), "--dataset", "imagenet"), "--dataset must be one of");
        // cifar10 without --data says where the files come from
        assertOneLine(CliRun.of("train", "--dataset", "cifar10", "--out", out.toString()),
                "https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz");
        assertFalse(Files.exists(out), "nothing written");
    }

    @Test
    void hostileInputMetadataIsOneLine() throws IOException {
        String[][] cases = {
            {"input_shape", "[3,32,32]", "classes", "10"}, // lenet300's 784-input tensors do not take 3072 values
            {"input_shape", "[1,28,28]", "classes", "ten"},
            {"input_shape", "[1,28,28]"},
            {"input_shape", "[1,28,28]", "classes", "10", "mean", "[0.5]", "std", "[0]"},
            {"input_shape", "[64,4096,4096]", "classes", "10"},
            {"input_shape", "[3,32,32]", "classes", "99999", "model", "vgg-small"},
        };
        for (String[] c : cases) {
            Map<String, String> meta = new LinkedHashMap<>();
            for (int i = 0; i < c.length; i += 2) {
                meta.put(c[i], c[i + 1]);
            }
            Path f = tmp.resolve("hostile.safetensors");
            Safetensors.write(f, TestModels.lenet300(3, 1.0), meta);
            for (String command : List.of("evaluate", "infer", "export")) {
                List<String> args = new java.util.ArrayList<>(List.of(command, "--model", f.toString()));
                args.addAll(command.equals("export") ? List.of("--out", tmp.resolve("hostile-export").toString())
                        : List.of("--data", cifar.toString()));
                CliRun r = CliRun.of(args.toArray(String[]::new));
                assertEquals(ExitCode.BAD_INPUT, r.code(), command + " " + meta + ": " + r.err());
                assertEquals(1, r.err().strip().lines().count(), r.err());
                assertTrue(r.err().contains("--model"), r.err());
            }
        }
    }
}
