package org.rvsm.nn.model;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Blocks;
import ai.djl.nn.LambdaBlock;
import ai.djl.nn.ParallelBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.pooling.Pool;
import java.util.List;
import org.rvsm.nn.ConvBackend;
import org.rvsm.runtime.ImageSpec;
import org.rvsm.runtime.Layers;

/**
 * The model zoo: networks by name for images of any C x H x W the architecture can take and any number
 * of classes. Every network takes flat (N, C H W) images (channel-major, as the datasets hold them) and
 * gives (N, classes) logits. Building one applies the engine's convolution backend
 * ({@link ConvBackend#configure()}: oneDNN unless {@code -Drvsm.conv} or {@code RVSM_CONV} says otherwise).
 *
 * <ul>
 * <li>lenet300: C H W - 300 - 100 - classes, ReLU (any input).</li>
 * <li>lenet5 (the Caffe variant used by pruning papers): conv 20@5x5, max-pool 2, conv 50@5x5, max-pool
 *     2, fc 500, fc classes, ReLU after each hidden layer; valid convolutions, so H, W >= 16.</li>
 * <li>resnet20 (He et al. 2016, section 4.2, CIFAR variant): conv 16@3x3, BN, ReLU; three stages of
 *     three basic blocks (two conv 3x3 + BN, ReLU between and after the sum) with 16, 32, 64 filters, the
 *     first block of stages 2 and 3 striding by 2; identity shortcuts, a 1x1 conv + BN projection
 *     (option B) where the shape changes; global average pooling; fc classes. Convolutions padded
 *     ("same"), without bias (BN follows). 271,392 + 144 C + 65 classes trainable parameters: 272,474
 *     for 3 x 32 x 32 and 10 classes. H, W >= 8.</li>
 * <li>vgg-small: [conv 3x3 + BN + ReLU] x 2 with 32 filters, max-pool 2, the same with 64, max-pool 2,
 *     with 128, max-pool 2, flatten, fc classes. Padded convolutions without bias. 286,592 + 288 C +
 *     (128 floor(H/8) floor(W/8) + 1) classes trainable parameters: 307,946 for 3 x 32 x 32 and 10
 *     classes. H, W >= 8.</li>
 * </ul>
 *
 * Batch norm (DJL's {@link BatchNorm}: running mean and variance with momentum 0.9, epsilon 1e-5) uses
 * the minibatch's statistics and updates its running ones in a training forward pass, and the running
 * ones in an evaluation pass ({@code block.forward(store, x, false)}).
 */
public final class Models {

    /** The names accepted by {@link #build(String, Shape, int)}. */
    public static final List<String> NAMES = List.of("lenet300", "lenet5", "resnet20", "vgg-small");

    /** The models the pure-Java sparse runtime runs ({@link Layers}): sequential dense/conv/pool networks. */
    public static final List<String> SEQUENTIAL = List.of("lenet300", "lenet5");

    /** Fashion-MNIST's images: 1 x 28 x 28. */
    public static final Shape FASHION_MNIST = new Shape(1, 28, 28);

    private Models() {
    }

    /** The input shape (C, H, W) of a spec. */
    public static Shape shape(ImageSpec spec) {
        return new Shape(spec.channels(), spec.height(), spec.width());
    }

    /** The names of a model's weight tensors (what can be sparsified), in model order; the same for every input. */
    public static List<String> weightNames(String name) {
        Shape input = name.equals("lenet300") || name.equals("lenet5") ? FASHION_MNIST : new Shape(3, 32, 32);
        SequentialBlock net = build(name, input, 10);
        try (NDManager manager = NDManager.newBaseManager()) {
            net.initialize(manager, DataType.FLOAT32, new Shape(1, input.size()));
            return net.getParameters().stream()
                    .filter(p -> p.getValue().getType() == Parameter.Type.WEIGHT)
                    .map(ai.djl.util.Pair::getKey).toList();
        }
    }

    /** A model for Fashion-MNIST: 1 x 28 x 28 images, 10 classes. */
    public static SequentialBlock build(String name) {
        return build(name, FASHION_MNIST, 10);
    }

    /** A model for the images and classes of a spec. */
    public static SequentialBlock build(String name, ImageSpec spec) {
        return build(name, shape(spec), spec.classes());
    }

    /**
     * The model of that name for inputs of the given shape (C, H, W) and the given number of classes.
     *
     * @throws IllegalArgumentException (one line) for an unknown name, or a shape or class count the
     *                                  model cannot take
     */
    public static SequentialBlock build(String name, Shape input, int classes) {
        check(name, input, classes);
        ConvBackend.configure(); // before the engine's first convolution (docs/conv-nan.md)
        int c = (int) input.get(0);
        int h = (int) input.get(1);
        int w = (int) input.get(2);
        SequentialBlock net = new SequentialBlock();
        switch (name) {
            case "lenet300" -> net.add(Blocks.batchFlattenBlock(input.size()))
                    .add(Linear.builder().setUnits(300).build()).add(Activation.reluBlock())
                    .add(Linear.builder().setUnits(100).build()).add(Activation.reluBlock())
                    .add(Linear.builder().setUnits(classes).build());
            case "lenet5" -> net.add(reshape(c, h, w))
                    .add(Conv2d.builder().setKernelShape(new Shape(5, 5)).setFilters(20).build())
                    .add(Activation.reluBlock())
                    .add(Pool.maxPool2dBlock(new Shape(2, 2), new Shape(2, 2)))
                    .add(Conv2d.builder().setKernelShape(new Shape(5, 5)).setFilters(50).build())
                    .add(Activation.reluBlock())
                    .add(Pool.maxPool2dBlock(new Shape(2, 2), new Shape(2, 2)))
                    .add(Blocks.batchFlattenBlock())
                    .add(Linear.builder().setUnits(500).build()).add(Activation.reluBlock())
                    .add(Linear.builder().setUnits(classes).build());
            case "resnet20" -> {
                net.add(reshape(c, h, w)).add(conv(16, 3, 1)).add(BatchNorm.builder().build()).add(Activation.reluBlock());
                int in = 16;
                for (int stage = 0; stage < 3; stage++) {
                    int out = 16 << stage;
                    for (int b = 0; b < 3; b++) {
                        net.add(basicBlock(in, out, stage > 0 && b == 0 ? 2 : 1));
                        in = out;
                    }
                }
                net.add(Pool.globalAvgPool2dBlock()).add(Blocks.batchFlattenBlock())
                        .add(Linear.builder().setUnits(classes).build());
            }
            case "vgg-small" -> {
                net.add(reshape(c, h, w));
                for (int filters : new int[] {32, 64, 128}) {
                    for (int k = 0; k < 2; k++) {
                        net.add(conv(filters, 3, 1)).add(BatchNorm.builder().build()).add(Activation.reluBlock());
                    }
                    net.add(Pool.maxPool2dBlock(new Shape(2, 2), new Shape(2, 2)));
                }
                net.add(Blocks.batchFlattenBlock()).add(Linear.builder().setUnits(classes).build());
            }
            default -> throw new IllegalStateException(name); // check() knows the names
        }
        return net;
    }

    /**
     * Refuses, in one line, an unknown name, a shape that is not (C, H, W) within {@link ImageSpec}'s
     * bounds, a class count below 2, or images too small for the model (lenet5: H, W >= 16, so the second
     * convolution leaves a 2 x 2 plane to pool; resnet20, vgg-small: H, W >= 8).
     */
    public static void check(String name, Shape input, int classes) {
        if (!NAMES.contains(name)) {
            throw new IllegalArgumentException("model must be one of " + String.join(", ", NAMES) + "; got '" + name + "'");
        }
        if (input == null || input.dimension() != 3) {
            throw new IllegalArgumentException(name + ": the input shape must be (channels, height, width), got " + input);
        }
        long c = input.get(0);
        long h = input.get(1);
        long w = input.get(2);
        if (c < 1 || c > ImageSpec.MAX_CHANNELS || h < 1 || h > ImageSpec.MAX_SIDE || w < 1 || w > ImageSpec.MAX_SIDE
                || c * h * w > ImageSpec.MAX_VALUES) {
            throw new IllegalArgumentException(name + ": input shape " + c + "x" + h + "x" + w + " is out of range");
        }
        if (classes < 2 || classes > ImageSpec.MAX_CLASSES) {
            throw new IllegalArgumentException(name + ": classes must be in [2, " + ImageSpec.MAX_CLASSES + "], got "
                    + classes);
        }
        int least = switch (name) {
            case "lenet5" -> 16;
            case "resnet20", "vgg-small" -> 8;
            default -> 1;
        };
        if (h < least || w < least) {
            throw new IllegalArgumentException(name + " cannot take " + c + "x" + h + "x" + w + " images: it needs a height "
                    + "and width of at least " + least);
        }
    }

    /**
     * The trainable parameters (weights, biases, batch norm's scale and shift; not its running
     * statistics) of a model, in closed form, without building it (so a file's metadata can be checked
     * against its size before anything is allocated).
     */
    public static long trainableParameters(String name, Shape input, int classes) {
        check(name, input, classes);
        long c = input.get(0);
        long h = input.get(1);
        long w = input.get(2);
        long k = classes;
        return switch (name) {
            case "lenet300" -> (c * h * w + 1) * 300 + 301L * 100 + 101L * k;
            case "lenet5" -> {
                long h2 = ((h - 4) / 2 - 4) / 2;
                long w2 = ((w - 4) / 2 - 4) / 2;
                yield (25 * c + 1) * 20 + (25L * 20 + 1) * 50 + (50 * h2 * w2 + 1) * 500 + 501L * k;
            }
            case "resnet20" -> 271_392 + 144 * c + 65 * k;
            case "vgg-small" -> 286_592 + 288 * c + (128 * (h / 8) * (w / 8) + 1) * k;
            default -> throw new IllegalStateException(name);
        };
    }

    /** (N, C H W) -> (N, C, H, W). */
    private static Block reshape(int c, int h, int w) {
        Shape to = new Shape(-1, c, h, w);
        return new LambdaBlock(x -> new NDList(x.singletonOrThrow().reshape(to)));
    }

    /** A padded ("same" for stride 1) k x k convolution without bias. */
    private static Block conv(int filters, int k, int stride) {
        return Conv2d.builder().setKernelShape(new Shape(k, k)).optStride(new Shape(stride, stride))
                .optPadding(new Shape(k / 2, k / 2)).setFilters(filters).optBias(false).build();
    }

    /** ResNet's basic block: relu(bn(conv(relu(bn(conv(x))))) + shortcut(x)). */
    private static Block basicBlock(int in, int out, int stride) {
        SequentialBlock main = new SequentialBlock()
                .add(conv(out, 3, stride)).add(BatchNorm.builder().build()).add(Activation.reluBlock())
                .add(conv(out, 3, 1)).add(BatchNorm.builder().build());
        Block shortcut = stride == 1 && in == out ? Blocks.identityBlock()
                : new SequentialBlock().add(conv(out, 1, stride)).add(BatchNorm.builder().build());
        return new SequentialBlock()
                .add(new ParallelBlock(list -> new NDList(list.get(0).singletonOrThrow().add(list.get(1).singletonOrThrow())),
                        List.of(main, shortcut)))
                .add(Activation.reluBlock());
    }

    /**
     * The network of any member of the LeNet family given its layers ({@link Layers}) and its input:
     * lenet300, lenet5, or a compacted version with fewer neurons or filters. Built in the same block
     * order as {@link #build(String, Shape, int)}, so its parameter names are the same.
     */
    public static SequentialBlock build(List<Layers.Layer> layers, ImageSpec input) {
        ConvBackend.configure();
        SequentialBlock net = new SequentialBlock();
        boolean conv = layers.get(0).conv();
        if (conv) {
            net.add(reshape(input.channels(), input.height(), input.width()));
        } else {
            net.add(Blocks.batchFlattenBlock(input.size()));
        }
        for (int i = 0; i < layers.size(); i++) {
            Layers.Layer l = layers.get(i);
            if (l.conv()) {
                net.add(Conv2d.builder().setKernelShape(new Shape(l.kernel(), l.kernel())).setFilters(l.out()).build())
                        .add(Activation.reluBlock())
                        .add(Pool.maxPool2dBlock(new Shape(2, 2), new Shape(2, 2)));
                if (!layers.get(i + 1).conv()) {
                    net.add(Blocks.batchFlattenBlock());
                }
            } else {
                net.add(Linear.builder().setUnits(l.out()).build());
                if (i < layers.size() - 1) {
                    net.add(Activation.reluBlock());
                }
            }
        }
        return net;
    }
}
