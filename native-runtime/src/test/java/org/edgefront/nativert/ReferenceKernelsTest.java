package org.edgefront.nativert;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import org.edgefront.space.compress.Sparsity;
import org.edgefront.space.compress.WeightFormat;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Round trips, sizes and GEMVs of the native reference kernels. Their exact agreement with the Java compressors
 * (and, through those, with ggml's reference quantizers) is checked where both are visible, in evaluators'
 * {@code NativeKernelsMatchJavaCompressorsTest}.
 */
@Tag("native")
class ReferenceKernelsTest {
    private static final int ROWS = 6, COLS = 768;

    /** Every named format and a spread of generic ones, with the relative RMS round-trip error each may have. */
    static List<Object[]> formats() {
        return List.of(
                new Object[] {"F32", 0.0}, new Object[] {"F16", 6e-4}, new Object[] {"BF16", 5e-3},
                new Object[] {"Q8_0", 0.012}, new Object[] {"Q4_0", 0.16}, new Object[] {"Q4_1", 0.12},
                new Object[] {"Q5_0", 0.08}, new Object[] {"Q5_1", 0.06}, new Object[] {"Q2_K", 0.55},
                new Object[] {"Q3_K", 0.33}, new Object[] {"Q4_K", 0.13}, new Object[] {"Q5_K", 0.065},
                new Object[] {"Q6_K", 0.04}, new Object[] {"int8g32", 0.012}, new Object[] {"int4g128", 0.2},
                new Object[] {"int3g64", 0.36}, new Object[] {"int2g32a", 0.45}, new Object[] {"int1g64", 0.8},
                new Object[] {"int5g100", 0.1}, new Object[] {"int6gC", 0.1}, new Object[] {"int7g48a", 0.02},
                new Object[] {"int4g300a", 0.15});
    }

    static float[] gaussian(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] w = new float[n];
        for (int i = 0; i < n; i++) {
            double u = r.nextDouble(), v = r.nextDouble();
            w[i] = (float) (0.02 * Math.sqrt(-2 * Math.log(1 - u)) * Math.cos(2 * Math.PI * v));
        }
        return w;
    }

    /** Java reference GEMV in double precision. */
    static double[] javaGemv(float[] w, int rows, int cols, float[] x) {
        double[] y = new double[rows];
        for (int r = 0; r < rows; r++) {
            double s = 0;
            for (int c = 0; c < cols; c++) s += (double) w[r * cols + c] * x[c];
            y[r] = s;
        }
        return y;
    }

    static double relRms(float[] a, float[] ref) {
        double num = 0, den = 0;
        for (int i = 0; i < a.length; i++) {
            num += Math.pow(a[i] - ref[i], 2);
            den += (double) ref[i] * ref[i];
        }
        return Math.sqrt(num / den);
    }

    /** Max |y - yRef| over the scale sum |W||x| of the row: a tolerance independent of cancellation. */
    static void assertGemvClose(float[] y, float[] w, int rows, int cols, float[] x, double tol) {
        double[] ref = javaGemv(w, rows, cols, x);
        for (int r = 0; r < rows; r++) {
            double scale = 0;
            for (int c = 0; c < cols; c++) scale += Math.abs((double) w[r * cols + c] * x[c]);
            assertTrue(Math.abs(y[r] - ref[r]) <= tol * scale + 1e-30, "row " + r + ": " + y[r] + " vs " + ref[r]);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("formats")
    void packUnpackRoundTripIsWithinTheFormatsErrorAndSizeIsExact(String name, double maxRelRms) {
        WeightFormat f = WeightFormat.parse(name);
        float[] w = gaussian(ROWS * COLS, 11);
        byte[] p = ReferenceKernels.pack(f, w, ROWS, COLS);
        assertEquals(f.bytes(ROWS, COLS), p.length, "packed bytes equal WeightFormat.bytes");
        float[] u = ReferenceKernels.unpack(f, p, ROWS, COLS);
        double err = relRms(u, w);
        assertTrue(err <= maxRelRms, name + " relative RMS error " + err + " > " + maxRelRms);
        if (f == WeightFormat.F32) assertArrayEquals(w, u);
        // re-packing dequantized weights is stable: a second round trip adds (almost) nothing
        float[] u2 = ReferenceKernels.unpack(f, ReferenceKernels.pack(f, u, ROWS, COLS), ROWS, COLS);
        assertTrue(relRms(u2, u) <= Math.max(maxRelRms / 2, 1e-7), name + " second round trip drifts " + relRms(u2, u));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("formats")
    void gemvMatchesJavaGemvOnTheUnpackedWeights(String name, double ignored) {
        WeightFormat f = WeightFormat.parse(name);
        float[] w = gaussian(ROWS * COLS, 12);
        float[] x = gaussian(COLS, 13);
        byte[] p = ReferenceKernels.pack(f, w, ROWS, COLS);
        float[] u = ReferenceKernels.unpack(f, p, ROWS, COLS);
        assertGemvClose(ReferenceKernels.gemv(f, p, ROWS, COLS, x), u, ROWS, COLS, x, 1e-5);
    }

    @Test
    void halfPrecisionConversionRoundsToNearest() {
        float[] w = {1.0f, -2.5f, 65504f, 1e-7f, 0f, 0.1f, 3.14159f};
        byte[] p = ReferenceKernels.pack(WeightFormat.F16, w, 1, w.length);
        float[] u = ReferenceKernels.unpack(WeightFormat.F16, p, 1, w.length);
        assertEquals(1.0f, u[0]);
        assertEquals(-2.5f, u[1]);
        assertEquals(65504f, u[2]);
        assertEquals(1.1920929e-7f, u[3], 1e-12, "subnormal half: 2 units of 2^-24");
        assertEquals(0f, u[4]);
        assertEquals(0.0999755859375f, u[5], "0.1 rounds to the nearest half 0x2E66");
        assertEquals(3.140625f, u[6]);
        float[] b = ReferenceKernels.unpack(WeightFormat.BF16, ReferenceKernels.pack(WeightFormat.BF16, w, 1, w.length), 1, w.length);
        assertEquals(3.140625f, b[6], "bf16 keeps 8 mantissa bits");
    }

    @Test
    void unstructuredSparseKeepsNonZerosAndGemvMatches() {
        int rows = 5, cols = 301;
        float[] w = gaussian(rows * cols, 21);
        SplittableRandom r = new SplittableRandom(22);
        for (int i = 0; i < w.length; i++) if (r.nextDouble() < 0.6) w[i] = 0f;
        Sparsity s = Sparsity.unstructured(0.6);
        byte[] p = ReferenceKernels.packSparse(s, w, rows, cols);
        long nnz = 0;
        for (float v : w) if (v != 0f) nnz++;
        assertEquals(rows * ((cols + 7) / 8) + 2 * nnz, p.length);
        float[] u = ReferenceKernels.unpackSparse(s, p, rows, cols);
        float[] f16 = ReferenceKernels.unpack(WeightFormat.F16, ReferenceKernels.pack(WeightFormat.F16, w, rows, cols), rows, cols);
        assertArrayEquals(f16, u, "non-zeros stored as fp16, zeros restored");
        float[] x = gaussian(cols, 23);
        assertGemvClose(ReferenceKernels.gemvSparse(s, p, rows, cols, x), u, rows, cols, x, 1e-5);
    }

    @Test
    void nOfMSparseKeepsTheLargestMagnitudesPerGroup() {
        int rows = 4, cols = 512;
        for (int[] nm : new int[][] {{2, 4}, {1, 4}, {4, 8}, {3, 16}}) {
            Sparsity s = Sparsity.nOfM(nm[0], nm[1]);
            float[] w = gaussian(rows * cols, 31 + nm[1]);
            byte[] p = ReferenceKernels.packSparse(s, w, rows, cols);
            long kept = (long) rows * cols / nm[1] * nm[0];
            int idxBits = 32 - Integer.numberOfLeadingZeros(nm[1] - 1);
            assertEquals(kept * 2 + rows * ((kept / rows * idxBits + 7) / 8), p.length, s.label());
            float[] u = ReferenceKernels.unpackSparse(s, p, rows, cols);
            for (int g = 0; g < w.length; g += nm[1]) {
                int nz = 0;
                double minKept = Double.MAX_VALUE, maxDropped = 0;
                for (int i = g; i < g + nm[1]; i++) {
                    if (u[i] != 0f) {
                        nz++;
                        minKept = Math.min(minKept, Math.abs(w[i]));
                        assertEquals(w[i], u[i], Math.abs(w[i]) * 1e-3, "kept value in fp16");
                    } else {
                        maxDropped = Math.max(maxDropped, Math.abs(w[i]));
                    }
                }
                assertEquals(nm[0], nz, s.label() + " group at " + g);
                assertTrue(minKept >= maxDropped, "kept the largest magnitudes");
            }
            float[] x = gaussian(cols, 41);
            assertGemvClose(ReferenceKernels.gemvSparse(s, p, rows, cols, x), u, rows, cols, x, 1e-5);
        }
    }

    @Test
    void badShapesAndShortArraysAreRejectedWithAMessage() {
        float[] w = gaussian(100, 1);
        NativeSimulatorException e = assertThrows(NativeSimulatorException.class, () -> ReferenceKernels.pack(WeightFormat.Q4_K, w, 1, 100));
        assertTrue(e.getMessage().contains("256"), e.getMessage());
        byte[] p = ReferenceKernels.pack(WeightFormat.Q4_0, gaussian(64, 2), 2, 32);
        assertThrows(NativeSimulatorException.class, () -> ReferenceKernels.gemv(WeightFormat.Q4_0, java.util.Arrays.copyOf(p, p.length - 1), 2, 32, new float[32]));
        assertThrows(NativeSimulatorException.class, () -> ReferenceKernels.gemv(WeightFormat.Q4_0, p, 2, 32, new float[31]));
        assertThrows(NativeSimulatorException.class, () -> ReferenceKernels.unpackSparse(Sparsity.unstructured(0.5), new byte[] {(byte) 0xff}, 1, 8));
        assertThrows(NativeSimulatorException.class, () -> ReferenceKernels.packSparse(Sparsity.nOfM(2, 4), gaussian(6, 3), 1, 6));
    }

    @Test
    void theMeasuredClockIsAPlausibleCoreClockAndBadArgumentsAreRefused() {
        String arch = System.getProperty("os.arch");
        org.junit.jupiter.api.Assumptions.assumeTrue(arch.equals("amd64") || arch.equals("x86_64") || arch.equals("aarch64"),
                "clock measurement exists on x86-64 and AArch64 only");
        double hz = ReferenceKernels.clockHz(20_000_000L, 3);
        assertTrue(hz > 0.2e9 && hz < 7e9, "one dependent addition per cycle: " + hz + " Hz");
        NativeSimulatorException e = assertThrows(NativeSimulatorException.class, () -> ReferenceKernels.clockHz(4, 1));
        assertTrue(e.getMessage().contains("adds"), e.getMessage());
        assertThrows(NativeSimulatorException.class, () -> ReferenceKernels.clockHz(1000, 0));
    }
}
