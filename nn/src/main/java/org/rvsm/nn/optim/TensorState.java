package org.rvsm.nn.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Parameter;
import org.rvsm.optimizer.SplitSgd;

/**
 * The optimizer's state of one parameter tensor: what it is (name, shape, its role in RVSM, its
 * lambda) and what it carries from step to step (velocity v, step count, mask). One object per
 * tensor; w itself belongs to the model (the engine tensor), u = T(w) is derived, never stored.
 *
 * <p>On the CPU fast path v and the mask are Java arrays and w, g are copied through Java scratch
 * arrays; on the engine path (any device) v and the mask are engine tensors, created from the Java
 * arrays (zeros, or a loaded state) at the first update.
 */
final class TensorState {

    final String id;
    final String name;
    final Parameter parameter;
    final long[] shape;
    final int size;
    /** Selected for sparsification (reported, pruned; thresholded by the split or proximal step). */
    final boolean sparsified;
    /** This tensor's penalty weight lambda (the optimizer's, or its per-parameter choice). */
    double lambda; // scaled by beta continuation and target-sparsity calibration
    /** Entries per group of u's group operator; 0: none. */
    final int groupSize;
    /** Proximal SGD: w = T_{lr lambda}(w) after the momentum step. */
    final boolean proximal;
    /** RVSM's split is active: u = T(w), and the step pulls w toward it. Dropped by freezeSupport. */
    boolean split;
    /** Updates done (the learning-rate tracker's numUpdate of the next update is steps + 1). */
    int steps;

    float[] velocity; // v, (size); authoritative until engineVelocity exists
    float[] mask;     // 1 keep, 0 drop; null: none
    Boolean fast;     // decided at the first update: CPU float32 and not forced onto the engine path

    // fast path scratch, allocated at the first fast update
    float[] w;
    float[] g;
    float[] u;                 // group: u of the split step
    SplitSgd.Workspace work;   // Tl1's kernel scratch; null elsewhere

    // engine path state
    NDArray engineVelocity;
    NDArray engineMask;

    TensorState(String id, String name, Parameter parameter, long[] shape, boolean sparsified, double lambda,
                int groupSize, boolean split, boolean proximal) {
        this.id = id;
        this.name = name;
        this.parameter = parameter;
        this.shape = shape;
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        this.size = Math.toIntExact(n);
        this.sparsified = sparsified;
        this.lambda = lambda;
        this.groupSize = groupSize;
        this.split = split;
        this.proximal = proximal;
        this.velocity = new float[size];
    }
}
