package org.edgefront.evaluators.compress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.SplittableRandom;
import org.edgefront.nativert.ReferenceKernels;
import org.edgefront.space.compress.WeightFormat;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The native reference kernels' pack-then-unpack equals the Java compressors' dequantized weights exactly, for every
 * format the native kernels test covers. The Java compressors are themselves checked bit for bit against ggml's
 * reference quantizers ({@link LlamaCppGoldenTest}), so the native llama.cpp formats are too. (Lives here because
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

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"F32", "F16", "BF16", "Q8_0", "Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q2_K", "Q3_K", "Q4_K", "Q5_K", "Q6_K",
            "int8g32", "int4g128", "int3g64", "int2g32a", "int1g64", "int5g100", "int6gC", "int7g48a", "int4g300a"})
    void nativePackUnpackEqualsTheJavaCompressor(String name) {
        WeightFormat f = WeightFormat.parse(name);
        for (long seed : new long[] {11, 12}) {
            float[] w = weights(seed);
            float[] nat = ReferenceKernels.unpack(f, ReferenceKernels.pack(f, w, ROWS, COLS), ROWS, COLS);
            float[] java = TensorCompressor.quantizeMatrix(f, w, ROWS, COLS);
            assertEquals(java.length, nat.length);
            for (int i = 0; i < java.length; i++) {
                // equal values (a signed zero equals zero): the formats store no sign for zero
                if (!(java[i] == nat[i]) && !(Float.isNaN(java[i]) && Float.isNaN(nat[i]))) {
                    fail(name + " seed " + seed + " row " + i / COLS + " col " + i % COLS + ": native " + nat[i] + " ("
                            + Float.toHexString(nat[i]) + ") vs Java " + java[i] + " (" + Float.toHexString(java[i]) + ") from " + w[i]);
                }
            }
        }
    }
}
