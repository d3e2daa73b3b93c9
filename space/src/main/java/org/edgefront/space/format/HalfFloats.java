package org.edgefront.space.format;

/**
 * IEEE half-precision (fp16) and bfloat16 rounding, as storage formats hold them. Round to nearest,
 * ties to even; subnormals kept; overflow goes to infinity (a fp16 scale that overflows is a real
 * failure of the format and shows up as a non-finite weight). Stateless and thread-safe.
 */
public final class HalfFloats {
    private HalfFloats() {}

    /** The fp16 bit pattern nearest to {@code f}. */
    public static short toHalfBits(float f) {
        int bits = Float.floatToRawIntBits(f);
        int sign = (bits >>> 16) & 0x8000;
        int exp = (bits >>> 23) & 0xff;
        int mant = bits & 0x7fffff;
        if (exp == 0xff) return (short) (sign | 0x7c00 | (mant != 0 ? 0x200 : 0));
        int e = exp - 127 + 15;
        if (e >= 0x1f) return (short) (sign | 0x7c00);
        if (e <= 0) {
            if (e < -10) return (short) sign;
            int full = mant | 0x800000;
            int shift = 14 - e;
            int half = full >>> shift;
            int rem = full & ((1 << shift) - 1);
            int halfway = 1 << (shift - 1);
            if (rem > halfway || (rem == halfway && (half & 1) == 1)) half++;
            return (short) (sign | half);
        }
        int half = (e << 10) | (mant >>> 13);
        int rem = mant & 0x1fff;
        // a carry out of the mantissa correctly bumps the exponent (up to infinity)
        if (rem > 0x1000 || (rem == 0x1000 && (half & 1) == 1)) half++;
        return (short) (sign | half);
    }

    /** The float value of an fp16 bit pattern (exact). */
    public static float fromHalfBits(short h) {
        int s = (h & 0x8000) << 16;
        int e = (h >>> 10) & 0x1f;
        int m = h & 0x3ff;
        if (e == 0) {
            float v = m * 0x1p-24f;
            return s != 0 ? -v : v;
        }
        if (e == 31) return Float.intBitsToFloat(s | 0x7f800000 | (m << 13));
        return Float.intBitsToFloat(s | ((e - 15 + 127) << 23) | (m << 13));
    }

    /** Bits of fp16's smallest normal, 2^-14, as a float. */
    private static final int HALF_MIN_NORMAL_BITS = 0x38800000;
    /** Bits of 65520, the smallest float magnitude that rounds to fp16 infinity. */
    private static final int HALF_OVERFLOW_BITS = 0x477ff000;

    /**
     * {@code f} rounded to fp16 and back: the same bits as {@code fromHalfBits(toHalfBits(f))} for every float (a test
     * checks every float the shortcut takes). Whole models pass through here, so fp16's normal range takes a shortcut: there, rounding to fp16
     * is rounding the float's mantissa to its top 10 bits, nearest-even, which is one integer add and a mask on its bits
     * (a carry into the exponent is the correct round-up to the next binade).
     */
    public static float roundToHalf(float f) {
        int bits = Float.floatToRawIntBits(f);
        int magnitude = bits & 0x7fffffff;
        if (magnitude >= HALF_MIN_NORMAL_BITS && magnitude < HALF_OVERFLOW_BITS) {
            return Float.intBitsToFloat((bits + 0xfff + ((bits >>> 13) & 1)) & 0xffffe000);
        }
        return fromHalfBits(toHalfBits(f));
    }

    /** {@code f} rounded to bfloat16 (top 16 bits of a float, nearest-even) and back. */
    public static float roundToBfloat16(float f) {
        if (Float.isNaN(f)) return f;
        int bits = Float.floatToRawIntBits(f);
        int rounded = bits + 0x7fff + ((bits >>> 16) & 1);
        return Float.intBitsToFloat(rounded & 0xffff0000);
    }
}
