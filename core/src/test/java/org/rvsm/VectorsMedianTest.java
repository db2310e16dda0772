package org.rvsm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** The one median of the cli module; expected values by hand. */
class VectorsMedianTest {

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
}
