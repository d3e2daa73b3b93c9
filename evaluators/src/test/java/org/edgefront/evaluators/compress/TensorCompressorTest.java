package org.edgefront.evaluators.compress;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.SplittableRandom;
import org.edgefront.space.format.HalfFloats;
import org.edgefront.space.compress.Sparsity;
import org.edgefront.space.compress.TensorChoice;
import org.edgefront.space.compress.WeightFormat;
import org.edgefront.space.model.TensorRole;
import org.edgefront.space.model.TensorSpec;
import org.junit.jupiter.api.Test;

class TensorCompressorTest {

    private static TensorSpec spec(int rows, int cols) {
        return new TensorSpec("blk.0.attn_q.weight", TensorRole.Q, 0, rows, cols);
    }

    private static float[] gaussian(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] w = new float[n];
        for (int i = 0; i < n; i++) {
            // Box-Muller from the seeded source
            double u1 = 1.0 - r.nextDouble();
            double u2 = r.nextDouble();
            w[i] = (float) (0.05 * Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2));
        }
        return w;
    }

    private static double rmse(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) s += (a[i] - b[i]) * (double) (a[i] - b[i]);
        return Math.sqrt(s / a.length);
    }

    @Test
    void q4_0BlockMatchesHandComputedValues() {
        float[] x = new float[32];
        for (int j = 0; j < 32; j++) x[j] = j - 16;   // max |x| is -16: d = -16 / -8 = 2
        float[] out = TensorCompressor.apply(spec(1, 32), x, TensorChoice.of(WeightFormat.Q4_0), null);
        // q = min(15, trunc(x / 2 + 8.5)), w' = (q - 8) * 2
        assertEquals(-16f, out[0]);   // x = -16
        assertEquals(-14f, out[1]);   // x = -15: trunc(1.0) = 1
        assertEquals(0f, out[15]);    // x = -1: trunc(8.0) = 8
        assertEquals(0f, out[16]);    // x = 0
        assertEquals(2f, out[17]);    // x = 1: trunc(9.0) = 9
        assertEquals(14f, out[31]);   // x = 15: trunc(16.0) clamps to 15
    }

    @Test
    void q8_0RoundsHalvesAwayFromZero() {
        float[] x = new float[32];
        x[0] = 127f;                  // d = 1
        x[1] = 0.5f;
        x[2] = -0.5f;
        x[3] = 2.5f;
        x[4] = -3.25f;
        float[] out = TensorCompressor.apply(spec(1, 32), x, TensorChoice.of(WeightFormat.Q8_0), null);
        assertEquals(127f, out[0]);
        assertEquals(1f, out[1]);
        assertEquals(-1f, out[2]);
        assertEquals(3f, out[3]);
        assertEquals(-3f, out[4]);
    }

    @Test
    void q4_1StoresMinimumAndFp16Scale() {
        float[] x = new float[32];
        for (int j = 0; j < 32; j++) x[j] = j;
        float[] out = TensorCompressor.apply(spec(1, 32), x, TensorChoice.of(WeightFormat.Q4_1), null);
        float d = 2.06640625f;        // fp16(31/15)
        assertEquals(0f, out[0]);
        assertEquals(15 * d, out[31]);
        assertEquals(1 * d, out[2]);  // trunc(2 * 15/31 + 0.5) = trunc(1.467) = 1
    }

    @Test
    void raggedLastGroupIsQuantizedWithItsOwnScale() {
        float[] x = new float[40];
        for (int j = 0; j < 32; j++) x[j] = (j % 2 == 0 ? 100f : -100f);
        x[32] = 1f;
        x[33] = -0.5f;
        float[] out = TensorCompressor.apply(spec(1, 40), x, TensorChoice.of(WeightFormat.parse("int4g32")), null);
        float s = 0.142822265625f;     // fp16(1/7)
        assertEquals(7 * s, out[32]);  // rint(1 / s) = rint(7.0017) = 7
        assertEquals(-4 * s, out[33]); // rint(-3.5008) = -4
        assertEquals(0f, out[34]);
        assertEquals(7 * HalfFloats.roundToHalf(100f / 7), out[0]);
    }

    @Test
    void asymmetricGroupKeepsMinimumAsZeroPoint() {
        float[] x = {1f, 2f, 3f, 4f};
        float[] out = TensorCompressor.apply(spec(1, 4), x, TensorChoice.of(WeightFormat.parse("int2gCa")), null);
        // s = (4 - 1) / 3 = 1, m = 1: every value is on the grid
        assertArrayEquals(x, out);
    }

    @Test
    void perChannelSymmetricUsesOneScalePerRow() {
        float[] x = {7f, -3.5f, 1f, 0f, 0.7f, 0.35f};
        float[] out = TensorCompressor.apply(spec(2, 3), x, TensorChoice.of(WeightFormat.parse("int4gC")), null);
        assertEquals(7f, out[0]);
        assertEquals(-4f, out[1]);    // rint(-3.5) = -4 (half to even)
        assertEquals(1f, out[2]);
        assertEquals(0f, out[3]);
        float s = HalfFloats.roundToHalf(0.7f / 7);
        assertEquals(7 * s, out[4]);
    }

    @Test
    void floatFormatsRoundLikeStorage() {
        float[] x = {1f / 3, 65504f, 1e-8f};
        float[] f16 = TensorCompressor.apply(spec(1, 3), x, TensorChoice.of(WeightFormat.F16), null);
        assertEquals(0.333251953125f, f16[0]);
        assertEquals(65504f, f16[1]);
        assertEquals(0f, f16[2]);
        float[] bf16 = TensorCompressor.apply(spec(1, 3), x, TensorChoice.of(WeightFormat.BF16), null);
        assertEquals(0.333984375f, bf16[0]);
        float[] f32 = TensorCompressor.apply(spec(1, 3), x, TensorChoice.of(WeightFormat.F32), null);
        assertArrayEquals(x, f32);
    }

    @Test
    void kQuantOnShortRowsFallsBackAsLlamaCpp() {
        float[] w = gaussian(4 * 64, 3);
        float[] q4k = TensorCompressor.apply(spec(4, 64), w, TensorChoice.of(WeightFormat.Q4_K), null);
        float[] q50 = TensorCompressor.apply(spec(4, 64), w, TensorChoice.of(WeightFormat.Q5_0), null);
        assertArrayEquals(q50, q4k);
        float[] q4_0on40 = TensorCompressor.apply(spec(2, 40), gaussian(80, 4), TensorChoice.of(WeightFormat.Q4_0), null);
        assertArrayEquals(TensorCompressor.apply(spec(2, 40), gaussian(80, 4), TensorChoice.of(WeightFormat.F16), null), q4_0on40);
    }

    @Test
    void errorFallsAsBitsRiseAcrossLlamaCppFormats() {
        float[] w = gaussian(8 * 512, 11);
        TensorSpec t = spec(8, 512);
        String[] order = {"Q2_K", "Q3_K", "Q4_K", "Q5_K", "Q6_K", "Q8_0"};
        double prev = Double.MAX_VALUE;
        for (String f : order) {
            double e = rmse(w, TensorCompressor.apply(t, w, TensorChoice.parse(f), null));
            assertTrue(e < prev, f + " error " + e + " not below " + prev);
            prev = e;
        }
        // K-quants beat the legacy format of the same nominal bits
        double q4k = rmse(w, TensorCompressor.apply(t, w, TensorChoice.parse("Q4_K"), null));
        double q40 = rmse(w, TensorCompressor.apply(t, w, TensorChoice.parse("Q4_0"), null));
        assertTrue(q4k < q40, "Q4_K " + q4k + " vs Q4_0 " + q40);
        // relative errors in the expected ranges for gaussian weights (sigma 0.05)
        assertTrue(prev / 0.05 < 0.01, "Q8_0 relative error " + prev / 0.05);
        double q2k = rmse(w, TensorCompressor.apply(t, w, TensorChoice.parse("Q2_K"), null));
        assertTrue(q2k / 0.05 < 0.5, "Q2_K relative error " + q2k / 0.05);
    }

    @Test
    void kQuantSubBlocksUseNoMoreLevelsThanTheirBits() {
        float[] w = gaussian(4 * 256, 5);
        String[] formats = {"Q2_K", "Q3_K", "Q4_K", "Q5_K", "Q6_K"};
        int[] subBlock = {16, 16, 32, 32, 16};
        int[] levels = {4, 8, 16, 32, 64};
        for (int f = 0; f < formats.length; f++) {
            float[] out = TensorCompressor.apply(spec(4, 256), w, TensorChoice.parse(formats[f]), null);
            int maxDistinct = 0;
            for (int sb = 0; sb < out.length; sb += subBlock[f]) {
                java.util.Set<Float> distinct = new java.util.HashSet<>();
                for (int i = 0; i < subBlock[f]; i++) distinct.add(out[sb + i]);
                maxDistinct = Math.max(maxDistinct, distinct.size());
            }
            assertTrue(maxDistinct <= levels[f], formats[f] + " uses " + maxDistinct + " levels");
            assertTrue(maxDistinct >= Math.min(levels[f], subBlock[f]) / 2, formats[f] + " uses only " + maxDistinct + " levels");
        }
    }

    @Test
    void allZeroTensorsStayZeroInEveryFormat() {
        float[] w = new float[2 * 256];
        for (WeightFormat f : WeightFormat.NAMED) {
            if (!f.quantizable()) {
                // a format EdgeFront only reads and simulates fails naming itself instead of quantizing
                IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                        () -> TensorCompressor.apply(spec(2, 256), w, TensorChoice.of(f), null));
                assertTrue(e.getMessage().startsWith(f.name() + " has no EdgeFront quantizer"), e.getMessage());
                continue;
            }
            float[] out = TensorCompressor.apply(spec(2, 256), w, TensorChoice.of(f), null);
            assertArrayEquals(w, out, 0f, f.name());
        }
        float[] out = TensorCompressor.apply(spec(2, 256), w, TensorChoice.parse("int3g64a"), null);
        assertArrayEquals(w, out);
    }

    @Test
    void nOfMMaskKeepsExactlyNPerGroupIncludingRaggedTail() {
        int rows = 6;
        int cols = 66;            // 16 full groups of 4 and a ragged group of 2
        float[] w = gaussian(rows * cols, 7);
        float[] out = TensorCompressor.apply(spec(rows, cols), w, TensorChoice.parse("F32+2:4"), null);
        for (int r = 0; r < rows; r++) {
            for (int g = 0; g < cols; g += 4) {
                int len = Math.min(4, cols - g);
                int nz = 0;
                float minKept = Float.MAX_VALUE;
                float maxDropped = 0;
                for (int i = 0; i < len; i++) {
                    int idx = r * cols + g + i;
                    if (out[idx] != 0) {
                        nz++;
                        assertEquals(w[idx], out[idx]);
                        minKept = Math.min(minKept, Math.abs(w[idx]));
                    } else {
                        maxDropped = Math.max(maxDropped, Math.abs(w[idx]));
                    }
                }
                assertEquals(Math.min(2, len), nz);
                assertTrue(minKept >= maxDropped);
            }
        }
        assertEquals(Sparsity.nOfM(2, 4).keptPerRow(cols), 34);
    }

    @Test
    void unstructuredPruningDropsTheSmallestFractionOfEachRow() {
        int rows = 3;
        int cols = 25;
        float[] w = gaussian(rows * cols, 9);
        float[] out = TensorCompressor.apply(spec(rows, cols), w, TensorChoice.parse("F32+s40"), null);
        for (int r = 0; r < rows; r++) {
            int nz = 0;
            for (int c = 0; c < cols; c++) if (out[r * cols + c] != 0) nz++;
            assertEquals(15, nz);   // floor(0.4 * 25) = 10 dropped
        }
    }

    @Test
    void wandaScoresWeightByInputNorm() {
        float[] w = {1f, 2f, 3f, 4f};
        TensorSpec t = spec(1, 4);
        float[] magnitude = TensorCompressor.apply(t, w, TensorChoice.parse("F32+2:4"), null);
        assertArrayEquals(new float[] {0f, 0f, 3f, 4f}, magnitude);
        CalibrationStats stats = new CalibrationStats(Map.of(t.name(), new float[] {10f, 1f, 1f, 1f}), 100);
        float[] wanda = TensorCompressor.apply(t, w, TensorChoice.parse("F32+2:4"), stats);
        assertArrayEquals(new float[] {1f, 0f, 0f, 4f}, wanda);
    }

    @Test
    void sparseThenQuantizedKeepsZerosAndQuantizesKeptWeights() {
        float[] w = gaussian(4 * 128, 13);
        float[] out = TensorCompressor.apply(spec(4, 128), w, TensorChoice.parse("Q4_0+2:4"), null);
        int zeros = 0;
        for (float v : out) if (v == 0) zeros++;
        assertTrue(zeros >= 256, "at least half zeros, got " + zeros);
        assertTrue(rmse(w, out) < 0.05);
    }

    @Test
    void lowRankReconstructsALowRankMatrixExactly() {
        int rows = 8;
        int cols = 6;
        float[] u1 = {1, 2, 3, 4, 5, 6, 7, 8};
        float[] v1 = {1, -1, 2, 0, 1, 3};
        float[] u2 = {0.5f, -1, 0, 2, 1, -2, 0.25f, 1};
        float[] v2 = {2, 0, 1, 1, -1, 0};
        float[] w = new float[rows * cols];
        for (int r = 0; r < rows; r++) for (int c = 0; c < cols; c++) w[r * cols + c] = u1[r] * v1[c] + u2[r] * v2[c];
        TensorChoice rank2 = TensorChoice.parse("F32+r0.34");   // round(0.34 * 6) = 2
        assertEquals(2, rank2.rank(spec(rows, cols)));
        float[] out = TensorCompressor.apply(spec(rows, cols), w, rank2, null);
        assertArrayEquals(w, out, 1e-4f);
        float[] rank1 = TensorCompressor.apply(spec(rows, cols), w, TensorChoice.parse("F32+r0.17"), null);
        assertTrue(rmse(w, rank1) > 0.1);
    }

    @Test
    void lowRankErrorFallsWithRank() {
        float[] w = gaussian(32 * 48, 17);
        TensorSpec t = spec(32, 48);
        double e25 = rmse(w, TensorCompressor.apply(t, w, TensorChoice.parse("F16+r0.25"), null));
        double e50 = rmse(w, TensorCompressor.apply(t, w, TensorChoice.parse("F16+r0.5"), null));
        double e100 = rmse(w, TensorCompressor.apply(t, w, TensorChoice.parse("F16"), null));
        assertTrue(e25 > e50 && e50 > e100, e25 + " " + e50 + " " + e100);
    }
}
