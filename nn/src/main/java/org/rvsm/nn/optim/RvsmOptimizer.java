package org.rvsm.nn.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.ParameterTracker;
import ai.djl.util.Pair;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.rvsm.Vectors;
import org.rvsm.nn.Labels;
import org.rvsm.optimizer.SplitSgd;
import org.rvsm.penalty.GroupProx;
import org.rvsm.penalty.L0;
import org.rvsm.penalty.L1;
import org.rvsm.penalty.Penalty;
import org.rvsm.penalty.TransformedL1;
import org.rvsm.runtime.Safetensors;

/**
 * RVSM as a DJL {@link Optimizer}: plugs into DJL's {@code Trainer} ({@code
 * DefaultTrainingConfig.optOptimizer}, {@code EasyTrain.fit}) for any {@link Block}
 * (docs/math.md section 5). Per sparsified tensor and per update (the fused step of
 * {@link SplitSgd#rvsmStep}):
 *
 * <pre>
 *   u = T_{lambda/beta}(w)          (derived from the current w, never stored)
 *   v = m v + g + beta (w - u)
 *   w = w - lr v
 * </pre>
 *
 * Every other trained parameter (biases, normalisation parameters, weights not selected) takes plain
 * SGD with momentum, v = m v + g, w = w - lr v. {@link Scheme#PROXIMAL} replaces the split by proximal
 * SGD (w = T_{lr lambda}(w) after the momentum step) and {@link Scheme#MOMENTUM} sparsifies nothing
 * by itself (magnitude pruning, {@link #pruneByMagnitude}). DJL's gradient options apply before the
 * step, in DJL's order: g = clip(rescale g) + weightDecay w (nothing is done for the defaults, so the
 * step stays bit for bit the fused one).
 *
 * <p><b>Which tensors are split.</b> By default every parameter of type WEIGHT of rank >= 2 (dense and
 * conv kernels); never biases or normalisation parameters (those have other types). {@link
 * Builder#optSparsify(String...)} selects WEIGHT parameters by name (regular expressions, each matched
 * against the whole name, e.g. {@code 02Linear_weight} or {@code .*Conv2d_weight}); a pattern that
 * matches none is an error naming it and listing the parameters. Lambda can differ per tensor: an
 * explicit map ({@link Builder#optLambdas}) or a rule ({@link LambdaRule}).
 *
 * <p><b>Binding.</b> DJL calls {@link #update} with a parameter id only, so the optimizer must know
 * the block to learn names, types and shapes. {@link #validate(Block)} binds it and checks the
 * selection now (call it after the block is initialised, e.g. after {@code trainer.initialize});
 * a {@link SparsityListener} in the training config binds it at the first update instead. An update
 * on an unbound optimizer is an {@link IllegalStateException} that says this.
 *
 * <p><b>Paths.</b> On the CPU (float32) the step runs on the JVM over Java arrays, with w and g copied
 * through direct views of the engine's tensor memory ({@link EngineMemory}) and the fused kernels of
 * {@link SplitSgd}. On any other device, or when forced ({@link Builder#optEngineOps}), it runs as
 * engine NDArray operations in the same float arithmetic and grouping (Tl1's and the group operator's
 * u, and the proximal step, are computed by the core's operators on a host copy); the two paths agree
 * closely (tested, 1e-6 relative). Entries of w and v below {@link SplitSgd#TINY} are flushed to 0
 * every {@value #FLUSH_EVERY} updates of a tensor.
 *
 * <p><b>State.</b> One {@link TensorState} per tensor: velocity, step count, mask, lambda_i. It saves
 * and loads ({@link #saveState}, {@link #loadState}) with beta (both change under beta continuation and
 * target-sparsity calibration: {@link #setBeta}, {@link #calibrateLambdas}), so a run resumes bit for
 * bit; u is derived: {@link
 * #useSparseWeights} puts u into the model for evaluation or export and restores w afterwards.
 *
 * <p>Like DJL's optimizers, the learning rate comes from a {@link ParameterTracker}, called with the
 * tensor's update number (1 for its first update), and the optimizer zeroes each weight's engine
 * gradient after its update (PyTorch accumulates them). The phases ({@link #pruneByMagnitude},
 * {@link #freezeSupport}), the u swap and the state act on the block's parameter arrays
 * ({@code Parameter.getArray()}), which are the arrays DJL's {@code Trainer} trains on one device.
 * Not thread-safe: one trainer, one device.
 */
public final class RvsmOptimizer extends Optimizer {

    /** What the sparsified tensors' update is. */
    public enum Scheme {
        /** RVSM: the fused split step with u = T(w). */
        SPLIT,
        /** Proximal SGD: the momentum step, then w = T_{lr lambda}(w). */
        PROXIMAL,
        /** Plain momentum SGD; the selected tensors are the ones {@link #pruneByMagnitude} prunes. */
        MOMENTUM
    }

    /** Structured sparsity of the split's u (docs/math.md section 5.4). */
    public enum Group {
        /** Element-wise thresholding only. */
        NONE,
        /** Each row of a split rank-2 weight is a group (a neuron's incoming weights); never the block's last weight. */
        NEURON,
        /** Each filter (first index) of a split rank-4 weight is a group. */
        FILTER;

        /** The lower-case name used on the command line and in run files. */
        public String label() {
            return Labels.of(this);
        }

        /** The group of a label; an IllegalArgumentException naming the value otherwise. */
        public static Group parse(String label) {
            return Labels.parse(values(), "group", label);
        }

        /** The labels, in order. */
        public static List<String> labels() {
            return Labels.all(values());
        }
    }

    /** How lambda is chosen per sparsified tensor when no explicit map names it. */
    public enum LambdaRule {
        /** Every sparsified tensor gets lambda. */
        UNIFORM,
        /**
         * Scaled by the tensor's size: lambda_i = lambda n_i / mean_j n_j over the sparsified tensors
         * (the larger, usually more redundant, layers pay more; the mean lambda is lambda).
         */
        SIZE,
        /**
         * Scaled by the square root of the tensor's size: lambda_i = lambda sqrt(n_i) / mean_j sqrt(n_j)
         * (between uniform and size: a small output layer pays less than a large hidden one, but is
         * not left almost dense as size leaves it).
         */
        SQRT_SIZE,
        /**
         * The threshold scaled by the tensor's initial weight scale: t_i = t s_i / mean_j s_j with t the
         * threshold of lambda / beta and s_i the standard deviation of the tensor's weights when the
         * optimizer is bound; lambda_i = beta muForThreshold(t_i). Each layer's threshold is then the
         * same multiple of its own weight scale.
         */
        INITIAL_STD;

        /** The name used on the command line and in run files: uniform, size, sqrt-size, initial-std. */
        public String label() {
            return Labels.of(this);
        }

        /** The rule of a label; an IllegalArgumentException naming the value otherwise. */
        public static LambdaRule parse(String label) {
            return Labels.parse(values(), "lambdaRule", label);
        }

        /** The labels, in order. */
        public static List<String> labels() {
            return Labels.all(values());
        }
    }

    /** Updates of a tensor between flushes of tiny entries ({@link SplitSgd#flushTiny}). */
    public static final int FLUSH_EVERY = 100;

    /** The format tag of a saved state (metadata key {@code rvsm_optimizer}). */
    public static final String STATE_FORMAT = "1";

    private final ParameterTracker learningRate;
    private final float momentum;
    private final Penalty penalty;
    private final double lambda;
    private double beta; // changes by setBeta (beta continuation, every mu = lambda_i / beta kept) and readState
    private final Scheme scheme;
    private final List<String> patterns; // null: the default selection
    private final Map<String, Double> lambdas;
    private final LambdaRule rule;
    private final Group group;
    private double groupLambda; // scaled with beta by setBeta
    private final boolean engineOps;

    private final Map<String, TensorState> byId = new HashMap<>();
    private final List<TensorState> tensors = new ArrayList<>(); // model order
    private Block bound;
    private Block pending; // told by a listener; bound at the first update
    private float[] zeros = new float[0];

    private RvsmOptimizer(Builder b) {
        super(b);
        this.learningRate = b.learningRate;
        this.momentum = b.momentum;
        this.penalty = b.penalty;
        this.lambda = b.lambda;
        this.beta = b.beta;
        this.scheme = b.scheme;
        this.patterns = b.patterns == null ? null : List.copyOf(b.patterns);
        this.lambdas = Map.copyOf(b.lambdas);
        this.rule = b.rule;
        this.group = b.group;
        this.groupLambda = b.groupLambda;
        this.engineOps = b.engineOps;
    }

    /** A builder; the learning-rate tracker, the penalty, lambda and beta must be set. */
    public static Builder builder() {
        return new Builder();
    }

    // ------------------------------------------------------------------------------------------------
    // binding

    /**
     * Binds the optimizer to the block it will train (its parameters must be initialised) and checks
     * the choices against it: every sparsify pattern must match a weight parameter, every key of the
     * lambda map must name a sparsified one. Idempotent for the same block.
     *
     * @throws IllegalArgumentException one line naming what does not fit, and the parameter names
     * @throws IllegalStateException    when bound to another block already
     */
    public void validate(Block block) {
        if (bound == block) {
            return;
        }
        if (bound != null) {
            throw new IllegalStateException("RvsmOptimizer is bound to another block already; use one optimizer per block");
        }
        bind(block);
    }

    /** Remembers the block to bind at the first update (its parameters may not be initialised yet). */
    void bindLater(Block block) {
        if (bound == null) {
            pending = block;
        }
    }

    private void bind(Block block) {
        List<Pair<String, Parameter>> params = block.getParameters().stream().toList();
        List<String> allNames = params.stream().map(Pair::getKey).toList();
        List<Pair<String, Parameter>> weights = params.stream()
                .filter(p -> p.getValue().getType() == Parameter.Type.WEIGHT).toList();
        for (Pair<String, Parameter> p : params) {
            if (!p.getValue().isInitialized()) {
                throw new IllegalStateException("RvsmOptimizer.validate: parameter " + p.getKey()
                        + " is not initialised yet; initialise the block (trainer.initialize) first");
            }
        }
        List<String> selected = new ArrayList<>();
        if (patterns == null) {
            for (Pair<String, Parameter> p : weights) {
                if (p.getValue().getArray().getShape().dimension() >= 2) {
                    selected.add(p.getKey());
                }
            }
        } else {
            for (String regex : patterns) {
                Pattern pattern = Pattern.compile(regex);
                List<String> hits = weights.stream().map(Pair::getKey).filter(n -> pattern.matcher(n).matches()).toList();
                if (hits.isEmpty()) {
                    throw new IllegalArgumentException("sparsify pattern '" + regex + "' matches no weight parameter; "
                            + "the block's parameters are " + allNames);
                }
                hits.stream().filter(n -> !selected.contains(n)).forEach(selected::add);
            }
        }
        for (String name : lambdas.keySet()) {
            if (!selected.contains(name)) {
                throw new IllegalArgumentException("lambda given for '" + name + "', which is not a sparsified "
                        + "parameter; the sparsified parameters are " + selected + " (all: " + allNames + ")");
            }
        }
        Map<String, Double> perTensor = lambdas(params, selected);
        String lastWeight = weights.isEmpty() ? null : weights.get(weights.size() - 1).getKey();
        List<TensorState> states = new ArrayList<>();
        for (Pair<String, Parameter> p : params) {
            Parameter parameter = p.getValue();
            long[] shape = parameter.getArray().getShape().getShape();
            boolean chosen = selected.contains(p.getKey());
            boolean split = chosen && scheme == Scheme.SPLIT;
            int groupSize = split ? groupSize(shape, p.getKey().equals(lastWeight)) : 0;
            states.add(new TensorState(parameter.getId(), p.getKey(), parameter, shape, chosen,
                    chosen ? perTensor.get(p.getKey()) : 0.0, groupSize, split, chosen && scheme == Scheme.PROXIMAL));
        }
        for (TensorState s : states) {
            byId.put(s.id, s);
        }
        tensors.addAll(states);
        bound = block;
        pending = null;
    }

    /** Entries per group of a split tensor under the group choice; 0 where it has no groups. */
    private int groupSize(long[] shape, boolean last) {
        if ((group == Group.NEURON && shape.length == 2 && !last) || (group == Group.FILTER && shape.length == 4)) {
            return (int) (Arrays.stream(shape).reduce(1, (a, b) -> a * b) / shape[0]);
        }
        return 0;
    }

    /** Lambda of each sparsified tensor: the explicit map first, then the rule. */
    private Map<String, Double> lambdas(List<Pair<String, Parameter>> params, List<String> selected) {
        Map<String, Double> scale = new HashMap<>();
        for (Pair<String, Parameter> p : params) {
            if (selected.contains(p.getKey())) {
                NDArray a = p.getValue().getArray();
                scale.put(p.getKey(), switch (rule) {
                    case UNIFORM -> 1.0;
                    case SIZE -> (double) a.size();
                    case SQRT_SIZE -> Math.sqrt(a.size());
                    case INITIAL_STD -> std(a.toFloatArray());
                });
            }
        }
        double mean = scale.values().stream().mapToDouble(Double::doubleValue).average().orElse(1.0);
        if (!(mean > 0) || Double.isInfinite(mean)) {
            throw new IllegalArgumentException("lambda rule " + rule + ": the mean scale of the sparsified tensors is "
                    + mean + ", expected finite and > 0");
        }
        Map<String, Double> out = new HashMap<>();
        for (String name : selected) {
            double r = scale.get(name) / mean;
            double l = switch (rule) {
                case UNIFORM -> lambda;
                case SIZE, SQRT_SIZE -> lambda * r;
                case INITIAL_STD -> beta * penalty.muForThreshold(penalty.threshold(lambda / beta) * r);
            };
            out.put(name, lambdas.getOrDefault(name, l));
        }
        return out;
    }

    /** Standard deviation of the entries, in double. */
    private static double std(float[] x) {
        double mean = 0;
        for (float v : x) {
            mean += v;
        }
        mean /= x.length;
        double ss = 0;
        for (float v : x) {
            ss += (v - mean) * (v - mean);
        }
        return Math.sqrt(ss / x.length);
    }

    private TensorState stateOf(String parameterId) {
        if (bound == null && pending != null) {
            bind(pending);
        }
        if (bound == null) {
            throw new IllegalStateException("RvsmOptimizer does not know the block it trains: call optimizer.validate(block) "
                    + "after initialising it, or add a SparsityListener to the training config");
        }
        TensorState s = byId.get(parameterId);
        if (s == null) {
            throw new IllegalStateException("RvsmOptimizer: parameter id " + parameterId
                    + " is not a parameter of the block it was bound to");
        }
        return s;
    }

    private void requireBound() {
        if (bound == null && pending != null) {
            bind(pending);
        }
        if (bound == null) {
            throw new IllegalStateException("RvsmOptimizer is not bound to a block yet: call optimizer.validate(block)");
        }
    }

    // ------------------------------------------------------------------------------------------------
    // the update

    /** {@inheritDoc} The fused RVSM step (or the scheme's) of one tensor; also zeroes weight's gradient. */
    @Override
    public void update(String parameterId, NDArray weight, NDArray grad) {
        TensorState s = stateOf(parameterId);
        float lr = learningRate.getNewValue(parameterId, s.steps + 1);
        if (s.fast == null) {
            s.fast = !engineOps && weight.getDevice().getDeviceType().equals(ai.djl.Device.Type.CPU) && weight.getDataType() == DataType.FLOAT32;
        }
        s.steps++;
        if (s.fast) {
            fastUpdate(s, weight, grad, lr);
        } else {
            engineUpdate(s, weight, grad, lr);
        }
    }

    private void fastUpdate(TensorState s, NDArray weight, NDArray grad, float lr) {
        int n = s.size;
        if (s.w == null) {
            s.w = new float[n];
            s.g = new float[n];
            s.u = s.groupSize > 0 ? new float[n] : null;
            s.work = (s.split || s.proximal) && penalty instanceof TransformedL1 ? new SplitSgd.Workspace(n) : null;
        }
        FloatBuffer wView = EngineMemory.view(weight, n);
        wView.get(0, s.w);
        EngineMemory.view(grad, n).get(0, s.g);
        if (weight.hasGradient()) { // PyTorch accumulates gradients: the optimizer zeroes them (as DJL's do)
            try (NDArray engineG = weight.getGradient()) {
                EngineMemory.view(engineG, n).put(0, zeros(n), 0, n);
            }
        }
        preprocess(s.w, s.g);
        float m = momentum;
        if (s.split && s.groupSize > 0) { // sparse-group: u computed here, then the split step
            sparseCopy(s, s.w, s.u);
            SplitSgd.splitStep(s.w, s.g, s.velocity, s.u, (float) beta, m, lr);
        } else if (s.split) {
            SplitSgd.rvsmStep(s.w, s.g, s.velocity, penalty, s.lambda, beta, m, lr, s.work);
        } else {
            SplitSgd.momentumStep(s.w, s.g, s.velocity, s.mask, m, lr);
            if (s.proximal) {
                SplitSgd.prox(penalty, s.w, s.w, lr * s.lambda, s.work);
            }
        }
        if (s.steps % FLUSH_EVERY == 0) {
            SplitSgd.flushTiny(s.w);
            SplitSgd.flushTiny(s.velocity);
        }
        wView.put(0, s.w);
    }

    /** DJL's gradient options, in its order: g = clip(rescale g) + weightDecay w; nothing for the defaults. */
    private void preprocess(float[] w, float[] g) {
        float wd = getWeightDecay();
        if (rescaleGrad == 1.0f && clipGrad < 0 && wd == 0.0f) {
            return;
        }
        for (int i = 0; i < g.length; i++) {
            float x = rescaleGrad * g[i];
            if (clipGrad >= 0) {
                x = Math.max(-clipGrad, Math.min(x, clipGrad));
            }
            g[i] = x + wd * w[i];
        }
    }

    private float[] zeros(int n) {
        if (zeros.length < n) {
            zeros = new float[n];
        }
        return zeros;
    }

    /** The same step as engine NDArray operations, for any device. */
    private void engineUpdate(TensorState s, NDArray weight, NDArray grad, float lr) {
        if (s.engineVelocity == null) {
            s.engineVelocity = toEngine(weight, s.velocity);
            s.engineMask = s.mask == null ? null : toEngine(weight, s.mask);
        }
        try (NDScope scope = new NDScope()) {
            NDArray g = grad;
            float wd = getWeightDecay();
            if (rescaleGrad != 1.0f || clipGrad >= 0 || wd != 0.0f) {
                g = g.mul(rescaleGrad);
                if (clipGrad >= 0) {
                    g = g.clip(-clipGrad, clipGrad);
                }
                g = g.add(weight.mul(wd));
            }
            NDArray v = s.engineVelocity;
            if (s.split) {
                NDArray split = engineSplit(s, weight); // w - u
                v.muli(momentum).addi(g.add(split.mul((float) beta)));
                weight.subi(v.mul(lr));
            } else {
                v.muli(momentum).addi(g);
                weight.subi(v.mul(lr));
                if (s.engineMask != null) {
                    weight.muli(s.engineMask);
                    v.muli(s.engineMask);
                }
                if (s.proximal) {
                    float[] w = weight.toFloatArray();
                    SplitSgd.prox(penalty, w, w, lr * s.lambda, null);
                    setEngine(weight, w);
                }
            }
            if (s.steps % FLUSH_EVERY == 0) {
                weight.set(weight.abs().lt(SplitSgd.TINY), 0.0f);
                v.set(v.abs().lt(SplitSgd.TINY), 0.0f);
            }
            if (weight.hasGradient()) {
                NDArray engineG = weight.getGradient();
                engineG.set(new NDIndex("..."), 0.0f);
            }
        }
    }

    /** w - u of the split, on the engine: l1 and l0 in engine operations, Tl1 and groups through the core's operators. */
    private NDArray engineSplit(TensorState s, NDArray w) {
        double mu = s.lambda / beta;
        Penalty.checkMu(mu);
        if (s.groupSize > 0 || (mu > 0 && penalty instanceof TransformedL1)) {
            float[] host = w.toFloatArray();
            float[] u = new float[host.length];
            sparseCopy(s, host, u);
            return w.sub(w.getManager().create(u, w.getShape()).toDevice(w.getDevice(), false));
        }
        if (mu == 0.0) {
            return w.sub(w); // u = w
        }
        if (penalty instanceof L1) {
            float m = (float) mu;
            return w.clip(-m, m); // w - soft(w) = clamp(w, -mu, mu)
        }
        L0 l0 = (L0) penalty;
        float t = Float.intBitsToFloat(l0.floatThresholdBits(mu));
        return w.mul(w.abs().lte(t).toType(DataType.FLOAT32, false)); // w where hard thresholding drops it
    }

    private static NDArray toEngine(NDArray like, float[] values) {
        NDArray host = like.getManager().create(values, like.getShape());
        NDArray out = host.toDevice(like.getDevice(), false);
        if (out != host) {
            host.close();
        }
        out.detach(); // optimizer state: lives as long as the optimizer, like DJL's own (Optimizer.withDefaultState)
        return out;
    }

    /** Writes values into an engine tensor in place (its memory is kept). */
    private static void setEngine(NDArray target, float[] values) {
        if (target.getDevice().getDeviceType().equals(ai.djl.Device.Type.CPU) && target.getDataType() == DataType.FLOAT32) {
            try {
                EngineMemory.view(target, values.length).put(0, values);
                return;
            } catch (IllegalStateException notDirect) {
                // fall through to the engine copy
            }
        }
        try (NDArray src = target.getManager().create(values, target.getShape()).toDevice(target.getDevice(), false)) {
            target.set(new NDIndex("..."), src);
        }
    }

    /**
     * u = T(w) into u: the element-wise operator with this tensor's mu = lambda_i / beta, then the group
     * operator where the tensor has groups (sparse-group).
     */
    private void sparseCopy(TensorState s, float[] w, float[] u) {
        sparseCopy(s, w, u, s.lambda);
    }

    /** The same with the element-wise operator's lambda given (calibration tries several). */
    private void sparseCopy(TensorState s, float[] w, float[] u, double lambda) {
        SplitSgd.prox(penalty, w, u, lambda / beta, s.work);
        if (s.groupSize > 0) {
            GroupProx.prox(penalty, u, u, s.groupSize, groupLambda / beta);
        }
    }

    // ------------------------------------------------------------------------------------------------
    // the model's weights: w, u = T(w), phases

    /** w of a tensor (a copy), from the bound block's parameter. */
    private static float[] weights(TensorState s) {
        return s.parameter.getArray().toFloatArray();
    }

    /** The deployed weights of a tensor: u = T(w) where the split is active, else w (a new array either way). */
    private float[] deployed(TensorState s) {
        float[] w = weights(s);
        if (!s.split) {
            return w;
        }
        float[] u = new float[w.length];
        sparseCopy(s, w, u);
        return u;
    }

    /**
     * Puts u = T(w) into the model for every tensor whose split is active, until the returned handle is
     * closed, which puts w back bit for bit: {@code try (var swap = optimizer.useSparseWeights(block)) {
     * evaluate or export }}. The other parameters keep w.
     */
    public SparseWeights useSparseWeights(Block block) {
        validate(block);
        return new SparseWeights();
    }

    /** The handle of {@link #useSparseWeights}: closing it restores w. */
    public final class SparseWeights implements AutoCloseable {

        private final Map<TensorState, float[]> saved = new LinkedHashMap<>();

        private SparseWeights() {
            for (TensorState s : tensors) {
                if (s.split) {
                    float[] w = weights(s);
                    float[] u = new float[w.length];
                    sparseCopy(s, w, u);
                    saved.put(s, w);
                    setEngine(s.parameter.getArray(), u);
                }
            }
        }

        @Override
        public void close() {
            saved.forEach((s, w) -> setEngine(s.parameter.getArray(), w));
            saved.clear();
        }
    }

    /** The deployed model (u where the split is active, w elsewhere) as named tensors (copies), in model order. */
    public Map<String, Safetensors.Tensor> deployedTensors() {
        requireBound();
        Map<String, Safetensors.Tensor> out = new LinkedHashMap<>();
        for (TensorState s : tensors) {
            out.put(s.name, new Safetensors.Tensor(s.shape.clone(), deployed(s)));
        }
        return out;
    }

    /** Names of the sparsified tensors, in model order. */
    public List<String> sparsifiedNames() {
        requireBound();
        return tensors.stream().filter(s -> s.sparsified).map(s -> s.name).toList();
    }

    /** Names of all the block's parameters, in model order. */
    public List<String> parameterNames() {
        requireBound();
        return tensors.stream().map(s -> s.name).toList();
    }

    /** The lambda of a sparsified tensor (after the explicit map and the rule). */
    public double lambdaOf(String name) {
        TensorState s = named(name);
        if (!s.sparsified) {
            throw new IllegalArgumentException(name + " is not sparsified; the sparsified tensors are " + sparsifiedNames());
        }
        return s.lambda;
    }

    /** Updates done on a tensor. */
    public int stepsOf(String name) {
        return named(name).steps;
    }

    private TensorState named(String name) {
        requireBound();
        for (TensorState s : tensors) {
            if (s.name.equals(name)) {
                return s;
            }
        }
        throw new IllegalArgumentException("no parameter '" + name + "'; the parameters are " + parameterNames());
    }

    /** Per sparsified tensor, model order: name, shape, non-zeros of the deployed weights. */
    public List<LayerInfo> layers() {
        requireBound();
        List<LayerInfo> out = new ArrayList<>();
        for (TensorState s : tensors) {
            if (s.sparsified) {
                float[] values = deployed(s);
                long nonZeros = 0;
                for (float x : values) {
                    nonZeros += x != 0.0f ? 1 : 0;
                }
                out.add(new LayerInfo(s.name, s.shape.clone(), nonZeros));
            }
        }
        return out;
    }

    /** A parameter holding a NaN or an infinity: its name and the first such value. */
    public record NonFinite(String tensor, float value) {
    }

    /** The first parameter (model order) whose w holds a NaN or an infinity, or null if all are finite. */
    public NonFinite firstNonFinite() {
        requireBound();
        for (TensorState s : tensors) {
            float[] w = weights(s);
            int at = Vectors.firstNonFinite(w);
            if (at >= 0) {
                return new NonFinite(s.name, w[at]);
            }
        }
        return null;
    }

    /**
     * Magnitude pruning: zeroes the smallest |w| over all sparsified tensors together until the given
     * fraction of them is zero, and holds those zeros from then on (masks; their momentum reset).
     */
    public void pruneByMagnitude(double fraction) {
        requireBound();
        if (!(fraction >= 0 && fraction < 1)) {
            throw new IllegalArgumentException("prune fraction must be in [0, 1), got " + fraction);
        }
        int total = 0;
        for (TensorState s : tensors) {
            total += s.sparsified ? s.size : 0;
        }
        float[] magnitudes = new float[total];
        Map<TensorState, float[]> ws = new LinkedHashMap<>();
        int at = 0;
        for (TensorState s : tensors) {
            if (s.sparsified) {
                float[] w = weights(s);
                ws.put(s, w);
                for (float x : w) {
                    magnitudes[at++] = Math.abs(x);
                }
            }
        }
        Arrays.sort(magnitudes);
        int cut = (int) Math.floor(fraction * total);
        float threshold = cut == 0 ? -1.0f : magnitudes[cut - 1];
        ws.forEach((s, w) -> {
            float[] mask = new float[w.length];
            for (int j = 0; j < w.length; j++) {
                mask[j] = Math.abs(w[j]) > threshold ? 1.0f : 0.0f;
            }
            hold(s, w, mask);
        });
    }

    /**
     * RVSM's debiasing phase: for every tensor whose split is active, the support of u is frozen as a
     * mask, w is set to u, and the kept weights train by the masked momentum step (the split dropped).
     */
    public void freezeSupport() {
        requireBound();
        for (TensorState s : tensors) {
            if (s.split) {
                float[] u = deployed(s);
                float[] mask = new float[u.length];
                for (int j = 0; j < u.length; j++) {
                    mask[j] = u[j] != 0.0f ? 1.0f : 0.0f;
                }
                s.split = false;
                hold(s, u, mask);
            }
        }
    }

    /** True while some tensor holds a mask (pruned, or in the debiasing phase). */
    public boolean holdsMasks() {
        requireBound();
        return tensors.stream().anyMatch(s -> s.mask != null);
    }

    /** From now on the tensor keeps the mask's zeros: w (given, then masked), v and the engine's w. */
    private void hold(TensorState s, float[] w, float[] mask) {
        float[] v = velocity(s);
        for (int j = 0; j < mask.length; j++) {
            w[j] *= mask[j];
            v[j] *= mask[j];
        }
        setEngine(s.parameter.getArray(), w);
        setVelocity(s, v);
        setMask(s, mask);
    }

    private static float[] velocity(TensorState s) {
        return s.engineVelocity != null ? s.engineVelocity.toFloatArray() : s.velocity.clone();
    }

    private static void setVelocity(TensorState s, float[] v) {
        if (s.engineVelocity != null) {
            setEngine(s.engineVelocity, v);
        } else {
            System.arraycopy(v, 0, s.velocity, 0, v.length);
        }
    }

    private static void setMask(TensorState s, float[] mask) {
        s.mask = mask;
        if (s.engineVelocity != null) {
            if (s.engineMask != null) {
                s.engineMask.close();
            }
            s.engineMask = mask == null ? null : toEngine(s.engineVelocity, mask);
        }
    }

    // ------------------------------------------------------------------------------------------------
    // schedules: beta continuation, lambda for a target sparsity

    /** The splitting weight beta now. */
    public double beta() {
        return beta;
    }

    /**
     * Beta continuation: sets beta and every tensor's lambda_i (and the group lambda) in proportion, so
     * that each threshold parameter mu_i = lambda_i / beta, and with it u = T(w), stays as it was; only the pull
     * beta (w - u) of w toward u changes (docs/math.md section 6).
     */
    public void setBeta(double newBeta) {
        if (!(newBeta > 0) || Double.isInfinite(newBeta)) {
            throw new IllegalArgumentException("beta must be finite and > 0, got " + newBeta);
        }
        double factor = newBeta / beta;
        scaleLambdas(factor);
        groupLambda *= factor;
        beta = newBeta;
    }

    /** Multiplies every sparsified tensor's lambda by factor > 0 (the per-tensor ratios are kept). */
    public void scaleLambdas(double factor) {
        if (!(factor > 0) || Double.isInfinite(factor)) {
            throw new IllegalArgumentException("lambda factor must be finite and > 0, got " + factor);
        }
        requireBound();
        for (TensorState s : tensors) {
            s.lambda *= factor;
        }
    }

    /** Fraction of exact zeros in u = T(w) (w where the split is not active) over all sparsified tensors. */
    public double sparsity() {
        return LayerInfo.overallSparsity(layers());
    }

    /**
     * Target-sparsity calibration: scales every split tensor's lambda by one factor, the smallest (to
     * a relative 1e-6) for which u = T(w) of the current w has at least {@code target} of its entries
     * exactly zero over all split tensors; the per-tensor ratios of lambda (the rule's) are kept. The
     * zeros are counted through the operator itself, so what is reached is what u deploys. A bisection
     * in log(factor); deterministic. Needs lambda > 0 on every split tensor.
     *
     * @return the factor applied
     * @throws IllegalArgumentException when target is not in [0, 1)
     * @throws IllegalStateException    when no split tensor is active or one has lambda 0
     */
    public double calibrateLambdas(double target) {
        if (!(target >= 0 && target < 1)) {
            throw new IllegalArgumentException("target sparsity must be in [0, 1), got " + target);
        }
        requireBound();
        List<TensorState> split = tensors.stream().filter(s -> s.split).toList();
        if (split.isEmpty()) {
            throw new IllegalStateException("no split tensor to calibrate (scheme " + scheme + ")");
        }
        List<float[]> ws = new ArrayList<>();
        List<float[]> us = new ArrayList<>();
        long total = 0;
        for (TensorState s : split) {
            if (!(s.lambda > 0)) {
                throw new IllegalStateException("target sparsity needs lambda > 0; " + s.name + " has " + s.lambda);
            }
            ws.add(weights(s));
            us.add(new float[s.size]);
            total += s.size;
        }
        long wanted = (long) Math.ceil(target * total);
        double lo = 1.0;
        double hi = 1.0;
        // bracket: zeros(lo) < wanted <= zeros(hi); lambda 0 gives no zeros from a non-zero w
        while (zerosAt(split, ws, us, hi) < wanted && hi < 1e30) {
            hi *= 2;
        }
        while (lo > 1e-30 && zerosAt(split, ws, us, lo) >= wanted) {
            lo /= 2;
        }
        while (hi / lo > 1 + 1e-6) {
            double mid = Math.sqrt(lo * hi);
            if (zerosAt(split, ws, us, mid) >= wanted) {
                hi = mid;
            } else {
                lo = mid;
            }
        }
        for (TensorState s : split) {
            s.lambda *= hi;
        }
        return hi;
    }

    /** Zeros of u over the split tensors with every lambda_i scaled by factor. */
    private long zerosAt(List<TensorState> split, List<float[]> ws, List<float[]> us, double factor) {
        long zeros = 0;
        for (int i = 0; i < split.size(); i++) {
            TensorState s = split.get(i);
            float[] w = ws.get(i);
            float[] u = us.get(i);
            sparseCopy(s, w, u, s.lambda * factor);
            for (int j = 0; j < w.length; j++) {
                zeros += u[j] == 0.0f ? 1 : 0;
            }
        }
        return zeros;
    }

    // ------------------------------------------------------------------------------------------------
    // state

    /**
     * Adds the optimizer's state to a checkpoint's tensors and metadata: {@code v/P} (velocity) and,
     * while a mask is held, {@code m/P} for every parameter P; metadata {@code steps/P} (updates done)
     * and {@code rvsm_optimizer} = {@value #STATE_FORMAT}. u is not stored (it is T(w)); w belongs to
     * the model. tensors, metadata: modified.
     */
    public void writeState(Map<String, Safetensors.Tensor> tensors, Map<String, String> metadata) {
        requireBound();
        metadata.put("rvsm_optimizer", STATE_FORMAT);
        for (TensorState s : this.tensors) {
            tensors.put("v/" + s.name, new Safetensors.Tensor(s.shape.clone(), velocity(s)));
            if (s.mask != null) {
                tensors.put("m/" + s.name, new Safetensors.Tensor(s.shape.clone(), s.mask.clone()));
            }
            metadata.put("steps/" + s.name, Integer.toString(s.steps));
            if (s.sparsified) {
                metadata.put("lambda/" + s.name, Double.toString(s.lambda));
            }
        }
        metadata.put("beta", Double.toString(beta));
        metadata.put("group_lambda", Double.toString(groupLambda));
    }

    /**
     * Restores a state written by {@link #writeState} for the same block and settings. A tensor with a
     * mask was saved in a masked phase: pruned, or RVSM's debiasing (its split dropped).
     *
     * @throws IOException naming the missing or malformed entry
     */
    public void readState(Safetensors.Contents state) throws IOException {
        requireBound();
        if (!STATE_FORMAT.equals(state.metadata().get("rvsm_optimizer"))) {
            throw new IOException("not an RvsmOptimizer state of format " + STATE_FORMAT + " (rvsm_optimizer is "
                    + state.metadata().get("rvsm_optimizer") + ")");
        }
        double betaNow = state.metadata().containsKey("beta") ? metadataNumber(state, "beta", false) : beta;
        double groupNow = state.metadata().containsKey("group_lambda") ? metadataNumber(state, "group_lambda", true)
                : groupLambda;
        for (TensorState s : tensors) {
            float[] v = tensor(state, "v/" + s.name, s.shape);
            String steps = state.metadata().get("steps/" + s.name);
            int n;
            try {
                n = Integer.parseInt(String.valueOf(steps));
            } catch (NumberFormatException e) {
                throw new IOException("steps/" + s.name + " must be a whole number, got " + steps);
            }
            if (n < 0) {
                throw new IOException("steps/" + s.name + " must be >= 0, got " + n);
            }
            float[] mask = state.tensors().containsKey("m/" + s.name) ? tensor(state, "m/" + s.name, s.shape) : null;
            double lambdaNow = s.lambda;
            if (s.sparsified && state.metadata().containsKey("lambda/" + s.name)) {
                lambdaNow = metadataNumber(state, "lambda/" + s.name, true);
            }
            setVelocity(s, v);
            setMask(s, mask);
            s.steps = n;
            s.lambda = lambdaNow;
            if (mask != null) {
                s.split = false;
            }
        }
        beta = betaNow;
        groupLambda = groupNow;
    }

    /** A finite number >= 0 (zeroAllowed) or > 0 in the state's metadata, else an IOException naming it. */
    private static double metadataNumber(Safetensors.Contents state, String key, boolean zeroAllowed) throws IOException {
        String text = state.metadata().get(key);
        double x;
        try {
            x = Double.parseDouble(String.valueOf(text));
        } catch (NumberFormatException e) {
            throw new IOException(key + " must be a number, got " + text);
        }
        if (!Double.isFinite(x) || (zeroAllowed ? x < 0 : x <= 0)) {
            throw new IOException(key + " must be finite and " + (zeroAllowed ? ">= 0" : "> 0") + ", got " + text);
        }
        return x;
    }

    private static float[] tensor(Safetensors.Contents state, String name, long[] shape) throws IOException {
        Safetensors.Tensor t = state.tensors().get(name);
        if (t == null || t.data() == null || !Arrays.equals(t.shape(), shape)) {
            throw new IOException("state has no float tensor " + name + " of shape " + Arrays.toString(shape));
        }
        return t.data().clone();
    }

    /** Writes the state ({@link #writeState}) to a safetensors file, atomically. */
    public void saveState(Path file) throws IOException {
        Map<String, Safetensors.Tensor> t = new LinkedHashMap<>();
        Map<String, String> m = new LinkedHashMap<>();
        writeState(t, m);
        Safetensors.write(file, t, m);
    }

    /** Loads a state saved by {@link #saveState} into this (bound) optimizer. */
    public void loadState(Path file) throws IOException {
        readState(Safetensors.read(file));
    }

    // ------------------------------------------------------------------------------------------------

    /** The builder of an {@link RvsmOptimizer}, in the manner of DJL's {@code Sgd.Builder}. */
    public static final class Builder extends OptimizerBuilder<Builder> {

        private ParameterTracker learningRate;
        private float momentum;
        private Penalty penalty;
        private double lambda = Double.NaN;
        private double beta = Double.NaN;
        private Scheme scheme = Scheme.SPLIT;
        private List<String> patterns;
        private Map<String, Double> lambdas = Map.of();
        private LambdaRule rule = LambdaRule.UNIFORM;
        private Group group = Group.NONE;
        private double groupLambda;
        private boolean engineOps;

        private Builder() {
        }

        @Override
        protected Builder self() {
            return this;
        }

        /** The learning rate (required), e.g. {@code Tracker.fixed(0.05f)}. */
        public Builder setLearningRateTracker(ParameterTracker tracker) {
            this.learningRate = tracker;
            return this;
        }

        /** SGD momentum m in [0, 1); default 0. */
        public Builder optMomentum(float momentum) {
            this.momentum = momentum;
            return this;
        }

        /** The penalty P whose operator makes u (required): l1, l0 or Tl1. */
        public Builder setPenalty(Penalty penalty) {
            this.penalty = penalty;
            return this;
        }

        /** The penalty weight lambda >= 0 (required). */
        public Builder setLambda(double lambda) {
            this.lambda = lambda;
            return this;
        }

        /** The splitting weight beta > 0 (required); u = T_{lambda/beta}(w). */
        public Builder setBeta(double beta) {
            this.beta = beta;
            return this;
        }

        /** The sparsified tensors' update; default {@link Scheme#SPLIT} (RVSM). */
        public Builder optScheme(Scheme scheme) {
            this.scheme = scheme;
            return this;
        }

        /**
         * Sparsify only the WEIGHT parameters whose whole name matches one of these regular expressions
         * (each must match at least one; checked when bound). Default: every WEIGHT of rank >= 2.
         */
        public Builder optSparsify(String... regexes) {
            for (String r : regexes) {
                try {
                    Pattern.compile(r);
                } catch (PatternSyntaxException e) {
                    throw new IllegalArgumentException("sparsify pattern '" + r + "' is not a regular expression: "
                            + e.getDescription());
                }
            }
            this.patterns = List.of(regexes);
            return this;
        }

        /** Sparsify nothing: plain SGD with momentum on every parameter (the dense baseline). */
        public Builder optSparsifyNone() {
            this.patterns = List.of();
            return this;
        }

        /** Lambda per sparsified tensor by name (overrides the rule for those tensors); checked when bound. */
        public Builder optLambdas(Map<String, Double> lambdas) {
            for (Map.Entry<String, Double> e : lambdas.entrySet()) {
                checkLambda("lambda of " + e.getKey(), e.getValue());
            }
            this.lambdas = Map.copyOf(lambdas);
            return this;
        }

        /** How lambda is chosen per tensor where the map does not name it; default {@link LambdaRule#UNIFORM}. */
        public Builder optLambdaRule(LambdaRule rule) {
            this.rule = rule;
            return this;
        }

        /** Structured sparsity of u (scheme SPLIT only) with the group penalty's weight, > 0. */
        public Builder optGroup(Group group, double groupLambda) {
            this.group = group;
            this.groupLambda = groupLambda;
            return this;
        }

        /** Run the update as engine NDArray operations even on the CPU (the path used on other devices). */
        public Builder optEngineOps(boolean engineOps) {
            this.engineOps = engineOps;
            return this;
        }

        /**
         * Builds the optimizer.
         *
         * @throws IllegalArgumentException one line naming the missing or bad setting and its value
         */
        public RvsmOptimizer build() {
            if (learningRate == null) {
                throw new IllegalArgumentException("RvsmOptimizer needs a learning rate: setLearningRateTracker");
            }
            if (penalty == null) {
                throw new IllegalArgumentException("RvsmOptimizer needs a penalty: setPenalty");
            }
            checkLambda("lambda", lambda);
            if (!(beta > 0) || Double.isInfinite(beta)) {
                throw new IllegalArgumentException("beta must be finite and > 0, got " + beta);
            }
            if (!(momentum >= 0 && momentum < 1)) {
                throw new IllegalArgumentException("momentum must be in [0, 1), got " + momentum);
            }
            if (scheme == null || rule == null || group == null) {
                throw new IllegalArgumentException("scheme, lambda rule and group must not be null");
            }
            if (group != Group.NONE) {
                if (scheme != Scheme.SPLIT) {
                    throw new IllegalArgumentException("group " + group.label() + " needs scheme SPLIT, got " + scheme);
                }
                if (!(groupLambda > 0) || Double.isInfinite(groupLambda)) {
                    throw new IllegalArgumentException("group lambda must be finite and > 0, got " + groupLambda);
                }
            }
            return new RvsmOptimizer(this);
        }

        private static void checkLambda(String what, Double value) {
            if (value == null || !(value >= 0) || Double.isInfinite(value)) {
                throw new IllegalArgumentException(what + " must be finite and >= 0, got " + value);
            }
        }
    }
}
