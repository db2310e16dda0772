package org.rvsm.nn.train;

import org.rvsm.penalty.Penalty;

/**
 * One training run.
 *
 * @param model      lenet300 or lenet5
 * @param method     rvsm, proximal (proximal SGD: w = T_{lr lambda}(w) after each step), dense, or
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
 * @param group      structured sparsity for rvsm: none; neuron (each row of a hidden dense weight, a
 *                   neuron's incoming weights, is one group); filter (each conv filter is one group).
 *                   The group operator ({@link org.rvsm.penalty.GroupProx}, same penalty family) runs
 *                   after the element-wise one (sparse-group) on u = T(w)
 * @param groupLambda the group penalty's weight (its threshold parameter is groupLambda / beta)
 */
public record TrainConfig(String model, String method, Penalty penalty, double lambda, double beta, double lr,
                          double momentum, int epochs, int batch, long seed, int trainLimit, int testLimit,
                          double pruneSparsity, int fineTuneEpochs, java.util.List<String> sparsify, String group,
                          double groupLambda) {

    /** The structured-sparsity choices. */
    public static final java.util.List<String> GROUPS = java.util.List.of("none", "neuron", "filter");

    /** A run without structured sparsity. */
    public TrainConfig(String model, String method, Penalty penalty, double lambda, double beta, double lr,
                       double momentum, int epochs, int batch, long seed, int trainLimit, int testLimit,
                       double pruneSparsity, int fineTuneEpochs, java.util.List<String> sparsify) {
        this(model, method, penalty, lambda, beta, lr, momentum, epochs, batch, seed, trainLimit, testLimit,
                pruneSparsity, fineTuneEpochs, sparsify, "none", 0.0);
    }

    public TrainConfig {
        sparsify = java.util.List.copyOf(sparsify);
        if (!METHODS.contains(method)) {
            throw new IllegalArgumentException("method must be one of " + METHODS + ", got '" + method + "'");
        }
        if (!(pruneSparsity >= 0 && pruneSparsity < 1)) {
            throw new IllegalArgumentException("pruneSparsity must be in [0, 1), got " + pruneSparsity);
        }
        if (fineTuneEpochs < 0 || fineTuneEpochs >= epochs) {
            throw new IllegalArgumentException("fineTuneEpochs must be in [0, epochs), got " + fineTuneEpochs);
        }
        if (!GROUPS.contains(group)) {
            throw new IllegalArgumentException("group must be one of " + GROUPS + ", got '" + group + "'");
        }
        if (!(groupLambda >= 0) || Double.isInfinite(groupLambda)) {
            throw new IllegalArgumentException("groupLambda must be finite and >= 0, got " + groupLambda);
        }
        if (!(lambda >= 0) || Double.isInfinite(lambda)) {
            throw new IllegalArgumentException("lambda must be finite and >= 0, got " + lambda);
        }
        if (!(beta > 0) || Double.isInfinite(beta)) {
            throw new IllegalArgumentException("beta must be finite and > 0, got " + beta);
        }
        if (!(lr > 0) || Double.isInfinite(lr)) {
            throw new IllegalArgumentException("lr must be finite and > 0, got " + lr);
        }
        if (!(momentum >= 0 && momentum < 1)) {
            throw new IllegalArgumentException("momentum must be in [0, 1), got " + momentum);
        }
        if (epochs < 1 || batch < 1 || trainLimit < 0 || testLimit < 0) {
            throw new IllegalArgumentException("epochs and batch must be >= 1 and the limits >= 0");
        }
    }

    /** The training methods. */
    public static final java.util.List<String> METHODS = java.util.List.of("rvsm", "proximal", "dense", "prune");

    /** A run without pruning settings. */
    public static TrainConfig of(String model, String method, Penalty penalty, double lambda, double beta, double lr,
                                 double momentum, int epochs, int batch, long seed, int trainLimit, int testLimit) {
        return new TrainConfig(model, method, penalty, lambda, beta, lr, momentum, epochs, batch, seed, trainLimit,
                testLimit, 0.0, 0, java.util.List.of());
    }

    /** The 0-based epoch at whose start method prune prunes. */
    public int pruneEpoch() {
        return epochs - fineTuneEpochs;
    }

    /** The learning rate of an epoch (0-based): lr, then lr / 10 for the last third. */
    public double learningRate(int epoch) {
        return epoch >= epochs - epochs / 3 && epochs >= 3 ? lr * 0.1 : lr;
    }
}
