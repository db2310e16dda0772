package org.rvsm.teacher;

import org.rvsm.Vectors;
import org.rvsm.penalty.L0;
import org.rvsm.penalty.L1;
import org.rvsm.penalty.Penalty;
import org.rvsm.penalty.TransformedL1;

/**
 * Solves for the theory's predicted RVSM limit (docs/math.md section 4), independently of the
 * optimiser.
 *
 * <p>Each coordinate solves the scalar equation (c + beta) x - beta T(x) = c* w*_i, where
 * c = cw and c* depend on w̄ only through r = |w̄| and theta = angle(w̄, w*). On T's zero branch
 * x = s / (c + beta); on its non-zero branch y = T(x) satisfies x = y + mu p'(y), so the equation
 * becomes c y + (c + beta) mu p'(y) = |s| with y > 0: linear for l1 and l0, convex in y for Tl1
 * (solved by bisection on its decreasing and increasing pieces). The two scalars (r, theta) are
 * then found by a damped Newton iteration on the self-consistency residual; plain fixed-point
 * iteration in r is unstable (its slope at lambda = 0 is -(k-1)/pi).
 */
public final class LimitSolver {

    private static final int MAX_NEWTON_STEPS = 200;

    private LimitSolver() {
    }

    /**
     * The predicted limit.
     *
     * @param keepHint optional, length d: for a bistable coordinate, true selects the non-zero
     *                 branch and false the zero branch (pass the support of a run's final u to get
     *                 the limit of that run); null selects the non-zero branch
     */
    public static PredictedLimit solve(int k, double[] teacher, Penalty penalty, double lambda,
                                       double beta, boolean[] keepHint) {
        if (!(lambda >= 0.0) || Double.isInfinite(lambda)) {
            throw new IllegalArgumentException("lambda must be finite and >= 0, got " + lambda);
        }
        if (!(beta > 0.0) || Double.isInfinite(beta)) {
            throw new IllegalArgumentException("beta must be finite and > 0, got " + beta);
        }
        if (keepHint != null && keepHint.length != teacher.length) {
            throw new IllegalArgumentException(
                    "keepHint has " + keepHint.length + " entries, expected d = " + teacher.length);
        }
        new PopulationLoss(k, teacher); // validates k and the teacher
        int d = teacher.length;
        double teacherNorm = Vectors.norm(teacher);
        if (teacherNorm == 0.0) {
            return new PredictedLimit(new double[d], new double[d], new int[0], Double.NaN, Double.NaN,
                    Double.NaN, 0.0, true);
        }
        Residual system = new Residual(k, teacher, teacherNorm, penalty, lambda / beta, beta, keepHint);

        double r = teacherNorm;
        double theta = 0.0;
        double[] f = new double[2];
        double norm = system.evaluate(r, theta, f);
        for (int step = 0; step < MAX_NEWTON_STEPS && norm > 1e-15; step++) {
            double hr = 1e-7 * r;
            double ht = theta + 1e-7 <= Math.PI ? 1e-7 : -1e-7;
            double[] fr = new double[2];
            double[] ft = new double[2];
            system.evaluate(r + hr, theta, fr);
            system.evaluate(r, theta + ht, ft);
            double j00 = (fr[0] - f[0]) / hr;
            double j10 = (fr[1] - f[1]) / hr;
            double j01 = (ft[0] - f[0]) / ht;
            double j11 = (ft[1] - f[1]) / ht;
            double det = j00 * j11 - j01 * j10;
            if (!(Math.abs(det) > 0.0) || !Double.isFinite(det)) {
                break;
            }
            double dr = -(j11 * f[0] - j01 * f[1]) / det;
            double dt = -(-j10 * f[0] + j00 * f[1]) / det;
            boolean accepted = false;
            double[] trial = new double[2];
            for (double scale = 1.0; scale > 1e-12; scale *= 0.5) {
                double rTrial = r + scale * dr;
                double tTrial = Math.min(Math.max(theta + scale * dt, 0.0), Math.PI);
                if (!(rTrial > 0.0)) {
                    continue;
                }
                double trialNorm = system.evaluate(rTrial, tTrial, trial);
                if (trialNorm < norm) {
                    r = rTrial;
                    theta = tTrial;
                    norm = trialNorm;
                    f[0] = trial[0];
                    f[1] = trial[1];
                    accepted = true;
                    break;
                }
            }
            if (!accepted) {
                break;
            }
        }
        system.evaluate(r, theta, f);
        GradientCoefficients c = GradientCoefficients.of(k, r, theta, teacherNorm);
        return new PredictedLimit(system.w.clone(), system.u.clone(), system.bistable(), c.cw(),
                c.cStar(), theta, norm, norm < 1e-12);
    }

    /** The map (r, theta) -> (|w̄| - r, angle(w̄, w*) - theta), with w̄ built coordinatewise. */
    private static final class Residual {
        final int k;
        final double[] teacher;
        final double teacherNorm;
        final Penalty penalty;
        final double mu;
        final double beta;
        final boolean[] keepHint;
        final double[] w;
        final double[] u;
        final boolean[] multiple;
        final double[] xs = new double[3];
        final double[] ys = new double[3];

        Residual(int k, double[] teacher, double teacherNorm, Penalty penalty, double mu, double beta,
                 boolean[] keepHint) {
            this.k = k;
            this.teacher = teacher;
            this.teacherNorm = teacherNorm;
            this.penalty = penalty;
            this.mu = mu;
            this.beta = beta;
            this.keepHint = keepHint;
            this.w = new double[teacher.length];
            this.u = new double[teacher.length];
            this.multiple = new boolean[teacher.length];
        }

        /** Fills w, u and out; returns |out|, or NaN where the coefficients leave the valid range. */
        double evaluate(double r, double theta, double[] out) {
            GradientCoefficients c = GradientCoefficients.of(k, r, theta, teacherNorm);
            if (!(c.cw() > 0.0)) {
                out[0] = Double.NaN;
                out[1] = Double.NaN;
                return Double.NaN;
            }
            for (int i = 0; i < teacher.length; i++) {
                int count = coordinateSolutions(penalty, mu, c.cw(), beta, c.cStar() * teacher[i], xs, ys);
                if (count == 0) {
                    out[0] = Double.NaN;
                    out[1] = Double.NaN;
                    return Double.NaN;
                }
                int pick = choose(count, keepHint == null || keepHint[i]);
                w[i] = xs[pick];
                u[i] = ys[pick];
                multiple[i] = count > 1;
            }
            out[0] = (Vectors.norm(w) - r) / teacherNorm;
            out[1] = Vectors.angle(w, teacher) - theta;
            return Math.hypot(out[0], out[1]);
        }

        /** The non-zero solution of largest |y| when keeping, else the zero branch if there is one. */
        private int choose(int count, boolean keep) {
            int largest = 0;
            int zero = -1;
            for (int j = 0; j < count; j++) {
                if (ys[j] == 0.0) {
                    zero = j;
                }
                if (Math.abs(ys[j]) > Math.abs(ys[largest])) {
                    largest = j;
                }
            }
            return keep || zero < 0 ? largest : zero;
        }

        int[] bistable() {
            return java.util.stream.IntStream.range(0, multiple.length).filter(i -> multiple[i]).toArray();
        }
    }

    /**
     * All solutions (x, y = T(x)) of (c + beta) x - beta T_mu(x) = s, written into xs and ys
     * (length >= 3; modified). Returns their number (0 to 3).
     */
    static int coordinateSolutions(Penalty penalty, double mu, double c, double beta, double s,
                                   double[] xs, double[] ys) {
        int count = 0;
        double t = penalty.threshold(mu);
        double zeroBranch = s / (c + beta);
        if (Math.abs(zeroBranch) <= t) {
            xs[count] = zeroBranch;
            ys[count] = 0.0;
            count++;
        }
        double target = Math.abs(s);
        if (target == 0.0) {
            return count;
        }
        double sign = Math.signum(s);
        // Java 17 has no pattern switch; the sealed hierarchy keeps this chain exhaustive
        if (penalty instanceof L1) {
            double y = (target - (c + beta) * mu) / c;
            if (y > 0.0) {
                xs[count] = sign * (y + mu);
                ys[count] = sign * y;
                count++;
            }
        } else if (penalty instanceof L0) {
            double y = target / c;
            if (y > t) {
                xs[count] = sign * y;
                ys[count] = sign * y;
                count++;
            }
        } else if (penalty instanceof TransformedL1 tl1) {
            count = tl1Solutions(tl1, mu, c, beta, target, sign, t, xs, ys, count);
        } else {
            throw new IllegalStateException("unknown penalty " + penalty);
        }
        return count;
    }

    /** Roots y > 0 of G(y) = c y + (c + beta) mu a (a+1) / (a+y)^2 = target that T really produces. */
    private static int tl1Solutions(TransformedL1 tl1, double mu, double c, double beta, double target,
                                    double sign, double t, double[] xs, double[] ys, int count) {
        double a = tl1.a();
        double kappa = (c + beta) * mu * a * (a + 1.0);
        double valley = Math.cbrt(2.0 * kappa / c) - a; // G decreases on (0, valley), increases after
        double[] roots = new double[2];
        int found = 0;
        double lo = Math.max(valley, 0.0);
        double hi = target / c; // G(hi) > target
        if (g(lo, c, kappa, a) <= target) {
            roots[found++] = bisect(lo, hi, c, kappa, a, target, true);
        }
        if (valley > 0.0 && g(0.0, c, kappa, a) >= target && g(valley, c, kappa, a) < target) {
            roots[found++] = bisect(0.0, valley, c, kappa, a, target, false);
        }
        boolean continuous = tl1.isContinuousRegime(mu);
        for (int j = 0; j < found; j++) {
            double y = roots[j];
            if (!(y > 0.0)) {
                continue;
            }
            double x = y + mu * a * (a + 1.0) / ((a + y) * (a + y));
            // in the jump regime the stationarity equation also has a branch T never returns
            boolean produced = x > t && (continuous || Math.abs(tl1.prox(x, mu) - y) <= 1e-7 * (1.0 + y));
            if (produced) {
                xs[count] = sign * x;
                ys[count] = sign * y;
                count++;
            }
        }
        return count;
    }

    private static double g(double y, double c, double kappa, double a) {
        return c * y + kappa / ((a + y) * (a + y));
    }

    /** Bisection to adjacent doubles on a monotone piece of G. */
    private static double bisect(double lo, double hi, double c, double kappa, double a, double target,
                                 boolean increasing) {
        for (int it = 0; it < 2000; it++) {
            double mid = 0.5 * (lo + hi);
            if (mid <= lo || mid >= hi) {
                break;
            }
            boolean below = g(mid, c, kappa, a) < target;
            if (below == increasing) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        return 0.5 * (lo + hi);
    }

    /** The support of a vector as a hint: true where v is non-zero. */
    public static boolean[] supportOf(double[] v) {
        boolean[] support = new boolean[v.length];
        for (int i = 0; i < v.length; i++) {
            support[i] = v[i] != 0.0;
        }
        return support;
    }

}
