package org.rvsm.nn.train;

/**
 * Where a training run diverged: the first minibatch whose loss, or a weight after whose update, was
 * NaN or infinite. A diverged run has no result; it is reported as a status.
 *
 * @param epoch     1-based epoch
 * @param minibatch 1-based minibatch within the epoch
 * @param tensor    the first parameter (in model order) holding a non-finite value, or "loss" when every
 *                  weight was finite and the forward pass itself gave a non-finite loss
 * @param value     the offending value: the loss, or the first non-finite entry of the tensor
 */
public record Divergence(int epoch, int minibatch, String tensor, double value) {

    /** One line: what, where. */
    public String describe() {
        return (tensor.equals("loss") ? "the training loss" : "weight tensor " + tensor) + " became " + value
                + " at epoch " + epoch + ", minibatch " + minibatch;
    }

}
