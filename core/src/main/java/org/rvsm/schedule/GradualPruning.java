package org.rvsm.schedule;

/**
 * The gradual magnitude pruning schedule of Zhu and Gupta, "To prune, or not to prune" (2017), the
 * baseline pruning papers compare against (docs/math.md section 6, "Schedules"): from step {@code begin} to
 * step {@code end}, every {@code frequency} steps, the smallest weights by magnitude are set to zero
 * until the fraction
 *
 * <pre>  s_t = s_f + (s_i - s_f) (1 - (t - begin) / (end - begin))^3</pre>
 *
 * of them is zero; the zeros stay zero (the mask is kept between pruning steps) and training goes on
 * with the surviving weights, which recover, until the last step. Sparsity rises fast at first, while
 * the network has redundant weights, and slowly near the end.
 *
 * @param initialSparsity s_i, the target at the first pruning step, in [0, finalSparsity]
 * @param finalSparsity   s_f, the target from {@code end} on, in [0, 1)
 * @param begin           the first pruning step (>= 0)
 * @param end             the last pruning step (> begin)
 * @param frequency       steps between pruning steps (>= 1); {@code end} prunes whether or not it is
 *                        a multiple of it after {@code begin}
 */
public record GradualPruning(double initialSparsity, double finalSparsity, long begin, long end, long frequency) {

    public GradualPruning {
        if (!(finalSparsity >= 0 && finalSparsity < 1)) {
            throw new IllegalArgumentException("final sparsity must be in [0, 1), got " + finalSparsity);
        }
        if (!(initialSparsity >= 0 && initialSparsity <= finalSparsity)) {
            throw new IllegalArgumentException("initial sparsity must be in [0, final sparsity " + finalSparsity
                    + "], got " + initialSparsity);
        }
        if (begin < 0 || end <= begin) {
            throw new IllegalArgumentException("pruning needs 0 <= begin < end, got begin " + begin + ", end " + end);
        }
        if (frequency < 1) {
            throw new IllegalArgumentException("pruning frequency must be >= 1 step, got " + frequency);
        }
    }

    /** Whether step t is a pruning step: begin, begin + frequency, ..., and end. */
    public boolean prunesAt(long step) {
        return step >= begin && step <= end && ((step - begin) % frequency == 0 || step == end);
    }

    /**
     * The target sparsity in force at step t: 0 before {@code begin}; then the schedule's value at the
     * latest pruning step at or before t; s_f from {@code end} on.
     */
    public double sparsityAt(long step) {
        if (step < begin) {
            return 0.0;
        }
        if (step >= end) {
            return finalSparsity;
        }
        long last = begin + (step - begin) / frequency * frequency;
        double remaining = 1.0 - (double) (last - begin) / (end - begin);
        return finalSparsity + (initialSparsity - finalSparsity) * remaining * remaining * remaining;
    }
}
