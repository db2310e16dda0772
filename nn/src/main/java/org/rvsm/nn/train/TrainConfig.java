package org.rvsm.nn.train;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.rvsm.nn.model.Models;
import org.rvsm.nn.optim.RvsmOptimizer;
import org.rvsm.penalty.Penalty;

/**
 * One training run: the options of {@code rvsm train}, parsed once at the edge (methods and groups are
 * types) and validated here, in one place: a bad value is an IllegalArgumentException whose message
 * starts with the field's name and gives the value ("lr must be > 0, got -1.0").
 *
 * @param model      lenet300 or lenet5
 * @param method     RVSM, PROXIMAL (proximal SGD: w = T_{lr lambda}(w) after each step), dense, or
 *                   prune (dense SGD, then at epoch epochs - fineTuneEpochs the smallest weights by
 *                   magnitude, over all sparsified tensors together, are set to zero until pruneSparsity
 *                   of them are; the last fineTuneEpochs epochs train with that mask held)
 * @param penalty    the penalty of rvsm and proximal
 * @param lambda     penalty weight lambda >= 0
 * @param beta       splitting weight beta > 0 (rvsm)
 * @param lr         SGD learning rate; multiplied by 0.1 for the last third of the epochs
 * @param momentum   SGD momentum in [0, 1)
 * @param epochs     passes over the training set
 * @param batch      minibatch size
 * @param seed       seeds the initial weights and the shuffles (epoch e uses seed and e only)
 * @param trainLimit use only the first trainLimit training images (0: all)
 * @param testLimit  evaluate on the first testLimit test images (0: all)
 * @param pruneSparsity  target fraction of zeros for method prune, in [0, 1)
 * @param sparsify   the weight tensors to sparsify, by parameter name (e.g. 02Linear_weight); empty: every
 *                   dense and conv weight
 * @param fineTuneEpochs method prune: epochs after pruning; method rvsm: epochs at the end that train
 *                       the kept weights freely with the support of u frozen (debiasing); in [0, epochs)
 * @param group      structured sparsity for rvsm (needs groupLambda > 0): none; neuron (each row of a hidden dense weight, a
 *                   neuron's incoming weights, is one group); filter (each conv filter is one group).
 *                   The group operator ({@link org.rvsm.penalty.GroupProx}, same penalty family) runs
 *                   after the element-wise one (sparse-group) on u = T(w)
 * @param groupLambda the group penalty's weight (its threshold parameter is groupLambda / beta)
 */
public record TrainConfig(String model, Method method, Penalty penalty, double lambda, double beta, double lr,
                          double momentum, int epochs, int batch, long seed, int trainLimit, int testLimit,
                          double pruneSparsity, int fineTuneEpochs, List<String> sparsify, RvsmOptimizer.Group group,
                          double groupLambda) {

    /** The training methods. */
    public enum Method {
        /** RVSM: the fused split step (and, with fine-tune epochs, its debiasing phase). */
        RVSM,
        /** Proximal SGD: w = T_{lr lambda}(w) after each momentum step. */
        PROXIMAL,
        /** Plain SGD with momentum. */
        DENSE,
        /** Dense SGD, then magnitude pruning and fine-tuning with the mask held. */
        PRUNE;

        /** The lower-case name used on the command line and in run files. */
        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** The method of a label; an IllegalArgumentException naming the value otherwise. */
        public static Method parse(String label) {
            for (Method m : values()) {
                if (m.label().equals(label)) {
                    return m;
                }
            }
            throw new IllegalArgumentException("method must be one of " + labels() + ", got '" + label + "'");
        }

        /** The labels, in order. */
        public static List<String> labels() {
            return Arrays.stream(values()).map(Method::label).toList();
        }
    }

    /** A run without structured sparsity. */
    public TrainConfig(String model, Method method, Penalty penalty, double lambda, double beta, double lr,
                       double momentum, int epochs, int batch, long seed, int trainLimit, int testLimit,
                       double pruneSparsity, int fineTuneEpochs, List<String> sparsify) {
        this(model, method, penalty, lambda, beta, lr, momentum, epochs, batch, seed, trainLimit, testLimit,
                pruneSparsity, fineTuneEpochs, sparsify, RvsmOptimizer.Group.NONE, 0.0);
    }

    public TrainConfig {
        if (!Models.NAMES.contains(model)) {
            throw new IllegalArgumentException("model must be one of " + Models.NAMES + ", got '" + model + "'");
        }
        if (method == null || penalty == null || group == null || sparsify == null) {
            throw new IllegalArgumentException("method, penalty, group and sparsify must be given, got " + method + ", "
                    + penalty + ", " + group + ", " + sparsify);
        }
        sparsify = List.copyOf(sparsify);
        finiteNonNegative("lambda", lambda, true);
        finiteNonNegative("beta", beta, false);
        finiteNonNegative("lr", lr, false);
        if (!(momentum >= 0 && momentum < 1)) {
            throw new IllegalArgumentException("momentum must be in [0, 1), got " + momentum);
        }
        atLeast("epochs", epochs, 1);
        atLeast("batch", batch, 1);
        atLeast("trainLimit", trainLimit, 0);
        atLeast("testLimit", testLimit, 0);
        checkPruneSparsity(pruneSparsity);
        if (fineTuneEpochs < 0 || fineTuneEpochs >= epochs) {
            throw new IllegalArgumentException("fineTuneEpochs must be in [0, epochs = " + epochs + "), got "
                    + fineTuneEpochs);
        }
        checkGroupLambda(groupLambda);
        if (group != RvsmOptimizer.Group.NONE && method != Method.RVSM) {
            throw new IllegalArgumentException("group " + group.label() + " needs method rvsm, got method "
                    + method.label());
        }
        if (group != RvsmOptimizer.Group.NONE && groupLambda == 0.0) {
            throw new IllegalArgumentException("group " + group.label() + " needs a groupLambda > 0");
        }
    }

    /** The rule for pruneSparsity, also for a value a run does not use: in [0, 1). */
    public static void checkPruneSparsity(double pruneSparsity) {
        if (!(pruneSparsity >= 0 && pruneSparsity < 1)) {
            throw new IllegalArgumentException("pruneSparsity must be in [0, 1), got " + pruneSparsity);
        }
    }

    /** The rule for groupLambda, also for a value a run does not use: finite and >= 0. */
    public static void checkGroupLambda(double groupLambda) {
        finiteNonNegative("groupLambda", groupLambda, true);
    }

    /** value finite and >= 0 (zero allowed) or > 0. */
    private static void finiteNonNegative(String field, double value, boolean zeroAllowed) {
        if (!Double.isFinite(value)) {
            throw new IllegalArgumentException(field + " must be a finite number, got " + value);
        }
        if (zeroAllowed ? !(value >= 0) : !(value > 0)) {
            throw new IllegalArgumentException(field + " must be " + (zeroAllowed ? ">= 0" : "> 0") + ", got " + value);
        }
    }

    private static void atLeast(String field, int value, int min) {
        if (value < min) {
            throw new IllegalArgumentException(field + " must be >= " + min + ", got " + value);
        }
    }

    /** A run without pruning settings. */
    public static TrainConfig of(String model, Method method, Penalty penalty, double lambda, double beta, double lr,
                                 double momentum, int epochs, int batch, long seed, int trainLimit, int testLimit) {
        return new TrainConfig(model, method, penalty, lambda, beta, lr, momentum, epochs, batch, seed, trainLimit,
                testLimit, 0.0, 0, List.of());
    }

    /** The 0-based epoch at whose start method prune prunes (and rvsm freezes its support). */
    public int pruneEpoch() {
        return epochs - fineTuneEpochs;
    }

    /** The learning rate of an epoch (0-based): lr, then lr / 10 for the last third. */
    public double learningRate(int epoch) {
        return epoch >= epochs - epochs / 3 && epochs >= 3 ? lr * 0.1 : lr;
    }
}
