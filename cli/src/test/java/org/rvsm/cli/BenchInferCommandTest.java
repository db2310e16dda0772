package org.rvsm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class BenchInferCommandTest {

    /**
     * The paired ratio compares each block's two contenders with each other: when the machine runs at
     * half speed for a block, both take twice as long there and the block's ratio is unchanged.
     * Expected values by hand.
     */
    @Test
    void pairedRatioIsTheMedianOfTheBlocksRatiosAndIgnoresPaceChangesBetweenBlocks() {
        // three blocks of 3 calls; block 2 runs at half speed; a is 5x b within every block
        double[] b = {1, 1.2, 0.9, 2, 2.4, 1.8, 1, 1.1, 1.0};
        double[] a = new double[b.length];
        for (int i = 0; i < b.length; i++) {
            a[i] = 5 * b[i];
        }
        assertEquals(5.0, BenchInferCommand.pairedRatio(a, b, 3), 1e-12);
        // the block ratios 2, 4 and 8 (block medians 2/1, 4/1, 8/1): their median is 4
        double[] c = {2, 2, 2, 4, 4, 4, 8, 8, 8};
        double[] d = {1, 1, 1, 1, 1, 1, 1, 1, 1};
        assertEquals(4.0, BenchInferCommand.pairedRatio(c, d, 3), 1e-12);
        // within a block, each side's median: an odd slow call does not move it
        double[] e = {3, 30, 3};
        double[] f = {1, 1, 10};
        assertEquals(3.0, BenchInferCommand.pairedRatio(e, f, 3), 1e-12);
    }
}
