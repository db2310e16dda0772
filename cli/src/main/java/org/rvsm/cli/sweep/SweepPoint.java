package org.rvsm.cli.sweep;

import java.io.Serializable;
import java.util.List;
import org.rvsm.nn.train.TrainConfig.Method;

/**
 * One point of a sweep's plan: a {@code train} run with one seed, in its own directory DIR/runs/NAME.
 *
 * @param index     position in the plan, from 0 ({@code sweep --point I})
 * @param name      directory name, unique in the plan: the setting, then "-s" and the seed
 * @param setting   the point without its seed (runs of one setting differ only in the seed; the
 *                  report averages over them)
 * @param seed      the run's seed
 * @param method    RVSM, DENSE or PRUNE
 * @param penalty   l1, l0 or tl1 for rvsm; the method's label otherwise (what the report shows)
 * @param threshold the threshold t* the rvsm lambda was made from (0 for the baselines)
 * @param sparsity  the target sparsity of prune, gradual and rvsm in target mode (0 for the others)
 * @param curve     the series of the report's plot it belongs to: "RVSM l1", "RVSM tl1 a=0.1
 *                  initial-std", ..., "dense", "prune", "gradual" ({@link #defaultCurve})
 * @param trainArgs the arguments of {@code rvsm train} that make the run, without {@code --out}
 */
public record SweepPoint(int index, String name, String setting, long seed, Method method, String penalty,
                         double threshold, double sparsity, String curve, List<String> trainArgs) implements Serializable {

    private static final long serialVersionUID = 2L;

    public SweepPoint {
        trainArgs = List.copyOf(trainArgs);
    }

    /** The series of a point without levers: "RVSM " and the penalty for rvsm, the method's label otherwise. */
    public static String defaultCurve(Method method, String penalty) {
        return method == Method.RVSM ? "RVSM " + penalty : method.label();
    }
}
