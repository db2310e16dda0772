package org.rvsm.cli.sweep;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * The default engine: points run as child processes on this machine, {@code jobs} at a time, each with
 * an equal share of the cores for PyTorch's threads.
 */
public final class LocalEngine implements SweepEngine {

    private final int jobs;
    private final int threads;
    private final int attempts;

    public LocalEngine(EngineSettings settings) {
        int cores = Runtime.getRuntime().availableProcessors();
        this.jobs = settings.jobs() != null ? settings.jobs() : Math.max(1, cores / 2);
        this.threads = Math.max(1, cores / jobs);
        this.attempts = settings.attempts();
    }

    @Override
    public String describe() {
        return "local: " + jobs + " point" + (jobs == 1 ? "" : "s") + " at a time, " + threads + " thread"
                + (threads == 1 ? "" : "s") + " each";
    }

    @Override
    public void run(List<SweepPoint> points, Listener listener) throws InterruptedException {
        ExecutorService pool = Executors.newFixedThreadPool(jobs);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (SweepPoint p : points) {
                futures.add(pool.submit(() -> {
                    runOne(p, listener);
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                try {
                    f.get();
                } catch (java.util.concurrent.ExecutionException e) {
                    // the listener's own failure (a full disk while writing the run): stop the sweep
                    throw new IllegalStateException(e.getCause().getMessage(), e.getCause());
                }
            }
        } finally {
            pool.shutdownNow();
            pool.awaitTermination(1, TimeUnit.MINUTES);
        }
    }

    private void runOne(SweepPoint p, Listener listener) throws Exception {
        String error = "";
        for (int attempt = 1; attempt <= attempts; attempt++) {
            PointRun run;
            try {
                run = new PointJob(p.trainArgs(), threads).run();
            } catch (java.io.IOException e) {
                error = "cannot run train: " + e.getMessage();
                continue;
            }
            if (run.ended()) {
                listener.ended(p, run);
                return;
            }
            error = run.error();
        }
        listener.failed(p, error, attempts);
    }
}
