package org.edgefront.space.format;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.edgefront.space.ggml.GgmlTables;
import org.edgefront.space.ggml.GgmlType;

/**
 * The two 4-bit non-linear codebook formats, which share one quantizer:
 * <ul>
 *   <li>IQ4_NL (ggml type 20): blocks of 32 weights in 18 bytes, an fp16 scale {@code d} then 16 bytes of 4-bit
 *       indices into the codebook {@link #VALUES} (weight j in the low nibble of byte j, weight j + 16 in its high
 *       nibble); weight = d x VALUES[index].</li>
 *   <li>IQ4_XS (ggml type 23): super-blocks of 256 weights in 136 bytes: an fp16 super-scale {@code d}, the high
 *       2 bits of eight 6-bit sub-block scales (u16), their low 4 bits (4 bytes, two per byte), then 128 bytes of
 *       indices laid out as IQ4_NL's, per sub-block of 32; weight = d x (scale - 32) x VALUES[index].</li>
 * </ul>
 * Written as llama-quantize writes them without an importance matrix (ggml-quants.c {@code quantize_iq4_nl} and
 * {@code quantize_iq4_xs}, which {@code quantize_row_iq4_xs_ref} also calls): per sub-block of 32, weights x^2, the
 * least-squares scale for the indices of d = max / 127, then 15 trial scales (index of the signed max moved by
 * -7..+7 from the codebook's end) keeping the one with the largest sumqx^2 / sumq2. IQ4_NL stores that scale and
 * re-picks the indices for it; IQ4_XS stores d = -(the sub-scale of largest magnitude) / 32, each sub-block's scale
 * rounded to a 6-bit multiple of d, and re-picks indices for it. Same float arithmetic order, so bytes match bit for
 * bit. Decoding (also of the round trip) is the ggml type's. Stateless and thread-safe.
 */
final class Iq4Nl {
    static final int BLOCK = 32;

    /** The codebook, ggml's {@code kvalues_iq4nl} (held once, in {@link GgmlTables}). */
    static final byte[] VALUES = new byte[16];

    static {
        for (int i = 0; i < 16; i++) VALUES[i] = (byte) GgmlTables.iq4nlValue(i);
    }

    /** ggml's GROUP_MAX_EPS: sub-blocks whose largest magnitude is below it get scale 0. */
    private static final float GROUP_MAX_EPS = 1e-15f;

    /** Trial scales on each side of the first guess, as llama-quantize runs the search. */
    private static final int TRIES = 7;

    /** The registry's IQ4_NL codec. */
    static final FormatCodec CODEC = FormatCodec.blocks(GgmlType.IQ4_NL, (x, o, out, oo, pack) -> quantize(GgmlType.IQ4_NL, x, o, null, 0, out, oo, pack),
            (x, o, qw, qo, sigma2, out, oo, pack) -> quantize(GgmlType.IQ4_NL, x, o, qw, qo, out, oo, pack));

    /** The registry's IQ4_XS codec. */
    static final FormatCodec XS_CODEC = FormatCodec.blocks(GgmlType.IQ4_XS, (x, o, out, oo, pack) -> quantize(GgmlType.IQ4_XS, x, o, null, 0, out, oo, pack),
            (x, o, qw, qo, sigma2, out, oo, pack) -> quantize(GgmlType.IQ4_XS, x, o, qw, qo, out, oo, pack));

    private Iq4Nl() {}

    /** ggml's best_index_int8 over the 16 sorted codebook values: the nearest, ties to the larger. */
    static int bestIndex(float x) {
        if (x <= VALUES[0]) return 0;
        if (x >= VALUES[15]) return 15;
        int lo = 0, hi = 15;
        while (hi - lo > 1) {
            int mid = (lo + hi) / 2;
            if (x < VALUES[mid]) hi = mid; else lo = mid;
        }
        return x - VALUES[hi - 1] < VALUES[hi] - x ? hi - 1 : hi;
    }

    /**
     * x^2-weighted sums of one sub-block quantized to the nearest codebook value at inverse scale {@code id}:
     * {@code sums[0]} = sum w q x, {@code sums[1]} = sum w q^2 (the numerator and denominator of the best scale).
     */
    private static void weightedSums(float[] x, int o, float[] weight, float id, float[] sums) {
        float sumqx = 0, sumq2 = 0;
        for (int j = 0; j < BLOCK; j++) {
            float xj = x[o + j];
            float q = VALUES[bestIndex(id * xj)];
            float w = weight != null ? weight[j] : xj * xj;
            sumqx += w * q * xj;
            sumq2 += w * q * q;
        }
        sums[0] = sumqx;
        sums[1] = sumq2;
    }

    /**
     * The best scale of one 32-weight sub-block at {@code x[o..]} (0 for an all-zero one): the shared search of both
     * formats, weights x^2.
     */
    static float subBlockScale(float[] x, int o) { return subBlockScale(x, o, null); }

    /** As {@link #subBlockScale(float[], int)} with the weights {@code weight[0..32)} in place of x^2 when not null. */
    static float subBlockScale(float[] x, int o, float[] weight) {
        float amax = 0, max = 0;
        for (int j = 0; j < BLOCK; j++) {
            float ax = Math.abs(x[o + j]);
            if (ax > amax) { amax = ax; max = x[o + j]; }
        }
        if (amax < GROUP_MAX_EPS) return 0f;
        float[] sums = new float[2];
        weightedSums(x, o, weight, 1 / (-max / VALUES[0]), sums);
        float sumqx = sums[0], sumq2 = sums[1];
        float d = sumq2 > 0 ? sumqx / sumq2 : 0f;
        float best = d * sumqx;
        for (int itry = -TRIES; itry <= TRIES; itry++) {
            weightedSums(x, o, weight, (itry + VALUES[0]) / max, sums);
            sumqx = sums[0];
            sumq2 = sums[1];
            if (sumq2 > 0 && sumqx * sumqx > best * sumq2) {
                d = sumqx / sumq2;
                best = d * sumqx;
            }
        }
        return d;
    }

    /** Packs one sub-block's indices for inverse scale {@code id}: weight j low nibble, weight j + 16 high nibble. */
    private static void indices(float[] x, int o, float id, ByteBuffer b, int at) {
        for (int j = 0; j < 16; j++) b.put(at + j, (byte) (bestIndex(id * x[o + j]) | (bestIndex(id * x[o + j + 16]) << 4)));
    }

    /**
     * One block (IQ4_NL: 32 weights; IQ4_XS: a super-block of 256); {@code qw} the block's column importances, or null
     * without an importance matrix. With one, as llama.cpp's {@code quantize_row_iq4_nl_impl}: sigma2 = 2 x the block's
     * mean square, and each weight weighted by its importance x sqrt(sigma2 + x^2) instead of x^2.
     */
    private static void quantize(GgmlType type, float[] x, int o, float[] qw, int qo, float[] out, int oo, ByteBuffer pack) {
        int subBlocks = type.blockValues() / BLOCK;
        ByteBuffer b = ByteBuffer.allocate(type.blockBytes()).order(ByteOrder.LITTLE_ENDIAN);
        float[] scales = new float[subBlocks];
        float maxScale = 0, amaxScale = 0;
        float sigma2 = 0;
        if (qw != null) {
            int superBlock = type.blockValues();
            for (int j = 0; j < superBlock; j++) sigma2 += x[o + j] * x[o + j];
            sigma2 *= 2.f / superBlock;
        }
        for (int ib = 0; ib < subBlocks; ib++) {
            float[] weight = qw == null ? null : LlamaCppQuantizer.imatrixWeights(x, o + ib * BLOCK, qw, qo + ib * BLOCK, BLOCK, sigma2);
            scales[ib] = subBlockScale(x, o + ib * BLOCK, weight);
            float abs = Math.abs(scales[ib]);
            if (abs > amaxScale) { amaxScale = abs; maxScale = scales[ib]; }
        }
        if (subBlocks == 1) {
            float d = scales[0];
            b.putShort(0, HalfFloats.toHalfBits(d));
            indices(x, o, d != 0 ? 1 / d : 0f, b, 2);
        } else {
            float d = -maxScale / 32;
            b.putShort(0, HalfFloats.toHalfBits(d));
            float id = d != 0 ? 1 / d : 0f;
            int scalesH = 0;
            for (int ib = 0; ib < subBlocks; ib++) {
                int l = Math.max(-32, Math.min(31, LlamaCppQuantizer.nearestInt(id * scales[ib])));
                float dl = d * l;
                indices(x, o + ib * BLOCK, dl != 0 ? 1 / dl : 0f, b, 8 + 16 * ib);
                l += 32;
                int low = b.get(4 + ib / 2) & 0xff;
                b.put(4 + ib / 2, (byte) (ib % 2 == 0 ? (l & 0xf) : low | ((l & 0xf) << 4)));
                scalesH |= (l >> 4) << (2 * ib);
            }
            b.putShort(2, (short) scalesH);
        }
        byte[] bytes = b.array();
        type.dequantizer().dequantize(bytes, 0, 1, out, oo);
        if (pack != null) pack.put(bytes);
    }
}
