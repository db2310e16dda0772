package org.rvsm.runtime;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The layer structure of the LeNet family (lenet300, lenet5, and their compacted versions), read off
 * the tensors of a model: weights in file order, each with its bias ({@code X_weight}, {@code X_bias}).
 * A 4-d weight (out, in, k, k) is a valid convolution followed by ReLU and 2x2 max-pooling; a 2-d
 * weight (out, in) is a dense layer followed by ReLU, except the last, which gives the logits. The
 * input is a 28 x 28 image, flat (784) for a dense first layer.
 */
public final class Layers {

    /**
     * One layer: the weight's name and shape; conv layers also carry their input and output planes.
     *
     * @param inSide  input height = width (conv), 0 for dense
     * @param outSide output height = width after the conv, before pooling (conv), 0 for dense
     */
    public record Layer(String name, long[] shape, boolean conv, int inSide, int outSide) {
        /** Output units (neurons or filters). */
        public int out() {
            return (int) shape[0];
        }

        /** Inputs per unit: in, or in channels * k * k. */
        public int fanIn() {
            int n = 1;
            for (int i = 1; i < shape.length; i++) {
                n *= (int) shape[i];
            }
            return n;
        }

        /** Input channels (conv) or inputs (dense). */
        public int in() {
            return (int) shape[1];
        }

        /** Kernel side (conv). */
        public int kernel() {
            return conv ? (int) shape[2] : 0;
        }

        public String biasName() {
            return name.endsWith("_weight") ? name.substring(0, name.length() - "_weight".length()) + "_bias" : name + "_bias";
        }
    }

    /** Image side of the inputs. */
    public static final int SIDE = 28;

    private Layers() {
    }

    /**
     * The layers of a model given its weight shapes in order (name to shape); checks that the shapes
     * chain (each layer's fan-in matches what the previous one produces).
     */
    public static List<Layer> of(Map<String, long[]> weightShapes) {
        List<Layer> layers = new ArrayList<>();
        int channels = 1;
        int side = SIDE;
        boolean flat = false;
        int features = SIDE * SIDE;
        for (Map.Entry<String, long[]> e : weightShapes.entrySet()) {
            long[] s = e.getValue();
            if (s.length == 4) {
                if (flat || s[1] != channels || s[2] != s[3] || s[2] > side) {
                    throw new IllegalArgumentException("conv weight " + e.getKey() + " of shape "
                            + java.util.Arrays.toString(s) + " does not follow a " + channels + " x " + side + " x " + side
                            + " input");
                }
                int outSide = side - (int) s[2] + 1;
                layers.add(new Layer(e.getKey(), s.clone(), true, side, outSide));
                channels = (int) s[0];
                side = outSide / 2;
                features = channels * side * side;
            } else if (s.length == 2) {
                if (s[1] != features) {
                    throw new IllegalArgumentException("dense weight " + e.getKey() + " of shape "
                            + java.util.Arrays.toString(s) + " does not take the " + features + " inputs before it");
                }
                flat = true;
                layers.add(new Layer(e.getKey(), s.clone(), false, 0, 0));
                features = (int) s[0];
            } else {
                throw new IllegalArgumentException("weight " + e.getKey() + " has shape " + java.util.Arrays.toString(s)
                        + "; expected (out, in) or (out, in, k, k)");
            }
        }
        if (layers.isEmpty() || layers.get(layers.size() - 1).conv()) {
            throw new IllegalArgumentException("the model must end with a dense layer");
        }
        return layers;
    }

    /** The layers of a model held as tensors ({@code *_weight} entries, in map order). */
    public static List<Layer> ofTensors(Map<String, Safetensors.Tensor> tensors) {
        Map<String, long[]> shapes = new java.util.LinkedHashMap<>();
        for (Map.Entry<String, Safetensors.Tensor> e : tensors.entrySet()) {
            if (e.getKey().endsWith("_weight")) {
                shapes.put(e.getKey(), e.getValue().shape());
            }
        }
        return of(shapes);
    }
}
