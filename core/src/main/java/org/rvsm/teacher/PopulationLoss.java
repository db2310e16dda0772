package org.rvsm.teacher;

import org.rvsm.Vectors;
import org.rvsm.optimizer.DifferentiableObjective;

/**
 * The population loss l(w) = E_Z[(f(Z,w) - f(Z,w*))^2] for Gaussian input, in closed form
 * (docs/math.md sections 1.2 to 1.5; no 1/2 factor):
 *
 * <pre>
 *   l(w) = (1/k^2) [ A (|w|^2 + |w*|^2) - 2 k g(w,w*) - 2 B |w||w*| ]
 *   g(w,w*) = |w||w*| (sin theta + (pi - theta) cos theta) / (2 pi)
 *   A = (k^2 + (pi-1) k)/(2 pi),  B = (k^2 - k)/(2 pi)
 * </pre>
 *
 * <p>l is not differentiable at w = 0. There the gradient returned is the limit of the closed form
 * as w -> 0 along w* (theta = 0): -((k-1)/(pi k) + 1/k) w*. With w* = 0 the loss is
 * A |w|^2 / k^2 and the gradient 2 A w / k^2.
 */
public final class PopulationLoss implements DifferentiableObjective {

    private final int k;
    private final double[] teacher;
    private final double teacherNorm;

    /** @param teacher w*, copied */
    public PopulationLoss(int k, double[] teacher) {
        if (k < 1) {
            throw new IllegalArgumentException("k must be >= 1, got " + k);
        }
        if (teacher.length < 1) {
            throw new IllegalArgumentException("teacher must have at least one entry");
        }
        if (!Vectors.allFinite(teacher)) {
            throw new IllegalArgumentException("teacher entries must be finite");
        }
        this.k = k;
        this.teacher = teacher.clone();
        this.teacherNorm = Vectors.norm(teacher);
    }

    public int k() {
        return k;
    }

    /** A copy of w*. */
    public double[] teacher() {
        return teacher.clone();
    }

    @Override
    public int dimension() {
        return teacher.length;
    }

    /** l(w). */
    public double value(double[] w) {
        checkLength(w);
        double normW = Vectors.norm(w);
        double kk = (double) k * k;
        double a = (kk + (Math.PI - 1.0) * k) / (2.0 * Math.PI);
        double b = (kk - k) / (2.0 * Math.PI);
        double g = 0.0;
        if (normW > 0.0 && teacherNorm > 0.0) {
            double theta = Vectors.angle(w, teacher);
            g = normW * teacherNorm * (Math.sin(theta) + (Math.PI - theta) * Math.cos(theta)) / (2.0 * Math.PI);
        }
        double value = (a * (normW * normW + teacherNorm * teacherNorm) - 2.0 * k * g
                - 2.0 * b * normW * teacherNorm) / kk;
        // the exact value is >= 0; rounding near w = w* can leave a tiny negative
        return Math.max(value, 0.0);
    }

    /** The gradient coefficients (cw, cStar, theta) at w. */
    public GradientCoefficients coefficients(double[] w) {
        checkLength(w);
        double normW = Vectors.norm(w);
        if (teacherNorm == 0.0) {
            return GradientCoefficients.of(k, Math.max(normW, Double.MIN_NORMAL), Math.PI / 2.0, 0.0);
        }
        if (normW == 0.0) {
            // the limit along w*: |w| -> 0 with theta = 0; cw * w vanishes, keep only its |w|-free part
            double kk = (double) k * k;
            double pull = (kk - k) / (Math.PI * kk);
            return new GradientCoefficients(Double.NaN, 1.0 / k + pull, 0.0);
        }
        return GradientCoefficients.of(k, normW, Vectors.angle(w, teacher), teacherNorm);
    }

    /** grad l(w) = cw w - cStar w*. gradient: modified. */
    public void gradient(double[] w, double[] gradient) {
        checkLength(w);
        checkLength(gradient);
        GradientCoefficients c = coefficients(w);
        boolean atZero = Double.isNaN(c.cw());
        for (int i = 0; i < w.length; i++) {
            gradient[i] = (atZero ? 0.0 : c.cw() * w[i]) - c.cStar() * teacher[i];
        }
    }

    @Override
    public double lossAndGradient(double[] w, double[] gradient) {
        gradient(w, gradient);
        return value(w);
    }

    private void checkLength(double[] v) {
        if (v.length != teacher.length) {
            throw new IllegalArgumentException(
                    "vector has " + v.length + " entries, expected d = " + teacher.length);
        }
    }
}
