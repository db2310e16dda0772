package org.rvsm.teacher;

/**
 * The closed-form population gradient grad l(w) = cw * w - cStar * w* (docs/math.md section 1.4).
 *
 * @param cw    (1/k^2) [ (k^2 + (pi-1)k)/pi - k |w*| sin(theta)/(pi |w|) - (k^2-k) |w*|/(pi |w|) ]
 * @param cStar (pi - theta) / (pi k)
 * @param theta angle(w, w*) in [0, pi]
 */
public record GradientCoefficients(double cw, double cStar, double theta) {

    /**
     * The coefficients from the two scalars they depend on.
     *
     * @param k           patches
     * @param normW       |w| > 0
     * @param theta       angle(w, w*)
     * @param normTeacher |w*|
     */
    public static GradientCoefficients of(int k, double normW, double theta, double normTeacher) {
        double kk = (double) k * k;
        double ratio = normTeacher / normW;
        double cw = ((kk + (Math.PI - 1.0) * k) / Math.PI
                - k * ratio * Math.sin(theta) / Math.PI
                - (kk - k) * ratio / Math.PI) / kk;
        double cStar = (Math.PI - theta) / (Math.PI * k);
        return new GradientCoefficients(cw, cStar, theta);
    }
}
