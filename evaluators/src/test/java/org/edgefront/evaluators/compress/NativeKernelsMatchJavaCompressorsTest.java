package org.edgefront.evaluators.compress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.SplittableRandom;
import org.edgefront.nativert.ReferenceKernels;
import org.edgefront.space.compress.WeightFormat;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The native reference kernels' pack-then-unpack against the Java compressors, for every format the native kernels
 * test ({@code ReferenceKernelsTest}) covers: exactly where both implement the same grid, and within a stated factor
 * of ggml's error for the K-quants, which the native kernels quantize more simply. (Lives here because
 * native-runtime's tests cannot see evaluators.)
 */
@Tag("native")
class NativeKernelsMatchJavaCompressorsTest {
    private static final int ROWS = 6, COLS = 768;

    /** Gaussian weights whose rows span five orders of magnitude, with an outlier run and an all-zero run. */
    static float[] weights(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] w = new float[ROWS * COLS];
        for (int row = 0; row < ROWS; row++) {
            double scale = Math.pow(10, row - 3);
            for (int c = 0; c < COLS; c++) {
                double u = r.nextDouble(), v = r.nextDouble();
                w[row * COLS + c] = (float) (scale * Math.sqrt(-2 * Math.log(1 - u)) * Math.cos(2 * Math.PI * v));
            }
        }
        for (int c = 40; c < 56; c++) w[COLS + c] *= 25f;
        for (int c = 512; c < 544; c++) w[2 * COLS + c] = 0f;
        return w;
    }

    /**
     * Exact agreement: floats and generic int groups by name; the 32-weight llama.cpp blocks, which the native
     * kernels quantize on EdgeFront's own symmetric (Q4_0, Q5_0, Q8_0) or min-offset (Q4_1, Q5_1) grid with the
     * llama.cpp block size (edgefront_kernels.h: "the bit layouts inside a block are EdgeFront's own"), against the
     * Java group quantizer of the same grid.
     */
    @ParameterizedTest(name = "{0} = Java {1}")
    @CsvSource({"F32, F32", "F16, F16", "BF16, BF16", "int8g32, int8g32", "int4g128, int4g128", "int3g64, int3g64",
            "int2g32a, int2g32a", "int1g64, int1g64", "int5g100, int5g100", "int6gC, int6gC", "int7g48a, int7g48a",
            "int4g300a, int4g300a", "Q8_0, int8g32", "Q4_0, int4g32", "Q4_1, int4g32a", "Q5_0, int5g32", "Q5_1, int5g32a"})
    void nativePackUnpackEqualsTheJavaCompressor(String nativeName, String javaName) {
        WeightFormat nf = WeightFormat.parse(nativeName);
        WeightFormat jf = WeightFormat.parse(javaName);
        for (long seed : new long[] {11, 12}) {
            float[] w = weights(seed);
            float[] nat = ReferenceKernels.unpack(nf, ReferenceKernels.pack(nf, w, ROWS, COLS), ROWS, COLS);
            float[] java = TensorCompressor.quantizeMatrix(jf, w, ROWS, COLS);
            assertEquals(java.length, nat.length);
            for (int i = 0; i < java.length; i++) {
                // equal values (a signed zero equals zero): the formats store no sign for zero
                if (!(java[i] == nat[i]) && !(Float.isNaN(java[i]) && Float.isNaN(nat[i]))) {
                    fail(nativeName + " seed " + seed + " row " + i / COLS + " col " + i % COLS + ": native " + nat[i] + " ("
                            + Float.toHexString(nat[i]) + ") vs Java " + java[i] + " (" + Float.toHexString(java[i]) + ") from " + w[i]);
                }
            }
        }
    }

    /**
     * The native K-quants use simple per-sub-block min/max scales, not ggml's scale search, so they cannot agree bit
     * for bit with ggml's reference (the Java compressors, {@link LlamaCppGoldenTest}); their error on every row must
     * stay within a stated factor of ggml's: the worst row's ratio as measured (second column) plus 10%.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource({"Q2_K, 1.196, 1.32", "Q3_K, 1.294, 1.42", "Q4_K, 1.123, 1.24", "Q5_K, 1.064, 1.17", "Q6_K, 1.093, 1.20"})
    void nativeKQuantErrorIsWithinAStatedFactorOfGgmls(String name, double measured, double maxRatio) {
        WeightFormat f = WeightFormat.parse(name);
        float[] w = weights(11);
        float[] nat = ReferenceKernels.unpack(f, ReferenceKernels.pack(f, w, ROWS, COLS), ROWS, COLS);
        float[] ggml = TensorCompressor.quantizeMatrix(f, w, ROWS, COLS);
        double worst = 0;
        for (int r = 0; r < ROWS; r++) {
            double en = 0, eg = 0;
            for (int c = r * COLS; c < (r + 1) * COLS; c++) {
                en += Math.pow(nat[c] - w[c], 2);
                eg += Math.pow(ggml[c] - w[c], 2);
            }
            worst = Math.max(worst, Math.sqrt(en / eg));
        }
        System.out.printf("%s: native / ggml RMS error, worst row %.3f%n", name, worst);
        assertTrue(worst <= maxRatio, name + " native error " + worst + " x ggml's, bound " + maxRatio);
    }
}
