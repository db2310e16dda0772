package org.rvsm.nn.train;

import org.rvsm.nn.optim.LayerInfo;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
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
import java.util.Map;
import org.rvsm.nn.data.ImageDataset;
import org.rvsm.nn.model.Models;
import org.rvsm.runtime.ImageSpec;
import org.rvsm.runtime.Layers;
import org.rvsm.runtime.Safetensors;
import org.rvsm.runtime.SparseFormat;

/**
 * A saved model loaded into its DJL network on the PyTorch engine: a model.safetensors written by
 * training, its sparse export, or a compacted model. Its input (shape, classes) comes from the
 * metadata ({@link ImageSpec}; 1 x 28 x 28 and 10 classes for files without it). A model of the LeNet
 * family is built from the tensors' shapes ({@link Layers}), so compacted ones load too; the others
 * (resnet20, vgg-small) by the name in the metadata's "model".
 */
public final class SavedModel implements AutoCloseable {

    private final NDManager manager = NDManager.newBaseManager();
    private final SequentialBlock block;
    private final ParameterStore store;
    private final List<LayerInfo> layers = new ArrayList<>();
    private final Map<String, Safetensors.Tensor> tensors;
    private final Map<String, String> metadata;
    private final ImageSpec spec;

    private SavedModel(Map<String, Safetensors.Tensor> tensors, Map<String, String> metadata) throws IOException {
        this.tensors = tensors;
        this.metadata = metadata;
        String name = metadata.get("model");
        try {
            spec = ImageSpec.fromMetadata(metadata);
            if (name != null && Models.NAMES.contains(name) && !Models.SEQUENTIAL.contains(name)) {
                // checked against the file's size before the network allocates anything
                long needed = Models.trainableParameters(name, Models.shape(spec), spec.classes());
                long held = tensors.values().stream().mapToLong(t -> t.data() == null ? 0 : t.data().length).sum();
                if (needed > held) {
                    throw new IllegalArgumentException(name + " on " + spec.shapeText() + " images with " + spec.classes()
                            + " classes has " + needed + " parameters; the file holds " + held + " values");
                }
                block = Models.build(name, spec);
            } else {
                try {
                    block = Models.build(Layers.ofTensors(tensors, spec), spec);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("not a model of the LeNet family: " + e.getMessage(), e);
                }
            }
        } catch (IllegalArgumentException e) {
            manager.close();
            throw new IOException(e.getMessage(), e);
        }
        block.initialize(manager, DataType.FLOAT32, new Shape(1, spec.size()));
        store = new ParameterStore(manager, false);
        for (Pair<String, Parameter> p : block.getParameters()) {
            Safetensors.Tensor t = tensors.get(p.getKey());
            NDArray a = p.getValue().getArray();
            if (t == null || t.data() == null || !Arrays.equals(t.shape(), a.getShape().getShape())) {
                String message = "the file has no F32 tensor " + p.getKey() + " of shape " + a.getShape();
                manager.close();
                throw new IOException(message);
            }
            a.set(FloatBuffer.wrap(t.data()));
            if (p.getValue().getType() == Parameter.Type.WEIGHT) {
                long nonZeros = 0;
                for (float v : t.data()) {
                    nonZeros += v != 0.0f ? 1 : 0;
                }
                layers.add(new LayerInfo(p.getKey(), t.shape(), nonZeros));
            }
        }
    }

    /** A model held in memory (dense tensors, zeros kept), e.g. a compacted one. */
    public static SavedModel of(Map<String, Safetensors.Tensor> tensors, Map<String, String> metadata)
            throws IOException {
        return new SavedModel(tensors, metadata);
    }

    /** Loads a file: dense safetensors (zeros kept) or the sparse export ({@link SparseFormat}). */
    public static SavedModel load(Path file) throws IOException {
        Safetensors.Contents contents = Safetensors.read(file);
        Map<String, Safetensors.Tensor> dense = SparseFormat.isSparse(contents) ? SparseFormat.toDense(contents)
                : contents.tensors();
        return new SavedModel(dense, contents.metadata());
    }

    public double accuracy(ImageDataset test) {
        return Evaluator.accuracy(block, store, manager, test);
    }

    /** The images it takes and the classes it gives. */
    public ImageSpec spec() {
        return spec;
    }

    /** Logits of n images (n x spec().size(), row-major from offset 0) on the engine, as n x classes. */
    public float[] logits(float[] images, int n) {
        int size = spec.size();
        try (NDScope scope = new NDScope()) {
            NDArray input = manager.create(FloatBuffer.wrap(images, 0, n * size), new Shape(n, size));
            return block.forward(store, new NDList(input), false).singletonOrThrow().toFloatArray();
        }
    }

    /** The weight tensors: name, shape, non-zeros. */
    public List<LayerInfo> layers() {
        return List.copyOf(layers);
    }

    /** The model's tensors, dense (zeros kept). */
    public Map<String, Safetensors.Tensor> tensors() {
        return tensors;
    }

    /** The file's metadata (model, config, ...). */
    public Map<String, String> metadata() {
        return metadata;
    }

    @Override
    public void close() {
        manager.close();
    }
}
