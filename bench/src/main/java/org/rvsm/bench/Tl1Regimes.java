package org.rvsm.bench;

import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;
import org.rvsm.penalty.TransformedL1;

/**
 * Tl1's float[] prox in the four regimes of {@link Tl1VsTorch}, one after another in one JVM, with a
 * control loop timed beside each: for telling how the JIT compiled the block kernel in this JVM
 * apart from how fast the machine ran. Run it in several fresh JVMs; a JVM whose kernel rates are
 * low while its control rate is not got slower compiled code (docs/performance.md, "One compilation,
 * too many loops"). Prints one line per round: for each regime, M entries/s of the median of
 * {@link #CALLS} calls and, in brackets, the control's M iterations/s.
 *
 * <p>Usage: java -cp bench/target/benchmarks.jar org.rvsm.bench.Tl1Regimes [rounds]
 * (default 3; JVM options such as -XX:MaxNodeLimit go before -cp).
 */
public final class Tl1Regimes {

    /** Timed calls per regime and round. */
    static final int CALLS = 20;

    /** Untimed calls per regime and round, before them. */
    static final int WARM_UP = 10;

    /** Passes of the control loop over its 4096 doubles per timed call. */
    private static final int CONTROL_PASSES = 400;
    private static final double CONTROL_ITERATIONS = 4096.0 * CONTROL_PASSES;

    private Tl1Regimes() {
    }

    public static void main(String[] args) {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        int n = 1 << 20;
        SplittableRandom random = new SplittableRandom(42);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) random.nextGaussian();
        }
        float[] out = new float[n];
        double[] control = new double[4096];
        for (int round = 0; round < rounds; round++) {
            StringBuilder line = new StringBuilder();
            for (double[] regime : Tl1VsTorch.REGIMES) { // (a, mu) of each regime
                TransformedL1 p = new TransformedL1(regime[0]);
                double mu = regime[1];
                for (int i = 0; i < WARM_UP; i++) {
                    p.prox(x, out, mu);
                }
                long[] kernel = new long[CALLS];
                long[] reference = new long[CALLS];
                for (int i = 0; i < CALLS; i++) {
                    long start = System.nanoTime();
                    p.prox(x, out, mu);
                    kernel[i] = System.nanoTime() - start;
                    start = System.nanoTime();
                    control(control);
                    reference[i] = System.nanoTime() - start;
                }
                Arrays.sort(kernel);
                Arrays.sort(reference);
                line.append(String.format(Locale.ROOT, "a=%s mu=%s %.0f (%.0f)  ", regime[0], mu,
                        n / (kernel[CALLS / 2] / 1e3), CONTROL_ITERATIONS / (reference[CALLS / 2] / 1e3)));
            }
            System.out.println(line.toString().trim());
        }
    }

    /** A vectorised loop over 32 KB, {@link #CONTROL_PASSES} times: the machine's speed, not the kernel's. */
    private static double control(double[] v) {
        for (int pass = 0; pass < CONTROL_PASSES; pass++) {
            for (int i = 0; i < v.length; i++) {
                v[i] = v[i] * 0.999 + 1e-3;
            }
        }
        return v[7];
    }
}
