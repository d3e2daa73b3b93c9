package org.edgefront.space.format;

import java.nio.ByteBuffer;
import org.edgefront.space.ggml.GgmlType;

/**
 * llama.cpp's block formats, quantized the way llama.cpp's reference (non-imatrix) quantizers do and
 * dequantized straight back to floats. Written from the published algorithms (ggml-quants.c,
 * {@code quantize_row_*_ref}): block maxima, scale search ({@code make_qkx2_quants}, {@code make_q3_quants},
 * {@code make_qx_quants}), 6-bit/4-bit/8-bit sub-block scales and fp16 super-block scales, with the
 * same float arithmetic order so results match bit for bit in the common case.
 *
 * <p>Block sizes: Q8_0/Q4_0/Q4_1/Q5_0/Q5_1 use 32 weights; K-quants use super-blocks of 256 with
 * 16-weight (Q2_K, Q3_K, Q6_K) or 32-weight (Q4_K, Q5_K) sub-blocks. The caller passes a row length
 * that is a multiple of the block (see {@link NamedFormat#storedFor(int)}).
 *
 * <p>Each codec's {@link FormatCodec#encode} writes the same quantization as ggml's block bytes (the layouts of ggml-common.h:
 * {@code block_q4_0 {d; qs[16]}}, {@code block_q4_K {d; dmin; scales[12]; qs[128]}} ...), which is what
 * llama-quantize stores; where a sub-block's scale is zero the codes are those of the scale search, as ggml
 * leaves them. One implementation serves both, so a GGUF EdgeFront writes holds exactly the weights it measured.
 * Stateless and thread-safe.
 */
public final class LlamaCppQuantizer {
    private static final int QK_K = 256;
    /** ggml's GROUP_MAX_EPS: a sub-block whose largest magnitude is below it is all zero. */
    private static final float GROUP_MAX_EPS = 1e-15f;

    private LlamaCppQuantizer() {}

    // one codec per format for the registry (NamedFormat): each block quantizes, dequantizes and, given a buffer, packs
    static final FormatCodec Q8_0 = FormatCodec.blocks(GgmlType.Q8_0, LlamaCppQuantizer::q8_0);
    static final FormatCodec Q4_0 = FormatCodec.blocks(GgmlType.Q4_0, (x, o, out, oo, pack) -> qx_0(x, o, out, oo, 8, 15, pack),
            (x, o, qw, qo, sigma2, out, oo, pack) -> qx_0Weighted(x, o, qw, qo, sigma2, out, oo, 8, pack));
    static final FormatCodec Q5_0 = FormatCodec.blocks(GgmlType.Q5_0, (x, o, out, oo, pack) -> qx_0(x, o, out, oo, 16, 31, pack),
            (x, o, qw, qo, sigma2, out, oo, pack) -> qx_0Weighted(x, o, qw, qo, sigma2, out, oo, 16, pack));
    static final FormatCodec Q4_1 = FormatCodec.blocks(GgmlType.Q4_1, (x, o, out, oo, pack) -> qx_1(x, o, out, oo, 15, pack),
            (x, o, qw, qo, sigma2, out, oo, pack) -> qx_1Weighted(x, o, qw, qo, sigma2, out, oo, 15, pack));
    static final FormatCodec Q5_1 = FormatCodec.blocks(GgmlType.Q5_1, (x, o, out, oo, pack) -> qx_1(x, o, out, oo, 31, pack),
            (x, o, qw, qo, sigma2, out, oo, pack) -> qx_1Weighted(x, o, qw, qo, sigma2, out, oo, 31, pack));
    static final FormatCodec Q2_K = FormatCodec.blocks(GgmlType.Q2_K, LlamaCppQuantizer::q2_K, LlamaCppQuantizer::q2_KWeighted);
    static final FormatCodec Q3_K = FormatCodec.blocks(GgmlType.Q3_K, LlamaCppQuantizer::q3_K, LlamaCppQuantizer::q3_KWeighted);
    static final FormatCodec Q4_K = FormatCodec.blocks(GgmlType.Q4_K, (x, o, out, oo, pack) -> q45_K(x, o, out, oo, 15, -1.0f, 0.1f, 20, pack),
            (x, o, qw, qo, sigma2, out, oo, pack) -> q45_KWeighted(x, o, qw, qo, out, oo, 15, pack));
    static final FormatCodec Q5_K = FormatCodec.blocks(GgmlType.Q5_K, (x, o, out, oo, pack) -> q45_K(x, o, out, oo, 31, -0.5f, 0.1f, 15, pack),
            (x, o, qw, qo, sigma2, out, oo, pack) -> q45_KWeighted(x, o, qw, qo, out, oo, 31, pack));
    static final FormatCodec Q6_K = FormatCodec.blocks(GgmlType.Q6_K, (x, o, out, oo, pack) -> q6_K(x, o, null, 0, out, oo, pack),
            (x, o, qw, qo, sigma2, out, oo, pack) -> q6_K(x, o, qw, qo, out, oo, pack));

    private static void putHalf(ByteBuffer pack, float v) { pack.putShort(HalfFloats.toHalfBits(v)); }

    /**
     * The 32-weight legacy layout's codes, low nibbles from the first half of the block, high from the second, and
     * for 5-bit codes the fifth bits as a little-endian uint32 (bit j for weight j) before them.
     */
    public static void packLegacy(ByteBuffer pack, int[] q, boolean fiveBit) {
        if (fiveBit) {
            int qh = 0;
            for (int j = 0; j < 32; j++) qh |= ((q[j] >> 4) & 1) << j;
            pack.putInt(qh);
        }
        for (int j = 0; j < 16; j++) pack.put((byte) ((q[j] & 0xF) | ((q[j + 16] & 0xF) << 4)));
    }

    /** llama.cpp's nearest_int: round half to even (the FPU's default rounding). */
    public static int nearestInt(float v) { return (int) Math.rint(v); }

    /** C roundf: half away from zero (computed in double so 0.49999997f does not round up). */
    public static float roundf(float v) { return (float) Math.copySign(Math.floor(Math.abs((double) v) + 0.5), v); }

    private static float h(float v) { return HalfFloats.roundToHalf(v); }

    // ---- legacy 32-weight formats -------------------------------------------------------------

    private static void q8_0(float[] x, int o, float[] out, int oo, ByteBuffer pack) {
        float amax = 0;
        for (int j = 0; j < 32; j++) amax = Math.max(amax, Math.abs(x[o + j]));
        float d = amax / 127f;
        float id = d != 0 ? 1.0f / d : 0.0f;
        float dh = h(d);
        if (pack != null) putHalf(pack, d);
        for (int j = 0; j < 32; j++) {
            float q = roundf(x[o + j] * id);
            out[oo + j] = q * dh;
            if (pack != null) pack.put((byte) (int) q);
        }
    }

    /** Q4_0 (half = 8, qmax = 15) and Q5_0 (16, 31): d = signed max / -half, q = min(qmax, trunc(x/d + half + 0.5)). */
    private static void qx_0(float[] x, int o, float[] out, int oo, int half, int qmax, ByteBuffer pack) {
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
        if (pack == null) {
            // a round trip (every compression in a search): no codes kept, nothing allocated
            for (int j = 0; j < 32; j++) out[oo + j] = (Math.min(qmax, (int) (x[o + j] * id + bias)) - half) * dh;
            return;
        }
        int[] codes = new int[32];
        for (int j = 0; j < 32; j++) {
            int q = Math.min(qmax, (int) (x[o + j] * id + bias));
            codes[j] = q;
            out[oo + j] = (q - half) * dh;
        }
        putHalf(pack, d);
        packLegacy(pack, codes, qmax == 31);
    }

    /**
     * Q4_0 (nmax 8) and Q5_0 (16) with an importance matrix (llama.cpp quantize_row_q4_0_impl / q5_0_impl): each weight
     * weighted by its column's importance x sqrt(row mean square + x^2), the signed scale searched as make_qx_quants does
     * (rmse_type 1 with those weights), codes l + nmax in 0..2 nmax - 1.
     */
    private static void qx_0Weighted(float[] x, int o, float[] qw, int qo, float sigma2, float[] out, int oo, int nmax, ByteBuffer pack) {
        int[] codes = new int[32];
        float d = makeQxQuants(32, nmax, x, o, codes, 0, imatrixWeights(x, o, qw, qo, 32, sigma2), 0);
        float dh = h(d);
        for (int j = 0; j < 32; j++) out[oo + j] = (codes[j] - nmax) * dh;
        if (pack != null) {
            putHalf(pack, d);
            packLegacy(pack, codes, nmax == 16);
        }
    }

    /**
     * Q4_1 (qmax 15) and Q5_1 (31) with an importance matrix (llama.cpp quantize_row_q4_1_impl / q5_1_impl): weights
     * importance x sqrt(row mean square + x^2), scale and minimum by make_qkx3_quants (rmin -0.9, rdelta 0.05, 36 steps),
     * its codes stored as they are.
     */
    private static void qx_1Weighted(float[] x, int o, float[] qw, int qo, float sigma2, float[] out, int oo, int qmax, ByteBuffer pack) {
        int[] codes = new int[32];
        float[] theMin = new float[1];
        float d = makeQkx2Quants(32, qmax, x, o, imatrixWeights(x, o, qw, qo, 32, sigma2), codes, 0, theMin, new int[32], -0.9f, 0.05f, 36, false);
        float m = -theMin[0];
        float dh = h(d);
        float mh = h(m);
        for (int j = 0; j < 32; j++) out[oo + j] = codes[j] * dh + mh;
        if (pack != null) {
            putHalf(pack, d);
            putHalf(pack, m);
            packLegacy(pack, codes, qmax == 31);
        }
    }

    /** Q4_1 (qmax 15) and Q5_1 (31): d = (max - min)/qmax, stored min; q = min(qmax, trunc((x - min)/d + 0.5)). */
    private static void qx_1(float[] x, int o, float[] out, int oo, int qmax, ByteBuffer pack) {
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
        int[] codes = new int[32];
        for (int j = 0; j < 32; j++) {
            int q = Math.min(qmax, (int) ((x[o + j] - min) * id + 0.5f));
            codes[j] = q;
            out[oo + j] = q * dh + mh;
        }
        if (pack != null) {
            putHalf(pack, d);
            putHalf(pack, min);
            packLegacy(pack, codes, qmax == 31);
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

    /**
     * The value of largest magnitude, sign kept (the first such), which the signed searches scale by -nmax; 0 when
     * the group is all but empty (every |x| below {@link #GROUP_MAX_EPS}), in which case its codes are zeroed too.
     */
    private static float signedMaxOrZeroCodes(int n, float[] x, int xo, int[] codes, int co) {
        float max = 0;
        float amax = 0;
        for (int i = 0; i < n; i++) {
            float ax = Math.abs(x[xo + i]);
            if (ax > amax) { amax = ax; max = x[xo + i]; }
        }
        if (amax < GROUP_MAX_EPS) {
            for (int i = 0; i < n; i++) codes[co + i] = 0;
            return 0;
        }
        return max;
    }

    /** Signed scale search with x^2-weighted coordinate refinement (llama.cpp make_q3_quants, do_rmse). */
    static float makeQ3Quants(int n, int nmax, float[] x, int xo, int[] codes, int co) {
        float max = signedMaxOrZeroCodes(n, x, xo, codes, co);
        if (max == 0) return 0.f;
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
        for (int i = 0; i < n; i++) codes[co + i] = l[i] + nmax;
        return suml2 > 0 ? sumlx / suml2 : 0.f;
    }

    /** Signed scale search over 19 candidate scales, x^2-weighted (llama.cpp make_qx_quants, rmse_type 1, no imatrix). */
    static float makeQxQuants(int n, int nmax, float[] x, int xo, int[] codes, int co) {
        return makeQxQuants(n, nmax, x, xo, codes, co, null, 0);
    }

    /**
     * As {@link #makeQxQuants(int, int, float[], int, int[], int)} with the weights {@code qw[qo..qo+n)} in place of x^2 when
     * not null (llama.cpp make_qx_quants' {@code qw}).
     */
    static float makeQxQuants(int n, int nmax, float[] x, int xo, int[] codes, int co, float[] qw, int qo) {
        float max = signedMaxOrZeroCodes(n, x, xo, codes, co);
        if (max == 0) return 0.f;
        float iscale = -nmax / max;
        float sumlx = 0;
        float suml2 = 0;
        for (int i = 0; i < n; i++) {
            float xi = x[xo + i];
            int q = Math.max(-nmax, Math.min(nmax - 1, nearestInt(iscale * xi)));
            codes[co + i] = q + nmax;
            float w = qw != null ? qw[qo + i] : xi * xi;
            sumlx += w * xi * q;
            suml2 += w * q * q;
        }
        float scale = suml2 != 0 ? sumlx / suml2 : 0.f;
        float best = scale * sumlx;
        for (int is = -9; is <= 9; is++) {
            if (is == 0) continue;
            iscale = -(nmax + 0.1f * is) / max;
            sumlx = 0;
            suml2 = 0;
            for (int i = 0; i < n; i++) {
                float xi = x[xo + i];
                int q = Math.max(-nmax, Math.min(nmax - 1, nearestInt(iscale * xi)));
                float w = qw != null ? qw[qo + i] : xi * xi;
                sumlx += w * xi * q;
                suml2 += w * q * q;
            }
            if (suml2 > 0 && sumlx * sumlx > best * suml2) {
                for (int i = 0; i < n; i++) codes[co + i] = nmax + Math.max(-nmax, Math.min(nmax - 1, nearestInt(iscale * x[xo + i])));
                scale = sumlx / suml2;
                best = scale * sumlx;
            }
        }
        return scale;
    }

    // ---- K-quants ----------------------------------------------------------------------------

    /** Codes of 256 weights, four 2-bit codes per byte: byte l of each 128-weight half holds weights l, l+32, l+64, l+96. */
    private static void pack2Bit(ByteBuffer pack, int[] codes) {
        for (int j = 0; j < QK_K; j += 128) {
            for (int l = 0; l < 32; l++) {
                pack.put((byte) (codes[j + l] | (codes[j + l + 32] << 2) | (codes[j + l + 64] << 4) | (codes[j + l + 96] << 6)));
            }
        }
    }

    private static void q2_K(float[] x, int o, float[] out, int oo, ByteBuffer pack) {
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
            requantizeWithMin(x, o + 16 * j, out, oo + 16 * j, 16, dl, ml, 3, l, 16 * j);
        }
        if (pack != null) {
            for (int j = 0; j < 16; j++) pack.put((byte) (sc[j] | (mn[j] << 4)));
            pack2Bit(pack, l);
            putHalf(pack, d);
            putHalf(pack, dmin);
        }
    }

    /**
     * The final pass of the K formats with a min (Q2_K, Q4_K, Q5_K): each of {@code n} weights re-quantized to
     * {@code round((x + ml) / dl)} in 0..nmax with the sub-block's stored scale {@code dl} and min {@code ml}, and
     * dequantized as {@code dl * q - ml}. A zero scale stores every weight as {@code -ml} and, as in ggml, leaves the
     * scale search's codes in {@code codes}.
     */
    private static void requantizeWithMin(float[] x, int xo, float[] out, int oo, int n, float dl, float ml, int nmax, int[] codes, int co) {
        for (int i = 0; i < n; i++) {
            if (dl != 0) {
                int q = Math.max(0, Math.min(nmax, nearestInt((x[xo + i] + ml) / dl)));
                codes[co + i] = q;
                out[oo + i] = dl * q - ml;
            } else {
                out[oo + i] = -ml;
            }
        }
    }

    private static void q3_K(float[] x, int o, float[] out, int oo, ByteBuffer pack) {
        float[] scales = new float[16];
        int[] codes = new int[QK_K];
        float maxScale = 0;
        float amax = 0;
        for (int j = 0; j < 16; j++) {
            scales[j] = makeQ3Quants(16, 4, x, o + 16 * j, codes, 16 * j);
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
        requantize16(x, o, out, oo, d, sc, -4, 3, codes);
        if (pack != null) {
            int[] stored = new int[16];
            if (maxScale != 0) for (int j = 0; j < 16; j++) stored[j] = sc[j] + 32;
            packQ3K(pack, codes, stored, d);
        }
    }

    /**
     * One Q3_K block's bytes: hmask[32] (bit b of byte m is the third bit of weight 32 b + m), the low two bits, 12 bytes
     * of the 6-bit stored scales (sub-scale + 32: low nibbles of 0..7 and 8..15 in bytes 0..7, high 2 bits in bytes
     * 8..11), then d (fp16).
     */
    private static void packQ3K(ByteBuffer pack, int[] codes, int[] stored, float d) {
        byte[] hmask = new byte[32];
        int[] low = new int[QK_K];
        for (int j = 0; j < QK_K; j++) {
            low[j] = codes[j] & 3;
            if (codes[j] > 3) hmask[j % 32] |= (byte) (1 << (j / 32));
        }
        pack.put(hmask);
        pack2Bit(pack, low);
        byte[] packed = new byte[12];
        for (int j = 0; j < 16; j++) {
            int v = stored[j];
            if (j < 8) packed[j] |= (byte) (v & 0xF);
            else packed[j - 8] |= (byte) ((v & 0xF) << 4);
            packed[8 + j % 4] |= (byte) ((v >> 4) << (2 * (j / 4)));
        }
        pack.put(packed);
        putHalf(pack, d);
    }

    /** Q4_K (nmax 15) and Q5_K (nmax 31): 8 sub-blocks of 32 with 6-bit scales and mins. */
    private static void q45_K(float[] x, int o, float[] out, int oo, int nmax, float rmin, float rdelta, int nstep, ByteBuffer pack) {
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
        int[] ls = new int[8];
        int[] lm = new int[8];
        for (int j = 0; j < 8; j++) {
            ls[j] = Math.min(63, nearestInt(invScale * scales[j]) & 0xFF);
            lm[j] = Math.min(63, nearestInt(invMin * mins[j]) & 0xFF);
            float dl = d * ls[j];
            float ml = dmin * lm[j];
            requantizeWithMin(x, o + 32 * j, out, oo + 32 * j, 32, dl, ml, nmax, l, 32 * j);
        }
        if (pack != null) packQ45K(pack, maxScale / 63f, maxMin / 63f, ls, lm, l, nmax);
    }

    /**
     * One Q4_K (nmax 15) or Q5_K (31) block's bytes: d and dmin (fp16), 12 bytes of 6-bit sub-scales and sub-mins (of
     * sub-blocks 0..3 in bytes 0..3 and 4..7; of 4..7 low nibbles in bytes 8..11 and high 2 bits in the top of bytes
     * 0..7), Q5_K's fifth bits, then the low nibbles.
     */
    private static void packQ45K(ByteBuffer pack, float d, float dmin, int[] ls, int[] lm, int[] l, int nmax) {
        putHalf(pack, d);
        putHalf(pack, dmin);
        byte[] packed = new byte[12];
        for (int j = 0; j < 8; j++) {
            if (j < 4) {
                packed[j] = (byte) ls[j];
                packed[j + 4] = (byte) lm[j];
            } else {
                packed[j + 4] = (byte) ((ls[j] & 0xF) | ((lm[j] & 0xF) << 4));
                packed[j - 4] |= (byte) ((ls[j] >> 4) << 6);
                packed[j] |= (byte) ((lm[j] >> 4) << 6);
            }
        }
        pack.put(packed);
        if (nmax == 31) {
            // qh[32]: bits 2k and 2k+1 of byte j are the fifth bits of weights 64k + j and 64k + j + 32
            byte[] qh = new byte[32];
            for (int k = 0; k < 4; k++) {
                for (int j = 0; j < 32; j++) {
                    if (l[64 * k + j] > 15) qh[j] |= (byte) (1 << (2 * k));
                    if (l[64 * k + j + 32] > 15) qh[j] |= (byte) (2 << (2 * k));
                }
            }
            pack.put(qh);
        }
        for (int j = 0; j < QK_K; j += 64) {
            for (int i = 0; i < 32; i++) pack.put((byte) ((l[j + i] & 0xF) | ((l[j + i + 32] & 0xF) << 4)));
        }
    }

    /**
     * Q6_K; with {@code qw} (an importance matrix), as llama.cpp's quantize_row_q6_K_impl: each sub-block's scale search
     * weighted by the importances themselves, the rest as without.
     */
    private static void q6_K(float[] x, int o, float[] qw, int qo, float[] out, int oo, ByteBuffer pack) {
        float[] scales = new float[16];
        int[] codes = new int[QK_K];
        float maxScale = 0;
        float maxAbsScale = 0;
        for (int j = 0; j < 16; j++) {
            scales[j] = makeQxQuants(16, 32, x, o + 16 * j, codes, 16 * j, qw, qo + 16 * j);
            float a = Math.abs(scales[j]);
            if (a > maxAbsScale) { maxAbsScale = a; maxScale = scales[j]; }
        }
        if (maxAbsScale < GROUP_MAX_EPS) {
            for (int i = 0; i < QK_K; i++) out[oo + i] = 0;
            if (pack != null) pack.put(new byte[210]);
            return;
        }
        float iscale = -128f / maxScale;
        float d = h(1 / iscale);
        int[] sc = new int[16];
        for (int j = 0; j < 16; j++) sc[j] = (byte) Math.min(127, nearestInt(iscale * scales[j]));
        requantize16(x, o, out, oo, d, sc, -32, 31, codes);
        if (pack != null) {
            // ql[128]: low nibbles; qh[64]: high 2 bits; per 128-weight half, byte l covers weights l, l+32, l+64, l+96
            byte[] ql = new byte[128];
            byte[] qh = new byte[64];
            for (int j = 0, half = 0; j < QK_K; j += 128, half++) {
                for (int l = 0; l < 32; l++) {
                    int q1 = codes[j + l];
                    int q2 = codes[j + l + 32];
                    int q3 = codes[j + l + 64];
                    int q4 = codes[j + l + 96];
                    ql[64 * half + l] = (byte) ((q1 & 0xF) | ((q3 & 0xF) << 4));
                    ql[64 * half + l + 32] = (byte) ((q2 & 0xF) | ((q4 & 0xF) << 4));
                    qh[32 * half + l] = (byte) ((q1 >> 4) | ((q2 >> 4) << 2) | ((q3 >> 4) << 4) | ((q4 >> 4) << 6));
                }
            }
            pack.put(ql);
            pack.put(qh);
            for (int j = 0; j < 16; j++) pack.put((byte) sc[j]);
            putHalf(pack, 1 / iscale);
        }
    }

    // ---- K-quants with an importance matrix (llama.cpp's quantize_row_*_K_impl) -------------------------

    /**
     * llama.cpp's weights of an importance matrix: importance x sqrt(sigma2 + x^2) for {@code n} weights from {@code x[o]},
     * importances from {@code qw[qo]} (every {@code quantize_row_*_impl}; sigma2 is the row's or the super-block's mean square
     * by format).
     */
    static float[] imatrixWeights(float[] x, int o, float[] qw, int qo, int n, float sigma2) {
        float[] w = new float[n];
        for (int i = 0; i < n; i++) w[i] = qw[qo + i] * (float) Math.sqrt(sigma2 + x[o + i] * x[o + i]);
        return w;
    }

    /** A super-block's sum of squares, in order. */
    private static float sumSquares(float[] x, int o) {
        float s = 0;
        for (int i = 0; i < QK_K; i++) s += x[o + i] * x[o + i];
        return s;
    }

    /**
     * llama.cpp make_qp_quants: unsigned codes 0..nmax for non-negative {@code x[0..n)} (sub-block scales or mins) under
     * the weights {@code w}: the best of 9 trial scales by weighted squared error, then up to 5 rounds of moving single
     * codes while the weighted fit improves. Returns the scale; {@code l} the codes.
     */
    static float makeQpQuants(int n, int nmax, float[] x, int[] l, float[] w) {
        float max = 0;
        for (int i = 0; i < n; i++) max = Math.max(max, x[i]);
        if (max < GROUP_MAX_EPS) {
            for (int i = 0; i < n; i++) l[i] = 0;
            return 0.f;
        }
        float iscale = nmax / max;
        for (int i = 0; i < n; i++) l[i] = nearestInt(iscale * x[i]);
        float scale = 1 / iscale;
        float bestMse = 0;
        for (int i = 0; i < n; i++) {
            float diff = x[i] - scale * l[i];
            bestMse += w[i] * diff * diff;
        }
        for (int is = -4; is <= 4; is++) {
            if (is == 0) continue;
            float iscaleIs = (0.1f * is + nmax) / max;
            float scaleIs = 1 / iscaleIs;
            float mse = 0;
            for (int i = 0; i < n; i++) {
                int q = Math.min(nmax, nearestInt(iscaleIs * x[i]));
                float diff = x[i] - scaleIs * q;
                mse += w[i] * diff * diff;
            }
            if (mse < bestMse) {
                bestMse = mse;
                iscale = iscaleIs;
            }
        }
        float sumlx = 0;
        float suml2 = 0;
        for (int i = 0; i < n; i++) {
            int q = Math.min(nmax, nearestInt(iscale * x[i]));
            l[i] = q;
            sumlx += w[i] * x[i] * q;
            suml2 += w[i] * q * q;
        }
        for (int itry = 0; itry < 5; itry++) {
            int changed = 0;
            for (int i = 0; i < n; i++) {
                float wi = w[i];
                float slx = sumlx - wi * x[i] * l[i];
                float sl2 = suml2 - wi * l[i] * l[i];
                if (slx > 0 && sl2 > 0) {
                    int nl = Math.min(nmax, nearestInt(x[i] * sl2 / slx));
                    if (nl != l[i]) {
                        slx += wi * x[i] * nl;
                        sl2 += wi * nl * nl;
                        if (slx * slx * suml2 > sumlx * sumlx * sl2) {
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
        return suml2 > 0.0f ? sumlx / suml2 : 0.0f;
    }

    /**
     * Q4_K (nmax 15) and Q5_K (31) with an importance matrix: sigma2 = 2 x the super-block's mean square, weights
     * importance x sqrt(sigma2 + x^2), each sub-block's scale and min by make_qkx3_quants (make_qkx2_quants' search with
     * these weights; rmin -0.9, rdelta 0.05, 36 steps), the 6-bit sub-scales and sub-mins by make_qp_quants weighted by
     * each sub-block's summed weights, then every weight re-rounded on the stored scales.
     */
    private static void q45_KWeighted(float[] x, int o, float[] qw, int qo, float[] out, int oo, int nmax, ByteBuffer pack) {
        int[] l = new int[QK_K];
        int[] laux = new int[32];
        float[] mins = new float[8];
        float[] scales = new float[8];
        float[] sw = new float[8];
        float[] theMin = new float[1];
        float sigma2 = 2 * sumSquares(x, o) / QK_K;
        for (int j = 0; j < 8; j++) {
            float[] weights = imatrixWeights(x, o + 32 * j, qw, qo + 32 * j, 32, sigma2);
            float sumw = 0;
            for (int i = 0; i < 32; i++) sumw += weights[i];
            sw[j] = sumw;
            scales[j] = makeQkx2Quants(32, nmax, x, o + 32 * j, weights, l, 32 * j, theMin, laux, -0.9f, 0.05f, 36, false);
            mins[j] = theMin[0];
        }
        int[] ls = new int[8];
        int[] lm = new int[8];
        float dBlock = makeQpQuants(8, 63, scales, ls, sw);
        float mBlock = makeQpQuants(8, 63, mins, lm, sw);
        float d = h(dBlock);
        float dmin = h(mBlock);
        for (int j = 0; j < 8; j++) {
            ls[j] = Math.min(63, ls[j]);
            lm[j] = Math.min(63, lm[j]);
            requantizeWithMin(x, o + 32 * j, out, oo + 32 * j, 32, d * ls[j], dmin * lm[j], nmax, l, 32 * j);
        }
        if (pack != null) packQ45K(pack, dBlock, mBlock, ls, lm, l, nmax);
    }

    /**
     * Q3_K with an importance matrix: weights as Q4_K's, each 16-weight sub-block's scale by make_qx_quants (nmax 4) under
     * them, the 6-bit sub-scales by make_qx_quants (nmax 32) weighted by each sub-block's summed weights, then every weight
     * re-rounded on the stored scales.
     */
    private static void q3_KWeighted(float[] x, int o, float[] qw, int qo, float rowSigma2, float[] out, int oo, ByteBuffer pack) {
        float[] scales = new float[16];
        float[] sw = new float[16];
        int[] codes = new int[QK_K];
        float sigma2 = 2 * sumSquares(x, o) / QK_K;
        for (int j = 0; j < 16; j++) {
            float[] weights = imatrixWeights(x, o + 16 * j, qw, qo + 16 * j, 16, sigma2);
            float sumw = 0;
            for (int i = 0; i < 16; i++) sumw += weights[i];
            sw[j] = sumw;
            scales[j] = makeQxQuants(16, 4, x, o + 16 * j, codes, 16 * j, weights, 0);
        }
        int[] stored = new int[16];
        float dBlock = makeQxQuants(16, 32, scales, 0, stored, 0, sw, 0);
        float d = h(dBlock);
        int[] sc = new int[16];
        for (int j = 0; j < 16; j++) sc[j] = stored[j] - 32;
        requantize16(x, o, out, oo, d, sc, -4, 3, codes);
        if (pack != null) packQ3K(pack, codes, stored, dBlock);
    }

    /**
     * Q2_K with an importance matrix: sigma2 = the super-block's mean square, weights importance x sqrt(sigma2 + x^2), each
     * 16-weight sub-block's scale and min by make_qkx3_quants (nmax 3), the 4-bit sub-scales and sub-mins by make_qp_quants
     * weighted by the summed weights, then every weight re-rounded on the stored scales.
     */
    private static void q2_KWeighted(float[] x, int o, float[] qw, int qo, float rowSigma2, float[] out, int oo, ByteBuffer pack) {
        int[] l = new int[QK_K];
        int[] laux = new int[16];
        float[] mins = new float[16];
        float[] scales = new float[16];
        float[] sw = new float[16];
        float[] theMin = new float[1];
        float sigma2 = sumSquares(x, o) / QK_K;
        for (int j = 0; j < 16; j++) {
            float[] weights = imatrixWeights(x, o + 16 * j, qw, qo + 16 * j, 16, sigma2);
            for (int i = 0; i < 16; i++) sw[j] += weights[i];
            scales[j] = makeQkx2Quants(16, 3, x, o + 16 * j, weights, l, 16 * j, theMin, laux, -0.9f, 0.05f, 36, false);
            mins[j] = theMin[0];
        }
        int[] sc = new int[16];
        int[] mn = new int[16];
        float dm = makeQpQuants(16, 15, scales, sc, sw);
        float mm = makeQpQuants(16, 15, mins, mn, sw);
        float d = h(dm);
        float dmin = h(mm);
        for (int j = 0; j < 16; j++) {
            // the stored byte is sc | mn << 4: codes above 15 would spill, as in ggml (make_qp_quants keeps them <= 15)
            requantizeWithMin(x, o + 16 * j, out, oo + 16 * j, 16, d * (sc[j] & 0xF), dmin * ((sc[j] | (mn[j] << 4)) >> 4 & 0xF), 3, l, 16 * j);
        }
        if (pack != null) {
            for (int j = 0; j < 16; j++) pack.put((byte) (sc[j] | (mn[j] << 4)));
            pack2Bit(pack, l);
            putHalf(pack, dm);
            putHalf(pack, mm);
        }
    }

    /**
     * Q3_K's and Q6_K's last pass: each of 16 sub-blocks of 16 weights is rounded on its scale {@code d * sc[j]} to a
     * signed code in [qmin, qmax], stored as {@code q - qmin}. With a zero sub-scale every weight dequantizes to 0 and,
     * as ggml does, the codes of the scale search stay.
     */
    private static void requantize16(float[] x, int o, float[] out, int oo, float d, int[] sc, int qmin, int qmax, int[] codes) {
        for (int j = 0; j < 16; j++) {
            float dl = d * sc[j];
            for (int i = 0; i < 16; i++) {
                int q = 0;
                if (dl != 0) {
                    q = Math.max(qmin, Math.min(qmax, nearestInt(x[o + 16 * j + i] / dl)));
                    codes[16 * j + i] = q - qmin;
                }
                out[oo + 16 * j + i] = dl * q;
            }
        }
    }

}
