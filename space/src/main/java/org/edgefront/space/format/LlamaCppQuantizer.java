package org.edgefront.space.format;

/**
 * llama.cpp's block formats, quantized the way llama.cpp's reference (non-imatrix) quantizers do and
 * dequantized straight back to floats. Written from the published algorithms (ggml-quants.c,
 * {@code quantize_row_*_ref}): block maxima, scale search ({@code make_qkx2_quants}, {@code make_q3_quants},
 * {@code make_qx_quants}), 6-bit/4-bit/8-bit sub-block scales and fp16 super-block scales, with the
 * same float arithmetic order so results match bit for bit in the common case.
 *
 * <p>Block sizes: Q8_0/Q4_0/Q4_1/Q5_0/Q5_1 use 32 weights; K-quants use super-blocks of 256 with
 * 16-weight (Q2_K, Q3_K, Q6_K) or 32-weight (Q4_K, Q5_K) sub-blocks. {@link NamedFormat} names one codec
 * here per format; each quantizes one block. Stateless and thread-safe.
 */
public final class LlamaCppQuantizer {
    private static final int QK_K = 256;

    private LlamaCppQuantizer() {}

    static final FormatCodec Q8_0 = FormatCodec.blocks(32, LlamaCppQuantizer::q8_0);
    static final FormatCodec Q4_0 = FormatCodec.blocks(32, (x, o, out, oo) -> qx_0(x, o, out, oo, 8, 15));
    static final FormatCodec Q5_0 = FormatCodec.blocks(32, (x, o, out, oo) -> qx_0(x, o, out, oo, 16, 31));
    static final FormatCodec Q4_1 = FormatCodec.blocks(32, (x, o, out, oo) -> qx_1(x, o, out, oo, 15));
    static final FormatCodec Q5_1 = FormatCodec.blocks(32, (x, o, out, oo) -> qx_1(x, o, out, oo, 31));
    static final FormatCodec Q2_K = FormatCodec.blocks(QK_K, LlamaCppQuantizer::q2_K);
    static final FormatCodec Q3_K = FormatCodec.blocks(QK_K, LlamaCppQuantizer::q3_K);
    static final FormatCodec Q4_K = FormatCodec.blocks(QK_K, (x, o, out, oo) -> q45_K(x, o, out, oo, 15, -1.0f, 0.1f, 20));
    static final FormatCodec Q5_K = FormatCodec.blocks(QK_K, (x, o, out, oo) -> q45_K(x, o, out, oo, 31, -0.5f, 0.1f, 15));
    static final FormatCodec Q6_K = FormatCodec.blocks(QK_K, LlamaCppQuantizer::q6_K);

    /** llama.cpp's nearest_int: round half to even (the FPU's default rounding). */
    public static int nearestInt(float v) { return (int) Math.rint(v); }

    /** C roundf: half away from zero (computed in double so 0.49999997f does not round up). */
    public static float roundf(float v) { return (float) Math.copySign(Math.floor(Math.abs((double) v) + 0.5), v); }

    private static float h(float v) { return HalfFloats.roundToHalf(v); }

    // ---- legacy 32-weight formats -------------------------------------------------------------

    private static void q8_0(float[] x, int o, float[] out, int oo) {
        float amax = 0;
        for (int j = 0; j < 32; j++) amax = Math.max(amax, Math.abs(x[o + j]));
        float d = amax / 127f;
        float id = d != 0 ? 1.0f / d : 0.0f;
        float dh = h(d);
        for (int j = 0; j < 32; j++) out[oo + j] = roundf(x[o + j] * id) * dh;
    }

    /** Q4_0 (half = 8, qmax = 15) and Q5_0 (16, 31): d = signed max / -half, q = min(qmax, trunc(x/d + half + 0.5)). */
    private static void qx_0(float[] x, int o, float[] out, int oo, int half, int qmax) {
        float amax = 0;
        float max = 0;
        for (int j = 0; j < 32; j++) {
            float v = x[o + j];
            if (amax < Math.abs(v)) { amax = Math.abs(v); max = v; }
        }
        float d = max / -half;
        float id = d != 0 ? 1.0f / d : 0.0f;
        float dh = h(d);
        float bias = half + 0.5f;
        for (int j = 0; j < 32; j++) {
            int q = Math.min(qmax, (int) (x[o + j] * id + bias));
            out[oo + j] = (q - half) * dh;
        }
    }

    /** Q4_1 (qmax 15) and Q5_1 (31): d = (max - min)/qmax, stored min; q = min(qmax, trunc((x - min)/d + 0.5)). */
    private static void qx_1(float[] x, int o, float[] out, int oo, int qmax) {
        float min = Float.MAX_VALUE;
        float max = -Float.MAX_VALUE;
        for (int j = 0; j < 32; j++) {
            float v = x[o + j];
            if (v < min) min = v;
            if (v > max) max = v;
        }
        float d = (max - min) / qmax;
        float id = d != 0 ? 1.0f / d : 0.0f;
        float dh = h(d);
        float mh = h(min);
        for (int j = 0; j < 32; j++) {
            int q = Math.min(qmax, (int) ((x[o + j] - min) * id + 0.5f));
            out[oo + j] = q * dh + mh;
        }
    }

    // ---- K-quant helpers ----------------------------------------------------------------------

    /**
     * Weighted min/scale search for unsigned codes 0..nmax (llama.cpp make_qkx2_quants). Returns the scale;
     * {@code theMin[0]} receives minus the (non-positive) minimum; {@code l} the codes.
     */
    static float makeQkx2Quants(int n, int nmax, float[] x, int xo, float[] weights, int[] l, int lo, float[] theMin,
                                int[] laux, float rmin, float rdelta, int nstep, boolean useMad) {
        float min = x[xo];
        float max = x[xo];
        float sumW = weights[0];
        float sumX = sumW * x[xo];
        for (int i = 1; i < n; i++) {
            float xi = x[xo + i];
            if (xi < min) min = xi;
            if (xi > max) max = xi;
            float w = weights[i];
            sumW += w;
            sumX += w * xi;
        }
        if (min > 0) min = 0;
        if (max == min) {
            for (int i = 0; i < n; i++) l[lo + i] = 0;
            theMin[0] = -min;
            return 0.f;
        }
        float iscale = nmax / (max - min);
        float scale = 1 / iscale;
        float bestMad = 0;
        for (int i = 0; i < n; i++) {
            int q = nearestInt(iscale * (x[xo + i] - min));
            l[lo + i] = Math.max(0, Math.min(nmax, q));
            float diff = scale * l[lo + i] + min - x[xo + i];
            diff = useMad ? Math.abs(diff) : diff * diff;
            bestMad += weights[i] * diff;
        }
        if (nstep < 1) {
            theMin[0] = -min;
            return scale;
        }
        for (int is = 0; is <= nstep; is++) {
            iscale = (rmin + rdelta * is + nmax) / (max - min);
            float sumL = 0;
            float sumL2 = 0;
            float sumXl = 0;
            for (int i = 0; i < n; i++) {
                int q = nearestInt(iscale * (x[xo + i] - min));
                q = Math.max(0, Math.min(nmax, q));
                laux[i] = q;
                float w = weights[i];
                sumL += w * q;
                sumL2 += w * q * q;
                sumXl += w * q * x[xo + i];
            }
            float det = sumW * sumL2 - sumL * sumL;
            if (det > 0) {
                float thisScale = (sumW * sumXl - sumX * sumL) / det;
                float thisMin = (sumL2 * sumX - sumL * sumXl) / det;
                if (thisMin > 0) {
                    thisMin = 0;
                    thisScale = sumXl / sumL2;
                }
                float mad = 0;
                for (int i = 0; i < n; i++) {
                    float diff = thisScale * laux[i] + thisMin - x[xo + i];
                    diff = useMad ? Math.abs(diff) : diff * diff;
                    mad += weights[i] * diff;
                }
                if (mad < bestMad) {
                    for (int i = 0; i < n; i++) l[lo + i] = laux[i];
                    bestMad = mad;
                    scale = thisScale;
                    min = thisMin;
                }
            }
        }
        theMin[0] = -min;
        return scale;
    }

    /** Signed scale search with x^2-weighted coordinate refinement (llama.cpp make_q3_quants, do_rmse). */
    static float makeQ3Quants(int n, int nmax, float[] x, int xo) {
        float max = 0;
        float amax = 0;
        for (int i = 0; i < n; i++) {
            float ax = Math.abs(x[xo + i]);
            if (ax > amax) { amax = ax; max = x[xo + i]; }
        }
        if (amax == 0) return 0.f;
        float iscale = -nmax / max;
        int[] l = new int[n];
        float sumlx = 0;
        float suml2 = 0;
        for (int i = 0; i < n; i++) {
            int q = nearestInt(iscale * x[xo + i]);
            q = Math.max(-nmax, Math.min(nmax - 1, q));
            l[i] = q;
            float xi = x[xo + i];
            float w = xi * xi;
            sumlx += w * xi * q;
            suml2 += w * q * q;
        }
        for (int itry = 0; itry < 5; itry++) {
            int changed = 0;
            for (int i = 0; i < n; i++) {
                float xi = x[xo + i];
                float w = xi * xi;
                float slx = sumlx - w * xi * l[i];
                if (slx > 0) {
                    float sl2 = suml2 - w * l[i] * l[i];
                    int nl = nearestInt(xi * sl2 / slx);
                    nl = Math.max(-nmax, Math.min(nmax - 1, nl));
                    if (nl != l[i]) {
                        slx += w * xi * nl;
                        sl2 += w * nl * nl;
                        if (sl2 > 0 && slx * slx * suml2 > sumlx * sumlx * sl2) {
                            l[i] = nl;
                            sumlx = slx;
                            suml2 = sl2;
                            changed++;
                        }
                    }
                }
            }
            if (changed == 0) break;
        }
        return sumlx / suml2;
    }

    /** Signed scale search over 19 candidate scales, x^2-weighted (llama.cpp make_qx_quants, rmse_type 1, no imatrix). */
    static float makeQxQuants(int n, int nmax, float[] x, int xo) {
        float max = 0;
        float amax = 0;
        for (int i = 0; i < n; i++) {
            float ax = Math.abs(x[xo + i]);
            if (ax > amax) { amax = ax; max = x[xo + i]; }
        }
        if (amax < 1e-30f) return 0.f;
        float iscale = -nmax / max;
        float sumlx = 0;
        float suml2 = 0;
        for (int i = 0; i < n; i++) {
            float xi = x[xo + i];
            int q = Math.max(-nmax, Math.min(nmax - 1, nearestInt(iscale * xi)));
            float w = xi * xi;
            sumlx += w * xi * q;
            suml2 += w * q * q;
        }
        float scale = sumlx / suml2;
        float best = scale * sumlx;
        for (int is = -9; is <= 9; is++) {
            if (is == 0) continue;
            iscale = -(nmax + 0.1f * is) / max;
            sumlx = 0;
            suml2 = 0;
            for (int i = 0; i < n; i++) {
                float xi = x[xo + i];
                int q = Math.max(-nmax, Math.min(nmax - 1, nearestInt(iscale * xi)));
                float w = xi * xi;
                sumlx += w * xi * q;
                suml2 += w * q * q;
            }
            if (suml2 > 0 && sumlx * sumlx > best * suml2) {
                scale = sumlx / suml2;
                best = scale * sumlx;
            }
        }
        return scale;
    }

    // ---- K-quants -----------------------------------------------------------------------------

    private static void q2_K(float[] x, int o, float[] out, int oo) {
        int[] l = new int[QK_K];
        int[] laux = new int[16];
        float[] weights = new float[16];
        float[] mins = new float[16];
        float[] scales = new float[16];
        float[] theMin = new float[1];
        float maxScale = 0;
        float maxMin = 0;
        for (int j = 0; j < 16; j++) {
            for (int i = 0; i < 16; i++) weights[i] = Math.abs(x[o + 16 * j + i]);
            scales[j] = makeQkx2Quants(16, 3, x, o + 16 * j, weights, l, 16 * j, theMin, laux, -0.5f, 0.1f, 15, true);
            mins[j] = theMin[0];
            if (scales[j] > maxScale) maxScale = scales[j];
            if (mins[j] > maxMin) maxMin = mins[j];
        }
        int[] sc = new int[16];
        int[] mn = new int[16];
        float d = 0;
        float dmin = 0;
        if (maxScale > 0) {
            float iscale = 15f / maxScale;
            for (int j = 0; j < 16; j++) sc[j] = nearestInt(iscale * scales[j]) & 0xF;
            d = h(maxScale / 15f);
        }
        if (maxMin > 0) {
            float iscale = 15f / maxMin;
            for (int j = 0; j < 16; j++) mn[j] = nearestInt(iscale * mins[j]) & 0xF;
            dmin = h(maxMin / 15f);
        }
        for (int j = 0; j < 16; j++) {
            float dl = d * sc[j];
            float ml = dmin * mn[j];
            requantizeWithMin(x, o + 16 * j, out, oo + 16 * j, 16, dl, ml, 3);
        }
    }

    /**
     * The final pass of the K formats with a min (Q2_K, Q4_K, Q5_K): each of {@code n} weights re-quantized to
     * {@code round((x + ml) / dl)} in 0..nmax with the sub-block's stored scale {@code dl} and min {@code ml}, and
     * dequantized as {@code dl * q - ml} (a zero scale stores every weight as {@code -ml}).
     */
    private static void requantizeWithMin(float[] x, int xo, float[] out, int oo, int n, float dl, float ml, int nmax) {
        for (int i = 0; i < n; i++) {
            int q = dl != 0 ? Math.max(0, Math.min(nmax, nearestInt((x[xo + i] + ml) / dl))) : 0;
            out[oo + i] = dl * q - ml;
        }
    }

    private static void q3_K(float[] x, int o, float[] out, int oo) {
        float[] scales = new float[16];
        float maxScale = 0;
        float amax = 0;
        for (int j = 0; j < 16; j++) {
            scales[j] = makeQ3Quants(16, 4, x, o + 16 * j);
            float a = Math.abs(scales[j]);
            if (a > amax) { amax = a; maxScale = scales[j]; }
        }
        int[] sc = new int[16];
        float d = 0;
        if (maxScale != 0) {
            float iscale = -32f / maxScale;
            for (int j = 0; j < 16; j++) sc[j] = Math.max(-32, Math.min(31, (byte) nearestInt(iscale * scales[j])));
            d = h(1 / iscale);
        }
        for (int j = 0; j < 16; j++) {
            float dl = d * sc[j];
            for (int i = 0; i < 16; i++) {
                int q = 0;
                // with a zero sub-scale the codes do not matter: every weight dequantizes to 0
                if (dl != 0) q = Math.max(-4, Math.min(3, nearestInt(x[o + 16 * j + i] / dl)));
                out[oo + 16 * j + i] = dl * q;
            }
        }
    }

    /** Q4_K (nmax 15) and Q5_K (nmax 31): 8 sub-blocks of 32 with 6-bit scales and mins. */
    private static void q45_K(float[] x, int o, float[] out, int oo, int nmax, float rmin, float rdelta, int nstep) {
        int[] l = new int[QK_K];
        int[] laux = new int[32];
        float[] weights = new float[32];
        float[] mins = new float[8];
        float[] scales = new float[8];
        float[] theMin = new float[1];
        float maxScale = 0;
        float maxMin = 0;
        for (int j = 0; j < 8; j++) {
            float sumX2 = 0;
            for (int i = 0; i < 32; i++) sumX2 += x[o + 32 * j + i] * x[o + 32 * j + i];
            float avX = (float) Math.sqrt(sumX2 / 32);
            for (int i = 0; i < 32; i++) weights[i] = avX + Math.abs(x[o + 32 * j + i]);
            scales[j] = makeQkx2Quants(32, nmax, x, o + 32 * j, weights, l, 32 * j, theMin, laux, rmin, rdelta, nstep, false);
            mins[j] = theMin[0];
            if (scales[j] > maxScale) maxScale = scales[j];
            if (mins[j] > maxMin) maxMin = mins[j];
        }
        float invScale = maxScale > 0 ? 63f / maxScale : 0f;
        float invMin = maxMin > 0 ? 63f / maxMin : 0f;
        float d = h(maxScale / 63f);
        float dmin = h(maxMin / 63f);
        for (int j = 0; j < 8; j++) {
            int ls = Math.min(63, nearestInt(invScale * scales[j]) & 0xFF);
            int lm = Math.min(63, nearestInt(invMin * mins[j]) & 0xFF);
            float dl = d * ls;
            float ml = dmin * lm;
            requantizeWithMin(x, o + 32 * j, out, oo + 32 * j, 32, dl, ml, nmax);
        }
    }

    private static void q6_K(float[] x, int o, float[] out, int oo) {
        float[] scales = new float[16];
        float maxScale = 0;
        float maxAbsScale = 0;
        for (int j = 0; j < 16; j++) {
            scales[j] = makeQxQuants(16, 32, x, o + 16 * j);
            float a = Math.abs(scales[j]);
            if (a > maxAbsScale) { maxAbsScale = a; maxScale = scales[j]; }
        }
        if (maxAbsScale == 0) {
            for (int i = 0; i < QK_K; i++) out[oo + i] = 0;
            return;
        }
        float iscale = -128f / maxScale;
        float d = h(1 / iscale);
        for (int j = 0; j < 16; j++) {
            int sc = (byte) Math.min(127, nearestInt(iscale * scales[j]));
            float dl = d * sc;
            for (int i = 0; i < 16; i++) {
                int q = 0;
                if (dl != 0) q = Math.max(-32, Math.min(31, nearestInt(x[o + 16 * j + i] / dl)));
                out[oo + 16 * j + i] = dl * q;
            }
        }
    }
}
