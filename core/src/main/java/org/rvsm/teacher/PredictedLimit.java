package org.rvsm.teacher;

/**
 * The limit (w̄, ū) that RVSM with the population gradient converges to, as predicted by the theory
 * (docs/math.md section 4.1): ū = T(w̄) and (cw + beta) w̄_i - beta T(w̄_i) = cStar w*_i for every i.
 *
 * @param w          w̄
 * @param u          ū = T_{lambda/beta}(w̄), the sparse limit
 * @param bistable   coordinates where the scalar equation has more than one solution (l0, and Tl1
 *                   in some settings): the limit there depends on the path; the solver picked the
 *                   branch given by its hint (or the non-zero one without a hint)
 * @param cw         the gradient coefficient cw at w̄
 * @param cStar      the gradient coefficient cStar at w̄
 * @param theta      angle(w̄, w*)
 * @param residual   norm of the self-consistency residual in (|w̄| / |w*|, theta) at the solution
 * @param converged  true when the residual is below 1e-12
 */
public record PredictedLimit(double[] w, double[] u, int[] bistable, double cw, double cStar,
                             double theta, double residual, boolean converged) {
}
