package org.rvsm.cli;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.rvsm.runtime.Safetensors;

/** Models made for the CLI's tests, without training: the tensors of lenet300 with random weights. */
final class TestModels {

    private TestModels() {
    }

    /**
     * lenet300's tensors, in model order under its parameter names: each weight non-zero with the given
     * probability, N(0, 0.05^2) where it is; zero biases.
     */
    static Map<String, Safetensors.Tensor> lenet300(long seed, double density) {
        SplittableRandom rng = new SplittableRandom(seed);
        Map<String, Safetensors.Tensor> t = new LinkedHashMap<>();
        int[][] shapes = {{300, 784}, {100, 300}, {10, 100}};
        String[] names = {"02Linear", "04Linear", "06Linear"};
        for (int l = 0; l < 3; l++) {
            float[] w = new float[shapes[l][0] * shapes[l][1]];
            for (int i = 0; i < w.length; i++) {
                w[i] = rng.nextDouble() < density ? (float) rng.nextGaussian() * 0.05f : 0f;
            }
            t.put(names[l] + "_weight", new Safetensors.Tensor(new long[] {shapes[l][0], shapes[l][1]}, w));
            t.put(names[l] + "_bias", new Safetensors.Tensor(new long[] {shapes[l][0]}, new float[shapes[l][0]]));
        }
        return t;
    }
}
