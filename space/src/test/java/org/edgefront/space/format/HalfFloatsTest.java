package org.edgefront.space.format;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class HalfFloatsTest {
    @Test
    void fp16RoundsToNearestEvenWithSubnormalsAndOverflow() {
        assertEquals(1f, HalfFloats.roundToHalf(1f));
        assertEquals(65504f, HalfFloats.roundToHalf(65504f));
        assertEquals(Float.POSITIVE_INFINITY, HalfFloats.roundToHalf(65520f)); // tie goes to even = 2^16 = inf
        assertEquals(65504f, HalfFloats.roundToHalf(65519f));
        assertEquals(0x1p-24f, HalfFloats.roundToHalf(0x1p-24f));             // smallest subnormal
        assertEquals(0f, HalfFloats.roundToHalf(0x1p-25f));                   // tie to even (0)
        assertEquals(0x1p-24f, HalfFloats.roundToHalf(0x1.8p-25f));
        assertEquals(-2.0f, HalfFloats.roundToHalf(-2.0f));
        assertEquals(1.0009765625f, HalfFloats.roundToHalf(1.00073f));        // 1 + 2^-10 is the next fp16
        assertEquals(1f, HalfFloats.roundToHalf(1.00048828125f));             // exact tie goes to even (1)
        assertEquals(0.0001f, HalfFloats.roundToHalf(0.0001f), 1e-7f);
    }

    @Test
    void bfloat16KeepsTopSixteenBitsRounded() {
        assertEquals(1f, HalfFloats.roundToBfloat16(1.001f));
        assertEquals(1.0078125f, HalfFloats.roundToBfloat16(1.006f));
    }

    /**
     * Round-to-nearest-even past the largest finite value goes to infinity, as IEEE 754 and ggml's
     * fp32-to-bf16 conversion do: bf16's largest finite value is 0x7F7F (3.3895314e38); Float.MAX_VALUE
     * (0x7F7FFFFF) lies above the midpoint 0x7F7F8000 to the next bf16 pattern, which is +Inf. The midpoint
     * itself ties to the even pattern 0x7F80 (+Inf); one ulp below it stays finite. fp16 overflows the same way.
     */
    @Test
    void valuesPastTheLargestFiniteRoundToInfinityInBothFormats() {
        float bf16Max = Float.intBitsToFloat(0x7F7F0000);
        assertEquals(3.3895314e38f, bf16Max);
        assertEquals(bf16Max, HalfFloats.roundToBfloat16(bf16Max));
        assertEquals(bf16Max, HalfFloats.roundToBfloat16(Float.intBitsToFloat(0x7F7F7FFF)));
        assertEquals(Float.POSITIVE_INFINITY, HalfFloats.roundToBfloat16(Float.intBitsToFloat(0x7F7F8000)));
        assertEquals(Float.POSITIVE_INFINITY, HalfFloats.roundToBfloat16(Float.MAX_VALUE));
        assertEquals(Float.NEGATIVE_INFINITY, HalfFloats.roundToBfloat16(-Float.MAX_VALUE));
        assertEquals(Float.POSITIVE_INFINITY, HalfFloats.roundToBfloat16(Float.POSITIVE_INFINITY));
        assertEquals(Float.POSITIVE_INFINITY, HalfFloats.roundToHalf(Float.MAX_VALUE));
        assertEquals(Float.NEGATIVE_INFINITY, HalfFloats.roundToHalf(-Float.MAX_VALUE));
        assertEquals((short) 0x7C00, HalfFloats.toHalfBits(Float.MAX_VALUE));
        assertEquals(-65504f, HalfFloats.roundToHalf(-65519f));
        assertEquals(Float.NEGATIVE_INFINITY, HalfFloats.roundToHalf(-65520f));
        assertTrue(Float.isNaN(HalfFloats.roundToHalf(Float.NaN)));
        assertTrue(Float.isNaN(HalfFloats.roundToBfloat16(Float.NaN)));
    }

    /**
     * {@link HalfFloats#roundToHalf}'s shortcut for fp16's normal range gives, for every float it takes (both signs,
     * about 250 million), the bits of the reference conversion there and back; floats around both ends of the range,
     * which take the reference path, are checked too.
     */
    @Test
    void roundToHalfShortcutEqualsTheReferenceConversionOnEveryFloatItTakes() {
        int lo = 0x38800000;
        int hi = 0x477ff000;
        long mismatches = java.util.stream.IntStream.range(lo - 65536, hi + 65536).parallel().filter(m -> {
            for (int sign : new int[] {0, 0x80000000}) {
                float f = Float.intBitsToFloat(sign | m);
                int reference = Float.floatToRawIntBits(HalfFloats.fromHalfBits(HalfFloats.toHalfBits(f)));
                if (Float.floatToRawIntBits(HalfFloats.roundToHalf(f)) != reference) return true;
            }
            return false;
        }).count();
        assertEquals(0, mismatches);
    }
}
