package org.rvsm.bench;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.rvsm.optimizer.SplitSgd;
import org.rvsm.penalty.Penalty;

/**
 * The fused RVSM step ({@link SplitSgd#rvsmStep}) against plain momentum SGD on one lenet300-sized
 * tensor set (266,200 weights), one thread, ns per weight (one op = one weight). lambda = 1e-3 and
 * beta = 0.1 (mu = 0.01, Tl1 a = 1: threshold 0.02, as in bench/run.sh epoch); the weights are
 * N(0, scale^2), so the scale sets the fraction above the threshold: 0.05 about 69%, 0.01 about 4.6%,
 * 0.0078 about 1%, 0.007 about 0.4%, 0.005 about 0.01%. lr = 0, so w, and with it the fraction, stays
 * the same from call to call (Tl1's survivor hints are then always right; in training nearly so).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
public class SplitStepBenchmark {

    private static final int SIZE = 266_200;

    @Param({"momentum", "l1", "l0", "tl1"})
    public String step;

    @Param({"0.05", "0.01", "0.0078", "0.007", "0.005"})
    public double scale;

    private Penalty p;
    private float[] w;
    private float[] g;
    private float[] v;
    private SplitSgd.Workspace work;

    @Setup
    public void setUp() {
        SplittableRandom rng = new SplittableRandom(1);
        w = new float[SIZE];
        g = new float[SIZE];
        v = new float[SIZE];
        work = new SplitSgd.Workspace(SIZE);
        for (int i = 0; i < SIZE; i++) {
            w[i] = (float) (rng.nextGaussian() * scale);
            g[i] = (float) (rng.nextGaussian() * 1e-6);
        }
        p = switch (step) {
            case "l1" -> Penalty.l1();
            case "l0" -> Penalty.l0();
            case "tl1" -> Penalty.transformedL1(1.0);
            default -> null;
        };
    }

    @Benchmark
    @OperationsPerInvocation(SIZE)
    public float[] step() {
        if (p == null) {
            SplitSgd.momentumStep(w, g, v, null, 0.9f, 0.0f);
        } else {
            SplitSgd.rvsmStep(w, g, v, p, 1e-3, 0.1, 0.9f, 0.0f, work);
        }
        return v;
    }
}
