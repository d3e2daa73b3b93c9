package org.edgefront.evaluators.compress;

import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.RealMatrix;
import org.apache.commons.math3.linear.SingularValueDecomposition;

/**
 * Truncated SVD: W (rows x cols) ~ A B with A = U_k sqrt(S_k) (rows x k) and B = sqrt(S_k) V_k^T (k x cols),
 * the split that balances the two factors' ranges before they are quantized. Computed in double with
 * commons-math3 (fine for the small and mid-sized tensors this is used on; a LAPACK path is a known gap for
 * multi-thousand-wide matrices). Stateless and thread-safe.
 */
final class LowRank {
    private LowRank() {}

    /** The two factors, row-major: {@code a} is rows x k, {@code b} is k x cols. */
    record Factors(float[] a, float[] b, int rows, int k, int cols) {}

    static Factors factor(float[] w, int rows, int cols, int k) {
        if (k < 1 || k > Math.min(rows, cols)) throw new IllegalArgumentException("rank " + k + " for a " + rows + "x" + cols + " tensor");
        double[][] m = new double[rows][cols];
        for (int r = 0; r < rows; r++) for (int c = 0; c < cols; c++) m[r][c] = w[r * cols + c];
        SingularValueDecomposition svd = new SingularValueDecomposition(new Array2DRowRealMatrix(m, false));
        RealMatrix u = svd.getU();
        RealMatrix v = svd.getV();
        double[] s = svd.getSingularValues();
        float[] a = new float[rows * k];
        float[] b = new float[k * cols];
        for (int j = 0; j < k; j++) {
            double root = Math.sqrt(s[j]);
            for (int r = 0; r < rows; r++) a[r * k + j] = (float) (u.getEntry(r, j) * root);
            for (int c = 0; c < cols; c++) b[j * cols + c] = (float) (v.getEntry(c, j) * root);
        }
        return new Factors(a, b, rows, k, cols);
    }

    /** A B as a row-major rows x cols array (accumulated in double). */
    static float[] multiply(float[] a, float[] b, int rows, int k, int cols) {
        float[] out = new float[rows * cols];
        double[] acc = new double[cols];
        for (int r = 0; r < rows; r++) {
            java.util.Arrays.fill(acc, 0);
            for (int j = 0; j < k; j++) {
                double arj = a[r * k + j];
                int bo = j * cols;
                for (int c = 0; c < cols; c++) acc[c] += arj * b[bo + c];
            }
            for (int c = 0; c < cols; c++) out[r * cols + c] = (float) acc[c];
        }
        return out;
    }
}
