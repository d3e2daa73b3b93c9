package org.edgefront.evaluators.compress;

import org.edgefront.space.format.HalfFloats;
import org.edgefront.space.compress.WeightFormat;

/**
 * Round-to-nearest quantization for generic {@code int{b}g{G}[a]} formats, dequantized back to floats.
 *
 * <p>Rules (groups of G consecutive weights along the row; the last group of a row may be shorter and is
 * quantized on its own; {@code gC} means the whole row is one group). Scales and zero points are rounded to
 * fp16 first, as the storage holds them, and codes are chosen against the rounded values:
 * <ul>
 *   <li>symmetric, b >= 2: {@code s = fp16(max|w| / (2^(b-1) - 1))}, {@code q = clamp(rint(w / s), -2^(b-1), 2^(b-1) - 1)},
 *       {@code w' = q s}. The extra negative level is allowed but never needed for the maximum.</li>
 *   <li>symmetric, b = 1: binary {@code w' = sign(w) fp16(mean|w|)} (the L2-optimal scale for signs).</li>
 *   <li>asymmetric: {@code s = fp16((max - min) / (2^b - 1))}, {@code m = fp16(min)} stored as the zero point,
 *       {@code q = clamp(rint((w - m) / s), 0, 2^b - 1)}, {@code w' = q s + m}.</li>
 * </ul>
 * Stateless and thread-safe.
 */
final class GroupQuantizer {
    private GroupQuantizer() {}

    static void quantizeRow(WeightFormat f, float[] x, int off, int n, float[] out, int outOff) {
        int g = f.blockWeights() == 0 ? n : f.blockWeights();
        for (int start = 0; start < n; start += g) {
            int len = Math.min(g, n - start);
            if (f.asymmetric()) asymmetric(f.bits(), x, off + start, len, out, outOff + start);
            else symmetric(f.bits(), x, off + start, len, out, outOff + start);
        }
    }

    private static void symmetric(int bits, float[] x, int o, int len, float[] out, int oo) {
        if (bits == 1) {
            double sum = 0;
            for (int i = 0; i < len; i++) sum += Math.abs(x[o + i]);
            float s = HalfFloats.roundToHalf((float) (sum / len));
            for (int i = 0; i < len; i++) out[oo + i] = x[o + i] >= 0 ? s : -s;
            return;
        }
        int qmax = (1 << (bits - 1)) - 1;
        float amax = 0;
        for (int i = 0; i < len; i++) amax = Math.max(amax, Math.abs(x[o + i]));
        float s = HalfFloats.roundToHalf(amax / qmax);
        if (s == 0) {
            for (int i = 0; i < len; i++) out[oo + i] = 0;
            return;
        }
        float inv = 1f / s;
        for (int i = 0; i < len; i++) {
            int q = (int) Math.rint(x[o + i] * inv);
            q = Math.max(-qmax - 1, Math.min(qmax, q));
            out[oo + i] = q * s;
        }
    }

    private static void asymmetric(int bits, float[] x, int o, int len, float[] out, int oo) {
        int levels = (1 << bits) - 1;
        float min = Float.POSITIVE_INFINITY;
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < len; i++) {
            min = Math.min(min, x[o + i]);
            max = Math.max(max, x[o + i]);
        }
        float s = HalfFloats.roundToHalf((max - min) / levels);
        float m = HalfFloats.roundToHalf(min);
        if (s == 0) {
            for (int i = 0; i < len; i++) out[oo + i] = m;
            return;
        }
        float inv = 1f / s;
        for (int i = 0; i < len; i++) {
            int q = (int) Math.rint((x[o + i] - m) * inv);
            q = Math.max(0, Math.min(levels, q));
            out[oo + i] = q * s + m;
        }
    }
}
