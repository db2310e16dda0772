package org.rvsm.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
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
import java.util.stream.Stream;
import org.rvsm.optimizer.SplitSgd;
import org.rvsm.penalty.TransformedL1;

/**
 * Side by side, in one run: Tl1's float[] prox in this project (one thread) and the same formula in
 * PyTorch and numpy (bench/torch_tl1.py, one thread: the stable form of docs/math.md section 3.4 in
 * float64 and in float32), on the same bytes (1M N(0,1) floats written to a temporary file), in each
 * regime, taking turns a few calls at a time ({@link #TURNS} turns per regime and round, the peer one
 * Python process that waits on its stdin between turns), so that both sides see much the same load. The peer runs with glibc's malloc told to keep its large
 * temporaries in the heap (see startPython), which doubles torch float64's rate here. Checks that the outputs agree, that ours equals the double
 * operator rounded to float bit for bit, and writes entries/s (median and best per side) and the
 * ratios as JSON, twice: by wall time, and by the CPU time of the calling thread (each side's own
 * clock of it: {@link ThreadMXBean#getCurrentThreadCpuTime} here, time.thread_time_ns there), which
 * leaves out the time a side waited for a core, so that on a loaded machine the CPU-time ratios
 * are the steadier ones.
 *
 * <p>"Ours" is {@link TransformedL1#prox(float[], float[], double)}, the public form, and
 * {@link SplitSgd#prox} with a workspace (what evaluation and export call); both run the same block
 * kernel. The regimes: the jump regime at a = 1, mu = 0.337 (the case; the large-q form), at
 * a = 0.1, mu = 0.01 (a training-sized mu, lambda 1e-3 over beta 0.1; large-q form) and at a = 0.1,
 * mu = 0.3 (the check value of docs/math.md; the small-q form with two Halley steps), and the
 * continuous regime at a = 1, mu = 2e-3 (small-q form, one step).
 *
 * <p>Agreement: ours and the float64 peers compute the same double formula and round it to float, so
 * they may differ only where their asin and sin round differently, by one float ulp: at most
 * {@link #TOLERANCE_64} here (|T| < 8); the zero sets must be equal. The float32 peer is within
 * {@link #TOLERANCE_32} (reported, not required to match bits).
 *
 * <p>Usage: java -cp bench/target/benchmarks.jar org.rvsm.bench.Tl1VsTorch OUT.json [n rounds reps];
 * the Python interpreter is $PYTHON (default python3) and needs torch and numpy.
 */
public final class Tl1VsTorch {

    /** Max |ours - float64 peer|: one float ulp below 8, where all of N(0,1)'s 1M entries lie. */
    static final double TOLERANCE_64 = 1e-6;

    /** Max |ours - float32 peer|: float32 asin near q = 1 loses digits, as 1e-7 / sqrt(1 - q). */
    static final double TOLERANCE_32 = 1e-4;

    /** Turns per regime and round: each side makes reps / TURNS timed calls a turn. */
    static final int TURNS = 4;

    static final double[][] REGIMES = {{1.0, 0.337}, {0.1, 0.01}, {0.1, 0.3}, {1.0, 2e-3}};
    private static final String[] PEERS = {"torch64", "torch32", "numpy64"};

    private Tl1VsTorch() {
    }

    public static void main(String[] args) throws Exception {
        Path out = Path.of(args.length > 0 ? args[0] : "bench/results/tl1-vs-torch.json");
        int n = args.length > 1 ? Integer.parseInt(args[1]) : 1 << 20;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        int reps = args.length > 3 ? Integer.parseInt(args[3]) : 20;
        String pythonCommand = System.getenv().getOrDefault("PYTHON", "python3");

        SplittableRandom rng = new SplittableRandom(42);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) rng.nextGaussian();
        }
        Path dir = Files.createTempDirectory("rvsm-tl1-");
        Path data = dir.resolve("x.f32");
        try {
            Files.write(data, littleEndian(x));
            int regimes = REGIMES.length;
            // [0]: wall ms per call, [1]: CPU ms per call
            List<List<List<Double>>> ours = List.of(lists(regimes), lists(regimes));
            List<List<List<Double>>> oursWorkspace = List.of(lists(regimes), lists(regimes));
            List<List<List<List<Double>>>> peers = new ArrayList<>();
            for (int p = 0; p < PEERS.length; p++) {
                peers.add(List.of(lists(regimes), lists(regimes)));
            }
            float[] dst = new float[n];
            SplitSgd.Workspace workspace = new SplitSgd.Workspace(n);
            Process python = startPython(pythonCommand, data, dir, reps);
            String versions;
            try (BufferedReader fromPython = new BufferedReader(new InputStreamReader(python.getInputStream(),
                    StandardCharsets.UTF_8));
                    Writer toPython = new OutputStreamWriter(python.getOutputStream(), StandardCharsets.UTF_8)) {
                String json = readLine(fromPython, pythonCommand);
                versions = "\"torch\": \"" + field(json, "torch") + "\", \"numpy\": \"" + field(json, "numpy")
                        + "\", \"torch_threads\": " + json.replaceAll(".*\"torch_threads\": (\\d+).*", "$1");
                for (int round = 0; round < rounds; round++) {
                    for (int r = 0; r < regimes; r++) {
                        TransformedL1 p = new TransformedL1(REGIMES[r][0]);
                        double mu = REGIMES[r][1];
                        for (int turn = 0; turn < TURNS; turn++) { // ours, then the peers, a few calls each
                            int calls = reps / TURNS + (turn < reps % TURNS ? 1 : 0);
                            int warmUp = turn == 0 ? 5 : 1;
                            time(() -> p.prox(x, dst, mu), warmUp, calls, ours.get(0).get(r), ours.get(1).get(r));
                            time(() -> SplitSgd.prox(p, x, dst, mu, workspace), warmUp, calls,
                                    oursWorkspace.get(0).get(r), oursWorkspace.get(1).get(r));
                            toPython.write(r + " " + calls + "\n");
                            toPython.flush();
                            json = readLine(fromPython, pythonCommand);
                            for (int q = 0; q < PEERS.length; q++) {
                                peers.get(q).get(0).get(r).addAll(numbers(json, "times_ms", PEERS[q]));
                                peers.get(q).get(1).get(r).addAll(numbers(json, "cpu_ms", PEERS[q]));
                            }
                        }
                    }
                }
            }
            if (python.waitFor() != 0) {
                throw new IllegalStateException(pythonCommand + " bench/torch_tl1.py failed");
            }

            StringBuilder rows = new StringBuilder();
            boolean agree = true;
            for (int r = 0; r < regimes; r++) {
                double a = REGIMES[r][0];
                double mu = REGIMES[r][1];
                TransformedL1 p = new TransformedL1(a);
                p.prox(x, dst, mu);
                Check exact = againstDouble(p, x, dst, mu);
                StringBuilder row = new StringBuilder(String.format(Locale.ROOT,
                        "    {\"a\": %s, \"mu\": %s, \"regime\": \"%s\", \"threshold\": %.9g,%n"
                                + "     \"kept\": %d, \"bits_differing_from_the_rounded_double_operator\": %d,"
                                + " \"max_error_vs_double_operator_in_float_ulps\": %.3f,%n"
                                + "     \"rvsm_M_per_s\": %s, \"rvsm_workspace_M_per_s\": %s,"
                                + " \"rvsm_cpu_M_per_s\": %s, \"rvsm_workspace_cpu_M_per_s\": %s",
                        a, mu, p.isContinuousRegime(mu) ? "continuous" : "jump", p.threshold(mu), exact.kept,
                        exact.mismatches, exact.maxUlps, rate(ours.get(0).get(r), n),
                        rate(oursWorkspace.get(0).get(r), n), rate(ours.get(1).get(r), n),
                        rate(oursWorkspace.get(1).get(r), n)));
                agree &= exact.mismatches == 0;
                for (int q = 0; q < PEERS.length; q++) {
                    float[] theirs = readLittleEndian(dir.resolve(PEERS[q] + "-" + r + ".f32"), n);
                    double maxDiff = 0.0;
                    int zeroSetDiffers = 0;
                    for (int i = 0; i < n; i++) {
                        maxDiff = Math.max(maxDiff, Math.abs((double) theirs[i] - dst[i]));
                        zeroSetDiffers += (theirs[i] == 0.0f) != (dst[i] == 0.0f) ? 1 : 0;
                    }
                    boolean within = PEERS[q].endsWith("64")
                            ? maxDiff <= TOLERANCE_64 && zeroSetDiffers == 0 : maxDiff <= TOLERANCE_32;
                    agree &= within;
                    List<Double> wall = peers.get(q).get(0).get(r);
                    List<Double> cpu = peers.get(q).get(1).get(r);
                    row.append(String.format(Locale.ROOT, ",%n     \"%s_M_per_s\": %s, \"%s_cpu_M_per_s\": %s,"
                                    + " \"%s_max_abs_diff\": %.3g, \"%s_zero_set_differs\": %d,"
                                    + " \"rvsm_over_%s\": %.2f, \"rvsm_over_%s_cpu\": %.2f", PEERS[q],
                            rate(wall, n), PEERS[q], rate(cpu, n), PEERS[q], maxDiff, PEERS[q], zeroSetDiffers,
                            PEERS[q], ratio(wall, ours.get(0).get(r)), PEERS[q], ratio(cpu, ours.get(1).get(r))));
                }
                rows.append(row).append(r + 1 < regimes ? "},\n" : "}\n");
            }
            String result = String.format(Locale.ROOT, "{%n  \"n\": %d, \"rounds\": %d, \"reps_per_round\": %d,"
                            + " \"turns_per_regime_per_round\": %d, \"seed\": 42, \"java\": \"%s\", %s, \"cores\": %d,%n"
                            + "  \"tolerance_float64_peers\": %s, \"tolerance_float32_peer\": %s,"
                            + " \"rates\": \"M entries/s from the median call (best call in brackets); ratios of medians;"
                            + " *_cpu_*: by the calling thread's CPU time, else by wall time\",%n"
                            + "  \"regimes\": [%n%s  ]%n}%n",
                    n, rounds, reps, TURNS, System.getProperty("java.version"), versions,
                    Runtime.getRuntime().availableProcessors(), TOLERANCE_64, TOLERANCE_32, rows);
            System.out.print(result);
            if (!agree) {
                throw new IllegalStateException("the outputs disagree (see above): no result written");
            }
            Files.createDirectories(out.toAbsolutePath().getParent());
            Files.writeString(out, result, StandardCharsets.UTF_8);
        } finally {
            try (Stream<Path> files = Files.list(dir)) {
                for (Path f : files.toList()) {
                    Files.deleteIfExists(f);
                }
            }
            Files.deleteIfExists(dir);
        }
    }

    /** Kept entries, entries whose bits differ from (float) prox((double) x), and the max error in float ulps. */
    private record Check(int kept, int mismatches, double maxUlps) {
    }

    /**
     * Ours against the double operator (the trigonometric form, docs/math.md section 3.4): bits equal
     * to its value rounded to float, and the error against its unrounded value in float ulps (at most
     * 0.5 when rounded correctly).
     */
    private static Check againstDouble(TransformedL1 p, float[] x, float[] ours, double mu) {
        int kept = 0;
        int mismatches = 0;
        double maxUlps = 0.0;
        for (int i = 0; i < x.length; i++) {
            double exact = p.prox((double) x[i], mu);
            kept += ours[i] != 0.0f ? 1 : 0;
            mismatches += Float.floatToRawIntBits((float) exact) != Float.floatToRawIntBits(ours[i]) ? 1 : 0;
            maxUlps = Math.max(maxUlps, Math.abs(ours[i] - exact) / Math.ulp((float) Math.abs(exact)));
        }
        return new Check(kept, mismatches, maxUlps);
    }

    /**
     * warmUp untimed calls, then reps timed calls, their wall ms appended to wall and the calling
     * thread's CPU ms to cpu.
     */
    private static void time(Runnable call, int warmUp, int reps, List<Double> wall, List<Double> cpu) {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        for (int w = 0; w < warmUp; w++) {
            call.run();
        }
        for (int r = 0; r < reps; r++) {
            long start = System.nanoTime();
            long startCpu = threads.getCurrentThreadCpuTime();
            call.run();
            long endCpu = threads.getCurrentThreadCpuTime();
            wall.add((System.nanoTime() - start) / 1e6);
            cpu.add((endCpu - startCpu) / 1e6);
        }
    }

    /** The peer's median time over ours: how many times faster ours is (0 without times). */
    private static double ratio(List<Double> theirs, List<Double> ours) {
        return median(ours) > 0 ? median(theirs) / median(ours) : 0;
    }

    /** "median [best]" in M entries/s. */
    private static String rate(List<Double> ms, int n) {
        double best = ms.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
        return String.format(Locale.ROOT, "\"%.1f [%.1f]\"", n / median(ms) / 1e3, n / best / 1e3);
    }

    /**
     * The peer, started in its serving mode (bench/torch_tl1.py --serve): it prints a line of versions,
     * then, for each regime index written to its stdin, runs that regime and prints its times.
     */
    private static Process startPython(String python, Path data, Path dir, int reps) throws IOException {
        List<String> command = new ArrayList<>(List.of(python, "bench/torch_tl1.py", "--serve", data.toString(),
                dir.toString(), Integer.toString(reps)));
        for (double[] regime : REGIMES) {
            command.add(regime[0] + ":" + regime[1]);
        }
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().put("OMP_NUM_THREADS", "1");
        pb.environment().put("MKL_NUM_THREADS", "1");
        pb.environment().put("OPENBLAS_NUM_THREADS", "1");
        // glibc serves the peers' 4 and 8 MB temporaries from mmap by default, a fresh mapping (and its
        // page faults) per tensor per call: that halved torch float64's rate. Keep them in the heap,
        // as a long-running process would, so the peer is not handicapped (32 MiB is glibc's maximum).
        pb.environment().put("MALLOC_MMAP_THRESHOLD_", Integer.toString(32 << 20));
        pb.environment().put("MALLOC_TRIM_THRESHOLD_", Integer.toString(1 << 30));
        pb.environment().put("MALLOC_TOP_PAD_", Integer.toString(256 << 20));
        pb.redirectError(ProcessBuilder.Redirect.INHERIT);
        return pb.start();
    }

    /** The peer's next line of output; fails where it ended. */
    private static String readLine(BufferedReader fromPython, String python) throws IOException {
        String line = fromPython.readLine();
        if (line == null) {
            throw new IllegalStateException(python + " bench/torch_tl1.py failed (are torch and numpy installed?"
                    + " set $PYTHON)");
        }
        return line.strip();
    }

    private static byte[] littleEndian(float[] values) {
        ByteBuffer buffer = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        buffer.asFloatBuffer().put(values);
        return buffer.array();
    }

    private static float[] readLittleEndian(Path file, int n) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        if (bytes.length != 4 * n) {
            throw new IllegalStateException(file + ": " + bytes.length + " bytes, expected " + 4 * n);
        }
        float[] values = new float[n];
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(values);
        return values;
    }

    /** The string value of a top-level field of the one-line JSON the script prints. */
    private static String field(String json, String name) {
        int at = json.indexOf("\"" + name + "\": \"") + name.length() + 5;
        return json.substring(at, json.indexOf('"', at));
    }

    /** The numbers of one peer in one section of a line of the peer's: "section": {..., "peer": [...], ...}. */
    private static List<Double> numbers(String json, String section, String peer) {
        int in = json.indexOf("\"" + section + "\"");
        int open = json.indexOf('[', json.indexOf("\"" + peer + "\"", in));
        int close = json.indexOf(']', open);
        return Arrays.stream(json.substring(open + 1, close).split(",")).map(String::strip)
                .map(Double::parseDouble).toList();
    }

    private static List<List<Double>> lists(int count) {
        List<List<Double>> lists = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            lists.add(new ArrayList<>());
        }
        return lists;
    }

    private static double median(List<Double> values) {
        double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        int m = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[m] : 0.5 * (sorted[m - 1] + sorted[m]);
    }
}
