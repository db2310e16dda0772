package org.rvsm.nn.model;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Blocks;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.pooling.Pool;
import java.util.List;
import org.rvsm.nn.ConvBackend;

/**
 * The model zoo: networks by name, all taking flat (N, 784) images and giving (N, 10) logits. Building
 * one applies the engine's convolution backend ({@link ConvBackend#configure()}: oneDNN unless
 * {@code -Drvsm.conv} or {@code RVSM_CONV} says otherwise).
 */
public final class Models {

    /** The names accepted by {@link #build(String)}. */
    public static final List<String> NAMES = List.of("lenet300", "lenet5");

    private Models() {
    }

    /** The names of a model's weight tensors (what can be sparsified), in model order. */
    public static List<String> weightNames(String name) {
        SequentialBlock net = build(name);
        try (ai.djl.ndarray.NDManager manager = ai.djl.ndarray.NDManager.newBaseManager()) {
            net.initialize(manager, ai.djl.ndarray.types.DataType.FLOAT32, new Shape(1, 784));
            return net.getParameters().stream()
                    .filter(p -> p.getValue().getType() == ai.djl.nn.Parameter.Type.WEIGHT)
                    .map(ai.djl.util.Pair::getKey).toList();
        }
    }

    /**
     * lenet300: 784-300-100-10 with ReLU. lenet5 (the Caffe variant used by pruning papers): conv
     * 20@5x5, max-pool 2, conv 50@5x5, max-pool 2, fc 500, fc 10, ReLU after each hidden layer.
     */
    public static SequentialBlock build(String name) {
        ConvBackend.configure(); // before the engine's first convolution (docs/conv-nan.md)
        SequentialBlock net = new SequentialBlock();
        switch (name) {
            case "lenet300" -> net.add(Blocks.batchFlattenBlock(784))
                    .add(Linear.builder().setUnits(300).build()).add(Activation.reluBlock())
                    .add(Linear.builder().setUnits(100).build()).add(Activation.reluBlock())
                    .add(Linear.builder().setUnits(10).build());
            case "lenet5" -> net.add(x -> new NDList(x.singletonOrThrow().reshape(new Shape(-1, 1, 28, 28))))
                    .add(Conv2d.builder().setKernelShape(new Shape(5, 5)).setFilters(20).build())
                    .add(Activation.reluBlock())
                    .add(Pool.maxPool2dBlock(new Shape(2, 2), new Shape(2, 2)))
                    .add(Conv2d.builder().setKernelShape(new Shape(5, 5)).setFilters(50).build())
                    .add(Activation.reluBlock())
                    .add(Pool.maxPool2dBlock(new Shape(2, 2), new Shape(2, 2)))
                    .add(Blocks.batchFlattenBlock())
                    .add(Linear.builder().setUnits(500).build()).add(Activation.reluBlock())
                    .add(Linear.builder().setUnits(10).build());
            default -> throw new IllegalArgumentException("model must be one of " + NAMES + ", got '" + name + "'");
        }
        return net;
    }

    /**
     * The network of any member of the LeNet family given its layers ({@link org.rvsm.runtime.Layers}):
     * lenet300, lenet5, or a compacted version with fewer neurons or filters. Built in the same block
     * order as {@link #build(String)}, so its parameter names are the same.
     */
    public static SequentialBlock build(List<org.rvsm.runtime.Layers.Layer> layers) {
        ConvBackend.configure();
        SequentialBlock net = new SequentialBlock();
        boolean conv = layers.get(0).conv();
        if (conv) {
            net.add(x -> new NDList(x.singletonOrThrow().reshape(new Shape(-1, 1, 28, 28))));
        } else {
            net.add(Blocks.batchFlattenBlock(784));
        }
        for (int i = 0; i < layers.size(); i++) {
            org.rvsm.runtime.Layers.Layer l = layers.get(i);
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
