package org.rvsm.cli;

import java.util.Arrays;
import org.rvsm.nn.data.ImageDataset;
import org.rvsm.runtime.SparseNetwork;

/** A model seen as a function from images to logits, and its class predictions over a data set. */
final class Predictions {

    private Predictions() {
    }

    /** A model as a function from n images (n x pixels, row-major) to their logits (n x classes). */
    interface Logits {
        float[] of(float[] images, int n);
    }

    /** Predictions (argmax of the logits) for the whole data set, in calls of the given batch, into {@code into}. */
    static void predict(Logits model, ImageDataset data, int batch, int[] into) {
        int pixels = data.pixels();
        for (int start = 0; start < data.count(); start += batch) {
            int b = Math.min(batch, data.count() - start);
            float[] x = Arrays.copyOfRange(data.images(), start * pixels, (start + b) * pixels);
            float[] logits = model.of(x, b);
            System.arraycopy(SparseNetwork.argmax(logits, b, logits.length / b), 0, into, start, b);
        }
    }
}
