package org.edgefront.space.format;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.edgefront.space.compress.WeightFormat;
import org.junit.jupiter.api.Test;

/** IQ4_NL's layout and index rule; its bit-for-bit agreement with llama.cpp is in evaluators' LlamaCppGoldenTest. */
class Iq4NlTest {
    @Test
    void encodedBlocksDecodeToTheRoundTripAndAnAllZeroBlockStoresZeros() {
        float[] x = new float[64];
        for (int i = 32; i < 64; i++) x[i] = (float) Math.cos(i) * (i == 40 ? 1f : 0.02f);
        byte[] b = new byte[36];
        FormatCodec c = NamedFormat.IQ4_NL.codec();
        c.encode(x, 0, 64, b, 0);
        for (int j = 0; j < 18; j++) assertEquals(0, b[j], "the all-zero block stores zeros");
        float[] decoded = new float[64];
        float[] direct = new float[64];
        NamedFormat.IQ4_NL.decode(b, 0, 64, decoded, 0);
        c.roundTrip(x, 0, 64, direct, 0);
        assertArrayEquals(decoded, direct, 0f);
        float d = HalfFloats.fromHalfBits((short) ((b[18] & 0xff) | (b[19] << 8)));
        assertEquals(d * Iq4Nl.VALUES[b[18 + 2 + 8] & 0xf], decoded[32 + 8], 0f); // weight 8 in the low nibble of byte 8
        assertEquals(d * Iq4Nl.VALUES[(b[18 + 2 + 8] & 0xff) >> 4], decoded[32 + 24], 0f); // weight 24 in its high nibble
    }

    @Test
    void isAWeightFormatWithExactBytesAndTheF16FallbackForRaggedRows() {
        WeightFormat f = WeightFormat.parse("iq4_nl");
        assertEquals(NamedFormat.IQ4_NL, f.named());
        assertEquals(WeightFormat.Kind.LLAMA_CPP, f.kind());
        assertEquals(10L * 18 * 4096 / 32, f.bytes(10, 4096));
        assertEquals(4.5, f.bitsPerWeight());
        assertEquals(WeightFormat.F16, f.effectiveFor(100));
        assertEquals(20, NamedFormat.IQ4_NL.ggmlType());
        assertEquals(NamedFormat.IQ4_NL, NamedFormat.byGgmlType(20));
    }

    @Test
    void bestIndexPicksTheNearestCodebookValueWithTiesUp() {
        assertEquals(0, Iq4Nl.bestIndex(-1000f));
        assertEquals(15, Iq4Nl.bestIndex(1000f));
        assertEquals(8, Iq4Nl.bestIndex(1f));
        assertEquals(9, Iq4Nl.bestIndex(7f));   // midpoint of 1 and 13: the larger
        assertEquals(8, Iq4Nl.bestIndex(6.9f));
    }
}
