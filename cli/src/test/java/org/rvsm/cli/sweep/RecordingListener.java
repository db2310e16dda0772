package org.rvsm.cli.sweep;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.rvsm.nn.train.TrainConfig.Method;

/**
 * What an engine reported, point by point, for the engines' tests (also rvsm-spark's, through this
 * module's test jar): the runs that ended, and the failures as "ATTEMPTS: ERROR".
 */
public final class RecordingListener implements SweepEngine.Listener {

    public final Map<String, PointRun> ended = new ConcurrentHashMap<>();
    public final Map<String, String> failed = new ConcurrentHashMap<>();

    /**
     * Two points on an IDX dataset: "good-s1", two epochs of dense SGD, and "bad-s1", whose model does
     * not exist, so that its train exits with code 2 on every attempt.
     */
    public static List<SweepPoint> goodAndBad(Path data) {
        List<String> good = List.of("--data", data.toString(), "--epochs", "2", "--method", "dense");
        List<String> bad = List.of("--data", data.toString(), "--epochs", "2", "--model", "nosuch");
        return List.of(new SweepPoint(0, "good-s1", "good", 1, Method.DENSE, "dense", 0, 0, "dense", good),
                new SweepPoint(1, "bad-s1", "bad", 1, Method.DENSE, "dense", 0, 0, "dense", bad));
    }

    @Override
    public void ended(SweepPoint p, PointRun run) {
        ended.put(p.name(), run);
    }

    @Override
    public void failed(SweepPoint p, String error, int attempts) {
        failed.put(p.name(), attempts + ": " + error);
    }
}
