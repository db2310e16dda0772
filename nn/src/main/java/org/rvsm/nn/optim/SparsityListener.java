package org.rvsm.nn.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.training.Trainer;
import ai.djl.training.dataset.Batch;
import ai.djl.training.dataset.Dataset;
import ai.djl.training.listener.TrainingListener;
import ai.djl.translate.TranslateException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * A DJL {@link TrainingListener} for an {@link RvsmOptimizer}: binds the optimizer to the trainer's
 * block (at the first update; {@link RvsmOptimizer#validate} is then not needed), and after every
 * epoch records the per-layer sparsity of u and, given an evaluation dataset, the accuracy of the
 * u-network (u put into the model with {@link RvsmOptimizer#useSparseWeights}, w restored after):
 * the fraction of examples whose largest output is at their label.
 */
public final class SparsityListener implements TrainingListener {

    /** One epoch's record: 1-based epoch, the u-network's accuracy (NaN without a dataset), the layers. */
    public record EpochSparsity(int epoch, double accuracyU, List<LayerInfo> layers) {

        /** Fraction of exact zeros over all sparsified weights. */
        public double sparsity() {
            long total = layers.stream().mapToLong(LayerInfo::size).sum();
            long nonZeros = layers.stream().mapToLong(LayerInfo::nonZeros).sum();
            return total == 0 ? 0.0 : (double) (total - nonZeros) / total;
        }
    }

    private final RvsmOptimizer optimizer;
    private final Dataset evaluation;
    private final List<EpochSparsity> history = new ArrayList<>();

    /**
     * @param optimizer  the optimizer of the training config this listener is added to
     * @param evaluation where the u-network is evaluated every epoch (labels: class indices); null: none
     */
    public SparsityListener(RvsmOptimizer optimizer, Dataset evaluation) {
        this.optimizer = optimizer;
        this.evaluation = evaluation;
    }

    /** The records so far, one per epoch. */
    public List<EpochSparsity> history() {
        return List.copyOf(history);
    }

    @Override
    public void onTrainingBegin(Trainer trainer) {
        optimizer.bindLater(trainer.getModel().getBlock());
    }

    @Override
    public void onEpoch(Trainer trainer) {
        double accuracy = Double.NaN;
        if (evaluation != null) {
            try (RvsmOptimizer.SparseWeights swap = optimizer.useSparseWeights(trainer.getModel().getBlock())) {
                accuracy = accuracy(trainer);
            }
        }
        history.add(new EpochSparsity(history.size() + 1, accuracy, optimizer.layers()));
    }

    private double accuracy(Trainer trainer) {
        long correct = 0;
        long count = 0;
        try {
            for (Batch batch : trainer.iterateDataset(evaluation)) {
                try (batch) {
                    NDList out = trainer.evaluate(batch.getData());
                    NDArray predicted = out.singletonOrThrow().argMax(1);
                    long[] p = predicted.toLongArray();
                    float[] labels = batch.getLabels().singletonOrThrow().toType(ai.djl.ndarray.types.DataType.FLOAT32,
                            false).toFloatArray();
                    for (int i = 0; i < p.length; i++) {
                        correct += p[i] == (long) labels[i] ? 1 : 0;
                    }
                    count += p.length;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (TranslateException e) {
            throw new IllegalStateException("evaluation dataset: " + e.getMessage(), e);
        }
        return count == 0 ? Double.NaN : (double) correct / count;
    }

    @Override
    public void onTrainingBatch(Trainer trainer, BatchData batchData) {
    }

    @Override
    public void onValidationBatch(Trainer trainer, BatchData batchData) {
    }

    @Override
    public void onTrainingEnd(Trainer trainer) {
    }
}
