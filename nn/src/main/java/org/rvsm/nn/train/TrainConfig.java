package org.rvsm.nn.train;

import java.util.List;
import java.util.Map;
import org.rvsm.nn.Labels;
import org.rvsm.nn.model.Models;
import org.rvsm.nn.optim.RvsmOptimizer;
import org.rvsm.penalty.Penalty;
import org.rvsm.schedule.GradualPruning;

/**
 * One training run: the options of {@code rvsm train}, parsed once at the edge (methods and groups are
 * types) and validated here, in one place: a bad value is an IllegalArgumentException whose message
 * starts with the field's name and gives the value ("lr must be > 0, got -1.0").
 *
 * @param model      a model of {@link Models#NAMES}
 * @param method     RVSM, PROXIMAL (proximal SGD: w = T_{lr lambda}(w) after each step), dense, or
 *                   prune (dense SGD, then at epoch epochs - fineTuneEpochs the smallest weights by
 *                   magnitude, over all sparsified tensors together, are set to zero until pruneSparsity
 *                   of them are; the last fineTuneEpochs epochs train with that mask held), or gradual
 *                   (gradual magnitude pruning to pruneSparsity, {@link Method#GRADUAL})
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
 * @param pruneSparsity  target fraction of zeros for methods prune and gradual, in [0, 1)
 * @param sparsify   the weight tensors to sparsify, by parameter name (e.g. 02Linear_weight); empty: every
 *                   dense and conv weight
 * @param fineTuneEpochs method prune: epochs after pruning; method rvsm: epochs at the end that train
 *                       the kept weights freely with the support of u frozen (debiasing); in [0, epochs)
 * @param group      structured sparsity for rvsm (needs groupLambda > 0): none; neuron (each row of a hidden dense weight, a
 *                   neuron's incoming weights, is one group); filter (each conv filter is one group).
 *                   The group operator ({@link org.rvsm.penalty.GroupProx}, same penalty family) runs
 *                   after the element-wise one (sparse-group) on u = T(w)
 * @param groupLambda the group penalty's weight (its threshold parameter is groupLambda / beta)
 * @param levers     rvsm's per-layer lambda, beta continuation and target-sparsity mode ({@link Levers})
 */
public record TrainConfig(String model, Method method, Penalty penalty, double lambda, double beta, double lr,
                          double momentum, int epochs, int batch, long seed, int trainLimit, int testLimit,
                          double pruneSparsity, int fineTuneEpochs, List<String> sparsify, RvsmOptimizer.Group group,
                          double groupLambda, Levers levers) {

    /** Minibatches between the pruning steps of method gradual. */
    public static final int GRADUAL_FREQUENCY = 100;

    /**
     * The levers of RVSM beyond one lambda and one beta (docs/math.md section 6).
     *
     * @param lambdaRule     lambda per sparsified tensor: uniform, by size, or by initial weight scale
     *                       ({@link RvsmOptimizer.LambdaRule})
     * @param layerLambdas   explicit lambda of named tensors (over the rule)
     * @param betaGrowth     beta continuation: beta_e = min(betaMax, beta growth^e) for epoch e (0-based)
     *                       of the split phase, with mu = lambda / beta kept; 1 is a constant beta
     * @param betaMax        the cap of beta continuation; 0: none
     * @param targetSparsity target-sparsity mode (0: off): every lambda_i is rescaled by one factor so
     *                       that u of the current w has a requested fraction of zeros, reaching
     *                       targetSparsity at the end of the split phase (P epochs); when: targetRamp
     * @param targetRamp     CUBIC: after each epoch e of the split phase, to s (1 - (1 - (e + 1) / P)^3)
     *                       (the cubic ramp of gradual pruning); FINAL: once, after its last epoch (lambda
     *                       as given until then)
     */
    public record Levers(RvsmOptimizer.LambdaRule lambdaRule, Map<String, Double> layerLambdas, double betaGrowth,
                         double betaMax, double targetSparsity, TargetRamp targetRamp) {

        /** No lever: one lambda, constant beta, lambda as given. */
        public static final Levers NONE = new Levers(RvsmOptimizer.LambdaRule.UNIFORM, Map.of(), 1.0, 0.0, 0.0);

        /** Levers with the cubic ramp of target-sparsity mode. */
        public Levers(RvsmOptimizer.LambdaRule lambdaRule, Map<String, Double> layerLambdas, double betaGrowth,
                      double betaMax, double targetSparsity) {
            this(lambdaRule, layerLambdas, betaGrowth, betaMax, targetSparsity, TargetRamp.CUBIC);
        }

        public Levers {
            if (lambdaRule == null || layerLambdas == null || targetRamp == null) {
                throw new IllegalArgumentException("lambdaRule, layerLambdas and targetRamp must be given, got "
                        + lambdaRule + ", " + layerLambdas + ", " + targetRamp);
            }
            layerLambdas = Map.copyOf(new java.util.TreeMap<>(layerLambdas));
            layerLambdas.forEach((name, value) -> finiteNonNegative("layerLambda " + name, value, true));
            if (!(betaGrowth >= 1) || Double.isInfinite(betaGrowth)) {
                throw new IllegalArgumentException("betaGrowth must be finite and >= 1, got " + betaGrowth);
            }
            finiteNonNegative("betaMax", betaMax, true);
            if (!(targetSparsity >= 0 && targetSparsity < 1)) {
                throw new IllegalArgumentException("targetSparsity must be in [0, 1), got " + targetSparsity);
            }
        }

        /** True when some lever differs from {@link #NONE}. */
        public boolean any() {
            return !equals(NONE);
        }

        /**
         * The sparsity the target mode asks of u at the end of epoch e (0-based) of a split phase of P
         * epochs; NaN where it does not calibrate (off, or before the last split epoch with the FINAL ramp).
         */
        public double targetAt(int epoch, int splitEpochs) {
            if (targetSparsity == 0.0 || (targetRamp == TargetRamp.FINAL && epoch + 1 < splitEpochs)) {
                return Double.NaN;
            }
            double left = 1.0 - (double) Math.min(epoch + 1, splitEpochs) / splitEpochs;
            return targetSparsity * (1.0 - left * left * left);
        }
    }

    /** When target-sparsity mode calibrates lambda ({@link Levers#targetAt}). */
    public enum TargetRamp {
        /** After every split epoch, onto gradual pruning's cubic ramp to the target. */
        CUBIC,
        /** Once, after the last split epoch: the run's own lambda path, its final support set to the target. */
        FINAL;

        /** The lower-case name used on the command line and in run files. */
        public String label() {
            return Labels.of(this);
        }

        /** The ramp of a label; an IllegalArgumentException naming the value otherwise. */
        public static TargetRamp parse(String label) {
            return Labels.parse(values(), "targetRamp", label);
        }

        /** The labels, in order. */
        public static List<String> labels() {
            return Labels.all(values());
        }
    }

    /** The training methods. */
    public enum Method {
        /** RVSM: the fused split step (and, with fine-tune epochs, its debiasing phase). */
        RVSM,
        /** Proximal SGD: w = T_{lr lambda}(w) after each momentum step. */
        PROXIMAL,
        /** Plain SGD with momentum. */
        DENSE,
        /** Dense SGD, then magnitude pruning and fine-tuning with the mask held. */
        PRUNE,
        /**
         * Gradual magnitude pruning (Zhu and Gupta 2017, {@link GradualPruning}): from the start of epoch
         * 1 to the start of the fine-tune phase, every {@value #GRADUAL_FREQUENCY} minibatches, the
         * smallest weights are zeroed until the cubic schedule's fraction (rising to pruneSparsity) is;
         * the zeros are held, and the last fineTuneEpochs epochs train with the final mask.
         */
        GRADUAL;

        /** The lower-case name used on the command line and in run files. */
        public String label() {
            return Labels.of(this);
        }

        /** The method of a label; an IllegalArgumentException naming the value otherwise. */
        public static Method parse(String label) {
            return Labels.parse(values(), "method", label);
        }

        /** The labels, in order. */
        public static List<String> labels() {
            return Labels.all(values());
        }
    }

    /** A run without structured sparsity. */
    public TrainConfig(String model, Method method, Penalty penalty, double lambda, double beta, double lr,
                       double momentum, int epochs, int batch, long seed, int trainLimit, int testLimit,
                       double pruneSparsity, int fineTuneEpochs, List<String> sparsify) {
        this(model, method, penalty, lambda, beta, lr, momentum, epochs, batch, seed, trainLimit, testLimit,
                pruneSparsity, fineTuneEpochs, sparsify, RvsmOptimizer.Group.NONE, 0.0, Levers.NONE);
    }

    /** A run without levers. */
    public TrainConfig(String model, Method method, Penalty penalty, double lambda, double beta, double lr,
                       double momentum, int epochs, int batch, long seed, int trainLimit, int testLimit,
                       double pruneSparsity, int fineTuneEpochs, List<String> sparsify, RvsmOptimizer.Group group,
                       double groupLambda) {
        this(model, method, penalty, lambda, beta, lr, momentum, epochs, batch, seed, trainLimit, testLimit,
                pruneSparsity, fineTuneEpochs, sparsify, group, groupLambda, Levers.NONE);
    }

    public TrainConfig {
        if (!Models.NAMES.contains(model)) {
            throw new IllegalArgumentException("model must be one of " + Models.NAMES + ", got '" + model + "'");
        }
        if (method == null || penalty == null || group == null || sparsify == null || levers == null) {
            throw new IllegalArgumentException("method, penalty, group, sparsify and levers must be given, got " + method
                    + ", " + penalty + ", " + group + ", " + sparsify + ", " + levers);
        }
        sparsify = List.copyOf(sparsify);
        finiteNonNegative("lambda", lambda, true);
        finiteNonNegative("beta", beta, false);
        finiteNonNegative("lr", lr, false);
        if (!(momentum >= 0 && momentum < 1)) {
            throw new IllegalArgumentException("momentum must be in [0, 1), got " + momentum);
        }
        atLeast("epochs", epochs, 1);
        atLeast("batch", batch, 1);
        atLeast("trainLimit", trainLimit, 0);
        atLeast("testLimit", testLimit, 0);
        checkPruneSparsity(pruneSparsity);
        if (fineTuneEpochs < 0 || fineTuneEpochs >= epochs) {
            throw new IllegalArgumentException("fineTuneEpochs must be in [0, epochs = " + epochs + "), got "
                    + fineTuneEpochs);
        }
        checkGroupLambda(groupLambda);
        if (group != RvsmOptimizer.Group.NONE && method != Method.RVSM) {
            throw new IllegalArgumentException("group " + group.label() + " needs method rvsm, got method "
                    + method.label());
        }
        if (group != RvsmOptimizer.Group.NONE && groupLambda == 0.0) {
            throw new IllegalArgumentException("group " + group.label() + " needs a groupLambda > 0");
        }
        if (levers.any() && method != Method.RVSM) {
            throw new IllegalArgumentException("levers (lambdaRule, layerLambda, betaGrowth, betaMax, targetSparsity) need "
                    + "method rvsm, got method " + method.label());
        }
        if (levers.betaMax() != 0.0 && levers.betaMax() < beta) {
            throw new IllegalArgumentException("betaMax must be >= beta " + beta + " (or 0: no cap), got " + levers.betaMax());
        }
        if (levers.targetSparsity() > 0 && lambda == 0.0) {
            throw new IllegalArgumentException("targetSparsity needs a lambda > 0 to scale, got lambda 0.0");
        }
        if (method == Method.GRADUAL && (epochs - fineTuneEpochs < 2 || pruneSparsity == 0.0)) {
            throw new IllegalArgumentException("method gradual needs pruneSparsity > 0 and epochs - fineTuneEpochs >= 2, "
                    + "got pruneSparsity " + pruneSparsity + ", epochs " + epochs + ", fineTuneEpochs " + fineTuneEpochs);
        }
    }

    /** The rule for pruneSparsity, also for a value a run does not use: in [0, 1). */
    public static void checkPruneSparsity(double pruneSparsity) {
        if (!(pruneSparsity >= 0 && pruneSparsity < 1)) {
            throw new IllegalArgumentException("pruneSparsity must be in [0, 1), got " + pruneSparsity);
        }
    }

    /** The rule for groupLambda, also for a value a run does not use: finite and >= 0. */
    public static void checkGroupLambda(double groupLambda) {
        finiteNonNegative("groupLambda", groupLambda, true);
    }

    /** value finite and >= 0 (zero allowed) or > 0. */
    private static void finiteNonNegative(String field, double value, boolean zeroAllowed) {
        if (!Double.isFinite(value)) {
            throw new IllegalArgumentException(field + " must be a finite number, got " + value);
        }
        if (zeroAllowed ? !(value >= 0) : !(value > 0)) {
            throw new IllegalArgumentException(field + " must be " + (zeroAllowed ? ">= 0" : "> 0") + ", got " + value);
        }
    }

    private static void atLeast(String field, int value, int min) {
        if (value < min) {
            throw new IllegalArgumentException(field + " must be >= " + min + ", got " + value);
        }
    }

    /** A run without pruning settings. */
    public static TrainConfig of(String model, Method method, Penalty penalty, double lambda, double beta, double lr,
                                 double momentum, int epochs, int batch, long seed, int trainLimit, int testLimit) {
        return new TrainConfig(model, method, penalty, lambda, beta, lr, momentum, epochs, batch, seed, trainLimit,
                testLimit, 0.0, 0, List.of());
    }

    /**
     * The 0-based epoch at whose start method prune prunes, gradual prunes for the last time and rvsm
     * freezes its support: epochs - fineTuneEpochs. The epochs before it are rvsm's split phase.
     */
    public int pruneEpoch() {
        return epochs - fineTuneEpochs;
    }

    /** The learning rate of an epoch (0-based): lr, then lr / 10 for the last third. */
    public double learningRate(int epoch) {
        return epoch >= epochs - epochs / 3 && epochs >= 3 ? lr * 0.1 : lr;
    }
}
