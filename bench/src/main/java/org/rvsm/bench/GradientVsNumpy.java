package org.rvsm.bench;

import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.rvsm.teacher.EmpiricalLoss;
import org.rvsm.teacher.NoOverlapNetwork;

/**
 * Side by side, in one run: the empirical gradient in this project (one thread, then all cores) and in
 * numpy (bench/numpy_gradient.py, BLAS limited to one thread, then with its default threads), on the same
 * bytes, taking turns for several rounds. Checks that both gradients agree, and writes the medians
 * and the ratio as JSON.
 *
 * <p>Usage: java -cp bench/target/benchmarks.jar org.rvsm.bench.GradientVsNumpy OUT.json
 * [n k d rounds reps]; the Python interpreter is $PYTHON (default python3) and needs numpy.
 */
public final class GradientVsNumpy {

    private GradientVsNumpy() {
    }

    public static void main(String[] args) throws Exception {
        Path out = Path.of(args.length > 0 ? args[0] : "bench/results/gradient-vs-numpy.json");
        int n = args.length > 1 ? Integer.parseInt(args[1]) : 100_000;
        int k = args.length > 2 ? Integer.parseInt(args[2]) : 8;
        int d = args.length > 3 ? Integer.parseInt(args[3]) : 100;
        int rounds = args.length > 4 ? Integer.parseInt(args[4]) : 3;
        int reps = args.length > 5 ? Integer.parseInt(args[5]) : 10;
        String python = System.getenv().getOrDefault("PYTHON", "python3");

        SplittableRandom rng = new SplittableRandom(7);
        NoOverlapNetwork net = new NoOverlapNetwork(k, d);
        double[] teacher = new double[d];
        double[] w = new double[d];
        for (int j = 0; j < d; j++) {
            teacher[j] = rng.nextGaussian();
            w[j] = rng.nextGaussian();
        }
        double[] patches = net.sample(n, rng);
        double[] labels = net.label(patches, teacher);
        EmpiricalLoss oneThread = new EmpiricalLoss(net, patches, labels, false);
        EmpiricalLoss allThreads = new EmpiricalLoss(net, patches, labels, true);
        Path data = Files.createTempFile("rvsm-gradient-", ".f64");
        try {
            writeLittleEndian(data, patches, labels, w);
            double[] gradient = new double[d];
            List<Double> javaTimes = new ArrayList<>();
            List<Double> javaParallelTimes = new ArrayList<>();
            List<Double> numpyOneThread = new ArrayList<>();
            List<Double> numpyDefault = new ArrayList<>();
            String numpyVersion = "";
            double maxRelativeDifference = 0.0;
            for (int round = 0; round < rounds; round++) {
                time(oneThread, w, gradient, reps, javaTimes);
                time(allThreads, w, gradient, reps, javaParallelTimes);
                for (boolean limitThreads : new boolean[] {true, false}) {
                    String json = runPython(python, data, n, k, d, reps, limitThreads);
                    numpyVersion = field(json, "numpy");
                    (limitThreads ? numpyOneThread : numpyDefault).addAll(numbers(json, "times_ms"));
                    List<Double> theirs = numbers(json, "gradient");
                    for (int j = 0; j < d; j++) {
                        double diff = Math.abs(theirs.get(j) - gradient[j]) / Math.max(1e-300, Math.abs(gradient[j]));
                        maxRelativeDifference = Math.max(maxRelativeDifference, diff);
                    }
                }
            }
            double javaMedian = median(javaTimes);
            double javaParallelMedian = median(javaParallelTimes);
            double numpyMedian = median(numpyOneThread);
            double numpyDefaultMedian = median(numpyDefault);
            String result = String.format(Locale.ROOT, "{%n"
                            + "  \"n\": %d, \"k\": %d, \"d\": %d, \"rounds\": %d, \"reps_per_round\": %d,%n"
                            + "  \"java\": \"%s\", \"numpy\": \"%s\", \"cores\": %d,%n"
                            + "  \"rvsm_ms_median_1_thread\": %.3f,%n"
                            + "  \"rvsm_ms_median_all_threads\": %.3f,%n"
                            + "  \"numpy_ms_median_1_thread\": %.3f,%n"
                            + "  \"numpy_ms_median_default_threads\": %.3f,%n"
                            + "  \"speedup_1_thread_vs_numpy_1_thread\": %.3f,%n"
                            + "  \"speedup_all_threads_vs_numpy_default_threads\": %.3f,%n"
                            + "  \"max_relative_gradient_difference\": %.3g%n}%n",
                    n, k, d, rounds, reps, System.getProperty("java.version"), numpyVersion,
                    Runtime.getRuntime().availableProcessors(), javaMedian, javaParallelMedian, numpyMedian,
                    numpyDefaultMedian, numpyMedian / javaMedian, numpyDefaultMedian / javaParallelMedian,
                    maxRelativeDifference);
            if (maxRelativeDifference > 1e-9) {
                throw new IllegalStateException("gradients disagree: max relative difference " + maxRelativeDifference);
            }
            Files.createDirectories(out.toAbsolutePath().getParent());
            Files.writeString(out, result, StandardCharsets.UTF_8);
            System.out.print(result);
        } finally {
            Files.deleteIfExists(data);
        }
    }

    /** One warm-up call, then reps timed calls (ms) appended to times. */
    private static void time(EmpiricalLoss loss, double[] w, double[] gradient, int reps, List<Double> times) {
        loss.lossAndGradient(w, gradient);
        for (int r = 0; r < reps; r++) {
            long start = System.nanoTime();
            loss.lossAndGradient(w, gradient);
            times.add((System.nanoTime() - start) / 1e6);
        }
    }

    private static void writeLittleEndian(Path file, double[]... arrays) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(8 * 8192).order(ByteOrder.LITTLE_ENDIAN);
        try (OutputStream os = new BufferedOutputStream(Files.newOutputStream(file), 1 << 20);
             DataOutputStream unused = new DataOutputStream(os)) {
            for (double[] a : arrays) {
                for (double v : a) {
                    if (!buffer.hasRemaining()) {
                        os.write(buffer.array(), 0, buffer.position());
                        buffer.clear();
                    }
                    buffer.putDouble(v);
                }
            }
            os.write(buffer.array(), 0, buffer.position());
        }
    }

    private static String runPython(String python, Path data, int n, int k, int d, int reps, boolean oneThread)
            throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(python, "bench/numpy_gradient.py", data.toString(),
                Integer.toString(n), Integer.toString(k), Integer.toString(d), Integer.toString(reps));
        if (oneThread) {
            pb.environment().put("OPENBLAS_NUM_THREADS", "1");
            pb.environment().put("OMP_NUM_THREADS", "1");
            pb.environment().put("MKL_NUM_THREADS", "1");
        }
        pb.redirectError(ProcessBuilder.Redirect.INHERIT);
        Process p = pb.start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        if (p.waitFor() != 0) {
            throw new IllegalStateException(python + " bench/numpy_gradient.py failed (is numpy installed?)");
        }
        return output;
    }

    /** The string value of a top-level field of the one-line JSON the script prints. */
    private static String field(String json, String name) {
        int at = json.indexOf("\"" + name + "\": \"") + name.length() + 5;
        return json.substring(at, json.indexOf('"', at));
    }

    /** The numbers of a top-level JSON array field. */
    private static List<Double> numbers(String json, String name) {
        int start = json.indexOf('[', json.indexOf("\"" + name + "\""));
        int end = json.indexOf(']', start);
        return Arrays.stream(json.substring(start + 1, end).split(",")).map(String::strip)
                .map(Double::parseDouble).toList();
    }

    private static double median(List<Double> values) {
        double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        int m = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[m] : 0.5 * (sorted[m - 1] + sorted[m]);
    }
}
