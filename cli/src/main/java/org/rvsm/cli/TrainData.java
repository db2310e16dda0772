package org.rvsm.cli;

import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.rvsm.nn.data.Datasets;
import org.rvsm.nn.data.ImageDataset;
import org.rvsm.nn.model.Models;

/**
 * The data of a training run, from its config (run.json's "dataset", "data", "augment", "model"): the
 * named dataset's two splits, the training split marked for augmentation when the config says so;
 * every problem (missing or malformed files, a model that cannot take the images) is one line.
 */
final class TrainData {

    private TrainData() {
    }

    /** The splits of the run's dataset, checked against its model. */
    static Datasets.Splits load(Map<String, Object> run) {
        String dataset = (String) run.get("dataset");
        Path dir = Path.of((String) run.get("data"));
        Datasets.Splits splits;
        try {
            splits = Datasets.load(dataset, dir);
        } catch (IOException e) {
            throw new UserError("--data " + e.getMessage());
        }
        ImageDataset train = splits.train();
        try {
            Models.check((String) run.get("model"), new Shape(train.channels(), train.rows(), train.cols()), train.classes());
        } catch (IllegalArgumentException e) {
            throw new UserError("--model " + e.getMessage() + " (--dataset " + dataset + ")");
        }
        return new Datasets.Splits(train.withAugmentation(augment(run)), splits.test());
    }

    /** True when the run augments its training minibatches (run.json's "augment"; absent: no). */
    static boolean augment(Map<String, Object> run) {
        return Boolean.TRUE.equals(run.get("augment"));
    }
}
