package org.rvsm.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.rvsm.Vectors;
import org.rvsm.nn.model.Models;
import org.rvsm.nn.train.SavedModel;
import org.rvsm.runtime.ImageSpec;
import org.rvsm.runtime.Safetensors;
import org.rvsm.runtime.SparseFormat;
import org.rvsm.runtime.SparseNetwork;

/**
 * Model files named by {@code --model}, loaded for a command: every problem (no such file, a file
 * that is not a valid model, a weight that is NaN or infinite) is a one-line {@link UserError}.
 */
final class ModelFiles {

    /** The description of --model FILE in every command that reads a model file. */
    static final String OPTION = "A model.safetensors written by train, or any file written by export.";

    private ModelFiles() {
    }

    /** A one-line error unless --model names a regular file. */
    static void requireFile(Path model) {
        if (!Files.isRegularFile(model)) {
            throw new UserError("--model " + model + ": no such file");
        }
    }

    /** The model on the engine. */
    static SavedModel load(Path model) {
        requireFile(model);
        SavedModel m;
        try {
            m = SavedModel.load(model);
        } catch (IOException | IllegalArgumentException e) {
            throw failure(model, e);
        }
        try {
            requireFinite(model, m.tensors());
        } catch (UserError e) {
            m.close();
            throw e;
        }
        return m;
    }

    /**
     * What a model file says about itself: its architecture (metadata "model", null if absent), its
     * input and classes, and the dataset it was trained on (its config's "dataset", null if absent).
     */
    record Info(String name, ImageSpec spec, String dataset) {

        static Info of(Map<String, String> metadata, ImageSpec spec) {
            String dataset = null;
            String config = metadata.get("config");
            if (config != null) {
                try {
                    JsonNode d = new ObjectMapper().readTree(config).path("dataset");
                    dataset = d.isTextual() ? d.asText() : null;
                } catch (IOException e) {
                    dataset = null; // a config that is not JSON names no dataset; --dataset decides
                }
            }
            return new Info(metadata.get("model"), spec, dataset);
        }
    }

    /** A model on the pure-Java sparse runtime, and what its file says about it. */
    record Network(SparseNetwork net, Info info) {
    }

    /** The model on the pure-Java sparse runtime; a one-line error for an architecture it does not run. */
    static Network network(Path model, int threads) {
        requireFile(model);
        try {
            Safetensors.Contents contents = SparseFormat.readModel(model);
            requireFinite(model, contents.tensors());
            ImageSpec spec = ImageSpec.fromMetadata(contents.metadata());
            return new Network(SparseNetwork.of(contents.tensors(), spec, threads), Info.of(contents.metadata(), spec));
        } catch (IOException | IllegalArgumentException e) {
            String name = peekName(model);
            if (name != null && Models.NAMES.contains(name) && !Models.SEQUENTIAL.contains(name)) {
                throw new UserError("--model " + model + ": " + name + ": " + UNSUPPORTED + "; 'rvsm evaluate' runs it", e);
            }
            throw failure(model, e);
        }
    }

    /** Why the sparse runtime and compaction refuse resnet20 and vgg-small. */
    static final String UNSUPPORTED = "the sparse runtime runs sequential dense/conv/pool networks (lenet300, lenet5) only";

    /** The "model" of a file's metadata, or null when it cannot be read. */
    private static String peekName(Path model) {
        try {
            return Safetensors.read(model).metadata().get("model");
        } catch (IOException e) {
            return null;
        }
    }

    /** "--model FILE: what is wrong", the file named once (the readers' messages may start with it). */
    private static UserError failure(Path model, Exception e) {
        String message = String.valueOf(e.getMessage());
        String prefix = model + ": ";
        return new UserError("--model " + prefix + (message.startsWith(prefix) ? message.substring(prefix.length())
                : message), e);
    }

    /**
     * Refuses a model with a NaN or infinite value: such a model (a diverged training, say) has no
     * meaningful accuracy, and each runtime would report a different one.
     */
    static void requireFinite(Path model, Map<String, Safetensors.Tensor> tensors) {
        for (Map.Entry<String, Safetensors.Tensor> e : tensors.entrySet()) {
            float[] data = e.getValue().data();
            int i = data == null ? -1 : Vectors.firstNonFinite(data);
            if (i >= 0) {
                throw new UserError("--model " + model + ": tensor " + e.getKey() + " holds " + data[i] + " at index "
                        + i + " (a diverged training?); refusing a model with non-finite weights");
            }
        }
    }
}
