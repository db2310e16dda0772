package org.rvsm.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.rvsm.Vectors;
import org.rvsm.nn.train.SavedModel;
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

    /** The model on the pure-Java sparse runtime. */
    static SparseNetwork network(Path model, int threads) {
        requireFile(model);
        try {
            Map<String, Safetensors.Tensor> tensors = SparseFormat.readDense(model);
            requireFinite(model, tensors);
            return SparseNetwork.of(tensors, threads);
        } catch (IOException | IllegalArgumentException e) {
            throw failure(model, e);
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
