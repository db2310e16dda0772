package org.rvsm.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.EasyTrain;
import ai.djl.training.Trainer;
import ai.djl.training.dataset.ArrayDataset;
import ai.djl.training.loss.Loss;
import ai.djl.training.tracker.Tracker;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rvsm.nn.optim.RvsmOptimizer;
import org.rvsm.nn.optim.SparsityListener;
import org.rvsm.penalty.Penalty;
import org.rvsm.runtime.SparseFormat;

/**
 * The README's "Use RVSM in your own DJL training" example, run; and the README's snippet is checked
 * to be this test's, line for line, so the two cannot drift.
 */
class ReadmeDjlExampleTest {

    @TempDir
    Path tmp;

    @Test
    void aUsersOwnBlockTrainsWithEasyTrainAndExportsSparse() throws Exception {
        Engine.getInstance().setRandomSeed(1);
        Path out = tmp.resolve("my-model.sparse.safetensors");
        SplittableRandom rng = new SplittableRandom(1);
        int n = 512;
        float[] xs = new float[n * 20];
        float[] ys = new float[n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < 20; j++) {
                xs[i * 20 + j] = (float) rng.nextGaussian();
            }
            ys[i] = xs[i * 20] + xs[i * 20 + 1] > 0 ? 1 : 0; // only two of the 20 inputs matter
        }
        try (NDManager manager = NDManager.newBaseManager()) {
            // README: begin
            SequentialBlock net = new SequentialBlock()
                    .add(Linear.builder().setUnits(32).build()).add(Activation.reluBlock())
                    .add(Linear.builder().setUnits(2).build());
            ArrayDataset data = new ArrayDataset.Builder()
                    .setData(manager.create(xs, new Shape(n, 20))).optLabels(manager.create(ys, new Shape(n)))
                    .setSampling(32, true).build();
            RvsmOptimizer rvsm = RvsmOptimizer.builder()
                    .setLearningRateTracker(Tracker.fixed(0.05f)).optMomentum(0.9f)
                    .setPenalty(Penalty.l1()).setLambda(1e-2).setBeta(0.1)   // threshold lambda/beta = 0.1
                    .build();                                                // splits every weight of rank >= 2
            SparsityListener sparsity = new SparsityListener(rvsm, data);    // u's accuracy, zeros per layer
            try (Model model = Model.newInstance("mine")) {
                model.setBlock(net);
                DefaultTrainingConfig config = new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss())
                        .optOptimizer(rvsm).addTrainingListeners(sparsity);
                try (Trainer trainer = model.newTrainer(config)) {
                    trainer.initialize(new Shape(1, 20));
                    EasyTrain.fit(trainer, 10, data, null);
                }
                SparseFormat.write(out, rvsm.deployedTensors(), Map.of()); // u (exact zeros) as CSR safetensors
                try (var swap = rvsm.useSparseWeights(net)) {
                    model.save(tmp, "mine");                                // or DJL's own format, with u
                }
            }
            // README: end
            SparsityListener.EpochSparsity last = sparsity.history().get(9);
            assertTrue(last.accuracyU() > 0.9, "the u-network learns the rule: " + last.accuracyU());
            assertTrue(last.layers().get(0).sparsity() > 0.5, "most first-layer weights are exact zeros: " + last.accuracyU() + " "
                    + last.layers().get(0).sparsity());
            assertEquals(List.of("01Linear_weight", "03Linear_weight"),
                    last.layers().stream().map(l -> l.name()).toList());
            float[] w1 = SparseFormat.toDense(org.rvsm.runtime.Safetensors.read(out)).get("01Linear_weight").data();
            long zeros = 0;
            for (float x : w1) {
                zeros += x == 0.0f ? 1 : 0;
            }
            assertEquals(20 * 32, w1.length);
            assertEquals(last.layers().get(0).size() - last.layers().get(0).nonZeros(), zeros, "the export's zeros are u's");
        }
    }

    @Test
    void theReadmeShowsThisExampleLineForLine() throws Exception {
        List<String> test = between(Files.readAllLines(Path.of(
                "src/test/java/org/rvsm/nn/ReadmeDjlExampleTest.java")), "// README: begin", "// README: end");
        List<String> readme = between(Files.readAllLines(Path.of("../README.md")), "<!-- ReadmeDjlExampleTest: begin -->",
                "<!-- ReadmeDjlExampleTest: end -->");
        assertEquals(test, readme.subList(1, readme.size() - 1), "README.md's DJL example differs from this test's");
    }

    /** The lines strictly between the markers, stripped of their common indentation. */
    private static List<String> between(List<String> lines, String begin, String end) {
        int from = -1;
        int to = -1;
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).strip().equals(begin)) {
                from = i + 1;
            } else if (lines.get(i).strip().equals(end)) {
                to = i;
            }
        }
        assertTrue(from > 0 && to >= from, "markers " + begin + " ... " + end + " not found");
        List<String> body = lines.subList(from, to);
        int indent = body.stream().filter(l -> !l.isBlank()).mapToInt(l -> l.length() - l.stripLeading().length())
                .min().orElse(0);
        return body.stream().map(l -> l.isBlank() ? "" : l.substring(indent)).toList();
    }
}
