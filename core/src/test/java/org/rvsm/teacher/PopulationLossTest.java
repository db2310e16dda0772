package org.rvsm.teacher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.rvsm.Tolerances.assertClose;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.rvsm.Tolerances;
import org.rvsm.Vectors;
import org.rvsm.experiment.Teachers;

/** The closed forms of docs/math.md section 1 against Monte Carlo, finite differences and known points. */
class PopulationLossTest {

    private static double[] gaussian(int d, SplittableRandom rng) {
        double[] v = new double[d];
        for (int i = 0; i < d; i++) {
            v[i] = rng.nextGaussian();
        }
        return v;
    }

    @ParameterizedTest
    @CsvSource({"8, 20, 1", "1, 5, 2", "3, 7, 3"})
    void lossAndGradientMatchMonteCarloWithinFiveStandardErrors(int k, int d, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        double[] teacher = gaussian(d, rng);
        double[] w = gaussian(d, rng);
        NoOverlapNetwork net = new NoOverlapNetwork(k, d);
        int n = 200_000;
        double[] patches = net.sample(n, rng);
        // per-sample loss terms and gradient terms; their means estimate l(w) and grad l(w)
        double sum = 0.0;
        double sumSq = 0.0;
        double[] gSum = new double[d];
        double[] gSumSq = new double[d];
        double[] term = new double[d];
        for (int s = 0; s < n; s++) {
            int off = s * k * d;
            double r = net.output(patches, off, w) - net.output(patches, off, teacher);
            sum += r * r;
            sumSq += r * r * r * r;
            java.util.Arrays.fill(term, 0.0);
            for (int i = 0; i < k; i++) {
                double dot = 0.0;
                for (int j = 0; j < d; j++) {
                    dot += patches[off + i * d + j] * w[j];
                }
                if (dot > 0.0) {
                    for (int j = 0; j < d; j++) {
                        term[j] += 2.0 * r * patches[off + i * d + j] / k;
                    }
                }
            }
            for (int j = 0; j < d; j++) {
                gSum[j] += term[j];
                gSumSq[j] += term[j] * term[j];
            }
        }
        PopulationLoss loss = new PopulationLoss(k, teacher);
        double mean = sum / n;
        double standardError = Math.sqrt((sumSq / n - mean * mean) / n);
        assertClose(loss.value(w), mean, 5.0 * standardError, 0.0, "Monte Carlo loss");
        double[] gradient = new double[d];
        loss.gradient(w, gradient);
        for (int j = 0; j < d; j++) {
            double gMean = gSum[j] / n;
            double gError = Math.sqrt((gSumSq[j] / n - gMean * gMean) / n);
            assertClose(gradient[j], gMean, 5.0 * gError, 0.0, "Monte Carlo gradient[" + j + "]");
        }
    }

    @Test
    void gradientMatchesCentralFiniteDifferences() {
        SplittableRandom rng = new SplittableRandom(4);
        for (int trial = 0; trial < 20; trial++) {
            int k = 1 + rng.nextInt(10);
            int d = 1 + rng.nextInt(30);
            PopulationLoss loss = new PopulationLoss(k, gaussian(d, rng));
            double[] w = gaussian(d, rng);
            double[] gradient = new double[d];
            loss.gradient(w, gradient);
            double h = 1e-5;
            for (int j = 0; j < d; j++) {
                double[] plus = w.clone();
                double[] minus = w.clone();
                plus[j] += h;
                minus[j] -= h;
                double fd = (loss.value(plus) - loss.value(minus)) / (2.0 * h);
                assertClose(fd, gradient[j], Tolerances.FINITE_DIFFERENCE, 1e-6, "k=" + k + " d=" + d + " dl/dw" + j);
            }
        }
    }

    @Test
    void theTeacherIsAStationaryPointWithEqualCoefficients() {
        // docs/math.md section 1.4: at w = w*, cw = cStar = 1/k and l = 0
        SplittableRandom rng = new SplittableRandom(6);
        double[] teacher = gaussian(12, rng);
        PopulationLoss loss = new PopulationLoss(8, teacher);
        GradientCoefficients c = loss.coefficients(teacher);
        assertClose(1.0 / 8, c.cw(), Tolerances.CLOSED_FORM, 0.0, "cw at w*");
        assertClose(1.0 / 8, c.cStar(), Tolerances.CLOSED_FORM, 0.0, "cStar at w*");
        assertClose(0.0, loss.value(teacher), Tolerances.CLOSED_FORM, 0.0, "l(w*)");
        double[] gradient = new double[12];
        loss.gradient(teacher, gradient);
        assertClose(0.0, Vectors.norm(gradient), Tolerances.CLOSED_FORM, 0.0, "|grad l(w*)|");
    }

    @Test
    void lossOfScaledTeacherHasTheHandDerivedValue() {
        // w = s w* (theta = 0): l = |w*|^2 (1/k^2)[A (s^2 + 1) - k s - 2 B s] (g = s|w*|^2 / 2)
        int k = 4;
        double[] teacher = {1.0, -2.0, 0.5};
        double n2 = Vectors.dot(teacher, teacher);
        double kk = k * k;
        double a = (kk + (Math.PI - 1) * k) / (2 * Math.PI);
        double b = (kk - k) / (2 * Math.PI);
        for (double s : new double[] {0.0, 0.5, 2.0}) {
            double[] w = {s * teacher[0], s * teacher[1], s * teacher[2]};
            double expected = n2 * (a * (s * s + 1) - k * s - 2 * b * s) / kk;
            assertClose(expected, new PopulationLoss(k, teacher).value(w), Tolerances.CLOSED_FORM, 1e-14, "s=" + s);
        }
    }

    @Test
    void gradientAtZeroIsTheLimitAlongTheTeacher() {
        double[] teacher = {0.3, -1.0, 2.0};
        PopulationLoss loss = new PopulationLoss(5, teacher);
        double[] atZero = new double[3];
        loss.gradient(new double[3], atZero);
        double[] tiny = new double[3];
        double[] nearZero = {1e-12 * teacher[0], 1e-12 * teacher[1], 1e-12 * teacher[2]};
        loss.gradient(nearZero, tiny);
        assertClose(tiny, atZero, 1e-10, 0.0, "gradient at 0 vs at 1e-12 w*");
        assertTrue(Vectors.allFinite(atZero));
    }

    @Test
    void zeroTeacherGivesAQuadraticLoss() {
        PopulationLoss loss = new PopulationLoss(3, new double[4]);
        double[] w = {1.0, 0.0, -1.0, 2.0};
        double a = (9 + (Math.PI - 1) * 3) / (2 * Math.PI);
        assertClose(a * 6.0 / 9.0, loss.value(w), Tolerances.CLOSED_FORM, 0.0, "A|w|^2/k^2");
        double[] gradient = new double[4];
        loss.gradient(w, gradient);
        for (int j = 0; j < 4; j++) {
            assertClose(2 * a * w[j] / 9.0, gradient[j], Tolerances.CLOSED_FORM, 0.0, "2Aw/k^2");
        }
    }

    @Test
    void sparseTeacherHasTheRequestedSupportAndDeterministicDraws() {
        double[] t1 = Teachers.sparseTeacher(40, 0.25, new SplittableRandom(3));
        double[] t2 = Teachers.sparseTeacher(40, 0.25, new SplittableRandom(3));
        assertEquals(10, 40 - Vectors.countZeros(t1));
        for (double v : t1) {
            assertTrue(v == 0.0 || Math.abs(v) >= 0.5);
        }
        org.junit.jupiter.api.Assertions.assertArrayEquals(t1, t2);
    }
}
