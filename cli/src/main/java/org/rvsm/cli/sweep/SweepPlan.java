package org.rvsm.cli.sweep;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.rvsm.cli.UserError;
import org.rvsm.nn.train.TrainConfig.Method;

/**
 * A sweep's plan: its independent points, in order, as written to DIR/plan.json. Two plans are the same
 * when their points have the same names and train arguments; how the points are run (engine, jobs,
 * master) is not part of the plan.
 *
 * @param command the command line that made the plan, for the user
 * @param points  the points, point i at index i
 */
public record SweepPlan(String command, List<SweepPoint> points) {

    /** The value of plan.json's "format". */
    public static final String FORMAT = "rvsm-sweep-plan";
    /** The version of plan.json written; a file of another version is refused. */
    public static final int VERSION = 1;
    /** The plan's file in the sweep's directory. */
    public static final String FILE = "plan.json";

    public SweepPlan {
        points = List.copyOf(points);
        for (int i = 0; i < points.size(); i++) {
            if (points.get(i).index() != i) {
                throw new IllegalArgumentException("point " + i + " has index " + points.get(i).index());
            }
        }
    }

    /** plan.json's content. */
    public Map<String, Object> toJson() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("format", FORMAT);
        json.put("version", VERSION);
        json.put("command", command);
        json.put("point_count", points.size());
        List<Map<String, Object>> list = new ArrayList<>();
        for (SweepPoint p : points) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("index", p.index());
            m.put("name", p.name());
            m.put("setting", p.setting());
            m.put("seed", p.seed());
            m.put("method", p.method().label());
            m.put("penalty", p.penalty());
            m.put("threshold", p.threshold());
            m.put("sparsity", p.sparsity());
            m.put("curve", p.curve());
            m.put("train_args", p.trainArgs());
            list.add(m);
        }
        json.put("points", list);
        return json;
    }

    /** Reads DIR/plan.json; a file that is not a plan this version wrote is a {@link UserError}. */
    public static SweepPlan read(Path file) {
        JsonNode root;
        try {
            if (Files.size(file) > 64L << 20) {
                throw new UserError(file + ": not a sweep plan (over 64 MB)");
            }
            root = new ObjectMapper().readTree(file.toFile());
        } catch (IOException e) {
            throw new UserError(file + ": not a readable sweep plan (" + e.getMessage().lines().findFirst().orElse("")
                    + ")");
        }
        if (root == null || !FORMAT.equals(root.path("format").asText()) || root.path("version").asInt() != VERSION) {
            throw new UserError(file + ": not a version " + VERSION + " sweep plan (format '" + FORMAT + "')");
        }
        List<SweepPoint> points = new ArrayList<>();
        try {
            for (JsonNode p : root.path("points")) {
                List<String> args = new ArrayList<>();
                p.path("train_args").forEach(a -> args.add(a.asText()));
                Method method = Method.parse(p.path("method").asText());
                String penalty = p.path("penalty").asText();
                points.add(new SweepPoint(p.path("index").asInt(-1), p.path("name").asText(), p.path("setting").asText(),
                        p.path("seed").asLong(), method, penalty, p.path("threshold").asDouble(),
                        p.path("sparsity").asDouble(), p.path("curve").asText(SweepPoint.defaultCurve(method, penalty)),
                        args));
            }
            return new SweepPlan(root.path("command").asText(), points);
        } catch (IllegalArgumentException e) {
            throw new UserError(file + ": not a valid sweep plan (" + e.getMessage() + ")");
        }
    }

    /** Where this plan and another differ, in words; empty if they are the same plan. */
    public Optional<String> difference(SweepPlan other) {
        if (points.size() != other.points.size()) {
            return Optional.of(points.size() + " points against " + other.points.size());
        }
        for (int i = 0; i < points.size(); i++) {
            SweepPoint a = points.get(i);
            SweepPoint b = other.points.get(i);
            if (!a.name().equals(b.name()) || !a.trainArgs().equals(b.trainArgs())) {
                return Optional.of("point " + i + " is " + a.name() + " " + String.join(" ", a.trainArgs())
                        + " against " + b.name() + " " + String.join(" ", b.trainArgs()));
            }
        }
        return Optional.empty();
    }
}
