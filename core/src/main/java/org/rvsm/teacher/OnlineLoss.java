package org.rvsm.teacher;

import java.util.random.RandomGenerator;
import org.rvsm.optimizer.DifferentiableObjective;

/**
 * Online SGD's objective: every call draws a fresh batch of Gaussian inputs, labels it with the
 * teacher, and returns the batch loss and gradient (an unbiased estimate of the population ones).
 * Consumes the generator it is given; reuses its buffers, so it is not thread-safe.
 */
public final class OnlineLoss implements DifferentiableObjective {

    private final NoOverlapNetwork network;
    private final double[] teacher;
    private final RandomGenerator rng;
    private final double[] batchPatches; // (batch, k, d)
    private final double[] batchLabels;  // (batch)

    public OnlineLoss(NoOverlapNetwork network, double[] teacher, int batch, RandomGenerator rng) {
        network.checkFilter(teacher);
        if (batch < 1) {
            throw new IllegalArgumentException("batch must be >= 1, got " + batch);
        }
        this.network = network;
        this.teacher = teacher.clone();
        this.rng = rng;
        this.batchPatches = new double[network.flatSize("batch", batch)];
        this.batchLabels = new double[batch];
    }

    @Override
    public int dimension() {
        return network.d();
    }

    @Override
    public double lossAndGradient(double[] w, double[] gradient) {
        network.checkFilter(w);
        network.checkFilter(gradient);
        NoOverlapNetwork.fillGaussian(batchPatches, rng);
        for (int s = 0; s < batchLabels.length; s++) {
            batchLabels[s] = network.output(batchPatches, s * network.inputSize(), teacher);
        }
        return EmpiricalLoss.evaluate(network.k(), network.d(), batchLabels.length, batchPatches,
                batchLabels, w, gradient, true);
    }
}
