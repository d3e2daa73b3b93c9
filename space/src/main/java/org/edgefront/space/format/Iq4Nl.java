package org.edgefront.space.format;

import java.nio.ByteBuffer;
import org.edgefront.space.ggml.GgmlTables;
import org.edgefront.space.ggml.GgmlType;

/**
 * IQ4_NL (ggml type 20): blocks of 32 weights in 18 bytes, an fp16 scale {@code d} then 16 bytes of 4-bit indices
 * into the non-linear codebook {@link #VALUES} (weight j in the low nibble of byte j, weight j + 16 in its high
 * nibble); weight = d x VALUES[index]. Written from llama.cpp's reference quantizer ({@code quantize_row_iq4_nl_ref}
 * in ggml-quants.c, no importance weights): indices for d0 = signed max / VALUES[0], then the least-squares scale
 * over those indices, weighted by x^2, is stored. Same float arithmetic order, so bytes match bit for bit (an
 * all-zero block stores zeros, as upstream llama.cpp does since it clears the indices). Decoding is the ggml type's.
 * Stateless and thread-safe.
 */
final class Iq4Nl {
    static final int BLOCK = 32;

    /** The codebook, ggml's {@code kvalues_iq4nl} (held once, in {@link GgmlTables}). */
    static final byte[] VALUES = new byte[16];

    static {
        for (int i = 0; i < 16; i++) VALUES[i] = (byte) GgmlTables.iq4nlValue(i);
    }

    /** ggml's GROUP_MAX_EPS: blocks whose largest magnitude is below it store zeros. */
    private static final float GROUP_MAX_EPS = 1e-15f;

    /** The registry's codec. */
    static final FormatCodec CODEC = FormatCodec.blocks(GgmlType.IQ4_NL, Iq4Nl::quantizeBlock);

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

    private static void quantizeBlock(float[] x, int o, float[] out, int oo, ByteBuffer pack) {
        int[] l = new int[BLOCK];
        float amax = 0, max = 0;
        for (int j = 0; j < BLOCK; j++) {
            float ax = Math.abs(x[o + j]);
            if (ax > amax) { amax = ax; max = x[o + j]; }
        }
        float scale = 0;
        if (amax >= GROUP_MAX_EPS) {
            float d = max / VALUES[0];
            float id = 1 / d;
            float sumqx = 0, sumq2 = 0;
            for (int j = 0; j < BLOCK; j++) {
                float xj = x[o + j];
                l[j] = bestIndex(id * xj);
                float q = VALUES[l[j]];
                float w = xj * xj;
                sumqx += w * q * xj;
                sumq2 += w * q * q;
            }
            scale = sumq2 > 0 ? sumqx / sumq2 : 0f;
        }
        short h = HalfFloats.toHalfBits(scale);
        float stored = HalfFloats.fromHalfBits(h);
        for (int j = 0; j < BLOCK; j++) out[oo + j] = stored * VALUES[l[j]];
        if (pack != null) {
            pack.putShort(h);
            for (int j = 0; j < 16; j++) pack.put((byte) (l[j] | (l[j + 16] << 4)));
        }
    }
}
