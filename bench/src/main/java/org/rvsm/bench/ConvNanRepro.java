package org.rvsm.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Blocks;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.pooling.Pool;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPInputStream;

/**
 * Minimal reproduction of the lenet5 NaN ("conv NaN", docs/conv-nan.md): the same batch of 64
 * images through LeNet-5 (conv 20@5x5, relu, max-pool 2, conv 50@5x5, relu, max-pool 2, fc 500,
 * relu, fc 10) with fixed, seeded weights, many times, on DJL's PyTorch engine. Every pass must
 * give the same bits; it counts the passes whose output (or, with --backward, whose gradients)
 * differ in any bit from the first pass, and those that hold a NaN. Uses DJL (and JNA, which DJL
 * ships) only, no project class.
 *
 * <p>What it showed. On the machine of the report (2-core AMD EPYC, Zen 5, AVX-512, oneDNN 3.7.1
 * jit:avx512_core convolutions on 16-channel blocked layouts) 1 to 33 of 3,000 forward passes were
 * all NaN, the NaN first appearing in the second convolution, and 20/50 or 24/50 channels failed
 * where 16/48 and 32/64 did not. On the VM of the investigation (same CPU family and model,
 * 2026-12-01) none of over 30,000 forward and 1,900 forward+backward passes differed, with 1, 2 and
 * 4 threads, idle or loaded. {@code --junk-fill} makes every new engine tensor start as NaN
 * (PyTorch's own debugging flag), so a read of uninitialised padding would turn every pass NaN: it
 * did not, so there the padded lanes are written before they are read.
 *
 * <p>Run (after {@code mvn -B -q -Pbench -pl bench -am package -DskipTests}):
 * <pre>
 * java -Dai.djl.offline=true -cp bench/target/benchmarks.jar org.rvsm.bench.ConvNanRepro \
 *     [--passes 3000] [--channels 20,50] [--backward] [--junk-fill] [--no-onednn | --sse41] \
 *     [--data /usr/share/datasets/fashion-mnist]
 * DNNL_VERBOSE=1 ...      # shows the oneDNN kernels and layouts (jit:avx512_core, aBcd16b)
 * ONEDNN_MAX_CPU_ISA=AVX2 ...  # caps oneDNN's instruction set (--sse41 does it for SSE41 in-process)
 * OMP_NUM_THREADS=1 ...   # one intra-op thread (2 spinning threads on a busy 2-core VM are ~8x slower)
 * </pre>
 * --no-onednn turns oneDNN convolutions off in-process (PyTorch's own im2col + BLAS path, as
 * {@code torch.backends.mkldnn.enabled = False} in Python); --sse41 keeps oneDNN but caps it to
 * SSE4.1 (im2col + oneDNN's SSE4.1 GEMM on plain layouts), the setting that trained on the failing
 * machine. Exit status: 0 when every pass agrees and is finite, 1 otherwise, 2 on a usage error.
 */
public final class ConvNanRepro {

    private ConvNanRepro() {
    }

    public static void main(String[] args) throws IOException {
        int passes = 3000;
        int c1 = 20;
        int c2 = 50;
        boolean backward = false;
        boolean junkFill = false;
        boolean noOneDnn = false;
        boolean sse41 = false;
        Path data = Paths.get("/usr/share/datasets/fashion-mnist");
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--passes" -> passes = Integer.parseInt(args[++i]);
                case "--channels" -> {
                    String[] c = args[++i].split(",");
                    c1 = Integer.parseInt(c[0]);
                    c2 = Integer.parseInt(c[1]);
                }
                case "--backward" -> backward = true;
                case "--junk-fill" -> junkFill = true;
                case "--no-onednn" -> noOneDnn = true;
                case "--sse41" -> sse41 = true;
                case "--data" -> data = Paths.get(args[++i]);
                default -> {
                    System.err.println("usage: ConvNanRepro [--passes N] [--channels C1,C2] [--backward] [--junk-fill]"
                            + " [--no-onednn] [--sse41] [--data DIR]");
                    System.exit(2);
                }
            }
        }
        if (sse41) {
            // what ONEDNN_MAX_CPU_ISA=SSE41 in the environment does, set in the C environment before oneDNN reads it
            NativeLibrary.getInstance("c").getFunction("setenv").invokeInt(new Object[] {"ONEDNN_MAX_CPU_ISA", "SSE41", 1});
        }
        Engine engine = Engine.getInstance(); // loads libtorch
        if (junkFill) {
            // c10's allocator fills every new CPU tensor (oneDNN's buffers included) with 0x7fedbeef, a NaN
            NativeLibrary c10 = NativeLibrary.getInstance(mappedLibrary("libc10.so"));
            c10.getGlobalVariableAddress("FLAGS_caffe2_cpu_allocator_do_junk_fill").setByte(0, (byte) 1);
        }
        if (noOneDnn) {
            // at::globalContext().setUserEnabledMkldnn(false): PyTorch's convolutions without oneDNN
            NativeLibrary torch = NativeLibrary.getInstance(mappedLibrary("libtorch_cpu.so"));
            Pointer context = (Pointer) torch.getFunction("_ZN2at13globalContextEv").invoke(Pointer.class, new Object[0]);
            torch.getFunction("_ZN2at7Context20setUserEnabledMkldnnEb").invokeVoid(new Object[] {context, false});
        }
        engine.setRandomSeed(42);

        SequentialBlock net = new SequentialBlock();
        net.add(x -> new NDList(x.singletonOrThrow().reshape(new Shape(-1, 1, 28, 28))))
                .add(Conv2d.builder().setKernelShape(new Shape(5, 5)).setFilters(c1).build())
                .add(Activation.reluBlock())
                .add(Pool.maxPool2dBlock(new Shape(2, 2), new Shape(2, 2)))
                .add(Conv2d.builder().setKernelShape(new Shape(5, 5)).setFilters(c2).build())
                .add(Activation.reluBlock())
                .add(Pool.maxPool2dBlock(new Shape(2, 2), new Shape(2, 2)))
                .add(Blocks.batchFlattenBlock())
                .add(Linear.builder().setUnits(500).build()).add(Activation.reluBlock())
                .add(Linear.builder().setUnits(10).build());

        try (NDManager manager = NDManager.newBaseManager()) {
            net.initialize(manager, DataType.FLOAT32, new Shape(64, 784));
            float[] pixels = firstImages(data.resolve("train-images-idx3-ubyte.gz"), 64);
            String source = "the first 64 training images of " + data;
            if (pixels == null) {
                pixels = manager.randomUniform(0f, 1f, new Shape(64, 784)).toFloatArray();
                source = "64 seeded uniform random images";
            }
            NDArray x = manager.create(pixels, new Shape(64, 784));
            ParameterStore store = new ParameterStore(manager, false);
            System.out.printf("lenet5 %d/%d channels, %d %s passes of %s, engine %s %s%s%s%n", c1, c2, passes,
                    backward ? "forward+backward" : "forward", source, engine.getEngineName(), engine.getVersion(),
                    junkFill ? ", junk-filled allocations" : "", noOneDnn ? ", oneDNN convolutions off"
                            : sse41 ? ", oneDNN capped to SSE4.1" : "");

            float[] first = null;
            int differ = 0;
            int nan = 0;
            long start = System.nanoTime();
            for (int pass = 0; pass < passes; pass++) {
                float[] result;
                try (NDManager scope = manager.newSubManager()) {
                    NDArray input = x.duplicate();
                    input.attach(scope);
                    result = backward ? gradients(net, store, input) : net.forward(store, new NDList(input), false)
                            .singletonOrThrow().toFloatArray();
                }
                boolean hasNan = false;
                for (float v : result) {
                    hasNan |= Float.isNaN(v);
                }
                if (first == null) {
                    first = result;
                }
                boolean differs = !Arrays.equals(first, result);
                nan += hasNan ? 1 : 0;
                differ += differs ? 1 : 0;
                if ((differs || hasNan) && differ + nan <= 10) {
                    System.out.printf("pass %d: %s%s%n", pass, differs ? "differs from pass 0" : "",
                            hasNan ? " NaN" : "");
                }
            }
            double ms = (System.nanoTime() - start) / 1e6 / passes;
            System.out.printf("%d of %d passes differ from the first, %d hold a NaN (%.2f ms a pass)%n", differ,
                    passes, nan, ms);
            System.exit(differ == 0 && nan == 0 ? 0 : 1);
        }
    }

    /** The gradients of sum(output^2) with respect to every parameter, concatenated in model order. */
    private static float[] gradients(SequentialBlock net, ParameterStore store, NDArray input) {
        try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
            collector.zeroGradients();
            NDArray out = net.forward(store, new NDList(input), true).singletonOrThrow();
            collector.backward(out.square().sum());
        }
        List<float[]> parts = new ArrayList<>();
        int size = 0;
        for (Pair<String, Parameter> p : net.getParameters()) {
            float[] g = p.getValue().getArray().getGradient().toFloatArray();
            parts.add(g);
            size += g.length;
        }
        float[] all = new float[size];
        int offset = 0;
        for (float[] g : parts) {
            System.arraycopy(g, 0, all, offset, g.length);
            offset += g.length;
        }
        return all;
    }

    /** The first n images of a gzipped IDX image file, pixels / 255, or null if the file is absent. */
    private static float[] firstImages(Path file, int n) throws IOException {
        if (!Files.isRegularFile(file)) {
            return null;
        }
        try (InputStream raw = Files.newInputStream(file);
                DataInputStream in = new DataInputStream(new GZIPInputStream(raw))) {
            in.skipNBytes(16); // magic, count, rows, columns
            byte[] b = new byte[n * 784];
            in.readFully(b);
            float[] f = new float[b.length];
            for (int i = 0; i < b.length; i++) {
                f[i] = (b[i] & 0xff) / 255f;
            }
            return f;
        }
    }

    /** The path of a shared library this process has mapped (Linux), to find the one DJL loaded. */
    private static String mappedLibrary(String name) throws IOException {
        for (String line : Files.readAllLines(Paths.get("/proc/self/maps"))) {
            int slash = line.indexOf('/');
            if (slash >= 0 && line.endsWith("/" + name)) {
                return line.substring(slash);
            }
        }
        throw new IllegalStateException(name + " is not loaded: is the PyTorch engine a CPU build on Linux?");
    }
}
