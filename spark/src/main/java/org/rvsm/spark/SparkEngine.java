package org.rvsm.spark;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaFutureAction;
import org.apache.spark.api.java.JavaSparkContext;
import org.rvsm.cli.UserError;
import org.rvsm.cli.sweep.EngineSettings;
import org.rvsm.cli.sweep.PointJob;
import org.rvsm.cli.sweep.PointRun;
import org.rvsm.cli.sweep.SweepEngine;
import org.rvsm.cli.sweep.SweepPoint;

/**
 * Points as Spark tasks. Each point is a Spark job of one task, so a point that fails for good fails
 * its own job and the others go on; Spark tries a failed task again up to spark.task.maxFailures times
 * (the sweep's --attempts). The task runs the point with {@link PointJob}: a child JVM on the executor,
 * so each executor process may run several trainings at once (DJL's PyTorch engine allows one gradient
 * collector per process) and the child uses spark.task.cpus threads. The task's files travel back as
 * its result and the driver writes them, so the workers need no shared filesystem, only the dataset.
 *
 * <p>The master: --master, else the spark.master that spark-submit set, else the embedded local[*].
 * A cluster master that cannot be reached, or that gives no executor within 30 s, is a
 * {@link UserError}, not a hang.
 */
final class SparkEngine implements SweepEngine {

    /** How long a cluster master has to answer, and then to give the first executor. */
    static final int CONNECT_SECONDS = 10;
    static final int EXECUTOR_SECONDS = 30;
    private static final Pattern LOCAL = Pattern.compile("local(?:\\[(\\*|\\d+)(?:,\\s*(\\d+))?])?");

    private final JavaSparkContext context;
    private final String master;
    private final int attempts;
    private final int threads;

    private SparkEngine(JavaSparkContext context, String master, int attempts, int threads) {
        this.context = context;
        this.master = master;
        this.attempts = attempts;
        this.threads = threads;
    }

    static SparkEngine start(EngineSettings settings) {
        SparkConf conf = new SparkConf(true); // with the spark.* system properties that spark-submit sets
        settings.conf().forEach(conf::set);
        String given = settings.master() != null ? settings.master() : conf.get("spark.master", "local[*]");
        String master = withAttempts(given, settings.attempts());
        if (!master.startsWith("local")) {
            requireReachable(given);
            requireClusterManager(given);
        }
        conf.setMaster(master).setAppName(conf.get("spark.app.name", "rvsm sweep"))
                .set("spark.task.maxFailures", Integer.toString(settings.attempts()))
                .setIfMissing("spark.ui.enabled", "false");
        int threads;
        try {
            threads = Integer.parseInt(conf.get("spark.task.cpus", "1"));
        } catch (NumberFormatException e) {
            throw new UserError("--conf spark.task.cpus must be a whole number, got " + conf.get("spark.task.cpus"));
        }
        if (threads < 1) {
            throw new UserError("--conf spark.task.cpus must be >= 1, got " + threads);
        }
        // Spark's netty reads direct buffers through reflection (spark-submit sets the same)
        System.setProperty("io.netty.tryReflectionSetAccessible", "true");
        JavaSparkContext context;
        try {
            context = new JavaSparkContext(conf);
        } catch (RuntimeException e) {
            throw new UserError("--master " + given + ": Spark did not start (" + firstLine(e) + ")", e);
        }
        SparkEngine engine = new SparkEngine(context, master, settings.attempts(), threads);
        if (!master.startsWith("local")) {
            engine.awaitExecutor(given);
        }
        return engine;
    }

    /**
     * A local master with the attempts added (local mode reads them from the master URL, local[N,F],
     * not from spark.task.maxFailures); any other master as it is.
     */
    static String withAttempts(String master, int attempts) {
        Matcher m = LOCAL.matcher(master.strip());
        if (!m.matches()) {
            if (master.startsWith("local")) {
                throw new UserError("--master " + master + ": not a local master (local, local[N], local[*], local[N,F])");
            }
            return master;
        }
        if (m.group(2) != null) {
            return master; // the user's own F
        }
        return "local[" + (m.group(1) == null ? "1" : m.group(1)) + "," + attempts + "]";
    }

    /** Connects to each host:port of a spark:// or k8s:// master; fails with one line when none answers. */
    static void requireReachable(String master) {
        List<InetSocketAddress> addresses = new ArrayList<>();
        if (master.startsWith("spark://")) {
            for (String hostPort : master.substring("spark://".length()).split(",")) {
                addresses.add(hostPort(master, hostPort, 7077));
            }
        } else if (master.startsWith("k8s://")) {
            String rest = master.substring("k8s://".length());
            URI uri = URI.create(rest.contains("://") ? rest : "https://" + rest);
            if (uri.getHost() == null) {
                throw new UserError("--master " + master + ": no host in it");
            }
            addresses.add(new InetSocketAddress(uri.getHost(), uri.getPort() > 0 ? uri.getPort()
                    : "http".equals(uri.getScheme()) ? 80 : 443));
        } else if (!master.equals("yarn")) {
            throw new UserError("--master " + master + ": not a master URL (spark://HOST:PORT, k8s://https://HOST:PORT, "
                    + "yarn, local[N])");
        } else {
            return; // yarn: the Hadoop configuration names the resource manager; awaitExecutor bounds the wait
        }
        String last = "";
        for (InetSocketAddress a : addresses) {
            if (a.isUnresolved()) {
                last = "unknown host " + a.getHostString();
                continue;
            }
            try (Socket s = new Socket()) {
                s.connect(a, CONNECT_SECONDS * 1000);
                return;
            } catch (IOException e) {
                last = a.getHostString() + ":" + a.getPort() + ": " + e.getMessage();
            }
        }
        throw new UserError("--master " + master + ": cannot connect within " + CONNECT_SECONDS + " s (" + last + ")");
    }

    /**
     * YARN and Kubernetes masters need Spark's modules for them, which a Spark distribution has and this
     * build does not: such a master is for spark-submit of the cluster jar.
     */
    static void requireClusterManager(String master) {
        String manager = master.equals("yarn") ? "org.apache.spark.scheduler.cluster.YarnClusterManager"
                : master.startsWith("k8s://") ? "org.apache.spark.scheduler.cluster.k8s.KubernetesClusterManager" : null;
        if (manager == null) {
            return;
        }
        try {
            Class.forName(manager, false, SparkEngine.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            throw new UserError("--master " + master + ": this build has no " + (master.equals("yarn") ? "YARN" : "Kubernetes")
                    + " support; submit spark/target/cluster/rvsm-spark-cluster.jar with your Spark's spark-submit "
                    + "(docs/sweeps.md)");
        }
    }

    private static InetSocketAddress hostPort(String master, String hostPort, int defaultPort) {
        int colon = hostPort.lastIndexOf(':');
        try {
            return colon < 0 ? new InetSocketAddress(hostPort, defaultPort)
                    : new InetSocketAddress(hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1)));
        } catch (IllegalArgumentException e) {
            throw new UserError("--master " + master + ": not HOST:PORT: " + hostPort);
        }
    }

    /** Waits for a first executor (the driver is not one); none within the limit is a UserError. */
    private void awaitExecutor(String given) {
        long deadline = System.nanoTime() + EXECUTOR_SECONDS * 1_000_000_000L;
        while (context.sc().statusTracker().getExecutorInfos().length < 2) {
            if (System.nanoTime() > deadline || context.sc().isStopped()) {
                context.stop();
                throw new UserError("--master " + given + ": no executor within " + EXECUTOR_SECONDS
                        + " s (are workers running, with the cores and memory a task asks for?)");
            }
            sleep(200);
        }
    }

    @Override
    public String describe() {
        return "spark " + master + ", " + threads + " thread" + (threads == 1 ? "" : "s") + " per point, "
                + attempts + " attempt" + (attempts == 1 ? "" : "s");
    }

    @Override
    public void run(List<SweepPoint> points, Listener listener) throws InterruptedException {
        Map<SweepPoint, JavaFutureAction<List<PointRun>>> running = new LinkedHashMap<>();
        for (SweepPoint p : points) {
            context.setJobDescription("rvsm sweep point " + p.index() + ": " + p.name());
            running.put(p, context.parallelize(List.of(new PointJob(p.trainArgs(), threads)), 1)
                    .map(SparkEngine::runTask).collectAsync());
        }
        try {
            while (!running.isEmpty()) {
                boolean any = false;
                for (var it = running.entrySet().iterator(); it.hasNext(); ) {
                    var e = it.next();
                    if (!e.getValue().isDone()) {
                        continue;
                    }
                    it.remove();
                    any = true;
                    try {
                        listener.ended(e.getKey(), e.getValue().get().get(0));
                    } catch (ExecutionException failure) {
                        listener.failed(e.getKey(), PointFailedException.reason(failure), attempts);
                    }
                }
                if (!any) {
                    Thread.sleep(100);
                }
            }
        } finally {
            running.values().forEach(f -> f.cancel(true));
        }
    }

    /** The task: runs the point on the executor; a point that did not end throws, so Spark tries again. */
    static PointRun runTask(PointJob job) throws Exception {
        PointRun run = job.run();
        if (!run.ended()) {
            throw new PointFailedException(run.error());
        }
        return run;
    }

    @Override
    public void close() {
        context.stop();
    }

    private static String firstLine(Throwable e) {
        return String.valueOf(e.getMessage()).lines().findFirst().orElse(e.getClass().getSimpleName());
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
