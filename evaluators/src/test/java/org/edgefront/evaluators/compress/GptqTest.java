package org.edgefront.evaluators.compress;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.edgefront.space.format.HalfFloats;
import org.edgefront.space.compress.WeightFormat;
import org.edgefront.space.model.TensorRole;
import org.edgefront.space.model.TensorSpec;
import org.junit.jupiter.api.Test;

class GptqTest {
    private static TensorSpec spec(int rows, int cols) { return new TensorSpec("blk.0.ffn_up.weight", TensorRole.UP, 0, rows, cols); }

    private static float[] weights(int rows, int cols, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] w = new float[rows * cols];
        for (int i = 0; i < w.length; i++) w[i] = (float) (r.nextGaussian() / Math.sqrt(cols));
        return w;
    }

    /** n x cols inputs with strongly correlated features (a random mixing of fewer latent factors plus noise). */
    private static double[] inputs(int n, int cols, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int latent = Math.max(2, cols / 4);
        SplittableRandom mr = new SplittableRandom(12345);   // the same mixing for calibration and held-out sets
        double[] mix = new double[latent * cols];
        for (int i = 0; i < mix.length; i++) mix[i] = mr.nextGaussian();
        double[] x = new double[n * cols];
        double[] z = new double[latent];
        for (int t = 0; t < n; t++) {
            for (int k = 0; k < latent; k++) z[k] = r.nextGaussian();
            for (int c = 0; c < cols; c++) {
                double s = 0.1 * r.nextGaussian();
                for (int k = 0; k < latent; k++) s += z[k] * mix[k * cols + c];
                x[t * cols + c] = s;
            }
        }
        return x;
    }

    private static float[] hessian(double[] x, int n, int cols) {
        float[] h = new float[cols * cols];
        for (int i = 0; i < cols; i++) {
            for (int j = 0; j < cols; j++) {
                double s = 0;
                for (int t = 0; t < n; t++) s += x[t * cols + i] * x[t * cols + j];
                h[i * cols + j] = (float) (2 * s / n);
            }
        }
        return h;
    }

    /** ||X W^T - X Q^T||_F^2. */
    private static double outputError(double[] x, int n, float[] w, float[] q, int rows, int cols) {
        double e = 0;
        for (int t = 0; t < n; t++) {
            for (int r = 0; r < rows; r++) {
                double s = 0;
                for (int c = 0; c < cols; c++) s += x[t * cols + c] * ((double) w[r * cols + c] - q[r * cols + c]);
                e += s * s;
            }
        }
        return e;
    }

    @Test
    void diagonalHessianReproducesRoundToNearestBitForBit() {
        for (String name : new String[] {"int4g32", "int3g32a", "int2gC", "int8g64", "int1g16", "Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q8_0"}) {
            for (int cols : new int[] {96, 80}) {
                WeightFormat f = WeightFormat.parse(name);
                int rows = 12;
                float[] w = weights(rows, cols, 7);
                float[] h = new float[cols * cols];
                SplittableRandom r = new SplittableRandom(3);
                for (int i = 0; i < cols; i++) h[i * cols + i] = (float) (0.5 + r.nextDouble());
                float[] gptq = Gptq.quantize(spec(rows, cols), w, f, h, 0.01, 16);
                float[] rtn = TensorCompressor.quantizeMatrix(f, w, rows, cols);
                assertArrayEquals(rtn, gptq, 0f, name + " cols " + cols);
            }
        }
    }

    @Test
    void gptqHasLowerHeldOutOutputErrorThanRoundToNearestOnCorrelatedInputs() {
        int rows = 48;
        int cols = 128;
        int n = 1024;
        float[] w = weights(rows, cols, 11);
        float[] h = hessian(inputs(n, cols, 1), n, cols);
        double[] heldOut = inputs(n, cols, 2);
        for (String name : new String[] {"int3g32", "int4g32", "int4g32a", "Q4_0", "Q4_K", "Q3_K"}) {
            WeightFormat f = WeightFormat.parse(name);
            float[] q = Gptq.quantize(spec(rows, cols), w, f, h, 0.01, 32);
            float[] rtn = TensorCompressor.quantizeMatrix(f, w, rows, cols);
            double eg = outputError(heldOut, n, w, q, rows, cols);
            double er = outputError(heldOut, n, w, rtn, rows, cols);
            assertTrue(eg < 0.8 * er, name + ": GPTQ error " + eg + " vs RTN " + er);
        }
    }

    @Test
    void gptqValuesLieOnTheRoundToNearestGridOfTheOriginalWeights() {
        int rows = 8;
        int cols = 64;
        float[] w = weights(rows, cols, 5);
        float[] h = hessian(inputs(256, cols, 3), 256, cols);
        WeightFormat f = WeightFormat.parse("int3g32");
        float[] q = Gptq.quantize(spec(rows, cols), w, f, h, 0.01, 8);
        float[] rtn = TensorCompressor.quantizeMatrix(f, w, rows, cols);
        for (int r = 0; r < rows; r++) {
            for (int g = 0; g < cols; g += 32) {
                float amax = 0;
                for (int c = g; c < g + 32; c++) amax = Math.max(amax, Math.abs(w[r * cols + c]));
                float s = HalfFloats.roundToHalf(amax / 3);
                for (int c = g; c < g + 32; c++) {
                    float code = q[r * cols + c] / s;
                    assertEquals(Math.rint(code), code, 1e-4, "value off the grid at " + r + "," + c);
                    assertTrue(code >= -4 && code <= 3);
                }
            }
        }
        int differ = 0;
        for (int i = 0; i < q.length; i++) if (q[i] != rtn[i]) differ++;
        assertTrue(differ > q.length / 20, "GPTQ should move some codes away from round-to-nearest: " + differ);
    }

    @Test
    void lazyBatchWidthDoesNotChangeTheResult() {
        int rows = 16;
        int cols = 96;
        float[] w = weights(rows, cols, 9);
        float[] h = hessian(inputs(300, cols, 4), 300, cols);
        WeightFormat f = WeightFormat.parse("int4g32");
        float[] a = Gptq.quantize(spec(rows, cols), w, f, h, 0.01, 1);
        float[] b = Gptq.quantize(spec(rows, cols), w, f, h, 0.01, 128);
        float[] c = Gptq.quantize(spec(rows, cols), w, f, h, 0.01, 7);
        int same = 0;
        for (int i = 0; i < a.length; i++) if (a[i] == b[i] && b[i] == c[i]) same++;
        assertTrue(same >= a.length - 2, "only rounding ties may differ: " + (a.length - same) + " of " + a.length);
    }

    @Test
    void upperCholeskyOfInverseFactorsTheInverse() {
        int n = 20;
        float[] hf = hessian(inputs(200, n, 6), 200, n);
        double[] h = new double[n * n];
        for (int i = 0; i < h.length; i++) h[i] = hf[i];
        double[] u = Gptq.upperCholeskyOfInverse(h.clone(), n);
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                // (U^T U) H should be the identity
                double s = 0;
                for (int k = 0; k < n; k++) {
                    double inv = 0;
                    for (int m = 0; m < n; m++) inv += u[m * n + i] * u[m * n + k];
                    s += inv * h[k * n + j];
                }
                assertEquals(i == j ? 1 : 0, s, 1e-6);
                if (j < i) assertEquals(0, u[i * n + j]);
            }
        }
    }

    @Test
    void deadInputsAreZeroedAndBadArgumentsRejected() {
        int rows = 4;
        int cols = 32;
        float[] w = weights(rows, cols, 2);
        float[] h = hessian(inputs(100, cols, 8), 100, cols);
        for (int j = 0; j < cols; j++) { h[5 * cols + j] = 0; h[j * cols + 5] = 0; }
        float[] q = Gptq.quantize(spec(rows, cols), w, WeightFormat.parse("int4g32"), h, 0.01, 8);
        for (int r = 0; r < rows; r++) assertEquals(0f, q[r * cols + 5]);
        assertThrows(IllegalArgumentException.class, () -> Gptq.quantize(spec(rows, cols), w, WeightFormat.parse("int4g32"), new float[10], 0.01, 8));
        assertThrows(IllegalArgumentException.class, () -> Gptq.quantize(spec(rows, cols), w, WeightFormat.parse("int4g32"), h, -1, 8));
        assertArrayEquals(TensorCompressor.quantizeMatrix(WeightFormat.F16, w, rows, cols),
                Gptq.quantize(spec(rows, cols), w, WeightFormat.F16, h, 0.01, 8), 0f);
    }

    /** n x cols inputs as {@link #inputs} with per-feature magnitudes spread over two decades, as real activations are. */
    private static double[] skewedInputs(int n, int cols, long seed) {
        double[] x = inputs(n, cols, seed);
        SplittableRandom r = new SplittableRandom(99);   // the same per-feature gain for calibration and held-out sets
        double[] gain = new double[cols];
        for (int c = 0; c < cols; c++) gain[c] = Math.pow(10, 2 * r.nextDouble() - 1);
        for (int t = 0; t < n; t++) for (int c = 0; c < cols; c++) x[t * cols + c] *= gain[c];
        return x;
    }

    @Test
    void searchedGridLowersHeldOutOutputErrorBelowMinMaxGridGptq() {
        int rows = 48;
        int cols = 128;
        int n = 1024;
        float[] w = weights(rows, cols, 21);
        float[] h = hessian(skewedInputs(n, cols, 1), n, cols);
        double[] heldOut = skewedInputs(n, cols, 2);
        for (String name : new String[] {"int2g32a", "int3g64a", "int3g32", "int4g128"}) {
            WeightFormat f = WeightFormat.parse(name);
            double plain = outputError(heldOut, n, w, Gptq.quantize(spec(rows, cols), w, f, h, 0.01, 32, false), rows, cols);
            double both = outputError(heldOut, n, w, Gptq.quantize(spec(rows, cols), w, f, h, 0.01, 32, true), rows, cols);
            assertTrue(both < 0.9 * plain, name + ": searched grid " + both + " vs min-max grid " + plain);
        }
    }

    @Test
    void searchedGridValuesAreStoredCodesOnFp16ScalesAndZeroPoints() {
        int rows = 6;
        int cols = 64;
        float[] w = weights(rows, cols, 23);
        w[3] = 0.9f;   // an outlier the min-max grid would stretch for
        float[] h = hessian(skewedInputs(300, cols, 5), 300, cols);
        for (String name : new String[] {"int3g32a", "int2g32a", "int3g32", "int4g32"}) {
            WeightFormat f = WeightFormat.parse(name);
            float[] q = Gptq.quantize(spec(rows, cols), w, f, h, 0.01, 16, true);
            int levels = 1 << f.bits();
            for (int r = 0; r < rows; r++) {
                for (int g = 0; g < cols; g += 32) {
                    java.util.TreeSet<Float> values = new java.util.TreeSet<>();
                    for (int c = g; c < g + 32; c++) values.add(q[r * cols + c]);
                    assertTrue(values.size() <= levels, name + " row " + r + " group " + g + ": " + values.size() + " levels");
                    // equally spaced: every value is lowest + k * step for an fp16 step
                    float lo = values.first();
                    float step = Float.MAX_VALUE;
                    Float prev = null;
                    for (float v : values) {
                        if (prev != null) step = Math.min(step, v - prev);
                        prev = v;
                    }
                    if (values.size() < 2) continue;
                    for (float v : values) {
                        double k = (v - lo) / step;
                        assertEquals(Math.rint(k), k, 1e-3, name + ": value " + v + " off the grid");
                    }
                }
            }
        }
    }

    @Test
    void searchedGridNeverHasLargerWeightedRoundingErrorThanMinMax() {
        int rows = 20;
        int cols = 96;
        float[] w = weights(rows, cols, 31);
        for (int r = 0; r < rows; r += 3) w[r * cols + (r % cols)] *= 8;   // outliers in some groups
        double[] imp = new double[cols];
        SplittableRandom rnd = new SplittableRandom(8);
        for (int c = 0; c < cols; c++) imp[c] = Math.pow(10, 2 * rnd.nextDouble() - 1);
        for (String name : new String[] {"int2g32a", "int3g32a", "int4g64a", "int2g32", "int3g32", "int4gC"}) {
            WeightFormat f = WeightFormat.parse(name);
            QuantGrid plain = QuantGrid.of(f, w, rows, cols);
            QuantGrid searched = QuantGrid.searched(f, w, rows, cols, imp);
            double ep = 0;
            double es = 0;
            for (int r = 0; r < rows; r++) {
                for (int c = 0; c < cols; c++) {
                    float v = w[r * cols + c];
                    ep += imp[c] * Math.pow(v - plain.quantize(r, c, v), 2);
                    es += imp[c] * Math.pow(v - searched.quantize(r, c, v), 2);
                }
            }
            assertTrue(es <= ep, name + ": searched " + es + " > min-max " + ep);
            assertTrue(es < 0.9 * ep, name + ": the search should clip the outliers' groups: " + es + " vs " + ep);
        }
    }
}
