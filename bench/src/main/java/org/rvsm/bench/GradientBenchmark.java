package org.rvsm.bench;

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
import org.rvsm.teacher.EmpiricalLoss;
import org.rvsm.teacher.NoOverlapNetwork;

/**
 * The empirical loss and gradient over n = 100,000 inputs (k = 8, d = 100: 80M doubles, 640 MB),
 * next to the time to stream the same array once from memory (a sum with eight accumulators, so it
 * is bound by memory, not by add latency). The target: gradient <= 2x stream.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 10, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms3g", "-Xmx3g"})
public class GradientBenchmark {

    @Param({"100000"})
    public int n;

    @Param({"8"})
    public int k;

    @Param({"100"})
    public int d;

    /** false: one thread (compare with streamOnce); true: the default, chunks on all cores. */
    @Param({"false", "true"})
    public boolean parallel;

    private double[] patches;
    private EmpiricalLoss loss;
    private double[] w;
    private double[] gradient;

    @Setup
    public void setUp() {
        SplittableRandom rng = new SplittableRandom(7);
        NoOverlapNetwork net = new NoOverlapNetwork(k, d);
        double[] teacher = new double[d];
        w = new double[d];
        for (int j = 0; j < d; j++) {
            teacher[j] = rng.nextGaussian();
            w[j] = rng.nextGaussian();
        }
        patches = net.sample(n, rng);
        loss = new EmpiricalLoss(net, patches, net.label(patches, teacher), parallel);
        gradient = new double[d];
    }

    @Benchmark
    public double empiricalGradient() {
        return loss.lossAndGradient(w, gradient) + gradient[0];
    }

    @Benchmark
    public double streamOnce() {
        return Stream.sum(patches);
    }
}
