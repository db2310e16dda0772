package org.rvsm.penalty;

/**
 * A separable sparsity penalty P(w) = sum_i p(w_i) and its thresholding (proximal) operator
 *
 * <pre>  T_mu(x) = argmin_y (1/2)(y - x)^2 + mu p(y)        (docs/math.md section 3.1)</pre>
 *
 * <p>In RVSM, mu = lambda / beta. Scalar and {@code double[]} forms compute in double. The
 * {@code float[]} form (for network weights) equals the double operator rounded once to float,
 * {@code prox(float[])[i] == (float) prox((double) x_i, mu)}, except l1, which uses mu rounded to
 * float so that its loop vectorises: there {@code prox(float[])[i] == (float) prox((double) x_i, (float) mu)}.
 * Both are exact, bit-for-bit statements, tested.
 *
 * <p>Conventions shared by every implementation:
 * <ul>
 *   <li>Dead zone: {@code T(x) = +0.0} exactly when {@code |x| <= threshold(mu)}. At a jump threshold
 *       (l0, Tl1 with large mu) both 0 and the non-zero branch minimise; the tie goes to 0.</li>
 *   <li>{@code mu == 0} is the identity, bit for bit (so lambda = 0 reduces RVSM to gradient descent).</li>
 *   <li>NaN in gives NaN out; +-infinity in gives +-infinity out.</li>
 *   <li>Array forms allocate nothing (Tl1's float[] form: nothing after its first call on a thread);
 *       {@code src} and {@code dst} may be the same array.</li>
 * </ul>
 */
public sealed interface Penalty permits L1, L0, TransformedL1 {

    /** l1, p(y) = |y|: soft thresholding. */
    static Penalty l1() {
        return new L1();
    }

    /** l0, p(y) = 1{y != 0}: hard thresholding. */
    static Penalty l0() {
        return new L0();
    }

    /** Transformed l1, p_a(y) = (a+1)|y| / (a+|y|), shape a > 0. */
    static Penalty transformedL1(double a) {
        return new TransformedL1(a);
    }

    /**
     * The penalty of a command-line name: l1, l0, or tl1 with shape a (a is used by tl1 only). An
     * IllegalArgumentException names any other name.
     */
    static Penalty named(String name, double a) {
        return switch (name) {
            case "l1" -> l1();
            case "l0" -> l0();
            case "tl1" -> transformedL1(a);
            default -> throw new IllegalArgumentException("penalty must be one of l1, l0, tl1, got '" + name + "'");
        };
    }

    /** Short name used in reports and on the command line: {@code l1}, {@code l0}, {@code tl1(a=1.0)}. */
    String label();

    /** p(y) for one coordinate. */
    double value(double y);

    /** P(y) = sum_i p(y_i). */
    default double value(double[] y) {
        double sum = 0.0;
        for (double v : y) {
            sum += value(v);
        }
        return sum;
    }

    /** t*(mu): the largest |x| mapped to zero by {@link #prox(double, double)}. */
    double threshold(double mu);

    /**
     * The inverse of {@link #threshold}: the mu whose threshold is t, so that
     * {@code threshold(muForThreshold(t)) == t} up to rounding (docs/math.md sections 3.2 to 3.4). Every
     * threshold here is continuous and strictly increasing in mu, with threshold(0) = 0, so the inverse
     * is unique and {@code muForThreshold(threshold(mu)) == mu} up to rounding too (both round trips
     * are tested to 1e-12 relative). It turns a grid of thresholds into lambdas:
     * {@code lambda = beta * muForThreshold(t)} in RVSM.
     *
     * <p>t must be finite and {@code >= 0} ("t must be finite and >= 0, got -1.0"); t = 0 gives
     * mu = 0. Where mu grows as t^2 (l0, Tl1 above a/2) it leaves the normal doubles for t outside
     * about [1e-154, 1e154], and the round trip with it.
     */
    double muForThreshold(double t);

    /** T_mu(x) for one coordinate. */
    double prox(double x, double mu);

    /** dst[i] = T_mu(src[i]). dst: modified. */
    void prox(double[] src, double[] dst, double mu);

    /** dst[i] = T_mu(src[i]) for float weights (see the class comment for the rounding). dst: modified. */
    void prox(float[] src, float[] dst, double mu);

    /** The scalar objective minimised by the prox: (1/2)(y - x)^2 + mu p(y). */
    default double proxObjective(double y, double x, double mu) {
        double diff = y - x;
        return 0.5 * diff * diff + mu * value(y);
    }

    /** Rejects a negative, infinite or NaN mu, naming it. */
    static void checkMu(double mu) {
        if (!(mu >= 0.0) || Double.isInfinite(mu)) {
            throw new IllegalArgumentException("mu must be finite and >= 0, got " + mu);
        }
    }

    /** Rejects a negative, infinite or NaN threshold t, naming it. */
    static void checkThreshold(double t) {
        if (!(t >= 0.0) || Double.isInfinite(t)) {
            throw new IllegalArgumentException("t must be finite and >= 0, got " + t);
        }
    }

    /** Rejects arrays of different length. */
    static void checkLengths(int srcLength, int dstLength) {
        if (srcLength != dstLength) {
            throw new IllegalArgumentException(
                    "dst has " + dstLength + " entries, expected src length " + srcLength);
        }
    }
}
