package org.rvsm.runtime;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The layer structure of the LeNet family (lenet300, lenet5, and their compacted versions), read off
 * the tensors of a model: weights in file order, each with its bias ({@code X_weight}, {@code X_bias}).
 * A 4-d weight (out, in, k, k) is a valid convolution followed by ReLU and 2x2 max-pooling; a 2-d
 * weight (out, in) is a dense layer followed by ReLU, except the last, which gives the logits. The
 * input is an image of {@link ImageSpec} (channels x height x width, channel-major; flat for a dense
 * first layer); convolutions need square images. Other architectures (padding, batch norm, shortcuts:
 * resnet20, vgg-small) are not of this family: {@link #of} refuses them.
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

    private Layers() {
    }

    /**
     * The layers of a model given its weight shapes in order (name to shape); checks that the model
     * can run: at least one weight, every dimension between 1 and {@link Integer#MAX_VALUE} (no
     * layer, class count or kernel of size 0), each weight's elements fit a Java array, each layer's
     * fan-in matches what the previous one produces, every conv leaves at least a 2 x 2 plane to pool,
     * and the last layer is dense.
     *
     * @throws IllegalArgumentException with a one-line message naming the weight, for any model that
     *                                  cannot run
     */
    public static List<Layer> of(Map<String, long[]> weightShapes) {
        return of(weightShapes, ImageSpec.LEGACY);
    }

    /** The layers of a model taking the given images ({@link #of(Map)} for 1 x 28 x 28). */
    public static List<Layer> of(Map<String, long[]> weightShapes, ImageSpec input) {
        if (weightShapes == null || weightShapes.isEmpty()) {
            throw new IllegalArgumentException("the model has no weights (no *_weight tensor)");
        }
        List<Layer> layers = new ArrayList<>();
        long channels = input.channels();
        long side = input.height();
        boolean flat = false;
        long features = input.size();
        for (Map.Entry<String, long[]> e : weightShapes.entrySet()) {
            String name = e.getKey() == null ? "null" : Safetensors.jsonString(e.getKey(), true);
            long[] s = e.getValue();
            if (s == null) {
                throw new IllegalArgumentException("weight " + name + " has no shape");
            }
            String shape = Arrays.toString(s).replace(" ", "");
            if (s.length != 2 && s.length != 4) {
                throw new IllegalArgumentException("weight " + name + " has shape " + shape
                        + "; expected (out, in) or (out, in, k, k)");
            }
            long elements = 1;
            for (long d : s) {
                if (d < 1 || d > Integer.MAX_VALUE) {
                    throw new IllegalArgumentException("weight " + name + " has shape " + shape + ": every dimension must be "
                            + "between 1 and " + Integer.MAX_VALUE + " (a layer with no units, inputs or kernel cannot run)");
                }
                elements = elements * d; // both factors below 2^31: no long overflow
                if (elements > Safetensors.MAX_ELEMENTS) {
                    throw new IllegalArgumentException("weight " + name + " of shape " + shape
                            + " holds more values than a Java array (" + Safetensors.MAX_ELEMENTS + ")");
                }
            }
            if (s.length == 4) {
                if (input.height() != input.width()) {
                    throw new IllegalArgumentException("conv weight " + name + ": the sparse runtime convolves square images"
                            + " only, the model takes " + input.shapeText());
                }
                if (flat || s[1] != channels || s[2] != s[3] || s[2] > side - 1) {
                    throw new IllegalArgumentException("conv weight " + name + " of shape " + shape
                            + (flat ? " follows a dense layer" : " does not follow a " + channels + " x " + side + " x " + side
                            + " input with a square kernel that leaves at least 2 x 2 outputs to pool"));
                }
                int outSide = (int) (side - s[2] + 1);
                layers.add(new Layer(e.getKey(), s.clone(), true, (int) side, outSide));
                channels = s[0];
                side = outSide / 2;
                features = channels * side * side;
                if (features > Integer.MAX_VALUE) {
                    throw new IllegalArgumentException("conv weight " + name + " of shape " + shape + " gives " + features
                            + " features, more than " + Integer.MAX_VALUE);
                }
            } else {
                if (s[1] != features) {
                    throw new IllegalArgumentException("dense weight " + name + " of shape " + shape
                            + " does not take the " + features + " inputs before it");
                }
                flat = true;
                layers.add(new Layer(e.getKey(), s.clone(), false, 0, 0));
                features = s[0];
            }
        }
        if (layers.get(layers.size() - 1).conv()) {
            throw new IllegalArgumentException("the model must end with a dense layer");
        }
        return layers;
    }

    /**
     * The layers of a model held as tensors ({@code *_weight} entries, in map order), checked as
     * {@link #of} does; also checks that every weight is F32 and has its bias ({@code X_bias} for
     * {@code X_weight}), an F32 tensor of shape (out).
     *
     * @throws IllegalArgumentException with a one-line message naming the tensor, for any model that
     *                                  cannot run
     */
    public static List<Layer> ofTensors(Map<String, Safetensors.Tensor> tensors) {
        return ofTensors(tensors, ImageSpec.LEGACY);
    }

    /** The layers of a model held as tensors, taking the given images ({@link #ofTensors(Map)}). */
    public static List<Layer> ofTensors(Map<String, Safetensors.Tensor> tensors, ImageSpec input) {
        if (tensors == null) {
            throw new IllegalArgumentException("no tensors");
        }
        Map<String, long[]> shapes = new LinkedHashMap<>();
        for (Map.Entry<String, Safetensors.Tensor> e : tensors.entrySet()) {
            if (e.getKey() != null && e.getKey().endsWith("_weight")) {
                Safetensors.Tensor t = e.getValue();
                String name = Safetensors.jsonString(e.getKey(), true);
                if (t == null) {
                    throw new IllegalArgumentException("weight " + name + " is null");
                }
                if (!"F32".equals(t.dtype()) || t.data() == null) {
                    throw new IllegalArgumentException("weight " + name + " has dtype " + t.dtype() + "; weights must be F32");
                }
                shapes.put(e.getKey(), t.shape());
            }
        }
        List<Layer> layers = of(shapes, input);
        for (Layer l : layers) {
            Safetensors.Tensor b = tensors.get(l.biasName());
            String bias = Safetensors.jsonString(l.biasName(), true);
            String weight = "weight " + Safetensors.jsonString(l.name(), true) + " of shape "
                    + Arrays.toString(l.shape()).replace(" ", "");
            if (b == null) {
                throw new IllegalArgumentException(weight + " has no bias " + bias);
            }
            if (!"F32".equals(b.dtype()) || b.data() == null) {
                throw new IllegalArgumentException("bias " + bias + " has dtype " + b.dtype() + "; biases must be F32");
            }
            if (b.shape().length != 1 || b.shape()[0] != l.out()) {
                throw new IllegalArgumentException("bias " + bias + " has shape " + Arrays.toString(b.shape()).replace(" ", "")
                        + "; " + weight + " needs [" + l.out() + "]");
            }
        }
        return layers;
    }
}
