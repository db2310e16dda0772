package org.rvsm.nn.train;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.Trainer;
import ai.djl.training.dataset.Batch;
import ai.djl.training.initializer.XavierInitializer;
import ai.djl.training.loss.Loss;
import ai.djl.training.tracker.Tracker;
import ai.djl.translate.TranslateException;
import ai.djl.util.Pair;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.rvsm.nn.data.ImageDataset;
import org.rvsm.nn.data.ShuffledBatches;
import org.rvsm.nn.model.Models;
import org.rvsm.nn.optim.EngineMemory;
import org.rvsm.nn.optim.LayerInfo;
import org.rvsm.nn.optim.RvsmOptimizer;
import org.rvsm.runtime.ImageSpec;
import org.rvsm.runtime.Safetensors;
import org.rvsm.schedule.BetaSchedule;
import org.rvsm.schedule.GradualPruning;

/**
 * {@code rvsm train}'s training of a model of the zoo with RVSM or a baseline (docs/math.md section
 * 5), built on DJL's {@link Trainer} with an {@link RvsmOptimizer}: each minibatch is forward and
 * backward on the engine, then {@code trainer.step()}, in which the optimizer takes the fused step of
 * every parameter. The method chooses the optimizer's scheme: rvsm splits (u = T(w)), proximal takes
 * proximal SGD steps, dense sparsifies nothing, prune trains densely and prunes by magnitude at
 * {@link TrainConfig#pruneEpoch()}, gradual prunes by Zhu and Gupta's schedule up to it; rvsm with
 * fine-tune epochs freezes u's support there (debiasing). rvsm's levers ({@link TrainConfig.Levers}):
 * the lambda rule goes to the optimizer; beta continuation sets beta at the start of each split epoch;
 * target-sparsity mode calibrates lambda at the end of each split epoch (or of the last one), before
 * the evaluation.
 *
 * <p>The loop is {@code EasyTrain.fit}'s (forward with labels, the trainer's loss, backward, step)
 * over {@link ShuffledBatches}, so a user's {@code EasyTrain.fit} with the same optimizer settings,
 * initial weights and data order gives the same bits (tested). It also reads each minibatch's loss:
 * a non-finite loss or weight is a {@link DivergedException}.
 *
 * <p>A checkpoint ({@link #saveState}) holds w of every parameter and the optimizer's state, so a
 * resumed run continues exactly. Not thread-safe; one trainer per run. Close it to free the engine
 * memory.
 */
public final class SparseTrainer implements AutoCloseable {

    /** The checkpoint format this version writes and reads (metadata key {@code format}). */
    public static final String CHECKPOINT_FORMAT = "rvsm-checkpoint/2";

    private final TrainConfig config;
    private final Model model;
    private final SequentialBlock block;
    private final RvsmOptimizer optimizer;
    private final Trainer trainer;
    private final ParameterStore evaluationStore;
    private final EpochRate rate;
    private final BetaSchedule betaSchedule; // null: constant beta
    private long stepNanos; // time in trainer.step() during the current or last epoch

    /** The learning rate of the epoch being trained ({@link TrainConfig#learningRate}). */
    private static final class EpochRate implements Tracker {
        private volatile int epoch;

        @Override
        public float getNewValue(int numUpdate) {
            return (float) config.learningRate(epoch);
        }

        private final TrainConfig config;

        EpochRate(TrainConfig config) {
            this.config = config;
        }
    }

    /**
     * Builds the model for Fashion-MNIST's images (1 x 28 x 28, 10 classes; Xavier weights from the
     * engine's generator seeded with the config's seed), the optimizer and the trainer.
     *
     * @throws IllegalArgumentException when config.sparsify() names a tensor the model does not have
     */
    public SparseTrainer(TrainConfig config) {
        this(config, ImageSpec.LEGACY);
    }

    /**
     * The same, for a model of the given images and classes.
     *
     * @throws IllegalArgumentException also when the model cannot take them ({@link Models#check})
     */
    public SparseTrainer(TrainConfig config, ImageSpec input) {
        this.config = config;
        this.block = Models.build(config.model(), input);
        Engine.getInstance().setRandomSeed((int) (config.seed() ^ (config.seed() >>> 32)));
        block.setInitializer(new XavierInitializer(), Parameter.Type.WEIGHT);
        this.model = Model.newInstance(config.model(), Device.cpu());
        try {
            model.setBlock(block);
            block.initialize(model.getNDManager(), DataType.FLOAT32, new Shape(1, input.size()));
            List<String> weightNames = new ArrayList<>();
            for (Pair<String, Parameter> p : block.getParameters()) {
                if (p.getValue().getType() == Parameter.Type.WEIGHT) {
                    weightNames.add(p.getKey());
                }
            }
            for (String name : config.sparsify()) {
                if (!weightNames.contains(name)) {
                    throw new IllegalArgumentException("sparsify: " + config.model() + " has no weight tensor '" + name
                            + "'; its weight tensors are " + weightNames);
                }
            }
            this.rate = new EpochRate(config);
            TrainConfig.Levers levers = config.levers();
            this.betaSchedule = levers.betaGrowth() > 1 ? new BetaSchedule(config.beta(), levers.betaGrowth(),
                    levers.betaMax() > 0 ? levers.betaMax() : Double.MAX_VALUE) : null;
            this.optimizer = optimizer(config, rate);
            this.trainer = model.newTrainer(new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss())
                    .optOptimizer(optimizer).optDevices(new Device[] {Device.cpu()}));
            optimizer.validate(block);
            this.evaluationStore = new ParameterStore(model.getNDManager(), false);
        } catch (RuntimeException e) {
            model.close();
            throw e;
        }
    }

    /** The optimizer of a configuration: the method's scheme, its tensors, penalty and group. */
    static RvsmOptimizer optimizer(TrainConfig config, Tracker learningRate) {
        RvsmOptimizer.Builder b = RvsmOptimizer.builder().setLearningRateTracker(learningRate)
                .optMomentum((float) config.momentum()).setPenalty(config.penalty()).setLambda(config.lambda())
                .setBeta(config.beta()).optGroup(config.group(), config.groupLambda());
        switch (config.method()) {
            case RVSM -> b.optScheme(RvsmOptimizer.Scheme.SPLIT);
            case PROXIMAL -> b.optScheme(RvsmOptimizer.Scheme.PROXIMAL);
            case PRUNE, GRADUAL -> b.optScheme(RvsmOptimizer.Scheme.MOMENTUM);
            case DENSE -> b.optScheme(RvsmOptimizer.Scheme.MOMENTUM).optSparsifyNone();
        }
        b.optLambdaRule(config.levers().lambdaRule()).optLambdas(config.levers().layerLambdas());
        if (!config.sparsify().isEmpty() && config.method() != TrainConfig.Method.DENSE) {
            b.optSparsify(config.sparsify().stream().map(Pattern::quote).toArray(String[]::new));
        }
        return b.build();
    }

    /** The optimizer (its state: velocity, steps, masks; u through it). */
    public RvsmOptimizer optimizer() {
        return optimizer;
    }

    /** Names of the sparsified weight tensors, in model order. */
    public List<String> sparsifiedNames() {
        return optimizer.sparsifiedNames();
    }

    /**
     * One epoch (0-based) over the training set, then the evaluation on the test set.
     *
     * @throws DivergedException when a minibatch's loss, or a weight at the end of the epoch, is NaN or
     *                           infinite; the trainer's state is then not meaningful
     */
    public EpochRecord trainEpoch(int epoch, ImageDataset train, ImageDataset test, Runnable onBatch) {
        rate.epoch = epoch;
        boolean splitPhase = config.method() == TrainConfig.Method.RVSM && epoch < config.pruneEpoch();
        if (splitPhase && betaSchedule != null) {
            optimizer.setBeta(betaSchedule.at(epoch)); // keeps every mu; the same value again after a resume
        }
        if (epoch == config.pruneEpoch() && !optimizer.holdsMasks()) {
            if (config.method() == TrainConfig.Method.PRUNE) {
                optimizer.pruneByMagnitude(config.pruneSparsity());
            } else if (config.method() == TrainConfig.Method.RVSM && config.fineTuneEpochs() > 0) {
                optimizer.freezeSupport();
            }
        }
        ShuffledBatches batches = new ShuffledBatches(train, config.batch(), config.seed()).startingAt(epoch);
        long perEpoch = (train.count() + config.batch() - 1) / config.batch();
        GradualPruning gradual = config.method() == TrainConfig.Method.GRADUAL ? new GradualPruning(0.0,
                config.pruneSparsity(), perEpoch, config.pruneEpoch() * perEpoch, TrainConfig.GRADUAL_FREQUENCY) : null;
        double lossSum = 0.0;
        int done = 0;
        stepNanos = 0;
        long started = System.nanoTime();
        try {
            for (Batch batch : trainer.iterateDataset(batches)) {
                long step = epoch * perEpoch + done;
                if (gradual != null && gradual.prunesAt(step)) {
                    optimizer.pruneByMagnitude(gradual.sparsityAt(step));
                }
                try (batch) {
                    float batchLoss;
                    try (GradientCollector collector = trainer.newGradientCollector()) {
                        NDList labels = batch.getLabels();
                        NDList predictions = trainer.forward(batch.getData(), labels);
                        NDArray value = trainer.getLoss().evaluate(labels, predictions);
                        collector.backward(value);
                        batchLoss = value.getFloat();
                    }
                    if (!Float.isFinite(batchLoss)) {
                        throw diverged(epoch, done + 1, batchLoss);
                    }
                    lossSum += batchLoss;
                    long stepStarted = System.nanoTime();
                    trainer.step();
                    stepNanos += System.nanoTime() - stepStarted;
                }
                done++;
                if (onBatch != null) {
                    onBatch.run();
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (TranslateException e) {
            throw new IllegalStateException(e);
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        RvsmOptimizer.NonFinite last = optimizer.firstNonFinite();
        if (last != null) { // the last update made a weight non-finite; no later loss saw it
            throw new DivergedException(new Divergence(epoch + 1, done, last.tensor(), last.value()));
        }
        double target = splitPhase ? config.levers().targetAt(epoch, config.pruneEpoch()) : Double.NaN;
        if (!Double.isNaN(target)) {
            optimizer.calibrateLambdas(target);
        }
        double accuracyW = accuracy(test, false);
        double accuracyU = accuracy(test, true);
        List<LayerInfo> layers = optimizer.layers();
        return new EpochRecord(epoch + 1, lossSum / done, accuracyW, accuracyU, LayerInfo.overallSparsity(layers),
                layers.stream().map(LayerInfo::sparsity).toList(), seconds);
    }

    /** The divergence at a minibatch whose loss was not finite: the first non-finite weight, else the loss. */
    private DivergedException diverged(int epoch, int minibatch, float loss) {
        RvsmOptimizer.NonFinite d = optimizer.firstNonFinite();
        return new DivergedException(d != null ? new Divergence(epoch + 1, minibatch, d.tensor(), d.value())
                : new Divergence(epoch + 1, minibatch, "loss", loss));
    }

    /**
     * Seconds the last {@link #trainEpoch} spent in {@code trainer.step()} (the optimizer's updates,
     * with DJL's copy of each gradient), part of its training time: the rest is the engine's forward
     * and backward passes, which are the same for every method.
     */
    public double lastEpochStepSeconds() {
        return stepNanos / 1e9;
    }

    /** Magnitude pruning now (see {@link RvsmOptimizer#pruneByMagnitude}). */
    public void pruneByMagnitude(double fraction) {
        optimizer.pruneByMagnitude(fraction);
    }

    /** Test accuracy of the w-network, or of the u-network (u put into the engine, then w restored). */
    public double accuracy(ImageDataset data, boolean useSparse) {
        if (!useSparse) {
            return Evaluator.accuracy(block, evaluationStore, model.getNDManager(), data);
        }
        try (RvsmOptimizer.SparseWeights swap = optimizer.useSparseWeights(block)) {
            return Evaluator.accuracy(block, evaluationStore, model.getNDManager(), data);
        }
    }

    /** Fraction of exact zeros in the deployed weights of each sparsified layer. */
    public List<Double> layerSparsity() {
        return optimizer.layers().stream().map(LayerInfo::sparsity).toList();
    }

    /** Fraction of exact zeros over all sparsified weights (0 for dense training). */
    public double overallSparsity() {
        return optimizer.sparsity();
    }

    /** Per sparsified layer: name, shape, non-zeros. */
    public List<LayerInfo> layers() {
        return optimizer.layers();
    }

    /** The deployed model (u for sparsified tensors, w for the rest) as named tensors (copies). */
    public Map<String, Safetensors.Tensor> deployedTensors() {
        return optimizer.deployedTensors();
    }

    /** w of every parameter (copies), in model order. */
    public Map<String, float[]> weights() {
        Map<String, float[]> out = new LinkedHashMap<>();
        for (Pair<String, Parameter> p : block.getParameters()) {
            out.put(p.getKey(), p.getValue().getArray().toFloatArray());
        }
        return out;
    }

    /**
     * Everything needed to resume: w of every parameter ({@code w/P}) and the optimizer's state (v, masks,
     * step counts; {@link RvsmOptimizer#writeState}), with the metadata given and {@code format} =
     * {@value #CHECKPOINT_FORMAT}. u = T(w) follows from w.
     */
    public void saveState(Path file, Map<String, String> metadata) throws IOException {
        Map<String, Safetensors.Tensor> out = new LinkedHashMap<>();
        for (Pair<String, Parameter> p : block.getParameters()) {
            NDArray w = p.getValue().getArray();
            out.put("w/" + p.getKey(), new Safetensors.Tensor(w.getShape().getShape(), w.toFloatArray()));
        }
        Map<String, String> meta = new LinkedHashMap<>(metadata);
        meta.put("format", CHECKPOINT_FORMAT);
        optimizer.writeState(out, meta);
        Safetensors.write(file, out, meta);
    }

    /**
     * Restores a state written by {@link #saveState} for the same configuration.
     *
     * @throws IOException with one line when the checkpoint is of another format (an older rvsm's) or
     *                     lacks a tensor or an entry
     */
    public void loadState(Safetensors.Contents state) throws IOException {
        String format = state.metadata().get("format");
        if (!CHECKPOINT_FORMAT.equals(format)) {
            throw new IOException("checkpoint format " + (format == null ? "1 (an older rvsm's)" : format)
                    + "; this version resumes " + CHECKPOINT_FORMAT + " only: train again");
        }
        for (Pair<String, Parameter> p : block.getParameters()) {
            NDArray w = p.getValue().getArray();
            long[] shape = w.getShape().getShape();
            Safetensors.Tensor t = state.tensors().get("w/" + p.getKey());
            if (t == null || t.data() == null || !Arrays.equals(t.shape(), shape)) {
                throw new IOException("checkpoint has no tensor w/" + p.getKey() + " of shape " + Arrays.toString(shape));
            }
            EngineMemory.write(w, t.data());
        }
        optimizer.readState(state);
    }

    @Override
    public void close() {
        trainer.close();
        model.close();
    }
}
