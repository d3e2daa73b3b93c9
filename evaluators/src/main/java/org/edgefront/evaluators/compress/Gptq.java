package org.edgefront.evaluators.compress;

import java.util.Objects;
import org.edgefront.space.compress.WeightFormat;
import org.edgefront.space.model.TensorSpec;

/**
 * GPTQ error-compensating quantization (Frantar et al., 2022), written from the paper: columns are quantized
 * left to right on the same per-group grid as round-to-nearest, and each column's rounding error, scaled by
 * the inverse Hessian's upper Cholesky factor, is pushed onto the columns not yet quantized. The Hessian of
 * the layer-wise objective {@code ||X W^T - X Q^T||^2} is {@code H = 2/N sum_t x_t x_t^T} over calibration
 * inputs {@code x_t} to the linear layer ({@code quality.HessianCollector} gathers it into {@link HessianStats}).
 *
 * <p>Details:
 * <ul>
 *   <li>dead inputs (a zero diagonal entry of H) get H_ii = 1 and their weights are zeroed, as in the paper;</li>
 *   <li>dampening adds {@code dampPercent x mean(diag H)} to the diagonal (0.01 is the usual choice); when the
 *       Cholesky factorization still fails the dampening is multiplied by 10, up to five times;</li>
 *   <li>lazy batches: within a block of {@code blockSize} columns updates are applied column by column; the
 *       rest of the matrix receives the block's accumulated errors in one product at the block's end;</li>
 *   <li>static groups: every group's grid (scale, zero point) is computed once from the original weights by
 *       the format's round-to-nearest rule ({@link QuantGrid}), or for generic-integer formats (what {@code +gptq}
 *       uses) by a search minimizing the Hessian-diagonal-weighted rounding error; with a diagonal Hessian and
 *       the round-to-nearest grid the result is exactly round-to-nearest; no activation reordering (tried with
 *       static groups: it did not help on stories260K);</li>
 *   <li>K-quants (Q2_K..Q6_K), whose sub-block scales llama.cpp finds by a search over the whole super-block,
 *       are compensated on an approximating grid (the format's bits and sub-block size, scales not
 *       quantized) and the compensated weights are then quantized by the exact llama.cpp quantizer, so the
 *       result is always representable in the format;</li>
 *   <li>float formats have nothing to compensate and are rounded directly.</li>
 * </ul>
 * Work is O(rows x cols^2 + cols^3) in double on the heap ({@code 8 cols^2} bytes for the factor), fine up to
 * a few thousand input features. Stateless and thread-safe; never modifies its inputs.
 */
public final class Gptq {
    /** The dampening the GPTQ paper uses, as a fraction of the mean Hessian diagonal. */
    public static final double DEFAULT_DAMP = 0.01;
    /** The paper's lazy-batch width. */
    public static final int DEFAULT_BLOCK = 128;

    private Gptq() {}

    /**
     * Quantizes {@code weights} in {@code format} (after {@link WeightFormat#effectiveFor(int)}) with GPTQ.
     *
     * @param t           the tensor's shape (rows = outputs, cols = inputs)
     * @param weights     row-major rows x cols (not modified)
     * @param format      target format
     * @param hessian     row-major cols x cols, {@code 2/N sum x x^T} of calibration inputs (not modified)
     * @param dampPercent dampening as a fraction of the mean diagonal, >= 0 (e.g. {@link #DEFAULT_DAMP})
     * @param blockSize   lazy-batch width in columns, >= 1 (e.g. {@link #DEFAULT_BLOCK}); does not change the result
     *                    beyond floating-point rounding
     * @return a new rows x cols array of dequantized weights, representable in the effective format
     * @throws IllegalArgumentException for mismatched sizes or bad parameters
     * @throws ArithmeticException      when the Hessian stays indefinite after the dampening retries
     */
    public static float[] quantize(TensorSpec t, float[] weights, WeightFormat format, float[] hessian, double dampPercent,
                                   int blockSize) {
        return quantize(t, weights, format, hessian, dampPercent, blockSize, false);
    }

    /**
     * As {@link #quantize(TensorSpec, float[], WeightFormat, float[], double, int)}; with {@code searchedGrid} each
     * generic-integer group's static grid is fitted to minimize the Hessian-diagonal-weighted rounding error of the
     * original weights ({@link QuantGrid#searched}: clipping the range, as the GPTQ authors' reference quantizer
     * searches, and a least-squares refit) instead of spanning min..max. Same bytes; llama.cpp formats keep their own
     * grid rule (their scales are what llama.cpp's quantizer would choose).
     */
    public static float[] quantize(TensorSpec t, float[] weights, WeightFormat format, float[] hessian, double dampPercent,
                                   int blockSize, boolean searchedGrid) {
        Objects.requireNonNull(t, "tensor");
        Objects.requireNonNull(weights, "weights");
        Objects.requireNonNull(format, "format");
        Objects.requireNonNull(hessian, "hessian");
        int rows = t.rows();
        int cols = t.cols();
        if ((long) rows * cols != weights.length) {
            throw new IllegalArgumentException("tensor " + t.name() + " is " + rows + "x" + cols + " but has " + weights.length + " weights");
        }
        if ((long) cols * cols != hessian.length) {
            throw new IllegalArgumentException("hessian for " + t.name() + " has " + hessian.length + " entries, expected " + cols + "^2");
        }
        if (!(dampPercent >= 0) || !Double.isFinite(dampPercent)) throw new IllegalArgumentException("damp must be >= 0, got " + dampPercent);
        if (blockSize < 1) throw new IllegalArgumentException("block size must be >= 1, got " + blockSize);
        WeightFormat f = format.effectiveFor(cols);
        if (f.isFloat()) return TensorCompressor.quantizeMatrix(f, weights, rows, cols);

        double[] w = new double[weights.length];
        for (int i = 0; i < w.length; i++) w[i] = weights[i];
        double[] h = new double[hessian.length];
        for (int i = 0; i < h.length; i++) h[i] = hessian[i];
        double meanDiag = 0;
        for (int i = 0; i < cols; i++) {
            int ii = i * cols + i;
            if (h[ii] <= 0) {   // an input that never fires: nothing to preserve, as in the paper
                h[ii] = 1;
                for (int r = 0; r < rows; r++) w[r * cols + i] = 0;
            }
            meanDiag += h[ii];
        }
        meanDiag /= cols;
        // The grid comes from the weights after dead inputs are zeroed, so those quantize to exactly 0.
        float[] gridSource = new float[w.length];
        for (int i = 0; i < w.length; i++) gridSource[i] = (float) w[i];
        QuantGrid grid;
        if (searchedGrid && f.kind() == WeightFormat.Kind.INT_GROUP) {
            double[] importance = new double[cols];
            for (int i = 0; i < cols; i++) importance[i] = h[i * cols + i];
            grid = QuantGrid.searched(f, gridSource, rows, cols, importance);
        } else {
            grid = QuantGrid.of(f, gridSource, rows, cols);
        }

        double[] u = null;
        double damp = dampPercent * meanDiag;
        for (int attempt = 0; u == null; attempt++) {
            double[] hd = h.clone();
            for (int i = 0; i < cols; i++) hd[i * cols + i] += damp;
            u = upperCholeskyOfInverse(hd, cols);
            if (u == null) {
                if (attempt >= 5) throw new ArithmeticException("hessian of " + t.name() + " is not positive definite after dampening " + damp);
                damp = damp > 0 ? damp * 10 : 1e-6 * Math.max(meanDiag, 1e-12);
            }
        }

        float[] q = new float[w.length];
        double[] err = new double[rows * blockSize];
        for (int i1 = 0; i1 < cols; i1 += blockSize) {
            int i2 = Math.min(i1 + blockSize, cols);
            int count = i2 - i1;
            for (int i = i1; i < i2; i++) {
                double d = u[i * cols + i];
                int ui = i * cols;
                for (int r = 0; r < rows; r++) {
                    int rb = r * cols;
                    float qi = grid.quantize(r, i, (float) w[rb + i]);
                    q[rb + i] = qi;
                    double e = (w[rb + i] - qi) / d;
                    err[r * count + (i - i1)] = e;
                    for (int j = i + 1; j < i2; j++) w[rb + j] -= e * u[ui + j];
                }
            }
            if (i2 < cols) {
                for (int r = 0; r < rows; r++) {
                    int rb = r * cols;
                    for (int k = 0; k < count; k++) {
                        double e = err[r * count + k];
                        if (e == 0) continue;
                        int uk = (i1 + k) * cols;
                        for (int j = i2; j < cols; j++) w[rb + j] -= e * u[uk + j];
                    }
                }
            }
        }
        return grid.exact() ? q : TensorCompressor.quantizeMatrix(f, q, rows, cols);
    }

    /**
     * What {@code +gptq} means: the paper's damp and block, with the searched grid for generic-integer formats (on
     * stories260K at 4 bits per weight uniform int3g64a+gptq reaches KL 0.456 with it, 0.619 with the min-max grid;
     * BENCHMARKS.md, issue 14).
     */
    public static float[] quantize(TensorSpec t, float[] weights, WeightFormat format, float[] hessian) {
        return quantize(t, weights, format, hessian, DEFAULT_DAMP, DEFAULT_BLOCK, true);
    }

    /**
     * The upper-triangular U with {@code U^T U = H^-1}, row-major n x n, or null when H is not positive definite.
     * H is overwritten. With J the order-reversing permutation and {@code J H J = M M^T} (lower Cholesky),
     * {@code H = R R^T} for the upper-triangular {@code R = J M J}, so {@code H^-1 = R^-T R^-1} and
     * {@code U = R^-1 = J M^-1 J}: one Cholesky factorization and one triangular inverse, no explicit inverse.
     */
    static double[] upperCholeskyOfInverse(double[] h, int n) {
        double[] p = new double[n * n];
        for (int i = 0; i < n; i++) {
            int pb = i * n;
            int hb = (n - 1 - i) * n + (n - 1);
            for (int j = 0; j < n; j++) p[pb + j] = h[hb - j];
        }
        if (!choleskyLowerInPlace(p, n)) return null;
        // M^-1 row by row (row r = (e_r - sum_{k<r} M[r][k] row k) / M[r][r]): every inner loop is unit-stride
        double[] mi = new double[n * n];
        for (int r = 0; r < n; r++) {
            int rb = r * n;
            for (int k = 0; k < r; k++) {
                double mrk = p[rb + k];
                if (mrk == 0) continue;
                int kb = k * n;
                for (int c = 0; c <= k; c++) mi[rb + c] -= mrk * mi[kb + c];
            }
            mi[rb + r] += 1.0;
            double inv = 1.0 / p[rb + r];
            for (int c = 0; c <= r; c++) mi[rb + c] *= inv;
        }
        double[] u = new double[n * n];
        for (int i = 0; i < n; i++) {
            int ub = i * n;
            int mb = (n - 1 - i) * n + (n - 1);
            for (int j = i; j < n; j++) u[ub + j] = mi[mb - j];
        }
        return u;
    }

    /** Lower Cholesky factor written over the lower triangle of a (row-major n x n); false when a pivot is not positive. */
    static boolean choleskyLowerInPlace(double[] a, int n) {
        for (int j = 0; j < n; j++) {
            int jb = j * n;
            double s = a[jb + j];
            for (int k = 0; k < j; k++) s -= a[jb + k] * a[jb + k];
            if (!(s > 0) || !Double.isFinite(s)) return false;
            double d = Math.sqrt(s);
            a[jb + j] = d;
            for (int i = j + 1; i < n; i++) {
                int ib = i * n;
                double v = a[ib + j];
                for (int k = 0; k < j; k++) v -= a[ib + k] * a[jb + k];
                a[ib + j] = v / d;
            }
        }
        for (int i = 0; i < n; i++) for (int j = i + 1; j < n; j++) a[i * n + j] = 0;
        return true;
    }
}
