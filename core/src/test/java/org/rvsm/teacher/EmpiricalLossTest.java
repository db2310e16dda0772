package org.rvsm.teacher;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.rvsm.Tolerances.assertClose;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.rvsm.Tolerances;
import org.rvsm.Vectors;

/** The fused empirical kernel against a direct computation, finite differences and the closed form. */
class EmpiricalLossTest {

    private static double[] gaussian(int d, SplittableRandom rng) {
        double[] v = new double[d];
        for (int i = 0; i < d; i++) {
            v[i] = rng.nextGaussian();
        }
        return v;
    }

    @Test
    void fusedKernelEqualsTheDefinitionComputedDirectly() {
        SplittableRandom rng = new SplittableRandom(1);
        int k = 5;
        int d = 13; // not a multiple of the unrolling
        NoOverlapNetwork net = new NoOverlapNetwork(k, d);
        double[] teacher = gaussian(d, rng);
        double[] w = gaussian(d, rng);
        double[] patches = net.sample(300, rng);
        EmpiricalLoss loss = EmpiricalLoss.labelledBy(net, patches, teacher);
        double[] gradient = new double[d];
        double value = loss.lossAndGradient(w, gradient);

        double expectedLoss = 0.0;
        double[] expectedGradient = new double[d];
        for (int s = 0; s < 300; s++) {
            int off = s * k * d;
            double r = net.output(patches, off, w) - net.output(patches, off, teacher);
            expectedLoss += r * r / 300;
            for (int i = 0; i < k; i++) {
                double dot = 0.0;
                for (int j = 0; j < d; j++) {
                    dot += patches[off + i * d + j] * w[j];
                }
                for (int j = 0; j < d; j++) {
                    expectedGradient[j] += dot > 0 ? 2.0 * r * patches[off + i * d + j] / (300.0 * k) : 0.0;
                }
            }
        }
        assertClose(expectedLoss, value, 0.0, 1e-12, "loss");
        assertClose(expectedGradient, gradient, 1e-14, 1e-10, "gradient");
    }

    @Test
    void gradientMatchesFiniteDifferencesOfTheEmpiricalLoss() {
        SplittableRandom rng = new SplittableRandom(2);
        NoOverlapNetwork net = new NoOverlapNetwork(4, 9);
        EmpiricalLoss loss = EmpiricalLoss.labelledBy(net, net.sample(200, rng), gaussian(9, rng));
        double[] w = gaussian(9, rng);
        double[] gradient = new double[9];
        loss.lossAndGradient(w, gradient);
        double[] scratch = new double[9];
        double h = 1e-6; // small enough that no patch product changes sign (checked by the tolerance)
        for (int j = 0; j < 9; j++) {
            double[] plus = w.clone();
            double[] minus = w.clone();
            plus[j] += h;
            minus[j] -= h;
            double fd = (loss.lossAndGradient(plus, scratch) - loss.lossAndGradient(minus, scratch)) / (2 * h);
            assertClose(fd, gradient[j], Tolerances.FINITE_DIFFERENCE, 1e-5, "dl_n/dw" + j);
        }
    }

    @Test
    void empiricalGradientApproachesTheClosedFormAsNGrows() {
        // the error is a mean of n i.i.d. terms: it shrinks like 1/sqrt(n), 10x from n = 1e3 to 1e5
        int k = 8;
        int d = 20;
        SplittableRandom rng = new SplittableRandom(3);
        double[] teacher = gaussian(d, rng);
        double[] w = gaussian(d, rng);
        double[] exact = new double[d];
        new PopulationLoss(k, teacher).gradient(w, exact);
        NoOverlapNetwork net = new NoOverlapNetwork(k, d);
        double[] errors = new double[3];
        int[] sizes = {1_000, 10_000, 100_000};
        for (int m = 0; m < sizes.length; m++) {
            double mean = 0.0;
            int repeats = 4;
            for (int rep = 0; rep < repeats; rep++) {
                EmpiricalLoss loss = EmpiricalLoss.labelledBy(net, net.sample(sizes[m], rng), teacher);
                double[] g = new double[d];
                loss.lossAndGradient(w, g);
                mean += Vectors.distance(g, exact) / repeats;
            }
            errors[m] = mean;
        }
        assertTrue(errors[1] < errors[0] / 2 && errors[2] < errors[1] / 2,
                "errors must shrink ~sqrt(10)x per decade: " + java.util.Arrays.toString(errors));
        assertTrue(errors[2] < 0.05 * Vectors.norm(exact), "n=1e5 within 5%: " + errors[2]);
    }

    @Test
    void onlineBatchesAreUnbiasedAndReproducible() {
        int k = 3;
        int d = 6;
        SplittableRandom rng = new SplittableRandom(9);
        double[] teacher = gaussian(d, rng);
        double[] w = gaussian(d, rng);
        NoOverlapNetwork net = new NoOverlapNetwork(k, d);
        OnlineLoss online = new OnlineLoss(net, teacher, 100, new SplittableRandom(42));
        int batches = 2_000;
        double[] mean = new double[d];
        double[] g = new double[d];
        double[] first = null;
        for (int b = 0; b < batches; b++) {
            online.lossAndGradient(w, g);
            if (first == null) {
                first = g.clone();
            }
            for (int j = 0; j < d; j++) {
                mean[j] += g[j] / batches;
            }
        }
        double[] exact = new double[d];
        new PopulationLoss(k, teacher).gradient(w, exact);
        // 2e5 inputs in all: the Monte Carlo error is a few 1e-3 of |grad|
        assertTrue(Vectors.distance(mean, exact) < 0.02 * Vectors.norm(exact),
                "online mean " + Vectors.distance(mean, exact) + " vs |grad| " + Vectors.norm(exact));
        double[] again = new double[d];
        new OnlineLoss(net, teacher, 100, new SplittableRandom(42)).lossAndGradient(w, again);
        assertArrayEquals(first, again, 0.0, "same seed, same first batch");
    }

    @Test
    void parallelChunksGiveTheSameBitsAsOneThread() {
        SplittableRandom rng = new SplittableRandom(4);
        NoOverlapNetwork net = new NoOverlapNetwork(3, 7);
        double[] teacher = gaussian(7, rng);
        double[] w = gaussian(7, rng);
        int n = 5 * EmpiricalLoss.CHUNK + 17; // several chunks and a ragged last one
        double[] patches = net.sample(n, rng);
        double[] labels = net.label(patches, teacher);
        double[] g1 = new double[7];
        double[] g2 = new double[7];
        double l1 = new EmpiricalLoss(net, patches, labels, false).lossAndGradient(w, g1);
        double l2 = new EmpiricalLoss(net, patches, labels, true).lossAndGradient(w, g2);
        assertEquals(Double.doubleToRawLongBits(l1), Double.doubleToRawLongBits(l2));
        assertArrayEquals(g1, g2, 0.0);
    }

    @Test
    void shapesAreChecked() {
        NoOverlapNetwork net = new NoOverlapNetwork(2, 3);
        assertThrows(IllegalArgumentException.class, () -> new EmpiricalLoss(net, new double[7], new double[1]));
        assertThrows(IllegalArgumentException.class, () -> new EmpiricalLoss(net, new double[12], new double[3]));
        assertThrows(IllegalArgumentException.class, () -> new NoOverlapNetwork(0, 3));
        assertThrows(IllegalArgumentException.class, () -> new NoOverlapNetwork(2, 0));
        EmpiricalLoss ok = new EmpiricalLoss(net, new double[12], new double[2]);
        assertThrows(IllegalArgumentException.class, () -> ok.lossAndGradient(new double[4], new double[4]));
    }
}
