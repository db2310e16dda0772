package org.rvsm.penalty;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.Arrays;

/**
 * Tl1's float operator T_mu on float arrays, block by block of at most {@link #BLOCK} entries
 * (docs/math.md section 3.4, "the float form without trigonometry"). {@link TransformedL1#prox(float[],
 * float[], double)} runs it over a whole array; the RVSM step ({@code org.rvsm.optimizer.SplitSgd})
 * calls it block by block so that it can fuse it with its own pass while the block is in cache. It is
 * public for that step only: other callers want {@link TransformedL1#prox(float[], float[], double)}.
 *
 * <p>Contract: for every float x of a block, the value computed is
 * {@code (float) penalty.prox((double) x, mu)}, bit for bit (the float contract of
 * {@link Penalty#prox(float[], float[], double)}, docs/math.md section 3.7), whatever the
 * {@link Survivors} hint and whatever blocks, penalties or mu the instance saw before.
 *
 * <p>No survivor calls asin or sin: with q = eps/2 = 27 mu a (a+1) / (4 (a+|x|)^3), z = sin^2(phi/6)
 * is the root in [0, 1/4] of the cubic z (3 - 4z)^2 = q, solved by one of two forms chosen per
 * (a, mu) by q at the threshold, the largest q a survivor can have:
 * <ul>
 *   <li>the <b>small-q form</b> ({@link #squaredSine}) where q at the threshold is at most
 *   {@link #FAST_Q}: a series in q and up to two Halley steps on the cubic in z (the continuous
 *   regime, as training's small mu gives, and the jump regime at large mu);</li>
 *   <li>the <b>large-q form</b> ({@link #nearOneRoot}) otherwise (the jump regime and the end of the
 *   continuous one): near q = 1 the cubic in z has a double root at 1/4, so it solves for
 *   w = 1/4 - z, the simple root of 16 w^3 + 12 w^2 = 1 - q, from an interpolant in
 *   u = sqrt((1 - q)/12) and one Halley step.</li>
 * </ul>
 * Entries with |x| <= t* get +0. Where a result might round to float differently
 * from the trigonometric form ({@link #fits}: near a float rounding boundary, or q above the form's
 * limit), the trigonometric form ({@link TransformedL1#prox(double, double)}) gives it; that is rare.
 *
 * <p>Two ways through a block, with the same helper expressions, so the same bits: where many entries
 * of the previous block survived, the whole block is computed in loops over plain double arrays that
 * the JIT vectorises and the dead zone is applied as a 0/1 factor ({@link #dense}); else the
 * survivors are found first and only they are computed: fewer than {@link #FEW} in one scalar loop,
 * more in vectorised loops over arrays of survivors.
 *
 * <p>An instance holds scratch arrays (about 150 KB) and the constants of one (penalty, mu), set by
 * {@link #configure} without allocating. It is not thread-safe: one per tensor (the RVSM step keeps
 * it in that tensor's workspace) or one per thread ({@link TransformedL1}).
 */
public final class Tl1Kernel {

    /** The most entries one call handles. */
    public static final int BLOCK = 2048;

    /**
     * Below this many survivors in a block one scalar loop over them is faster than the vectorised
     * loops, each of which has a fixed cost.
     */
    private static final int FEW = 16;

    /** q = eps / 2 up to which the small-q form is used (and where q at the threshold is above it, the large-q form). */
    static final double FAST_Q = 0.64;

    /** q up to which the small-q form's long series alone is exact enough: no Halley step. */
    static final double SERIES_Q = 0.03;

    /**
     * q up to which the large-q form is used; above it (a sliver of entries just above the threshold,
     * for mu within about 30% above the regime boundary) the trigonometric form, whose own rounding
     * error grows like 1e-16 / sqrt(1 - q) there.
     */
    static final double NEAR_ONE_Q = 0.995;

    /**
     * Below one survivor in this many entries the walk ({@link #walk}) beats the gather
     * ({@link #gather}), whose cost per entry does not depend on how few survive.
     */
    private static final int SPARSE = 20;

    /** After a dense block, the survivors are counted among its first this many entries only. */
    private static final int SAMPLE = 256;

    /** u = sqrt((1 - q)/12) at q = 0: the end of the large-q form's interval [0, U_MAX]. */
    private static final double U_MAX = Math.sqrt(1.0 / 12.0);

    /** The large-q form's start evaluates its interpolant at s = u S_SCALE - 1. */
    private static final double S_SCALE = 2.0 / U_MAX;

    /** Degree of the interpolant that starts the large-q form. */
    private static final int START_DEGREE = 6;

    // w / u ~ W0 + W1 s + ... + W6 s^6 with s = 2u / U_MAX - 1 in [-1, 1] (startCoefficients)
    private static final double[] START = startCoefficients(START_DEGREE);
    private static final double W0 = START[0];
    private static final double W1 = START[1];
    private static final double W2 = START[2];
    private static final double W3 = START[3];
    private static final double W4 = START[4];
    private static final double W5 = START[5];
    private static final double W6 = START[6];

    private static final MethodHandle LARGE_Q_ROOTS = rootsMethod("largeQRoots");
    private static final MethodHandle SERIES_ROOTS = rootsMethod("seriesRoots");
    private static final MethodHandle HALLEY_ROOTS = rootsMethod("halleyRoots");

    private static final float[] NOTHING = new float[BLOCK];
    private static final double[] ZERO = new double[BLOCK];

    private final float[] flags = new float[BLOCK];
    private final int[] at = new int[BLOCK];
    private final float[] values = new float[BLOCK];
    private final double[] x = new double[BLOCK];
    private final double[] q = new double[BLOCK];
    private final double[] z = new double[BLOCK];
    private final double[] y = new double[BLOCK];
    private final double[] num = new double[BLOCK];
    private final double[] den = new double[BLOCK];
    private final double[] ax = new double[BLOCK];
    private final double[] sign = new double[BLOCK];

    // the operator: set by configure
    private TransformedL1 penalty;
    private double mu;
    private double t;
    private double a;
    private double half27;
    private float floatThreshold;
    private int thresholdBits;
    private double aboveThreshold; // the smallest float above the threshold: the least |x| of a survivor
    private boolean largeQ;        // the large-q form (else the small-q form)
    private double qLimit;         // the form's limit on q (FAST_Q or NEAR_ONE_Q)
    private int steps;             // the small-q form's Halley steps
    private MethodHandle roots;    // the form's roots method (LARGE_Q_ROOTS, SERIES_ROOTS, HALLEY_ROOTS): not final, never inlined

    // the last survivors call: its block and its count
    private int blockFrom;
    private int blockTo;
    private int count;

    /** The survivors of the last block that were not in its hint (all of them without one). */
    private int lastNew;

    /** Whether many entries of the last block computed survived, so that {@link #compute} does the next one whole. */
    private boolean denseNext;

    /**
     * Makes this the operator T_mu of the given penalty, for mu > 0; allocates nothing, and does
     * nothing when it already is. Returns this.
     */
    public Tl1Kernel configure(TransformedL1 penalty, double mu) {
        if (penalty.equals(this.penalty) && Double.compare(mu, this.mu) == 0) {
            return this;
        }
        if (!(mu > 0.0)) {
            Penalty.checkMu(mu);
            throw new IllegalArgumentException("Tl1Kernel needs mu > 0, got " + mu);
        }
        this.penalty = penalty;
        this.mu = mu;
        this.t = penalty.threshold(mu);
        this.a = penalty.a();
        // eps / 2 = half27 / (a + |x|)^3
        this.half27 = 27.0 * mu * a * (a + 1.0) / 4.0;
        // |x| <= t exactly when |x| <= the largest float <= t, that is when the bits of |x| are at most its bits
        this.thresholdBits = penalty.floatThresholdBits(mu);
        this.floatThreshold = Float.intBitsToFloat(thresholdBits);
        this.aboveThreshold = Math.nextUp(floatThreshold);
        // every survivor has |x| > t, so q < half27 / (a + t)^3
        double qMax = half27 / ((a + t) * (a + t) * (a + t));
        this.largeQ = qMax > FAST_Q;
        this.qLimit = largeQ ? NEAR_ONE_Q : FAST_Q;
        this.steps = halleySteps(Math.min(qMax, FAST_Q));
        this.roots = largeQ ? LARGE_Q_ROOTS : steps == 0 ? SERIES_ROOTS : HALLEY_ROOTS;
        this.lastNew = 0;
        return this;
    }

    /**
     * out[i] = T(src[i]) for from <= i < to (to - from <= {@link #BLOCK}); out may be src. Where many
     * of the previous block's entries (or of its sample) survived ({@link #mostlySurvive}), the block
     * is computed whole ({@link #dense}), else its survivors are found first ({@link #survivors}).
     */
    public void compute(float[] src, int from, int to, float[] out) {
        if (to > out.length) {
            throw new IllegalArgumentException("Tl1Kernel: block [" + from + ", " + to + ") outside out, of "
                    + out.length);
        }
        if (denseNext) {
            int sample = Math.min(to - from, SAMPLE);
            int above = countAbove(src, from, from + sample, thresholdBits); // before dense: out may be src
            dense(src, from, to, out);
            denseNext = mostlySurvive(above, sample);
        } else {
            int k = survivors(src, from, to, null);
            write(out);
            denseNext = mostlySurvive(k, to - from);
        }
    }

    /**
     * At least 3 survivors in 5 entries of the previous block: compute the next one whole
     * ({@link #dense}) rather than finding its survivors first. (Measured on 1M N(0,1) entries: at
     * half surviving finding them first is faster by 5 to 20%, at 92% the whole block by 25%.)
     */
    private static boolean mostlySurvive(int survivors, int entries) {
        return 5 * survivors >= 3 * entries;
    }

    /**
     * T of the block of the last {@link #survivors} call into the same block of out: +0, then the
     * survivors' values. out may be that call's src (its inputs were read before).
     */
    public void write(float[] out) {
        Arrays.fill(out, blockFrom, blockTo, 0.0f);
        for (int j = 0; j < count; j++) {
            out[at[j]] = values[j];
        }
    }

    /**
     * Finds the k entries of src[from, to) (to - from <= {@link #BLOCK}) that T keeps non-zero (|x| >
     * t, and NaN) and computes T there: afterwards, for j < k, {@link #index}(j) is the entry's index
     * in src, {@link #input}(j) its value and {@link #value}(j) T of it. T of every other entry of
     * the block is +0. Returns k.
     *
     * <p>Unless many survived last time (then a branch-free gather over the block finds them), the
     * block is copied into an array of this kernel's own, which stays in the L1 cache, and a
     * vectorised first look turns it into flags max(|x| - t, 0): +0 exactly where T gives +0. The
     * entries the hint names (where T kept src's entries last time, for blocks starting at a multiple
     * of {@link #BLOCK}) are looked at first and their flags cleared, and the JDK's intrinsic
     * {@link Arrays#mismatch} against zeros finds any others, walking from one to the next after a
     * block with few new ones, else a branch-free gather over the block. The hint, when given, is
     * updated; the result does not depend on it.
     */
    public int survivors(float[] src, int from, int to, Survivors hint) {
        if (penalty == null) {
            throw new IllegalStateException("Tl1Kernel: not configured");
        }
        int n = to - from;
        if (n > BLOCK || n < 0 || from < 0 || to > src.length) {
            throw new IllegalArgumentException("Tl1Kernel: bad block [" + from + ", " + to + ") of "
                    + src.length);
        }
        if (hint != null && hint.at.length != src.length) {
            throw new IllegalArgumentException("Tl1Kernel: a hint for " + hint.at.length + " entries, not "
                    + src.length);
        }
        int block = from / BLOCK;
        boolean hinted = hint != null && from % BLOCK == 0;
        int known = hinted ? hint.count[block] : 0;
        int k;
        if (known * SPARSE >= BLOCK) { // many survived last time: gather them all
            k = gather(src, from, to, at, thresholdBits);
        } else {
            System.arraycopy(src, from, flags, 0, n);
            excess(flags, n, floatThreshold);
            k = 0;
            for (int h = 0; h < known; h++) {
                int i = hint.at[from + h];
                if (flags[i - from] != 0.0f) {
                    at[k++] = i;
                    flags[i - from] = 0.0f;
                }
            }
            int first = Arrays.mismatch(flags, 0, n, NOTHING, 0, n);
            int kept = k;
            if (first >= 0) {
                k = lastNew * SPARSE < BLOCK ? walk(flags, first, n, from, at, k)
                        : gather(src, from, to, at, thresholdBits);
            }
            lastNew = k - kept;
        }
        if (hinted) {
            System.arraycopy(at, 0, hint.at, from, k);
            hint.count[block] = k;
        }
        for (int j = 0; j < k; j++) {
            x[j] = src[at[j]];
        }
        blockFrom = from;
        blockTo = to;
        count = k;
        if (k < FEW) {
            few(k);
        } else {
            many(k);
        }
        return k;
    }

    /** The index in src of the j-th survivor of the last {@link #survivors} call. */
    public int index(int j) {
        return at[j];
    }

    /** The j-th survivor's value x. */
    public float input(int j) {
        return (float) x[j];
    }

    /** T(x) of the j-th survivor. */
    public float value(int j) {
        return values[j];
    }

    /** The survivors one at a time, each through the whole computation. */
    private void few(int k) {
        for (int j = 0; j < k; j++) {
            double xj = x[j];
            double ax = Math.abs(xj);
            double qj = rhs(ax);
            double zj = largeQ ? nearOneRoot(qj) : squaredSine(qj, steps);
            double yj = magnitude(ax, zj);
            values[j] = fits(yj, ax, qj, qLimit) ? Math.copySign((float) yj, (float) xj) : trigonometric(xj);
        }
    }

    /** The survivors loop by loop over whole arrays, rare trigonometric ones included ({@link #solve}). */
    private void many(int k) {
        solve(k, 0.0, values, 0);
    }

    /**
     * The whole block, survivors or not, loop by loop over plain arrays ({@link #solve}, with the dead
     * zone): results go straight to out.
     */
    void dense(float[] src, int from, int to, float[] out) {
        int n = to - from;
        for (int j = 0; j < n; j++) {
            x[j] = src[from + j];
        }
        solve(n, aboveThreshold, out, from);
        blockFrom = 0; // no survivors call to write
        blockTo = 0;
        count = 0;
    }

    /**
     * dst[dstFrom + j] = T(x[j]) for j < n, loop by loop over whole arrays, each loop small enough for
     * the JIT to unroll and vectorise (one loop doing it all is too big for that on JDK 17). The
     * helpers are those of the scalar path ({@link #few}), so the bits are the same.
     *
     * <p>Each entry is computed at ax = max(|x|, least): least = 0 for survivors ({@link #many}), the
     * least survivor for a whole block ({@link #dense}), so that the dead zone's entries take the
     * arithmetic of a survivor (finite, no q above the threshold's). The first loop also stores
     * s = x / (ax (1 + (ax - |x|) 2^1200)): above the threshold ax = |x|, so s = x / |x| = +-1; at or
     * below it ax - |x| >= 2^-149 (both are floats), the factor overflows to infinity and s = +-0; NaN
     * and infinite x give NaN. Then y = |T| at ax times s, plus +0: the survivors get +-|T| exactly and
     * the dead zone +0. The rounding check is {@link #badness} of y s (= |T| exactly for a survivor, as
     * s^2 = 1) times s^2, so +0 in the dead zone, and where it is not +0 the trigonometric form gives
     * the result. (No Math.min, max or copySign in these loops: on JDK 17 each costs several
     * instructions per vector or stops the loop from vectorising.) The float/double conversion loop
     * stays on its own, as a conversion in a loop stops JDK 17 from vectorising it.
     *
     * <p>The roots are found by one method per form, called through a method handle in a field that
     * {@link #configure} sets: the JIT does not inline through a handle that is not a constant, so each
     * form's loops are compiled on their own, never into this method. As plain calls they were inlined
     * once hot, and where this method's code then held the loops of two forms beside its own (as when
     * one JVM meets two regimes), the rounding-check loop ran several times slower and the block at
     * 55-70% of its speed for the rest of the run, in a fifth to two fifths of the JVMs
     * (docs/performance.md, "One compilation, too many loops"). This method is kept above the JIT's size limit for inlining a hot
     * callee (FreqInlineSize, 325 bytes of bytecode on JDK 17; it has about 340) for the same reason:
     * inlined into dense, it ran as slowly. Splitting or merging its loops brought the slow code back.
     */
    private void solve(int n, double least, float[] dst, int dstFrom) {
        for (int j = 0; j < n; j++) {
            double xj = x[j];
            double axj = Math.max(Math.abs(xj), least);
            ax[j] = axj;
            q[j] = rhs(axj);
            sign[j] = xj / (axj * (1.0 + (axj - Math.abs(xj)) * 0x1p600 * 0x1p600));
        }
        try {
            roots.invokeExact(this, n);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
        for (int j = 0; j < n; j++) {
            y[j] = magnitude(ax[j], z[j]) * sign[j] + 0.0;
        }
        double limit = qLimit;
        for (int j = 0; j < n; j++) {
            double s = sign[j];
            num[j] = badness(y[j] * s, ax[j], q[j], limit) * (s * s);
        }
        for (int j = 0; j < n; j++) {
            dst[dstFrom + j] = (float) y[j];
        }
        int bad = Arrays.mismatch(num, 0, n, ZERO, 0, n);
        if (bad >= 0) { // rare: the trigonometric form for those
            for (int j = bad; j < n; j++) {
                if (!(num[j] == 0.0)) {
                    dst[dstFrom + j] = trigonometric(x[j]);
                }
            }
        }
    }

    /** z[j] for j < n by the large-q form ({@link #nearOneRoot}); z holds w = 1/4 - z until the last loop. */
    private void largeQRoots(int n) {
        for (int j = 0; j < n; j++) {
            z[j] = startW(q[j]);
        }
        for (int j = 0; j < n; j++) {
            double wj = z[j];
            double h = cubicW(wj, 1.0 - q[j]);
            double d1 = slopeW(wj);
            z[j] = 0.25 - (wj - halleyNumerator(h, d1) / halleyDenominator(h, d1, curvatureW(wj)));
        }
    }

    /** z[j] for j < n by the small-q form's long series alone ({@link #squaredSine} with no step). */
    private void seriesRoots(int n) {
        for (int j = 0; j < n; j++) {
            z[j] = longSeries(q[j]);
        }
    }

    /** z[j] for j < n by the small-q form's series and Halley steps ({@link #squaredSine}). */
    private void halleyRoots(int n) {
        for (int j = 0; j < n; j++) {
            z[j] = series(q[j]);
        }
        for (int step = 0; step < steps; step++) {
            for (int j = 0; j < n; j++) {
                double zj = z[j];
                double h = cubic(zj, q[j]);
                double d1 = slope(zj);
                num[j] = halleyNumerator(h, d1);
                den[j] = halleyDenominator(h, d1, curvature(zj));
            }
            for (int j = 0; j < n; j++) {
                z[j] = z[j] - num[j] / den[j];
            }
        }
    }

    /** A handle on this class's method {@code void name(int n)}. */
    private static MethodHandle rootsMethod(String name) {
        try {
            return MethodHandles.lookup().findVirtual(Tl1Kernel.class, name,
                    MethodType.methodType(void.class, int.class));
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** The double operator's value rounded to float: the reference this kernel must equal. */
    private float trigonometric(double xj) {
        return (float) penalty.prox(xj, mu);
    }

    /** q = eps / 2 = 27 mu a (a + 1) / (4 (a + |x|)^3), the right-hand side of the cubic in z. */
    private double rhs(double ax) {
        double apx = a + ax;
        return half27 / (apx * apx * apx);
    }

    /**
     * |T(x)| = |x| - (4/3)(a + |x|) z, not clamped to [0, |x|]: where rounding takes it below 0 (just above
     * a continuous threshold) {@link #fits} fails, and where it takes it a few ulps above |x| it still
     * rounds to |x|'s float, as the clamped trigonometric form does.
     */
    private double magnitude(double ax, double zj) {
        return ax - (4.0 / 3.0) * (a + ax) * zj;
    }

    /**
     * +0 when y = |T(x)| may be rounded to float as it is ({@link #fits}), else positive or NaN:
     * the same test in arithmetic only, so that the loop using it vectorises. Each bound d <= 0 is
     * |d| + d, +0 exactly when d <= 0 (rounded subtraction keeps the sign), and a sum of terms >= +0 is
     * +0 only when all are; no Math.max, which costs several instructions per vector on JDK 17.
     */
    static double badness(double yj, double ax, double qj, double qLimit) {
        double low = 0x1p-100 - yj;
        double high = yj - 0x1p100;
        double over = qj - qLimit;
        return Math.abs(boundaryGap(yj, ax)) + (Math.abs(low) + low) + (Math.abs(high) + high) + (Math.abs(over) + over);
    }

    /**
     * Whether y = |T(x)| may be rounded to float as it is: no float rounding boundary within
     * 1e-13 |x| of y (y agrees with the trigonometric form only to a few double ulps of |x|, so near
     * a boundary the two might round differently), y in [2^-100, 2^100] (where float rounding is to
     * 24 bits) and q at most the form's limit ({@link #FAST_Q} for the small-q form,
     * {@link #NEAR_ONE_Q} for the large-q form). Otherwise (rarely) the trigonometric form is used.
     *
     * <p>Both forms' y are within a few 1e-16 (a + |x|) of the exact root for the same q, and so is the
     * trigonometric form's up to its limit (its asin near q = 1 amplifies the rounding of sqrt(q) by
     * 1/sqrt(1 - q), at most 14 at {@link #NEAR_ONE_Q}); the large-q form only runs where every survivor
     * has |x| > 0.14 a (q at the threshold > 0.64), so (a + |x|) < 8.2 |x| and 1e-13 |x| is a wide margin.
     */
    static boolean fits(double yj, double ax, double qj, double qLimit) {
        return boundaryGap(yj, ax) == 0.0 && yj >= 0x1p-100 && yj <= 0x1p100 && qj <= qLimit;
    }

    /**
     * 0 when y -+ 1e-13 |x| round to the same 24-bit float, else not (or NaN): both are rounded by
     * Veltkamp's splitting (multiply by 2^29 + 1), in double arithmetic only.
     */
    private static double boundaryGap(double yj, double ax) {
        double e = 1e-13 * ax;
        double lo = yj - e;
        double hi = yj + e;
        double splitLo = 0x1.00000008p29 * lo;
        double splitHi = 0x1.00000008p29 * hi;
        return (splitHi - (splitHi - hi)) - (splitLo - (splitLo - lo));
    }

    /** flags[j] = max(|flags[j]| - t, 0) for j < n: +0 exactly when |x| <= t (NaN stays NaN). Vectorises. */
    private static void excess(float[] flags, int n, float t) {
        for (int j = 0; j < n; j++) {
            flags[j] = Math.max(Math.abs(flags[j]) - t, 0.0f);
        }
    }

    /**
     * base + the indices of the non-zero flags in [first, n), first = the first of them, into at from
     * at[k] on: {@link Arrays#mismatch} against zeros, vectorised, from one to the next.
     * Returns the new count.
     */
    private static int walk(float[] flags, int first, int n, int base, int[] at, int k) {
        int j = first;
        while (j < n) {
            int d = Arrays.mismatch(flags, j, n, NOTHING, 0, n - j);
            if (d < 0) {
                break;
            }
            at[k++] = base + j + d;
            j += d + 1;
        }
        return k;
    }

    /**
     * The indices i in [from, to) with |src[i]| above the float of the given bits (or NaN) into at;
     * their count.
     */
    private static int gather(float[] src, int from, int to, int[] at, int thresholdBits) {
        int k = 0;
        for (int i = from; i < to; i++) { // branch-free
            at[k] = i;
            k += (thresholdBits - (Float.floatToRawIntBits(src[i]) & 0x7fffffff)) >>> 31;
        }
        return k;
    }

    /** How many of src[from, to) have |x| above the float of the given bits (or are NaN). */
    private static int countAbove(float[] src, int from, int to, int thresholdBits) {
        int k = 0;
        for (int i = from; i < to; i++) { // branch-free, as in gather
            k += (thresholdBits - (Float.floatToRawIntBits(src[i]) & 0x7fffffff)) >>> 31;
        }
        return k;
    }

    /**
     * Halley steps that reach double precision for every q up to qMax: none up to {@link #SERIES_Q}
     * (the long series alone), one from the short series up to 0.25, two up to {@link #FAST_Q}
     * (tested against the trigonometric form).
     */
    static int halleySteps(double qMax) {
        return qMax <= SERIES_Q ? 0 : qMax <= 0.25 ? 1 : 2;
    }

    /**
     * z = s^2 with s = sin(asin(sqrt(q)) / 3), for 0 <= q <= {@link #FAST_Q}: by the triple-angle
     * identity sqrt(q) = s (3 - 4 s^2), so z is the root in [0, 1/4] of the cubic
     * z (3 - 4 z)^2 = 16 z^3 - 24 z^2 + 9 z = q, simple there (the slope 9 - 48 z + 48 z^2 is at
     * least 4.9 for q <= 0.64). It starts from the root's series in q ({@link #series}) and takes
     * Halley steps, each with one division; no square root. Where q <= {@link #SERIES_Q} (the
     * continuous regime's small mu, as in training) a longer series ({@link #longSeries}) alone is
     * exact enough, with no division at all. The vectorised loops ({@link #solve})
     * evaluate the same helpers.
     */
    static double squaredSine(double q, int steps) {
        double z = steps == 0 ? longSeries(q) : series(q);
        for (int step = 0; step < steps; step++) {
            double h = cubic(z, q);
            double d1 = slope(z);
            z = z - halleyNumerator(h, d1) / halleyDenominator(h, d1, curvature(z));
        }
        return z;
    }

    /**
     * The large-q form: z = sin^2(asin(sqrt(q)) / 3) for 0 <= q < 1, as 1/4 - w. Put z = 1/4 - w in
     * the cubic: z (3 - 4z)^2 = (1/4 - w) (2 + 4w)^2 = 1 - 12 w^2 - 16 w^3, so w is the root in
     * [0, 1/4] of 16 w^3 + 12 w^2 = 1 - q, which stays simple as q -> 1, where z's root becomes
     * double. Its start is an interpolant in u = sqrt((1 - q)/12) ({@link #startW}, relative error
     * below 3e-7), and one Halley step takes it to double precision. 1 - q is exact for q >= 1/2.
     * The vectorised loops ({@link #solve}) evaluate the same helpers.
     */
    static double nearOneRoot(double q) {
        double w = startW(q);
        double h = cubicW(w, 1.0 - q);
        double d1 = slopeW(w);
        return 0.25 - (w - halleyNumerator(h, d1) / halleyDenominator(h, d1, curvatureW(w)));
    }

    /**
     * The large-q form's start: w ~ u (W0 + W1 s + ... + W6 s^6) with u = sqrt((1 - q)/12) and
     * s = 2u / U_MAX - 1 ({@link #startCoefficients}); for q <= 1.
     */
    static double startW(double q) {
        double u = Math.sqrt((1.0 - q) * (1.0 / 12.0));
        double s = u * S_SCALE - 1.0;
        return u * (W0 + s * (W1 + s * (W2 + s * (W3 + s * (W4 + s * (W5 + s * W6))))));
    }

    /**
     * The monomial coefficients, in s = 2u / U_MAX - 1, of the degree-n Chebyshev interpolant of
     * g(u) = w(u) / u on u in [0, U_MAX] (q from 1 down to 0), where w(u) is the root of
     * 16 w^3 + 12 w^2 = 12 u^2 ({@link #nearOneRoot}), found by Newton's method at each of the n + 1
     * Chebyshev points. g is analytic there, its nearest singularity at u = -U_MAX (w = -1/2, where
     * the root turns), so the interpolant converges like 5.8^-n: degree 6 starts the Halley step
     * within 3e-7 (Tl1KernelTest). Computed once, when the class loads; only a start: the Halley step
     * removes its error, so its last bits do not matter for the result.
     */
    static double[] startCoefficients(int n) {
        double[] chebyshev = new double[n + 1];
        for (int j = 0; j <= n; j++) {
            double theta = Math.PI * (j + 0.5) / (n + 1);
            double u = 0.5 * U_MAX * (Math.cos(theta) + 1.0);
            double g = newtonW(u) / u;
            for (int k = 0; k <= n; k++) {
                chebyshev[k] += 2.0 / (n + 1) * g * Math.cos(k * theta);
            }
        }
        chebyshev[0] *= 0.5;
        // T_0 = 1, T_1 = s, T_(k+1) = 2 s T_k - T_(k-1), as monomial coefficients
        double[] monomial = new double[n + 1];
        double[] previous = new double[n + 1];
        double[] current = new double[n + 1];
        previous[0] = 1.0;
        current[Math.min(1, n)] = 1.0;
        monomial[0] = chebyshev[0];
        for (int k = 1; k <= n; k++) {
            for (int i = 0; i <= n; i++) {
                monomial[i] += chebyshev[k] * current[i];
            }
            double[] next = new double[n + 1];
            for (int i = 0; i <= n; i++) {
                next[i] = (i > 0 ? 2.0 * current[i - 1] : 0.0) - previous[i];
            }
            previous = current;
            current = next;
        }
        return monomial;
    }

    /**
     * The root w in [0, u] of 16 w^3 + 12 w^2 = 12 u^2, for u > 0, by Newton's method from w = u: the
     * left side is convex and increasing for w > 0, so the iterates fall to the root from above; they
     * stop when they no longer fall.
     */
    private static double newtonW(double u) {
        double p = 12.0 * u * u;
        double w = u;
        for (int i = 0; i < 200; i++) {
            double next = w - cubicW(w, p) / slopeW(w);
            if (!(next < w)) {
                break;
            }
            w = next;
        }
        return w;
    }

    /**
     * The root's series to q^6: z = q/9 + 8q^2/243 + 112q^3/6561 + 640q^4/59049 + 36608q^5/4782969
     * + 745472q^6/129140163 + ... (the fixed point of z = (q + 24 z^2 - 16 z^3) / 9, expanded in
     * exact rationals). Relative error 1.2e-5 at q = 0.25, 4.6e-3 at 0.64.
     */
    private static double series(double q) {
        return q * (1.0 / 9.0 + q * (8.0 / 243.0 + q * (112.0 / 6561.0 + q * (640.0 / 59049.0
                + q * (36608.0 / 4782969.0 + q * (745472.0 / 129140163.0))))));
    }

    /**
     * The same series to q^10 (the next coefficients, 5292032/1162261467, 116424704/31381059609,
     * 7875788800/2541865828329 and 60353413120/22876792454961, from the same fixed point in exact
     * rationals). The coefficients fall (the next is 0.00228 against the first's 0.111), so for
     * q <= {@link #SERIES_Q} the relative error is below 9 x 0.00228 q^10 / (1 - q) < 2e-17.
     */
    private static double longSeries(double q) {
        return q * (1.0 / 9.0 + q * (8.0 / 243.0 + q * (112.0 / 6561.0 + q * (640.0 / 59049.0
                + q * (36608.0 / 4782969.0 + q * (745472.0 / 129140163.0 + q * (5292032.0 / 1162261467.0
                + q * (116424704.0 / 31381059609.0 + q * (7875788800.0 / 2541865828329.0
                + q * (60353413120.0 / 22876792454961.0))))))))));
    }

    /** 16 z^3 - 24 z^2 + 9 z - q. */
    private static double cubic(double z, double q) {
        return z * (9.0 + z * (-24.0 + z * 16.0)) - q;
    }

    /** The cubic's derivative 48 z^2 - 48 z + 9. */
    private static double slope(double z) {
        return 9.0 + z * (-48.0 + z * 48.0);
    }

    /** The cubic's second derivative 96 z - 48. */
    private static double curvature(double z) {
        return 96.0 * z - 48.0;
    }

    /** 16 w^3 + 12 w^2 - p, with p = 1 - q: the large-q form's cubic in w = 1/4 - z. */
    private static double cubicW(double w, double p) {
        return w * w * (12.0 + 16.0 * w) - p;
    }

    /** Its derivative 48 w^2 + 24 w. */
    private static double slopeW(double w) {
        return w * (24.0 + 48.0 * w);
    }

    /** Its second derivative 96 w + 24. */
    private static double curvatureW(double w) {
        return 24.0 + 96.0 * w;
    }

    /** Halley's step is z - 2 h h' / (2 h'^2 - h h''). */
    private static double halleyNumerator(double h, double d1) {
        return 2.0 * h * d1;
    }

    private static double halleyDenominator(double h, double d1, double d2) {
        return 2.0 * d1 * d1 - h * d2;
    }

    /**
     * Where T kept a tensor's entries, block by block of {@link #BLOCK}, as last found by
     * {@link #survivors} on that tensor: a hint that makes finding them again cheap when they barely
     * change, as from one training step to the next. The result never depends on it; a stale or
     * fresh hint only costs time. One per tensor, for tensors of the given length.
     */
    public static final class Survivors {

        private final int[] at;
        private final int[] count;

        public Survivors(int length) {
            if (length < 0) {
                throw new IllegalArgumentException("Survivors: length " + length);
            }
            this.at = new int[length];
            this.count = new int[(length + BLOCK - 1) / BLOCK];
        }
    }
}
