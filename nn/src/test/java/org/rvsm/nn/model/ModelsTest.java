package org.rvsm.nn.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.SequentialBlock;
import ai.djl.training.ParameterStore;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The zoo: every model on Fashion-MNIST's and CIFAR-10's shapes, its parameter count, and its refusals. */
class ModelsTest {

    static Stream<Arguments> modelsAndShapes() {
        return Models.NAMES.stream().flatMap(name -> Stream.of(
                Arguments.of(name, new Shape(1, 28, 28), 10),
                Arguments.of(name, new Shape(3, 32, 32), 10),
                Arguments.of(name, new Shape(3, 32, 32), 7)));
    }

    /** Forward pass (evaluation mode) of a batch of 2: (2, classes) logits; trainable count = the closed form. */
    @ParameterizedTest(name = "{0} on {1}, {2} classes")
    @MethodSource("modelsAndShapes")
    void takesTheShapeAndGivesTheClasses(String name, Shape input, int classes) {
        SequentialBlock net = Models.build(name, input, classes);
        try (NDManager m = NDManager.newBaseManager()) {
            net.initialize(m, DataType.FLOAT32, new Shape(2, input.size()));
            NDList out = net.forward(new ParameterStore(m, false),
                    new NDList(m.randomNormal(new Shape(2, input.size()))), false);
            assertEquals(new Shape(2, classes), out.singletonOrThrow().getShape());
            long trainable = net.getParameters().values().stream().filter(p -> p.requiresGradient())
                    .mapToLong(p -> p.getArray().size()).sum();
            assertEquals(Models.trainableParameters(name, input, classes), trainable);
        }
    }

    /**
     * The counts documented in Models and the README, worked by hand:
     * resnet20 (3 x 32 x 32, 10 classes): conv 432 + BN 32; stage 1: 6 convs of 2,304 + 6 BN of 32;
     * stage 2: 4,608 + 5 x 9,216 + projection 512 + 7 BN of 64; stage 3: 18,432 + 5 x 36,864 + projection
     * 2,048 + 7 BN of 128; fc 650: 272,474 (He et al. 2016 give "0.27M"). vgg-small: convs 864 + 9,216 +
     * 18,432 + 36,864 + 73,728 + 147,456, BN 896, fc 2,048 x 10 + 10: 307,946.
     */
    @Test
    void parameterCountsMatchTheHandCount() {
        assertEquals(272_474, Models.trainableParameters("resnet20", new Shape(3, 32, 32), 10));
        assertEquals(307_946, Models.trainableParameters("vgg-small", new Shape(3, 32, 32), 10));
        assertEquals(266_610, Models.trainableParameters("lenet300", Models.FASHION_MNIST, 10)); // 235,500 + 30,100 + 1,010
        assertEquals(431_080, Models.trainableParameters("lenet5", Models.FASHION_MNIST, 10)); // 520 + 25,050 + 400,500 + 5,010
    }

    @Test
    void lenetParameterNamesAreUnchanged() {
        // the names of every model file written so far (docs/formats.md)
        assertEquals(List.of("02Linear_weight", "04Linear_weight", "06Linear_weight"), Models.weightNames("lenet300"));
        assertEquals(List.of("02Conv2d_weight", "05Conv2d_weight", "09Linear_weight", "11Linear_weight"),
                Models.weightNames("lenet5"));
        assertEquals(22, Models.weightNames("resnet20").size(), "19 convs in the blocks and the stem, 2 projections, fc");
        assertEquals(7, Models.weightNames("vgg-small").size());
    }

    @Test
    void refusesUnknownNamesAndShapesAModelCannotTakeInOneLine() {
        for (Runnable r : new Runnable[] {
            () -> Models.build("resnet56", new Shape(3, 32, 32), 10),
            () -> Models.build("lenet5", new Shape(1, 15, 28), 10),
            () -> Models.build("vgg-small", new Shape(3, 7, 7), 10),
            () -> Models.build("resnet20", new Shape(1, 4, 4), 10),
            () -> Models.build("lenet300", new Shape(28, 28), 10),
            () -> Models.build("lenet300", new Shape(0, 28, 28), 10),
            () -> Models.build("lenet300", Models.FASHION_MNIST, 1),
            () -> Models.trainableParameters("vgg-small", new Shape(65, 32, 32), 10)}) {
            String m = assertThrows(IllegalArgumentException.class, r::run).getMessage();
            assertEquals(1, m.lines().count(), m);
        }
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Models.build("lenet5", new Shape(1, 12, 12), 10))
                .getMessage().contains("at least 16"));
    }

    @Test
    void theSmallestAcceptedImagesRun() {
        for (String name : Models.NAMES) {
            int side = name.equals("lenet5") ? 16 : name.equals("lenet300") ? 1 : 8;
            Shape input = new Shape(2, side, side + 1);
            SequentialBlock net = Models.build(name, input, 3);
            try (NDManager m = NDManager.newBaseManager()) {
                net.initialize(m, DataType.FLOAT32, new Shape(1, input.size()));
                long[] out = net.forward(new ParameterStore(m, false), new NDList(m.ones(new Shape(1, input.size()))), false)
                        .singletonOrThrow().getShape().getShape();
                assertArrayEquals(new long[] {1, 3}, out, name);
            }
        }
    }
}
