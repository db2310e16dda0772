package org.rvsm.nn.train;

import java.util.List;

/**
 * The metrics of one epoch.
 *
 * @param epoch           1-based
 * @param trainLoss       mean cross-entropy over the epoch's minibatches (w-network)
 * @param testAccuracyW   test accuracy of the dense training weights w
 * @param testAccuracyU   test accuracy of the sparse weights u (what is deployed)
 * @param sparsity        fraction of exact zeros over all sparsified weights of u
 * @param layerSparsity   per sparsified layer, in model order
 * @param seconds         wall time of the epoch's training (not the evaluation)
 */
public record EpochRecord(int epoch, double trainLoss, double testAccuracyW, double testAccuracyU, double sparsity,
                          List<Double> layerSparsity, double seconds) {
}
