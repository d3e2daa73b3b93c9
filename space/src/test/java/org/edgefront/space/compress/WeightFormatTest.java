package org.edgefront.space.compress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class WeightFormatTest {

    @Test
    void llamaCppBlockSizesAreExact() {
        // bytes per block as in ggml: d (fp16) + packed quants (+ m / high bits)
        assertEquals(34, WeightFormat.Q8_0.blockBytes());   // 2 + 32
        assertEquals(18, WeightFormat.Q4_0.blockBytes());   // 2 + 16
        assertEquals(20, WeightFormat.Q4_1.blockBytes());   // 2 + 2 + 16
        assertEquals(22, WeightFormat.Q5_0.blockBytes());   // 2 + 4 + 16
        assertEquals(24, WeightFormat.Q5_1.blockBytes());   // 2 + 2 + 4 + 16
        assertEquals(84, WeightFormat.Q2_K.blockBytes());   // 16 + 64 + 2 + 2
        assertEquals(110, WeightFormat.Q3_K.blockBytes());  // 32 + 64 + 12 + 2
        assertEquals(144, WeightFormat.Q4_K.blockBytes());  // 2 + 2 + 12 + 128
        assertEquals(176, WeightFormat.Q5_K.blockBytes());  // 2 + 2 + 12 + 32 + 128
        assertEquals(210, WeightFormat.Q6_K.blockBytes());  // 128 + 64 + 16 + 2
    }

    @Test
    void q40TensorBytesAreRowsTimesBlocksTimes18() {
        assertEquals(64L * 2 * 18, WeightFormat.Q4_0.bytes(64, 64));
        assertEquals(4096L * 128 * 18, WeightFormat.Q4_0.bytes(4096, 4096));
    }

    @Test
    void kQuantOnRowsNotMultipleOf256FallsBackLikeLlamaCpp() {
        assertFalse(WeightFormat.Q4_K.appliesTo(64));
        assertEquals(WeightFormat.Q5_0, WeightFormat.Q4_K.effectiveFor(64));
        assertEquals(WeightFormat.Q8_0, WeightFormat.Q6_K.effectiveFor(96));
        assertEquals(WeightFormat.Q4_0, WeightFormat.Q3_K.effectiveFor(32));
        // no 32-block format fits a row of 172: F16
        assertEquals(WeightFormat.F16, WeightFormat.Q4_0.effectiveFor(172));
        assertEquals(64L * 172 * 2, WeightFormat.Q4_K.bytes(64, 172));
        assertEquals(WeightFormat.Q4_K, WeightFormat.Q4_K.effectiveFor(4096));
    }

    @Test
    void genericGroupsCountScalesAndRaggedLastGroup() {
        WeightFormat f = WeightFormat.intGroup(4, 32, false);
        assertEquals("int4g32", f.name());
        assertEquals(16 + 2, f.blockBytes());
        // 172 = 5 full groups of 32 + 12: 5 * 18 + (6 + 2)
        assertEquals(5 * 18 + 8, f.rowBytes(172));
        WeightFormat a = WeightFormat.intGroup(3, 128, true);
        assertEquals(48 + 4, a.blockBytes());
        WeightFormat pc = WeightFormat.parse("int8gC");
        assertEquals(0, pc.blockWeights());
        assertEquals(64 + 2, pc.rowBytes(64));
    }

    @Test
    void parseAcceptsNamedAndGenericFormatsAndRejectsOthers() {
        assertEquals(WeightFormat.Q4_K, WeightFormat.parse("q4_k"));
        assertEquals(WeightFormat.intGroup(2, 64, true), WeightFormat.parse("int2g64a"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> WeightFormat.parse("Q9_0"));
        assertTrue(e.getMessage().contains("known"));
        assertThrows(IllegalArgumentException.class, () -> WeightFormat.parse("int9g32"));
    }

    @Test
    void floatFormatsUseBytesPerWeight() {
        assertEquals(64L * 64 * 4, WeightFormat.F32.bytes(64, 64));
        assertEquals(64L * 64 * 2, WeightFormat.BF16.bytes(64, 64));
    }
}
