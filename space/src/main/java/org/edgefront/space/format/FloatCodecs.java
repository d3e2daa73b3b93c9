package org.edgefront.space.format;

/**
 * Codecs of the unquantized float formats: a copy, and rounding to fp16 or bfloat16 (round to nearest even, as ggml
 * converts). Each stores one little-endian value per weight. Loops per row, not a call per weight, since whole
 * models pass through here. Stateless and thread-safe.
 */
final class FloatCodecs {
    private FloatCodecs() {}

    static final FormatCodec F32 = new FormatCodec() {
        @Override
        public void roundTrip(float[] x, int off, int n, float[] out, int outOff) { System.arraycopy(x, off, out, outOff, n); }

        @Override
        public void encode(float[] x, int off, int n, byte[] dst, int dstOff) {
            for (int i = 0; i < n; i++) putLe(dst, dstOff + 4 * i, Float.floatToRawIntBits(x[off + i]), 4);
        }
    };

    static final FormatCodec F16 = new FormatCodec() {
        @Override
        public void roundTrip(float[] x, int off, int n, float[] out, int outOff) {
            for (int i = 0; i < n; i++) out[outOff + i] = HalfFloats.roundToHalf(x[off + i]);
        }

        @Override
        public void encode(float[] x, int off, int n, byte[] dst, int dstOff) {
            for (int i = 0; i < n; i++) putLe(dst, dstOff + 2 * i, HalfFloats.toHalfBits(x[off + i]), 2);
        }
    };

    static final FormatCodec BF16 = new FormatCodec() {
        @Override
        public void roundTrip(float[] x, int off, int n, float[] out, int outOff) {
            for (int i = 0; i < n; i++) out[outOff + i] = HalfFloats.roundToBfloat16(x[off + i]);
        }

        @Override
        public void encode(float[] x, int off, int n, byte[] dst, int dstOff) {
            for (int i = 0; i < n; i++) putLe(dst, dstOff + 2 * i, Float.floatToRawIntBits(HalfFloats.roundToBfloat16(x[off + i])) >>> 16, 2);
        }
    };

    private static void putLe(byte[] dst, int at, int bits, int bytes) {
        for (int k = 0; k < bytes; k++) dst[at + k] = (byte) (bits >>> (8 * k));
    }
}
