package org.rvsm.nn.train;

import org.rvsm.penalty.Penalty;

/**
 * One training run.
 *
 * @param model      lenet300 or lenet5
 * @param method     rvsm, proximal (proximal SGD: w = T_{lr lambda}(w) after each step) or dense
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
 */
public record TrainConfig(String model, String method, Penalty penalty, double lambda, double beta, double lr,
                          double momentum, int epochs, int batch, long seed, int trainLimit, int testLimit) {

    public TrainConfig {
        if (!java.util.List.of("rvsm", "proximal", "dense").contains(method)) {
            throw new IllegalArgumentException("method must be rvsm, proximal or dense, got '" + method + "'");
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

    /** The learning rate of an epoch (0-based): lr, then lr / 10 for the last third. */
    public double learningRate(int epoch) {
        return epoch >= epochs - epochs / 3 && epochs >= 3 ? lr * 0.1 : lr;
    }
}
