package org.rvsm.bench;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.rvsm.runtime.Safetensors;
import org.rvsm.runtime.SparseNetwork;

/**
 * The pure-Java sparse runtime alone (no engine, no dataset): a lenet300 or a lenet5 with a given
 * fraction of random zero weights, Gaussian inputs, average time per call at batch 1 and 256, all
 * cores. The side-by-side comparison with the engine is `rvsm bench-infer`; this gives the runtime's
 * own numbers with JMH's warm-up and statistics.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class SparseRuntimeBenchmark {

    @Param({"lenet300", "lenet5"})
    public String model;

    @Param({"0.95"})
    public double zeros;

    @Param({"1", "256"})
    public int batch;

    private SparseNetwork net;
    private float[] images;

    @Setup
    public void setUp() {
        SplittableRandom rng = new SplittableRandom(3);
        boolean lenet300 = model.equals("lenet300");
        long[][] shapes = lenet300
                ? new long[][] {{300, 784}, {100, 300}, {10, 100}}
                : new long[][] {{20, 1, 5, 5}, {50, 20, 5, 5}, {500, 800}, {10, 500}};
        String[] names = lenet300
                ? new String[] {"02Linear", "04Linear", "06Linear"}
                : new String[] {"02Conv2d", "05Conv2d", "09Linear", "11Linear"};
        Map<String, Safetensors.Tensor> tensors = new LinkedHashMap<>();
        for (int l = 0; l < shapes.length; l++) {
            int n = 1;
            for (long d : shapes[l]) {
                n *= (int) d;
            }
            float[] w = new float[n];
            for (int i = 0; i < n; i++) {
                w[i] = rng.nextDouble() < zeros ? 0.0f : (float) (0.1 * rng.nextGaussian());
            }
            tensors.put(names[l] + "_weight", new Safetensors.Tensor(shapes[l], w));
            tensors.put(names[l] + "_bias", new Safetensors.Tensor(new long[] {shapes[l][0]}, new float[(int) shapes[l][0]]));
        }
        net = SparseNetwork.of(tensors, Runtime.getRuntime().availableProcessors());
        images = new float[batch * 784];
        for (int i = 0; i < images.length; i++) {
            images[i] = (float) rng.nextGaussian();
        }
    }

    @Benchmark
    public float[] logits() {
        return net.logits(images, batch);
    }
}
