package org.edgefront.evaluators.compress;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.edgefront.space.format.HalfFloats;
import org.edgefront.space.format.LlamaCppQuantizer;
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
 * {@link #encodeRow} writes the codes of int4g32, int5g32, int8g32 and their asymmetric 4/5-bit forms into the
 * llama.cpp blocks that hold exactly those values (Q4_0, Q5_0, Q8_0, Q4_1, Q5_1: same fp16 scale, code + 2^(b-1)
 * for the symmetric ones, the fp16 minimum as Q4_1/Q5_1's m). Stateless and thread-safe.
 */
final class GroupQuantizer {
    private GroupQuantizer() {}

    static void quantizeRow(WeightFormat f, float[] x, int off, int n, float[] out, int outOff) {
        quantize(f, x, off, n, out, outOff, null);
    }

    /**
     * The ggml block bytes of a row in {@code f}, which must be one of int4g32, int5g32, int8g32, int4g32a, int5g32a
     * with a row length that is a multiple of 32 ({@code blockFormat} is the llama.cpp format with those blocks).
     */
    static byte[] encodeRow(WeightFormat f, WeightFormat blockFormat, float[] x, int off, int n) {
        if (f.kind() != WeightFormat.Kind.INT_GROUP || f.blockWeights() != 32 || n % 32 != 0 || f.blockBytes() != blockFormat.blockBytes()) {
            throw new IllegalArgumentException(f.name() + " on rows of " + n + " has no " + blockFormat.name() + " blocks");
        }
        ByteBuffer pack = ByteBuffer.allocate(Math.toIntExact(blockFormat.rowBytes(n))).order(ByteOrder.LITTLE_ENDIAN);
        quantize(f, x, off, n, new float[n], 0, pack);
        return pack.array();
    }

    private static void quantize(WeightFormat f, float[] x, int off, int n, float[] out, int outOff, ByteBuffer pack) {
        int g = f.blockWeights() == 0 ? n : f.blockWeights();
        for (int start = 0; start < n; start += g) {
            int len = Math.min(g, n - start);
            if (f.asymmetric()) asymmetric(f.bits(), x, off + start, len, out, outOff + start, pack);
            else symmetric(f.bits(), x, off + start, len, out, outOff + start, pack);
        }
    }

    /** One 32-weight block in its llama.cpp layout: fp16 scale (and min), then the codes (8-bit, or 4/5-bit packed). */
    private static void pack(ByteBuffer pack, int bits, float s, Float min, int[] codes) {
        pack.putShort(HalfFloats.toHalfBits(s));
        if (min != null) pack.putShort(HalfFloats.toHalfBits(min));
        if (bits == 8) {
            for (int q : codes) pack.put((byte) q);
        } else {
            LlamaCppQuantizer.packLegacy(pack, codes, bits == 5);
        }
    }

    private static void symmetric(int bits, float[] x, int o, int len, float[] out, int oo, ByteBuffer pack) {
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
        // codes only when packing: a round trip allocates nothing
        int[] codes = pack == null ? null : new int[len];
        int offset = bits == 8 ? 0 : qmax + 1;
        if (s == 0) {
            for (int i = 0; i < len; i++) {
                out[oo + i] = 0;
                if (codes != null) codes[i] = offset;
            }
        } else {
            float inv = 1f / s;
            for (int i = 0; i < len; i++) {
                int q = (int) Math.rint(x[o + i] * inv);
                q = Math.max(-qmax - 1, Math.min(qmax, q));
                out[oo + i] = q * s;
                if (codes != null) codes[i] = q + offset;
            }
        }
        if (pack != null) pack(pack, bits, s, null, codes);
    }

    private static void asymmetric(int bits, float[] x, int o, int len, float[] out, int oo, ByteBuffer pack) {
        int levels = (1 << bits) - 1;
        float min = Float.POSITIVE_INFINITY;
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < len; i++) {
            min = Math.min(min, x[o + i]);
            max = Math.max(max, x[o + i]);
        }
        float s = HalfFloats.roundToHalf((max - min) / levels);
        float m = HalfFloats.roundToHalf(min);
        int[] codes = pack == null ? null : new int[len];
        if (s == 0) {
            for (int i = 0; i < len; i++) out[oo + i] = m;
        } else {
            float inv = 1f / s;
            for (int i = 0; i < len; i++) {
                int q = (int) Math.rint((x[o + i] - m) * inv);
                q = Math.max(0, Math.min(levels, q));
                out[oo + i] = q * s + m;
                if (codes != null) codes[i] = q;
            }
        }
        if (pack != null) pack(pack, bits, s, m, codes);
    }
}
