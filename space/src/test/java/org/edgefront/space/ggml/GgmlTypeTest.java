package org.edgefront.space.ggml;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

/** Hand-checkable blocks: values worked out from the block layouts in ggml-common.h. */
class GgmlTypeTest {
    private static final byte ONE_LO = 0x00;
    private static final byte ONE_HI = 0x3C; // fp16 1.0 = 0x3C00

    private static float[] decode(GgmlType t, byte[] block) {
        assertEquals(t.blockBytes(), block.length, t + " block size");
        float[] y = new float[t.blockValues()];
        t.dequantizer().dequantize(block, 0, 1, y, 0);
        return y;
    }

    @Test
    void typesAreKeyedByGgmlIdWithGgmlsBlockSizes() {
        assertEquals(GgmlType.Q4_K, GgmlType.byId(12));
        assertEquals(GgmlType.IQ4_XS, GgmlType.byId(23));
        assertEquals(GgmlType.TQ2_0, GgmlType.byId(35));
        assertNull(GgmlType.byId(31), "Q4_0_4_4 is a runtime repacking, never decoded from a file");
        assertEquals("Q4_0_4_4", GgmlType.nameOf(31));
        assertEquals("#99", GgmlType.nameOf(99));
        // bytes per 256 values, as llama.cpp prints them
        assertEquals(144, GgmlType.Q4_K.bytesFor(256));
        assertEquals(8 * 18, GgmlType.Q4_0.bytesFor(256));
        assertEquals(54, GgmlType.TQ1_0.bytesFor(256));
        assertEquals(56, GgmlType.IQ1_M.bytesFor(256));
    }

    @Test
    void q4_1IsScaleTimesNibblePlusMin() {
        byte[] b = new byte[20];
        b[1] = 0x38; // d = 0.5
        b[3] = (byte) 0xBC; // m = -1.0
        b[4] = 0x21; // value 0: low nibble 1; value 16: high nibble 2
        float[] y = decode(GgmlType.Q4_1, b);
        assertEquals(-0.5f, y[0]);
        assertEquals(0f, y[16]);
        assertEquals(-1f, y[1]);
    }

    @Test
    void q5_0TakesTheFifthBitFromQh() {
        byte[] b = new byte[22];
        b[0] = ONE_LO;
        b[1] = ONE_HI;
        b[2] = 0x01; // qh bit 0: value 0 has its high bit
        b[6] = 0x03;
        b[7] = 0x03;
        float[] y = decode(GgmlType.Q5_0, b);
        assertEquals(3f, y[0], "(3 | 16) - 16");
        assertEquals(-13f, y[1], "3 - 16");
    }

    @Test
    void q4_KAppliesSixBitScaleAndMin() {
        byte[] b = new byte[144];
        b[1] = ONE_HI; // d = 1
        b[3] = ONE_HI; // dmin = 1
        b[4] = 3; // scale of sub-block 0
        b[8] = 2; // min of sub-block 0
        b[16] = 0x05;
        float[] y = decode(GgmlType.Q4_K, b);
        assertEquals(3 * 5 - 2, y[0]);
        assertEquals(-2f, y[1]);
        assertEquals(0f, y[32], "sub-block 1 has scale 0 and min 0");
    }

    @Test
    void q6_KIsSixBitsMinus32TimesScale() {
        byte[] b = new byte[210];
        b[0] = 0x0F; // low 4 bits of value 0
        b[192] = 2; // scale of values 0..15
        b[209] = ONE_HI; // d = 1
        float[] y = decode(GgmlType.Q6_K, b);
        assertEquals(2 * (15 - 32), y[0]);
        assertEquals(2 * -32, y[1]);
    }

    @Test
    void iq4_nlLooksUpTheNonLinearCodebook() {
        byte[] b = new byte[18];
        b[1] = ONE_HI;
        b[2] = (byte) 0xF0;
        float[] y = decode(GgmlType.IQ4_NL, b);
        assertEquals(-127f, y[0]);
        assertEquals(113f, y[16]);
    }

    @Test
    void iq2_xxsGridZeroWithScaleZeroIsAllOneEighthOfEight() {
        byte[] b = new byte[66];
        b[1] = ONE_HI;
        float[] y = decode(GgmlType.IQ2_XXS, b);
        // grid entry 0 is 0x0808080808080808, no signs, db = 1 * (0.5 + 0) * 0.25
        float[] expected = new float[256];
        java.util.Arrays.fill(expected, 1.0f);
        assertArrayEquals(expected, y);
    }

    @Test
    void tq2_0IsTwoBitTernaryMinusOneTimesScale() {
        byte[] b = new byte[66];
        b[0] = (byte) 0b10_01_00_10;
        b[65] = 0x40; // d = 2
        float[] y = decode(GgmlType.TQ2_0, b);
        assertEquals(2f, y[0]);
        assertEquals(-2f, y[32]);
        assertEquals(0f, y[64]);
        assertEquals(2f, y[96]);
    }
}
