package org.rvsm.nn.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.rvsm.nn.data.ImageDataset;
import org.rvsm.runtime.Safetensors;
import org.rvsm.nn.model.Models;

/** A model.safetensors written by training, loaded into its DJL network for evaluation. */
public final class SavedModel implements AutoCloseable {

    private final NDManager manager = NDManager.newBaseManager();
    private final SequentialBlock block;
    private final ParameterStore store;
    private final List<SparseTrainer.LayerInfo> layers = new ArrayList<>();

    private SavedModel(String model, Safetensors.Contents contents) throws IOException {
        block = Models.build(model);
        block.initialize(manager, DataType.FLOAT32, new Shape(1, 784));
        store = new ParameterStore(manager, false);
        for (Pair<String, Parameter> p : block.getParameters()) {
            Safetensors.Tensor t = contents.tensors().get(p.getKey());
            NDArray a = p.getValue().getArray();
            if (t == null || !Arrays.equals(t.shape(), a.getShape().getShape())) {
                throw new IOException("the file has no tensor " + p.getKey() + " of shape " + a.getShape()
                        + " (is it a " + model + "?)");
            }
            a.set(FloatBuffer.wrap(t.data()));
            if (p.getValue().getType() == Parameter.Type.WEIGHT) {
                long nonZeros = 0;
                for (float v : t.data()) {
                    nonZeros += v != 0.0f ? 1 : 0;
                }
                layers.add(new SparseTrainer.LayerInfo(p.getKey(), t.shape(), nonZeros));
            }
        }
    }

    /** Loads a file; its metadata names the model. */
    public static SavedModel load(Path file) throws IOException {
        Safetensors.Contents contents = Safetensors.read(file);
        String model = contents.metadata().get("model");
        if (model == null || !Models.NAMES.contains(model)) {
            throw new IOException(file + ": metadata 'model' is " + model + ", expected one of " + Models.NAMES);
        }
        return new SavedModel(model, contents);
    }

    public double accuracy(ImageDataset test) {
        return Evaluator.accuracy(block, store, manager, test);
    }

    /** The weight tensors: name, shape, non-zeros. */
    public List<SparseTrainer.LayerInfo> layers() {
        return List.copyOf(layers);
    }

    @Override
    public void close() {
        manager.close();
    }
}
