package org.edgefront.space.format;

/** Codecs of the unquantized float formats: a copy, and rounding to fp16 or bfloat16. Stateless and thread-safe. */
final class FloatCodecs {
    private FloatCodecs() {}

    static final FormatCodec F32 = (x, off, n, out, outOff) -> System.arraycopy(x, off, out, outOff, n);

    static final FormatCodec F16 = (x, off, n, out, outOff) -> {
        for (int i = 0; i < n; i++) out[outOff + i] = HalfFloats.roundToHalf(x[off + i]);
    };

    static final FormatCodec BF16 = (x, off, n, out, outOff) -> {
        for (int i = 0; i < n; i++) out[outOff + i] = HalfFloats.roundToBfloat16(x[off + i]);
    };
}
