package org.edgefront.evaluators.compress;

import org.edgefront.space.format.HalfFloats;
import org.edgefront.space.format.LlamaCppQuantizer;
import org.edgefront.space.compress.WeightFormat;
import org.edgefront.space.format.NamedFormat;

/**
 * Frozen per-group quantization grids of a matrix ("static groups"): the scale and zero point of every
 * (row, group) are computed once from the given weights by the format's round-to-nearest rule, and
 * {@link #quantize(int, int, float)} then rounds any value of that group onto that grid. Used by GPTQ, whose
 * compensated weights drift away from the originals but must stay on the original grid.
 *
 * <p>Exact grids (the same arithmetic as {@link GroupQuantizer} and {@link LlamaCppQuantizer}, so quantizing
 * the original weights reproduces round-to-nearest bit for bit): generic {@code int{b}g{G}[a]} and llama.cpp's
 * Q8_0, Q4_0, Q4_1, Q5_0, Q5_1. K-quants get an approximating grid ({@link #exact()} false): the format's bits
 * on its 16- or 32-weight sub-blocks, with an fp32 scale (and minimum for Q2_K/Q4_K/Q5_K) per sub-block.
 * Immutable after construction; not shared across threads by its users.
 */
final class QuantGrid {
    private enum Rule { INT_SYM, INT_BINARY, INT_ASYM, Q8_0, QX_0, QX_1 }

    private final Rule rule;
    private final boolean exact;
    private final int cols;
    private final int group;
    private final int groupsPerRow;
    /** Per (row, group): the multiplier applied before rounding (1/scale, unrounded for llama.cpp formats). */
    private final float[] inv;
    /** Per (row, group): the stored (fp16-rounded) scale. */
    private final float[] scale;
    /** Per (row, group): the minimum / zero point added back (asymmetric), or the raw minimum for QX_1 rounding. */
    private final float[] offset;
    private final float[] rawMin;
    private final int half;
    private final int qmax;

    private QuantGrid(Rule rule, boolean exact, int rows, int cols, int group, int half, int qmax) {
        this.rule = rule;
        this.exact = exact;
        this.cols = cols;
        this.group = group;
        this.groupsPerRow = (cols + group - 1) / group;
        int n = rows * groupsPerRow;
        this.inv = new float[n];
        this.scale = new float[n];
        this.offset = new float[n];
        this.rawMin = new float[n];
        this.half = half;
        this.qmax = qmax;
    }

    /** True when values on this grid are exactly representable in the format. */
    boolean exact() { return exact; }

    /**
     * Grids for a rows x cols matrix in format {@code f}, which must apply to rows of {@code cols}
     * (see {@link WeightFormat#effectiveFor(int)}) and must not be a float format.
     */
    static QuantGrid of(WeightFormat f, float[] w, int rows, int cols) {
        QuantGrid g;
        switch (f.kind()) {
            case INT_GROUP -> {
                int size = f.blockWeights() == 0 ? cols : f.blockWeights();
                Rule rule = f.asymmetric() ? Rule.INT_ASYM : f.bits() == 1 ? Rule.INT_BINARY : Rule.INT_SYM;
                int qm = f.asymmetric() ? (1 << f.bits()) - 1 : f.bits() == 1 ? 1 : (1 << (f.bits() - 1)) - 1;
                g = new QuantGrid(rule, true, rows, cols, size, 0, qm);
            }
            case LLAMA_CPP -> {
                NamedFormat.Grid q = f.named().grid();
                if (q == null) throw new IllegalArgumentException("no quantization grid for " + f.name() + " (not an integer grid)");
                // a stored minimum: codes 0..qmax plus min; no offset: Q8_0's signed codes; else codes minus offset
                Rule rule = f.asymmetric() ? Rule.QX_1 : q.offset() == 0 ? Rule.Q8_0 : Rule.QX_0;
                g = new QuantGrid(rule, q.exact(), rows, cols, q.subBlockWeights(), q.offset(), q.qmax());
            }
            default -> throw new IllegalArgumentException("no quantization grid for float format " + f.name());
        }
        for (int r = 0; r < rows; r++) {
            for (int gi = 0; gi < g.groupsPerRow; gi++) {
                int start = gi * g.group;
                g.fit(r * g.groupsPerRow + gi, w, r * cols + start, Math.min(g.group, cols - start), f.bits());
            }
        }
        return g;
    }

    /** Shrink factors of the min-max range tried by {@link #searched}, 1.0 down to 0.5 in steps of 0.025. */
    private static final int SHRINK_STEPS = 21;

    /**
     * Grids for a generic {@code int{b}g{G}[a]} matrix (b >= 2) fitted to minimize the importance-weighted squared
     * rounding error of each group, {@code sum_c importance[c] (w - q)^2}: the min-max grid, the range shrunk by
     * factors 1.0..0.5 (clipping outliers, as GPTQ's reference quantizer searches), and a weighted least-squares
     * refit of scale (and zero point) to the codes of the best candidate; the lowest error wins, so the result is
     * never worse than the min-max grid by that measure. Scales and zero points are fp16 as stored; the bytes are the
     * format's. Other formats get {@link #of}.
     *
     * @param importance per input column, >= 0 (GPTQ passes the Hessian's diagonal)
     */
    static QuantGrid searched(WeightFormat f, float[] w, int rows, int cols, double[] importance) {
        QuantGrid g = of(f, w, rows, cols);
        if (g.rule != Rule.INT_SYM && g.rule != Rule.INT_ASYM) return g;
        if (importance.length != cols) throw new IllegalArgumentException("importance has " + importance.length + " entries, expected " + cols);
        int[] codes = new int[g.group];
        for (int r = 0; r < rows; r++) {
            for (int gi = 0; gi < g.groupsPerRow; gi++) {
                int start = gi * g.group;
                g.search(r * g.groupsPerRow + gi, w, r * cols + start, Math.min(g.group, cols - start), importance, start, codes);
            }
        }
        return g;
    }

    private void search(int k, float[] x, int o, int len, double[] imp, int c0, int[] codes) {
        boolean asym = rule == Rule.INT_ASYM;
        float bestS = scale[k];
        float bestM = offset[k];
        double best = groupError(bestS, bestM, x, o, len, imp, c0, null);
        float min = Float.POSITIVE_INFINITY;
        float max = Float.NEGATIVE_INFINITY;
        float amax = 0;
        for (int i = 0; i < len; i++) {
            min = Math.min(min, x[o + i]);
            max = Math.max(max, x[o + i]);
            amax = Math.max(amax, Math.abs(x[o + i]));
        }
        if (amax == 0) return;
        for (int step = 1; step < SHRINK_STEPS; step++) {
            float p = 1f - 0.025f * step;
            float s;
            float m = 0;
            if (asym) {
                s = HalfFloats.roundToHalf((max - min) * p / qmax);
                m = HalfFloats.roundToHalf(min * p);   // both ends pulled toward zero by p
            } else {
                s = HalfFloats.roundToHalf(amax * p / qmax);
            }
            if (s == 0) continue;
            double e = groupError(s, m, x, o, len, imp, c0, null);
            if (e < best) {
                best = e;
                bestS = s;
                bestM = m;
            }
        }
        // weighted least squares of the value model (q s + m) on the best candidate's codes, twice
        for (int iter = 0; iter < 2; iter++) {
            groupError(bestS, bestM, x, o, len, imp, c0, codes);
            double sw = 0, sq = 0, sqq = 0, sx = 0, sqx = 0;
            for (int i = 0; i < len; i++) {
                double wt = imp[c0 + i];
                sw += wt;
                sq += wt * codes[i];
                sqq += wt * codes[i] * (double) codes[i];
                sx += wt * x[o + i];
                sqx += wt * codes[i] * (double) x[o + i];
            }
            float s;
            float m = 0;
            if (asym) {
                double det = sw * sqq - sq * sq;
                if (!(det > 0)) break;
                s = HalfFloats.roundToHalf((float) ((sw * sqx - sq * sx) / det));
                m = HalfFloats.roundToHalf((float) ((sqq * sx - sq * sqx) / det));
            } else {
                if (!(sqq > 0)) break;
                s = HalfFloats.roundToHalf((float) (sqx / sqq));
            }
            if (!(s > 0) || !Float.isFinite(s) || !Float.isFinite(m)) break;
            double e = groupError(s, m, x, o, len, imp, c0, null);
            if (!(e < best)) break;
            best = e;
            bestS = s;
            bestM = m;
        }
        scale[k] = bestS;
        inv[k] = bestS == 0 ? 0 : 1f / bestS;
        if (asym) offset[k] = bestM;
    }

    /** Weighted squared error of a group on grid (s, m) with this grid's rounding; the codes go to {@code codes} if given. */
    private double groupError(float s, float m, float[] x, int o, int len, double[] imp, int c0, int[] codes) {
        float iv = s == 0 ? 0 : 1f / s;
        double e = 0;
        for (int i = 0; i < len; i++) {
            int q = intCode(x[o + i], s, iv, m);
            if (codes != null) codes[i] = q;
            double diff = x[o + i] - (q * s + m);
            e += imp[c0 + i] * diff * diff;
        }
        return e;
    }

    /**
     * The code of {@code v} on a generic-integer grid with scale {@code s} (its reciprocal {@code iv}) and zero point
     * {@code m} (0 when symmetric): clamped to 0..qmax (asymmetric) or -qmax-1..qmax (symmetric); 0 when {@code s} is 0.
     * The value is {@code code * s + m}.
     */
    private int intCode(float v, float s, float iv, float m) {
        if (s == 0) return 0;
        int q = (int) Math.rint((v - m) * iv);
        return rule == Rule.INT_ASYM ? Math.max(0, Math.min(qmax, q)) : Math.max(-qmax - 1, Math.min(qmax, q));
    }

    private void fit(int k, float[] x, int o, int len, int bits) {
        switch (rule) {
            case INT_SYM -> {
                float amax = 0;
                for (int i = 0; i < len; i++) amax = Math.max(amax, Math.abs(x[o + i]));
                float s = HalfFloats.roundToHalf(amax / qmax);
                scale[k] = s;
                inv[k] = s == 0 ? 0 : 1f / s;
            }
            case INT_BINARY -> {
                double sum = 0;
                for (int i = 0; i < len; i++) sum += Math.abs(x[o + i]);
                scale[k] = HalfFloats.roundToHalf((float) (sum / len));
            }
            case INT_ASYM -> {
                float min = Float.POSITIVE_INFINITY;
                float max = Float.NEGATIVE_INFINITY;
                for (int i = 0; i < len; i++) {
                    min = Math.min(min, x[o + i]);
                    max = Math.max(max, x[o + i]);
                }
                float s = HalfFloats.roundToHalf((max - min) / qmax);
                scale[k] = s;
                offset[k] = HalfFloats.roundToHalf(min);
                inv[k] = s == 0 ? 0 : 1f / s;
            }
            case Q8_0 -> {
                float amax = 0;
                for (int i = 0; i < len; i++) amax = Math.max(amax, Math.abs(x[o + i]));
                float d = amax / 127f;
                inv[k] = d != 0 ? 1.0f / d : 0.0f;
                scale[k] = HalfFloats.roundToHalf(d);
            }
            case QX_0 -> {
                float amax = 0;
                float max = 0;
                for (int i = 0; i < len; i++) {
                    float v = x[o + i];
                    if (amax < Math.abs(v)) { amax = Math.abs(v); max = v; }
                }
                float d = max / -half;
                inv[k] = d != 0 ? 1.0f / d : 0.0f;
                scale[k] = HalfFloats.roundToHalf(d);
            }
            case QX_1 -> {
                float min = Float.MAX_VALUE;
                float max = -Float.MAX_VALUE;
                for (int i = 0; i < len; i++) {
                    float v = x[o + i];
                    if (v < min) min = v;
                    if (v > max) max = v;
                }
                float d = (max - min) / qmax;
                inv[k] = d != 0 ? 1.0f / d : 0.0f;
                scale[k] = HalfFloats.roundToHalf(d);
                offset[k] = HalfFloats.roundToHalf(min);
                rawMin[k] = min;
            }
            default -> throw new IllegalStateException(rule.toString());
        }
    }

    /** The value of the grid of (row, column's group) that {@code v} rounds to. */
    float quantize(int row, int col, float v) {
        int k = row * groupsPerRow + col / group;
        switch (rule) {
            case INT_SYM -> {
                return intCode(v, scale[k], inv[k], 0) * scale[k];
            }
            case INT_BINARY -> {
                return v >= 0 ? scale[k] : -scale[k];
            }
            case INT_ASYM -> {
                return intCode(v, scale[k], inv[k], offset[k]) * scale[k] + offset[k];
            }
            case Q8_0 -> {
                float q = LlamaCppQuantizer.roundf(v * inv[k]);
                q = Math.max(-128f, Math.min(127f, q));
                return q * scale[k];
            }
            case QX_0 -> {
                // floor (not C's truncation) keeps values below the grid on its lowest level
                int q = (int) Math.floor(v * inv[k] + (half + 0.5f));
                q = Math.max(0, Math.min(qmax, q));
                return (q - half) * scale[k];
            }
            case QX_1 -> {
                int q = (int) Math.floor((v - rawMin[k]) * inv[k] + 0.5f);
                q = Math.max(0, Math.min(qmax, q));
                return q * scale[k] + offset[k];
            }
            default -> throw new IllegalStateException(rule.toString());
        }
    }
}
