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
import org.rvsm.nn.data.ImageDataset;
import org.rvsm.nn.io.Safetensors;
import org.rvsm.nn.model.Models;

/**
 * RVSM (and its baselines) on a DJL model with the PyTorch engine (rvsm-math.md section 5).
 *
 * <p>Each minibatch: forward and backward on the engine (its autodiff); then for every weight
 * tensor that is sparsified (dense and conv weights; biases stay dense) the gradient gets
 * + beta (w - u); an SGD step with momentum (v = m v + g, w = w - lr v); then u = T_{lambda/beta}(w)
 * on the engine ({@link TensorProx}). Proximal SGD instead applies w = T_{lr lambda}(w) after the
 * step, and dense SGD neither. The SGD state (w, v, u) belongs to this object, so a checkpoint holds
 * all of it and a resumed run continues exactly.
 *
 * <p>Not thread-safe; one trainer per run. Close it to free the engine memory.
 */
public final class SparseTrainer implements AutoCloseable {

    private final TrainConfig config;
    private final NDManager manager;
    private final SequentialBlock block;
    private final ParameterStore store;
    private final List<String> names = new ArrayList<>();
    private final List<Parameter> parameters = new ArrayList<>();
    private final List<Boolean> sparsified = new ArrayList<>();
    private final List<NDArray> velocity = new ArrayList<>();
    private final List<NDArray> sparse = new ArrayList<>(); // u for rvsm; null where u is w itself
    private final List<NDArray> masks = new ArrayList<>();  // method prune, once pruned: 1 keep, 0 pruned
    private final Loss loss = Loss.softmaxCrossEntropyLoss();

    public SparseTrainer(TrainConfig config) {
        this.config = config;
        this.manager = NDManager.newBaseManager();
        Engine.getInstance().setRandomSeed((int) (config.seed() ^ (config.seed() >>> 32)));
        this.block = Models.build(config.model());
        block.setInitializer(new XavierInitializer(), Parameter.Type.WEIGHT);
        block.initialize(manager, DataType.FLOAT32, new Shape(1, 784));
        this.store = new ParameterStore(manager, false);
        List<String> weights = new ArrayList<>();
        for (Pair<String, Parameter> p : block.getParameters()) {
            if (p.getValue().getType() == Parameter.Type.WEIGHT) {
                weights.add(p.getKey());
            }
        }
        for (String name : config.sparsify()) {
            if (!weights.contains(name)) {
                manager.close();
                throw new IllegalArgumentException("sparsify: " + config.model() + " has no weight tensor '" + name
                        + "'; its weight tensors are " + weights);
            }
        }
        for (Pair<String, Parameter> p : block.getParameters()) {
            Parameter parameter = p.getValue();
            NDArray w = parameter.getArray();
            w.setRequiresGradient(true);
            names.add(p.getKey());
            parameters.add(parameter);
            boolean sparsify = parameter.getType() == Parameter.Type.WEIGHT && !config.method().equals("dense")
                    && (config.sparsify().isEmpty() || config.sparsify().contains(p.getKey()));
            masks.add(null);
            sparsified.add(sparsify);
            velocity.add(manager.zeros(w.getShape()));
            sparse.add(sparsify && config.method().equals("rvsm") ? TensorProx.prox(config.penalty(), w, mu()) : null);
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

    /** One epoch (0-based) over the training set, then the evaluation on the test set. */
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
        long started = System.nanoTime();
        for (int start = 0; start < n; start += config.batch()) {
            int b = Math.min(config.batch(), n - start);
            float[] x = new float[b * pixels];
            float[] y = new float[b];
            for (int i = 0; i < b; i++) {
                int idx = order[start + i];
                System.arraycopy(train.images(), idx * pixels, x, i * pixels, pixels);
                y[i] = train.labels()[idx];
            }
            try (NDScope scope = new NDScope()) {
                NDArray input = manager.create(x, new Shape(b, pixels));
                NDArray labels = manager.create(y, new Shape(b));
                try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                    NDArray logits = block.forward(store, new NDList(input), true).singletonOrThrow();
                    NDArray value = loss.evaluate(new NDList(labels), new NDList(logits));
                    collector.backward(value);
                    lossSum += value.getFloat();
                }
                step(lr, batches % FLUSH_EVERY == FLUSH_EVERY - 1);
            }
            batches++;
            if (onBatch != null) {
                onBatch.run();
            }
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        double accuracyW = accuracy(test, false);
        double accuracyU = accuracy(test, true);
        List<LayerInfo> layers = layers(); // one copy of each tensor out of the engine
        return new EpochRecord(epoch + 1, lossSum / batches, accuracyW, accuracyU, overallSparsity(layers),
                layerSparsity(layers), seconds);
    }

    /**
     * The parameter update after backward; runs inside the minibatch's NDScope.
     *
     * @param flush whether to flush tiny entries this step (every {@link #FLUSH_EVERY} minibatches)
     */
    private void step(double lr, boolean flush) {
        float m = (float) config.momentum();
        float rate = (float) lr;
        for (int i = 0; i < parameters.size(); i++) {
            NDArray w = parameters.get(i).getArray();
            NDArray g = w.getGradient();
            NDArray u = sparse.get(i);
            if (u != null) {
                g.addi(w.sub(u).muli((float) config.beta())); // grad of beta/2 |w - u|^2
            }
            NDArray v = velocity.get(i);
            v.muli(m).addi(g);
            w.subi(v.mul(rate));
            if (flush) {
                flushTiny(w);
                flushTiny(v);
            }
            g.subi(g); // PyTorch accumulates gradients: zero them for the next minibatch
            NDArray mask = masks.get(i);
            if (mask != null) { // pruned: the mask is held
                w.muli(mask);
                v.muli(mask);
            }
            if (u != null) {
                NDArray fresh = TensorProx.prox(config.penalty(), w, mu());
                NDScope.unregister(fresh);
                u.close();
                sparse.set(i, fresh);
            } else if (sparsified.get(i) && config.method().equals("proximal")) { // w = T_{lr lambda}(w)
                TensorProx.prox(config.penalty(), w, lr * config.lambda()).copyTo(w);
            }
        }
    }

    /**
     * Sets entries with |x| < {@link #TINY} to exactly 0. Weights the split pulls toward u = 0 decay
     * geometrically into float subnormals, on which CPU arithmetic runs slower (2 to 4 times for the
     * engine's elementwise ops, measured); TINY is far below any threshold a penalty uses, so the
     * method is unchanged.
     */
    private static void flushTiny(NDArray x) {
        x.muli(x.abs().gte(TINY).toType(DataType.FLOAT32, false));
    }

    /** Below this magnitude a weight or momentum entry is flushed to zero (float subnormals start at 1.2e-38). */
    static final float TINY = 1e-30f;

    /**
     * Minibatches between flushes: even at the fastest decay seen (a factor of about 0.95 per step
     * with momentum 0.9) an entry needs some 360 steps to fall from TINY into the subnormals.
     */
    static final int FLUSH_EVERY = 100;

    /**
     * Magnitude pruning: zero the smallest |w| over all sparsified tensors together until the given
     * fraction is zero, and keep those zeros from now on (masks; momentum of pruned weights reset).
     */
    public void pruneByMagnitude(double fraction) {
        List<float[]> values = new ArrayList<>();
        int total = 0;
        for (int i = 0; i < parameters.size(); i++) {
            if (sparsified.get(i)) {
                float[] a = parameters.get(i).getArray().toFloatArray();
                values.add(a);
                total += a.length;
            }
        }
        float[] magnitudes = new float[total];
        int at = 0;
        for (float[] a : values) {
            for (float x : a) {
                magnitudes[at++] = Math.abs(x);
            }
        }
        Arrays.sort(magnitudes);
        int cut = (int) Math.floor(fraction * total);
        float threshold = cut == 0 ? -1.0f : magnitudes[cut - 1];
        for (int i = 0; i < parameters.size(); i++) {
            if (sparsified.get(i)) {
                NDArray w = parameters.get(i).getArray();
                NDArray mask = w.abs().gt(threshold).toType(DataType.FLOAT32, false);
                masks.set(i, mask);
                w.muli(mask);
                velocity.get(i).muli(mask);
            }
        }
    }

    /**
     * RVSM's debiasing phase: the support of u is frozen as a mask, w is set to u, and the kept weights
     * train freely from then on (the split, and its pull toward u, is dropped).
     */
    private void freezeSupport() {
        for (int i = 0; i < parameters.size(); i++) {
            NDArray u = sparse.get(i);
            if (u != null) {
                NDArray w = parameters.get(i).getArray();
                NDArray mask = u.neq(0.0f).toType(DataType.FLOAT32, false);
                masks.set(i, mask);
                u.copyTo(w);
                velocity.get(i).muli(mask);
                u.close();
                sparse.set(i, null);
            }
        }
    }

    /** Test accuracy of the w-network, or of the u-network (u swapped in, then w restored). */
    public double accuracy(ImageDataset data, boolean useSparse) {
        List<NDArray> backups = new ArrayList<>();
        if (useSparse) {
            for (int i = 0; i < parameters.size(); i++) {
                if (sparse.get(i) != null) {
                    NDArray w = parameters.get(i).getArray();
                    NDArray backup = w.duplicate();
                    NDScope.unregister(backup);
                    backups.add(backup);
                    sparse.get(i).copyTo(w);
                }
            }
        }
        try {
            return Evaluator.accuracy(block, store, manager, data);
        } finally {
            int k = 0;
            for (int i = 0; i < parameters.size(); i++) {
                if (useSparse && sparse.get(i) != null) {
                    NDArray backup = backups.get(k++);
                    backup.copyTo(parameters.get(i).getArray());
                    backup.close();
                }
            }
        }
    }

    /** The deployed weights of parameter i: u where RVSM keeps one, else w. */
    private NDArray deployed(int i) {
        return sparse.get(i) != null ? sparse.get(i) : parameters.get(i).getArray();
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
        for (int i = 0; i < parameters.size(); i++) {
            if (sparsified.get(i)) {
                float[] values = deployed(i).toFloatArray();
                out.add(new LayerInfo(names.get(i), deployed(i).getShape().getShape(), values.length - zeros(values)));
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

    /** The deployed model (u for sparsified tensors, w for the rest) as named tensors. */
    public Map<String, Safetensors.Tensor> deployedTensors() {
        Map<String, Safetensors.Tensor> out = new LinkedHashMap<>();
        for (int i = 0; i < parameters.size(); i++) {
            NDArray a = deployed(i);
            out.put(names.get(i), new Safetensors.Tensor(a.getShape().getShape(), a.toFloatArray()));
        }
        return out;
    }

    /** Everything needed to resume: w, v and u of every parameter. */
    public void saveState(Path file, Map<String, String> metadata) throws IOException {
        Map<String, Safetensors.Tensor> out = new LinkedHashMap<>();
        for (int i = 0; i < parameters.size(); i++) {
            NDArray w = parameters.get(i).getArray();
            long[] shape = w.getShape().getShape();
            out.put("w/" + names.get(i), new Safetensors.Tensor(shape, w.toFloatArray()));
            out.put("v/" + names.get(i), new Safetensors.Tensor(shape, velocity.get(i).toFloatArray()));
            if (sparse.get(i) != null) {
                out.put("u/" + names.get(i), new Safetensors.Tensor(shape, sparse.get(i).toFloatArray()));
            }
            if (masks.get(i) != null) {
                out.put("m/" + names.get(i), new Safetensors.Tensor(shape, masks.get(i).toFloatArray()));
            }
        }
        Safetensors.write(file, out, metadata);
    }

    /** Restores a state written by {@link #saveState} for the same configuration. */
    public void loadState(Safetensors.Contents state) throws IOException {
        for (int i = 0; i < parameters.size(); i++) {
            String name = names.get(i);
            set(parameters.get(i).getArray(), state, "w/" + name);
            set(velocity.get(i), state, "v/" + name);
            Safetensors.Tensor mask = state.tensors().get("m/" + name);
            if (mask != null) {
                masks.set(i, manager.create(mask.data(), new Shape(mask.shape())));
            }
            if (sparse.get(i) != null && mask != null && !state.tensors().containsKey("u/" + name)) {
                sparse.get(i).close(); // saved during RVSM's debiasing phase: u is w now
                sparse.set(i, null);
            } else if (sparse.get(i) != null) {
                set(sparse.get(i), state, "u/" + name);
            }
        }
    }

    private static void set(NDArray target, Safetensors.Contents state, String name) throws IOException {
        Safetensors.Tensor t = state.tensors().get(name);
        if (t == null || !Arrays.equals(t.shape(), target.getShape().getShape())) {
            throw new IOException("checkpoint has no tensor " + name + " of shape " + target.getShape());
        }
        target.set(FloatBuffer.wrap(t.data()));
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
