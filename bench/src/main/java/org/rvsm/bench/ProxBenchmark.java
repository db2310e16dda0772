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
import org.rvsm.penalty.Penalty;

/**
 * Throughput of the float[] prox on 1M entries, one thread. Scores are in entries per microsecond
 * (ops/us, one op = one entry): 1000 ops/us is 1 G entries/s. Inputs are N(0,1). For l1, l0 and
 * "tl1", mu is chosen so that about half of the entries fall in the dead zone (the branchiest case);
 * the other Tl1 cases are those of Tl1VsTorch: "tl1-a0.1" (jump regime, a = 0.1, mu = 0.01, 92% kept)
 * and "tl1-continuous" (a = 1, mu = 2e-3, nearly all kept).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
public class ProxBenchmark {

    private static final int SIZE = 1 << 20;

    @Param({"l1", "l0", "tl1", "tl1-a0.1", "tl1-continuous"})
    public String penalty;

    private Penalty p;
    private double mu;
    private float[] src;
    private float[] dst;

    @Setup
    public void setUp() {
        SplittableRandom rng = new SplittableRandom(42);
        src = new float[SIZE];
        dst = new float[SIZE];
        for (int i = 0; i < SIZE; i++) {
            src[i] = (float) rng.nextGaussian();
        }
        p = switch (penalty) {
            case "l1" -> Penalty.l1();
            case "l0" -> Penalty.l0();
            case "tl1-a0.1" -> Penalty.transformedL1(0.1);
            default -> Penalty.transformedL1(1.0);
        };
        // threshold 0.674 = the median of |N(0,1)|: half the entries are zeroed
        double target = 0.674;
        mu = switch (penalty) {
            case "l1" -> target;
            case "l0" -> target * target / 2.0;
            case "tl1-a0.1" -> 0.01;      // jump regime (mu > a^2 / (2(a+1)) = 0.0045): t* = 0.098
            case "tl1-continuous" -> 2e-3; // continuous regime: t* = 2 mu = 0.004
            default -> target / 2.0;       // 0.337: a = 1 is in its jump regime (mu > 1/4), t* = 0.661
        };
    }

    @Benchmark
    @OperationsPerInvocation(SIZE)
    public float[] proxFloatArray() {
        p.prox(src, dst, mu);
        return dst;
    }
}
