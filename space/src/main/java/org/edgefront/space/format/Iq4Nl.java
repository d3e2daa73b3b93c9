package org.edgefront.space.format;

/**
 * IQ4_NL (ggml type 20): blocks of 32 weights in 18 bytes, an fp16 scale {@code d} then 16 bytes of 4-bit indices
 * into the non-linear codebook {@link #VALUES} (weight j in the low nibble of byte j, weight j + 16 in its high
 * nibble); weight = d x VALUES[index]. Written from llama.cpp's reference quantizer ({@code quantize_row_iq4_nl_ref}
 * in ggml-quants.c, no importance weights): indices for d0 = signed max / VALUES[0], then the least-squares scale
 * over those indices, weighted by x^2, is stored. Same float arithmetic order, so bytes match bit for bit (an
 * all-zero block stores zeros, as upstream llama.cpp does since it clears the indices). Stateless and thread-safe.
 */
final class Iq4Nl implements FormatCodec {
    static final int BLOCK = 32;
    static final int BLOCK_BYTES = 18;

    /**
     * The codebook: llama.cpp's {@code kvalues_iq4nl} (ggml-common.h), format data transcribed from the
     * specification of the type.
     */
    static final byte[] VALUES = {-127, -104, -83, -65, -49, -35, -22, -10, 1, 13, 25, 38, 53, 69, 89, 113};

    /** ggml's GROUP_MAX_EPS: blocks whose largest magnitude is below it store zeros. */
    private static final float GROUP_MAX_EPS = 1e-15f;

    @Override
    public void roundTrip(float[] x, int off, int n, float[] out, int outOff) {
        byte[] block = new byte[BLOCK_BYTES];
        for (int b = 0; b < checkWhole(n); b += BLOCK) {
            encodeBlock(x, off + b, block, 0);
            decodeBlock(block, 0, out, outOff + b);
        }
    }

    @Override
    public void encode(float[] x, int off, int n, byte[] dst, int dstOff) {
        for (int b = 0, o = dstOff; b < checkWhole(n); b += BLOCK, o += BLOCK_BYTES) encodeBlock(x, off + b, dst, o);
    }

    @Override
    public void decode(byte[] src, int srcOff, int n, float[] out, int outOff) {
        for (int b = 0, o = srcOff; b < checkWhole(n); b += BLOCK, o += BLOCK_BYTES) decodeBlock(src, o, out, outOff + b);
    }

    private static int checkWhole(int n) {
        if (n % BLOCK != 0) throw new IllegalArgumentException("IQ4_NL needs rows of whole 32-weight blocks, got " + n);
        return n;
    }

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

    private static void encodeBlock(float[] x, int o, byte[] dst, int d0) {
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
        dst[d0] = (byte) h;
        dst[d0 + 1] = (byte) (h >> 8);
        for (int j = 0; j < 16; j++) dst[d0 + 2 + j] = (byte) (l[j] | (l[j + 16] << 4));
    }

    private static void decodeBlock(byte[] src, int s, float[] out, int oo) {
        float d = HalfFloats.fromHalfBits((short) ((src[s] & 0xff) | (src[s + 1] << 8)));
        for (int j = 0; j < 16; j++) {
            int q = src[s + 2 + j] & 0xff;
            out[oo + j] = d * VALUES[q & 0xf];
            out[oo + j + 16] = d * VALUES[q >> 4];
        }
    }
}
