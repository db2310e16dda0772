package org.rvsm.experiment;

import java.util.List;
import org.rvsm.penalty.Penalty;

/**
 * The settings of the paper reproduction. One teacher (seeded, sparse) serves every experiment.
 *
 * @param k              patches per input
 * @param d              filter dimension
 * @param teacherDensity fraction of non-zero teacher entries
 * @param beta           splitting weight
 * @param eta            step size
 * @param lambda         the penalty weight of experiments (a), (c) and (d)
 * @param penalties      the penalties compared (l1, l0 and Tl1 at one or more a)
 * @param lambdaGrid     the lambda path of experiment (b), run from the largest down (warm starts)
 * @param pathSamples    n of the fixed sample whose empirical loss experiment (b) minimises: with
 *                       finitely many noiseless samples small lambdas keep noise coordinates, so the
 *                       path shows a real trade-off (the population loss recovers every zero exactly)
 * @param pathLabelNoise standard deviation of Gaussian noise added to the labels of that sample:
 *                       with noiseless labels the empirical minimiser is w* itself and small lambdas
 *                       recover the support exactly, so there would be no trade-off to see (this
 *                       goes beyond the paper's noiseless setting, and the report says so)
 * @param sampleSizes    the sample sizes n of experiment (c)
 * @param seedsPerSize   independent samples per n in experiment (c)
 * @param iterations     iteration budget per run (each run also stops at |w^{t+1} - w^t| < 1e-12)
 * @param empiricalIterations budget of the runs of (c): on the empirical loss, which is only
 *                       piecewise smooth, gradient steps can cycle across a ReLU kink at an amplitude
 *                       far below the sampling error, and never meet the tolerance
 * @param seed           the seed every draw derives from
 */
public record ReproductionSettings(int k, int d, double teacherDensity, double beta, double eta, double lambda,
                                   List<Penalty> penalties, double[] lambdaGrid, int pathSamples, double pathLabelNoise,
                                   int[] sampleSizes,
                                   int seedsPerSize, int iterations, int empiricalIterations, long seed) {

    /** Iterates closer than this are taken as converged. */
    public static final double TOLERANCE = 1e-12;

    public ReproductionSettings {
        penalties = List.copyOf(penalties);
        lambdaGrid = lambdaGrid.clone();
        sampleSizes = sampleSizes.clone();
    }

    /**
     * lambda of (a), (c), (d): with beta = 1 the hard threshold is sqrt(2 lambda) = 0.045, below
     * min |w*_i| / 9 ~ 0.055, so no true coordinate can stay trapped in l0's dropped state.
     */
    private static final double LAMBDA = 0.001;

    /** A small version that runs in seconds: d = 30, 20 lambdas, n up to 8,000, 4 seeds per n. */
    public static ReproductionSettings quick(long seed) {
        return new ReproductionSettings(8, 30, 0.3, 1.0, 0.5, LAMBDA,
                List.of(Penalty.l1(), Penalty.l0(), Penalty.transformedL1(1.0)),
                geometric(1e-5, 3.0, 24), 1_000, 0.1, new int[] {250, 1_000, 2_000, 4_000, 8_000}, 4, 3_000, 600, seed);
    }

    /** The full version: d = 50, Tl1 at a = 0.1, 1, 10, 40 lambdas, n up to 64,000, 5 seeds per n. */
    public static ReproductionSettings full(long seed) {
        return new ReproductionSettings(8, 50, 0.2, 1.0, 0.5, LAMBDA,
                List.of(Penalty.l1(), Penalty.l0(), Penalty.transformedL1(0.1), Penalty.transformedL1(1.0),
                        Penalty.transformedL1(10.0)),
                geometric(1e-5, 3.0, 40), 2_000, 0.1, new int[] {250, 1_000, 4_000, 16_000, 64_000}, 5, 20_000, 1_000,
                seed);
    }

    /** count values from lo to hi, equally spaced in log scale, ascending. */
    public static double[] geometric(double lo, double hi, int count) {
        double[] grid = new double[count];
        for (int i = 0; i < count; i++) {
            grid[i] = lo * Math.pow(hi / lo, count == 1 ? 0.0 : (double) i / (count - 1));
        }
        return grid;
    }
}
