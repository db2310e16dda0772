package org.rvsm.nn.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.XavierInitializer;
import ai.djl.training.loss.Loss;
import ai.djl.util.Pair;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.rvsm.Vectors;
import org.rvsm.nn.data.ImageDataset;
import org.rvsm.nn.model.Models;
import org.rvsm.optimizer.SplitSgd;
import org.rvsm.penalty.GroupProx;
import org.rvsm.penalty.TransformedL1;
import org.rvsm.runtime.ImageSpec;
import org.rvsm.runtime.Safetensors;

/**
 * RVSM (and its baselines) on a DJL model with the PyTorch engine (docs/math.md section 5).
 *
 * <p>Each minibatch: forward and backward on the engine (its autodiff). Then, for every parameter, the
 * update runs on the JVM in one fused pass ({@link SplitSgd}): for a sparsified weight tensor (dense
 * and conv weights; biases stay dense) u = T_{lambda/beta}(w) with the core's operator itself,
 * v = m v + g + beta (w - u), w = w - lr v. u is always T(w) of the latest w, so it is derived when
 * needed (evaluation, export), never stored. Proximal SGD instead applies w = T_{lr lambda}(w) after
 * a plain momentum step, and dense SGD neither.
 *
 * <p>The state (w, v, masks) lives in Java arrays that this object owns, so a checkpoint holds all of
 * it and a resumed run continues exactly. The engine sees w and g through direct views of its own
 * tensor memory ({@link EngineMemory}): each step copies g out and w back in, nothing else crosses.
 *
 * <p>Not thread-safe; one trainer per run. Close it to free the engine memory.
 */
public final class SparseTrainer implements AutoCloseable {

    private final TrainConfig config;
    private final NDManager manager;
    private final SequentialBlock block;
    private final ParameterStore store;
    private final List<String> names = new ArrayList<>();
    private final List<NDArray> engineWeights = new ArrayList<>();
    private final List<long[]> shapes = new ArrayList<>();
    private final List<Boolean> sparsified = new ArrayList<>();
    private final List<Boolean> trained = new ArrayList<>();  // false: running statistics, the engine's to update
    private final List<float[]> weights = new ArrayList<>();  // w
    private final List<float[]> velocity = new ArrayList<>(); // v
    private final List<float[]> gradients = new ArrayList<>(); // scratch: g copied out of the engine
    private final List<Boolean> split = new ArrayList<>();    // RVSM's split active: u = T(w), derived, not stored
    private final List<Integer> groupSize = new ArrayList<>(); // entries per group of u's group operator; 0: none
    private final List<float[]> masks = new ArrayList<>();    // prune, or rvsm debiasing: 1 keep, 0 drop
    private final float[] zeros;
    private final List<float[]> scratch = new ArrayList<>(); // u of a sparse-group step; null elsewhere
    private final List<SplitSgd.Workspace> workspaces = new ArrayList<>(); // rvsmStep's, for Tl1; null elsewhere
    private final Loss loss = Loss.softmaxCrossEntropyLoss();
    private long stepNanos; // time in step() during the current or last epoch

    /** A trainer of a model for Fashion-MNIST's images (1 x 28 x 28, 10 classes). */
    public SparseTrainer(TrainConfig config) {
        this(config, ImageSpec.LEGACY);
    }

    /**
     * A trainer of the model for the given images and classes.
     *
     * @throws IllegalArgumentException when the model cannot take them ({@link Models#check})
     */
    public SparseTrainer(TrainConfig config, ImageSpec input) {
        this.config = config;
        this.block = Models.build(config.model(), input);
        this.manager = NDManager.newBaseManager();
        Engine.getInstance().setRandomSeed((int) (config.seed() ^ (config.seed() >>> 32)));
        block.setInitializer(new XavierInitializer(), Parameter.Type.WEIGHT);
        block.initialize(manager, DataType.FLOAT32, new Shape(1, input.size()));
        this.store = new ParameterStore(manager, false);
        List<String> weightNames = new ArrayList<>();
        for (Pair<String, Parameter> p : block.getParameters()) {
            if (p.getValue().getType() == Parameter.Type.WEIGHT) {
                weightNames.add(p.getKey());
            }
        }
        for (String name : config.sparsify()) {
            if (!weightNames.contains(name)) {
                manager.close();
                throw new IllegalArgumentException("sparsify: " + config.model() + " has no weight tensor '" + name
                        + "'; its weight tensors are " + weightNames);
            }
        }
        int largest = 0;
        for (Pair<String, Parameter> p : block.getParameters()) {
            Parameter parameter = p.getValue();
            NDArray w = parameter.getArray();
            // batch norm's running statistics have no gradient: the engine updates them in each training
            // forward pass, and the step leaves them alone (trained false)
            trained.add(parameter.requiresGradient());
            if (parameter.requiresGradient()) {
                w.setRequiresGradient(true);
            }
            names.add(p.getKey());
            engineWeights.add(w);
            shapes.add(w.getShape().getShape());
            boolean sparsify = parameter.getType() == Parameter.Type.WEIGHT && !config.method().equals("dense")
                    && (config.sparsify().isEmpty() || config.sparsify().contains(p.getKey()));
            float[] values = w.toFloatArray();
            largest = Math.max(largest, values.length);
            weights.add(values);
            velocity.add(new float[values.length]);
            gradients.add(new float[values.length]);
            masks.add(null);
            sparsified.add(sparsify);
            boolean rvsm = sparsify && config.method().equals("rvsm");
            split.add(rvsm);
            int group = rvsm ? groupSize(config.group(), w.getShape().getShape(), p.getKey(), weightNames) : 0;
            groupSize.add(group);
            scratch.add(group > 0 ? new float[values.length] : null);
            // Tl1's scratch, kept from step to step: the step's, and the block kernel of u = T(w) and of
            // the proximal step (l1 and l0 are inlined in the step and need none)
            boolean thresholded = rvsm || (sparsify && config.method().equals("proximal"));
            workspaces.add(thresholded && config.penalty() instanceof TransformedL1
                    ? new SplitSgd.Workspace(values.length) : null);
        }
        this.zeros = new float[largest];
    }

    /**
     * Entries per group of a weight under the group choice: a hidden dense layer's rows (neuron), a
     * conv layer's filters (filter); 0 for the other tensors (the output layer's rows are the classes).
     */
    private static int groupSize(String group, long[] shape, String name, List<String> weightNames) {
        boolean last = name.equals(weightNames.get(weightNames.size() - 1));
        if ((group.equals("neuron") && shape.length == 2 && !last) || (group.equals("filter") && shape.length == 4)) {
            return (int) (Arrays.stream(shape).reduce(1, (a, b) -> a * b) / shape[0]);
        }
        return 0;
    }

    /**
     * u = T(w) into u: the element-wise operator, then the group operator where the tensor has groups.
     * With groups the split's pull uses this u too ({@link SplitSgd#splitStep}).
     */
    private void sparseCopy(int i, float[] w, float[] u) {
        SplitSgd.prox(config.penalty(), w, u, mu(), workspaces.get(i));
        if (groupSize.get(i) > 0) {
            GroupProx.prox(config.penalty(), u, u, groupSize.get(i), config.groupLambda() / config.beta());
        }
    }

    /** mu = lambda / beta: the threshold parameter of u = T(w). */
    private double mu() {
        return config.lambda() / config.beta();
    }

    /** Names of the sparsified weight tensors, in model order. */
    public List<String> sparsifiedNames() {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            if (sparsified.get(i)) {
                out.add(names.get(i));
            }
        }
        return out;
    }

    /**
     * One epoch (0-based) over the training set, then the evaluation on the test set.
     *
     * @throws DivergedException when a minibatch's loss, or a weight at the end of the epoch, is NaN or
     *                           infinite; the trainer's state is then not meaningful
     */
    public EpochRecord trainEpoch(int epoch, ImageDataset train, ImageDataset test, Runnable onBatch) {
        int n = train.count();
        int pixels = train.pixels();
        int[] order = permutation(n, new SplittableRandom(config.seed() * 0x9E3779B97F4A7C15L + epoch));
        double lr = config.learningRate(epoch);
        boolean maskless = masks.stream().allMatch(m -> m == null);
        if (config.method().equals("prune") && epoch == config.pruneEpoch() && maskless) {
            pruneByMagnitude(config.pruneSparsity());
        } else if (config.method().equals("rvsm") && config.fineTuneEpochs() > 0 && epoch == config.pruneEpoch()
                && maskless) {
            freezeSupport();
        }
        double lossSum = 0.0;
        int batches = 0;
        stepNanos = 0;
        long started = System.nanoTime();
        for (int start = 0; start < n; start += config.batch()) {
            int b = Math.min(config.batch(), n - start);
            float[] x = new float[b * pixels];
            float[] y = new float[b];
            train.batch(order, start, x, y, ImageDataset.batchRandom(config.seed(), epoch, start));
            try (NDScope scope = new NDScope()) {
                NDArray input = manager.create(x, new Shape(b, pixels));
                NDArray labels = manager.create(y, new Shape(b));
                try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                    NDArray logits = block.forward(store, new NDList(input), true).singletonOrThrow();
                    NDArray value = loss.evaluate(new NDList(labels), new NDList(logits));
                    collector.backward(value);
                    float batchLoss = value.getFloat();
                    if (!Float.isFinite(batchLoss)) {
                        throw diverged(epoch, batches + 1, batchLoss);
                    }
                    lossSum += batchLoss;
                }
                long stepStarted = System.nanoTime();
                step(lr, batches % FLUSH_EVERY == FLUSH_EVERY - 1);
                stepNanos += System.nanoTime() - stepStarted;
            }
            batches++;
            if (onBatch != null) {
                onBatch.run();
            }
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        copyRunningStatistics();
        Divergence last = firstNonFinite(epoch, batches);
        if (last != null) { // the last update made a weight non-finite; no later loss saw it
            throw new DivergedException(last);
        }
        double accuracyW = accuracy(test, false);
        double accuracyU = accuracy(test, true);
        List<LayerInfo> layers = layers(); // one copy of each tensor out of the engine
        return new EpochRecord(epoch + 1, lossSum / batches, accuracyW, accuracyU, overallSparsity(layers),
                layerSparsity(layers), seconds);
    }

    /** The engine's running statistics (updated by the training forward passes) into their Java arrays. */
    private void copyRunningStatistics() {
        for (int i = 0; i < weights.size(); i++) {
            if (!trained.get(i)) {
                EngineMemory.view(engineWeights.get(i), weights.get(i).length).get(0, weights.get(i));
            }
        }
    }

    /** The divergence at a minibatch whose loss was not finite: the first non-finite weight, else the loss. */
    private DivergedException diverged(int epoch, int minibatch, float loss) {
        Divergence d = firstNonFinite(epoch, minibatch);
        return new DivergedException(d != null ? d : new Divergence(epoch + 1, minibatch, "loss", loss));
    }

    /** The first parameter (model order) holding a NaN or an infinity, or null if all are finite. */
    private Divergence firstNonFinite(int epoch, int minibatch) {
        for (int i = 0; i < weights.size(); i++) {
            int at = Vectors.firstNonFinite(weights.get(i));
            if (at >= 0) {
                return new Divergence(epoch + 1, minibatch, names.get(i), weights.get(i)[at]);
            }
        }
        return null;
    }

    /**
     * Seconds the last {@link #trainEpoch} spent in the parameter updates on the JVM (g out of the
     * engine, the step, w back in), part of its training time: the rest is the engine's forward and
     * backward passes, which are the same for every method.
     */
    public double lastEpochStepSeconds() {
        return stepNanos / 1e9;
    }

    /**
     * The parameter update after backward: g out of the engine (and zeroed there: PyTorch accumulates
     * gradients), the fused step on the JVM, w back into the engine.
     */
    private void step(double lr, boolean flush) {
        float m = (float) config.momentum();
        float rate = (float) lr;
        for (int i = 0; i < weights.size(); i++) {
            if (!trained.get(i)) {
                continue;
            }
            NDArray engineW = engineWeights.get(i);
            float[] w = weights.get(i);
            float[] g = gradients.get(i);
            try (NDArray engineG = engineW.getGradient()) {
                FloatBuffer view = EngineMemory.view(engineG, g.length);
                view.get(0, g);
                view.put(0, zeros, 0, g.length);
            }
            if (split.get(i) && groupSize.get(i) > 0) { // sparse-group: u computed here, then the split step
                float[] u = scratch.get(i);
                sparseCopy(i, w, u);
                SplitSgd.splitStep(w, g, velocity.get(i), u, (float) config.beta(), m, rate);
            } else if (split.get(i)) { // rvsm (masks only exist once the split is dropped)
                SplitSgd.rvsmStep(w, g, velocity.get(i), config.penalty(), config.lambda(), config.beta(), m, rate,
                        workspaces.get(i));
            } else {
                SplitSgd.momentumStep(w, g, velocity.get(i), masks.get(i), m, rate);
                if (sparsified.get(i) && config.method().equals("proximal")) {
                    SplitSgd.prox(config.penalty(), w, w, lr * config.lambda(), workspaces.get(i));
                }
            }
            if (flush) {
                SplitSgd.flushTiny(w);
                SplitSgd.flushTiny(velocity.get(i));
            }
            EngineMemory.view(engineW, w.length).put(0, w);
        }
    }

    /**
     * Minibatches between flushes of tiny entries ({@link SplitSgd#flushTiny}): even at the fastest
     * decay seen (a factor of about 0.95 per step with momentum 0.9) an entry needs some 360 steps to
     * fall from 1e-30 into the subnormals.
     */
    static final int FLUSH_EVERY = 100;

    /**
     * Magnitude pruning: zero the smallest |w| over all sparsified tensors together until the given
     * fraction is zero, and keep those zeros from now on (masks; momentum of pruned weights reset).
     */
    public void pruneByMagnitude(double fraction) {
        int total = 0;
        for (int i = 0; i < weights.size(); i++) {
            total += sparsified.get(i) ? weights.get(i).length : 0;
        }
        float[] magnitudes = new float[total];
        int at = 0;
        for (int i = 0; i < weights.size(); i++) {
            if (sparsified.get(i)) {
                for (float x : weights.get(i)) {
                    magnitudes[at++] = Math.abs(x);
                }
            }
        }
        Arrays.sort(magnitudes);
        int cut = (int) Math.floor(fraction * total);
        float threshold = cut == 0 ? -1.0f : magnitudes[cut - 1];
        for (int i = 0; i < weights.size(); i++) {
            if (sparsified.get(i)) {
                float[] w = weights.get(i);
                float[] mask = new float[w.length];
                for (int j = 0; j < w.length; j++) {
                    mask[j] = Math.abs(w[j]) > threshold ? 1.0f : 0.0f;
                }
                hold(i, mask);
            }
        }
    }

    /**
     * RVSM's debiasing phase: the support of u is frozen as a mask, w is set to u, and the kept weights
     * train freely from then on (the split, and its pull toward u, is dropped).
     */
    private void freezeSupport() {
        for (int i = 0; i < weights.size(); i++) {
            if (split.get(i)) {
                float[] u = deployed(i);
                float[] mask = new float[u.length];
                for (int j = 0; j < u.length; j++) {
                    mask[j] = u[j] != 0.0f ? 1.0f : 0.0f;
                }
                System.arraycopy(u, 0, weights.get(i), 0, u.length);
                split.set(i, false);
                hold(i, mask);
            }
        }
    }

    /** From now on parameter i keeps the mask's zeros: w, v and the engine's w masked now and after every step. */
    private void hold(int i, float[] mask) {
        masks.set(i, mask);
        float[] w = weights.get(i);
        float[] v = velocity.get(i);
        for (int j = 0; j < mask.length; j++) {
            w[j] *= mask[j];
            v[j] *= mask[j];
        }
        EngineMemory.view(engineWeights.get(i), w.length).put(0, w);
    }

    /** Test accuracy of the w-network, or of the u-network (u put into the engine, then w restored). */
    public double accuracy(ImageDataset data, boolean useSparse) {
        if (!useSparse) {
            return Evaluator.accuracy(block, store, manager, data);
        }
        try {
            for (int i = 0; i < weights.size(); i++) {
                EngineMemory.view(engineWeights.get(i), weights.get(i).length).put(0, deployed(i));
            }
            return Evaluator.accuracy(block, store, manager, data);
        } finally {
            for (int i = 0; i < weights.size(); i++) {
                EngineMemory.view(engineWeights.get(i), weights.get(i).length).put(0, weights.get(i));
            }
        }
    }

    /** The deployed weights of parameter i: u = T(w) (a new array) where RVSM splits, else w itself. */
    private float[] deployed(int i) {
        if (!split.get(i)) {
            return weights.get(i);
        }
        float[] u = new float[weights.get(i).length];
        sparseCopy(i, weights.get(i), u);
        return u;
    }

    /** Fraction of exact zeros in the deployed weights of each sparsified layer. */
    public List<Double> layerSparsity() {
        return layerSparsity(layers());
    }

    private static List<Double> layerSparsity(List<LayerInfo> layers) {
        return layers.stream().map(l -> (double) (l.size() - l.nonZeros()) / l.size()).toList();
    }

    /** Fraction of exact zeros over all sparsified weights (0 for dense training). */
    public double overallSparsity() {
        return overallSparsity(layers());
    }

    private static double overallSparsity(List<LayerInfo> layers) {
        long nonZeros = layers.stream().mapToLong(LayerInfo::nonZeros).sum();
        long total = layers.stream().mapToLong(LayerInfo::size).sum();
        return total == 0 ? 0.0 : (double) (total - nonZeros) / total;
    }

    /** Per sparsified layer: name, shape, non-zeros. */
    public List<LayerInfo> layers() {
        List<LayerInfo> out = new ArrayList<>();
        for (int i = 0; i < weights.size(); i++) {
            if (sparsified.get(i)) {
                float[] values = deployed(i);
                out.add(new LayerInfo(names.get(i), shapes.get(i).clone(), values.length - zeros(values)));
            }
        }
        return out;
    }

    /** A layer's summary. */
    public record LayerInfo(String name, long[] shape, long nonZeros) {
        public long size() {
            return Arrays.stream(shape).reduce(1, (x, y) -> x * y);
        }
    }

    /** The deployed model (u for sparsified tensors, w for the rest) as named tensors (copies). */
    public Map<String, Safetensors.Tensor> deployedTensors() {
        Map<String, Safetensors.Tensor> out = new LinkedHashMap<>();
        for (int i = 0; i < weights.size(); i++) {
            out.put(names.get(i), new Safetensors.Tensor(shapes.get(i).clone(), deployed(i).clone()));
        }
        return out;
    }

    /** Everything needed to resume: w, v and the mask of every parameter (u = T(w) follows from w). */
    public void saveState(Path file, Map<String, String> metadata) throws IOException {
        Map<String, Safetensors.Tensor> out = new LinkedHashMap<>();
        for (int i = 0; i < weights.size(); i++) {
            long[] shape = shapes.get(i);
            out.put("w/" + names.get(i), new Safetensors.Tensor(shape, weights.get(i)));
            out.put("v/" + names.get(i), new Safetensors.Tensor(shape, velocity.get(i)));
            if (masks.get(i) != null) {
                out.put("m/" + names.get(i), new Safetensors.Tensor(shape, masks.get(i)));
            }
        }
        Safetensors.write(file, out, metadata);
    }

    /** Restores a state written by {@link #saveState} for the same configuration. */
    public void loadState(Safetensors.Contents state) throws IOException {
        for (int i = 0; i < weights.size(); i++) {
            String name = names.get(i);
            set(weights.get(i), state, "w/" + name, shapes.get(i));
            set(velocity.get(i), state, "v/" + name, shapes.get(i));
            if (state.tensors().containsKey("m/" + name)) {
                float[] mask = new float[weights.get(i).length];
                set(mask, state, "m/" + name, shapes.get(i));
                masks.set(i, mask);
            }
            if (masks.get(i) != null) {
                split.set(i, false); // saved during RVSM's debiasing phase: the split is dropped, u is w
            }
            EngineMemory.view(engineWeights.get(i), weights.get(i).length).put(0, weights.get(i));
        }
    }

    private static void set(float[] target, Safetensors.Contents state, String name, long[] shape)
            throws IOException {
        Safetensors.Tensor t = state.tensors().get(name);
        if (t == null || t.data() == null || !Arrays.equals(t.shape(), shape)) {
            throw new IOException("checkpoint has no tensor " + name + " of shape " + Arrays.toString(shape));
        }
        System.arraycopy(t.data(), 0, target, 0, target.length);
    }

    private static long zeros(float[] values) {
        long z = 0;
        for (float v : values) {
            z += v == 0.0f ? 1 : 0;
        }
        return z;
    }

    private static int[] permutation(int n, SplittableRandom rng) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }

    @Override
    public void close() {
        manager.close();
    }
}
