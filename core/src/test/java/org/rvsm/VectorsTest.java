package org.rvsm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** Vectors' median and finiteness scan; expected values by hand. */
class VectorsTest {

    @Test
    void oddCountIsTheMiddleValue() {
        assertEquals(3.0, Vectors.median(new double[] {5, 1, 3}), 0.0);
        assertEquals(2.0, Vectors.median(new double[] {9, 2, 1, 2, 100}), 0.0);
        assertEquals(7.5, Vectors.median(new double[] {7.5}), 0.0);
    }

    @Test
    void evenCountIsTheMeanOfTheTwoMiddleValues() {
        assertEquals(2.5, Vectors.median(new double[] {4, 1, 3, 2}), 0.0);
        assertEquals(1.5, Vectors.median(new double[] {2, 1}), 0.0);
        assertEquals(-0.5, Vectors.median(new double[] {-3, 0, -1, 10}), 0.0);
    }

    @Test
    void leavesItsArgumentAsItWas() {
        double[] values = {3, 1, 2};
        Vectors.median(values);
        assertArrayEquals(new double[] {3, 1, 2}, values, 0.0);
    }

    @Test
    void noValuesHaveNoMedian() {
        assertThrows(IllegalArgumentException.class, () -> Vectors.median(new double[0]));
    }

    @Test
    void firstNonFiniteFindsTheFirstNaNOrInfinity() {
        assertEquals(-1, Vectors.firstNonFinite(new float[0]));
        assertEquals(-1, Vectors.firstNonFinite(new float[] {0f, -0f, Float.MAX_VALUE, -Float.MIN_VALUE}));
        assertEquals(2, Vectors.firstNonFinite(new float[] {1f, 2f, Float.NaN, Float.POSITIVE_INFINITY}));
        assertEquals(0, Vectors.firstNonFinite(new float[] {Float.NEGATIVE_INFINITY, Float.NaN}));
    }
}
