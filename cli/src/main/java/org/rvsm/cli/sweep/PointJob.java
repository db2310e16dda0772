package org.rvsm.cli.sweep;

import java.io.File;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.rvsm.cli.Directories;
import org.rvsm.cli.Main;

/**
 * Runs one point: {@code rvsm train} in a child JVM, into a temporary directory this job creates and
 * deletes, and returns the files it wrote ({@link PointRun}). The same code runs a point for every
 * engine, on the local machine or on a Spark executor, so the engines give the same bits.
 *
 * <p>A child process per point, rather than training in the calling JVM, because DJL's PyTorch engine
 * allows one gradient collector per process; and a native crash or an out-of-memory error then kills
 * the point, not the sweep or the Spark executor.
 *
 * @param trainArgs the point's train arguments, without {@code --out}
 * @param threads   the child's PyTorch threads (OMP_NUM_THREADS)
 */
public record PointJob(List<String> trainArgs, int threads) implements Serializable {

    private static final long serialVersionUID = 1L;
    /** The most of a log kept in a {@link PointRun}: its end, where train's one-line reason is. */
    private static final int LOG_TAIL = 64 * 1024;
    /**
     * The children running now, with their temporary directories: a JVM that exits (Ctrl-C, SIGTERM)
     * takes them with it and removes what they wrote.
     */
    private static final java.util.Map<Process, Path> RUNNING = new java.util.concurrent.ConcurrentHashMap<>();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> RUNNING.forEach((child, dir) -> {
            try {
                child.destroyForcibly().waitFor(5, java.util.concurrent.TimeUnit.SECONDS);
                deleteTree(dir);
            } catch (InterruptedException | UncheckedIOException e) {
                // exiting anyway: what is left is in the system's temporary directory
            }
        }), "rvsm-sweep-children"));
    }

    public PointJob {
        trainArgs = List.copyOf(trainArgs);
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        }
    }

    /** Runs the point and returns what it left; interrupting the calling thread kills the child. */
    public PointRun run() throws IOException, InterruptedException {
        Path tmp = Files.createTempDirectory("rvsm-point-");
        try {
            Path out = tmp.resolve("run");
            Path log = tmp.resolve("train.log");
            List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", classPath(), Main.class.getName(), "train", "-q"));
            command.addAll(trainArgs);
            command.addAll(List.of("--out", out.toString()));
            ProcessBuilder pb = new ProcessBuilder(command);
            // the children share the cores between them: each gets its share, so none oversubscribes
            pb.environment().put("OMP_NUM_THREADS", Integer.toString(threads));
            pb.redirectErrorStream(true).redirectOutput(log.toFile());
            Process child = pb.start();
            RUNNING.put(child, tmp);
            int code;
            try {
                code = child.waitFor();
            } catch (InterruptedException e) {
                child.destroyForcibly().waitFor();
                throw e;
            } finally {
                RUNNING.remove(child);
            }
            return new PointRun(code, Files.isDirectory(out) ? readAll(out) : Map.of(), tail(log));
        } finally {
            deleteTree(tmp);
        }
    }

    /**
     * The child's class path: this JVM's, with the jar holding {@link Main} first when the class path
     * lacks it (on a Spark executor the application's jar is on a class loader, not the class path).
     */
    static String classPath() {
        String cp = System.getProperty("java.class.path", "");
        try {
            var source = Main.class.getProtectionDomain().getCodeSource();
            if (source != null) {
                String own = Path.of(source.getLocation().toURI()).toString();
                if (!Arrays.asList(cp.split(File.pathSeparator)).contains(own)) {
                    cp = cp.isEmpty() ? own : own + File.pathSeparator + cp;
                }
            }
        } catch (URISyntaxException | IllegalArgumentException e) {
            // not a file location: keep the class path as it is
        }
        return cp;
    }

    private static Map<String, byte[]> readAll(Path dir) throws IOException {
        Map<String, byte[]> files = new LinkedHashMap<>();
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path f : walk.filter(Files::isRegularFile).sorted().toList()) {
                files.put(dir.relativize(f).toString().replace(File.separatorChar, '/'), Files.readAllBytes(f));
            }
        }
        return files;
    }

    private static String tail(Path log) throws IOException {
        if (!Files.exists(log)) {
            return "";
        }
        byte[] bytes = Files.readAllBytes(log);
        int from = Math.max(0, bytes.length - LOG_TAIL);
        return new String(bytes, from, bytes.length - from, StandardCharsets.UTF_8);
    }

    /** Deletes the temporary directory this job made, and what the child wrote in it. */
    private static void deleteTree(Path dir) {
        try {
            Directories.deleteTree(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete the temporary directory " + dir, e);
        }
    }
}
