package org.rvsm.nn.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rvsm.nn.data.ImageDataset;
import org.rvsm.penalty.Penalty;
import org.rvsm.runtime.Compactor;
import org.rvsm.runtime.Safetensors;
import org.rvsm.runtime.SparseFormat;
import org.rvsm.runtime.SparseNetwork;

/**
 * On the whole Fashion-MNIST test set: the pure-Java sparse runtime, reading the sparse export, agrees
 * with the engine on a trained sparse model, and the compacted model's engine outputs equal the
 * original's.
 */
class InferenceAgreementTest {

    @TempDir
    Path tmp;

    @Test
    void sparseRuntimeAndCompactedModelAgreeWithTheEngineOnTheWholeTestSet() throws IOException {
        ImageDataset[] d = SparseTrainerTest.data(3000, 10_000);
        ImageDataset test = d[1];
        TrainConfig c = TrainConfig.of("lenet300", TrainConfig.Method.RVSM, Penalty.l1(), 3e-4, 0.1, 0.05, 0.9, 1, 64, 11, 0, 0);
        Map<String, Safetensors.Tensor> model;
        try (SparseTrainer t = new SparseTrainer(c)) {
            t.trainEpoch(0, d[0], d[1], null);
            model = new LinkedHashMap<>(t.deployedTensors());
        }
        // neurons 0..149 of the first hidden layer lose their inputs: compaction must fold their biases forward
        float[] w1 = model.get("02Linear_weight").data();
        Arrays.fill(w1, 0, 150 * 784, 0.0f);
        Path sparseFile = tmp.resolve("sparse.safetensors");
        SparseFormat.write(sparseFile, model, Map.of("model", "lenet300"));
        Path denseFile = tmp.resolve("dense.safetensors");
        Safetensors.write(denseFile, model, Map.of("model", "lenet300"));
        Compactor.Result compact = Compactor.compact(model);
        Path compactFile = tmp.resolve("compact.safetensors");
        Safetensors.write(compactFile, compact.tensors(), Map.of("model", "lenet300"));
        assertTrue(compact.kept().get(0).length <= 150, "half the first hidden layer is gone: " + compact.kept().get(0).length);

        int n = test.count();
        float[] engine;
        float[] compacted;
        try (SavedModel dense = SavedModel.load(denseFile); SavedModel small = SavedModel.load(compactFile)) {
            engine = dense.logits(test.images(), n);
            compacted = small.logits(test.images(), n);
        }
        SparseNetwork runtime = SparseNetwork.of(SparseFormat.readDense(sparseFile), 2);
        float[] sparse = runtime.logits(test.images(), n);
        int[] a = SparseNetwork.argmax(engine, n, 10);
        int[] b = SparseNetwork.argmax(sparse, n, 10);
        int[] cpt = SparseNetwork.argmax(compacted, n, 10);
        double maxDiff = 0;
        double maxCompactDiff = 0;
        for (int i = 0; i < engine.length; i++) {
            maxDiff = Math.max(maxDiff, Math.abs(engine[i] - sparse[i]) / (1 + Math.abs(engine[i])));
            maxCompactDiff = Math.max(maxCompactDiff, Math.abs(engine[i] - compacted[i]) / (1 + Math.abs(engine[i])));
        }
        assertTrue(maxDiff < 1e-4, "sparse runtime vs engine, largest relative logit difference " + maxDiff);
        assertTrue(maxCompactDiff < 1e-4, "compacted vs original on the engine: " + maxCompactDiff);
        assertEquals(0, mismatches(a, b), "sparse runtime predictions");
        assertEquals(0, mismatches(a, cpt), "compacted model predictions");
    }

    private static int mismatches(int[] a, int[] b) {
        int m = 0;
        for (int i = 0; i < a.length; i++) {
            m += a[i] != b[i] ? 1 : 0;
        }
        return m;
    }
}
