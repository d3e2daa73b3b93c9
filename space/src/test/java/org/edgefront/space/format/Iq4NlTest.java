package org.edgefront.space.format;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.edgefront.space.compress.WeightFormat;
import org.junit.jupiter.api.Test;

/**
 * IQ4_NL's and IQ4_XS's layouts and index rule; their bit-for-bit agreement with llama.cpp is in evaluators'
 * LlamaCppGoldenTest and space's Iq4QuantizerOracleTest (tag llamacpp).
 */
class Iq4NlTest {
    @Test
    void encodedBlocksDecodeToTheRoundTripAndAnAllZeroBlockStoresScaleZeroWithTheIndexOfZero() {
        float[] x = new float[64];
        for (int i = 32; i < 64; i++) x[i] = (float) Math.cos(i) * (i == 40 ? 1f : 0.02f);
        byte[] b = new byte[36];
        FormatCodec c = NamedFormat.IQ4_NL.codec();
        c.encode(x, 0, 64, b, 0);
        assertEquals(0, b[0]);
        assertEquals(0, b[1]);
        // llama-quantize's quantize_iq4_nl re-picks indices for scale 0: every weight gets index 8 (codebook value 1)
        for (int j = 2; j < 18; j++) assertEquals((byte) 0x88, b[j], "byte " + j + " of the all-zero block");
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

    @Test
    void iq4XsStoresSixBitSubScalesOfOneSuperScaleAndFallsBackToIq4NlOnRowsOf32() {
        float[] x = new float[256];
        java.util.SplittableRandom r = new java.util.SplittableRandom(5);
        for (int i = 0; i < 256; i++) x[i] = (float) (r.nextGaussian() * (1 + i / 32)); // sub-blocks of growing spread
        byte[] b = new byte[136];
        FormatCodec c = NamedFormat.IQ4_XS.codec();
        c.encode(x, 0, 256, b, 0);
        float[] decoded = new float[256];
        float[] direct = new float[256];
        NamedFormat.IQ4_XS.decode(b, 0, 256, decoded, 0);
        c.roundTrip(x, 0, 256, direct, 0);
        assertArrayEquals(decoded, direct, 0f);
        float d = HalfFloats.fromHalfBits((short) ((b[0] & 0xff) | (b[1] << 8)));
        int scalesH = (b[2] & 0xff) | ((b[3] & 0xff) << 8);
        int atMinus32 = 0;
        for (int ib = 0; ib < 8; ib++) {
            int ls = (((b[4 + ib / 2] & 0xff) >> (4 * (ib % 2))) & 0xf) | (((scalesH >> (2 * ib)) & 3) << 4);
            if (ls == 0) atMinus32++;
        }
        assertTrue(atMinus32 >= 1, "the sub-scale of largest magnitude is stored as -32 x d");
        assertTrue(d < 0 || d > 0);
        double err = 0, ref = 0;
        for (int i = 0; i < 256; i++) {
            err += (x[i] - direct[i]) * (x[i] - direct[i]);
            ref += x[i] * x[i];
        }
        assertTrue(err < 0.02 * ref, "4-bit error " + err / ref);
        assertEquals(136, NamedFormat.IQ4_XS.blockBytes());
        assertEquals(4.25, NamedFormat.IQ4_XS.bitsPerWeight());
        assertEquals(NamedFormat.IQ4_XS, NamedFormat.byGgmlType(23));
        assertEquals(NamedFormat.IQ4_NL, NamedFormat.IQ4_XS.storedFor(96), "rows of 32 but not 256: IQ4_NL, as llama.cpp");
        assertEquals(NamedFormat.F16, NamedFormat.IQ4_XS.storedFor(100));
        assertEquals(NamedFormat.IQ4_XS, NamedFormat.IQ4_XS.storedFor(512));
    }
}
