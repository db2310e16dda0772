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
 * @param sparsity  the target sparsity of prune (0 for the others)
 * @param trainArgs the arguments of {@code rvsm train} that make the run, without {@code --out}
 */
public record SweepPoint(int index, String name, String setting, long seed, Method method, String penalty,
                         double threshold, double sparsity, List<String> trainArgs) implements Serializable {

    private static final long serialVersionUID = 1L;

    public SweepPoint {
        trainArgs = List.copyOf(trainArgs);
    }

    /** The series of the report's plot this point belongs to: "RVSM l1", ..., "dense", "prune". */
    public String curve() {
        return method == Method.RVSM ? "RVSM " + penalty : method.label();
    }
}
