package org.edgefront.evaluators.compress;

import java.util.Arrays;
import org.edgefront.space.compress.Sparsity;

/**
 * Pruning masks. Scores are |w| (magnitude) or |w_ij| x ||x_j|| (Wanda) when input-feature norms are given;
 * ties break towards the lower column index being kept. Stateless and thread-safe.
 */
final class Pruner {
    private Pruner() {}

    /**
     * Which weights of a {@code rows x cols} matrix are kept.
     *
     * <ul>
     *   <li>unstructured: per row, the {@code floor(ratio x cols)} lowest-scoring weights are dropped;</li>
     *   <li>N:M: in every run of m consecutive weights of a row the n highest-scoring are kept; a ragged
     *       last run of r < m keeps min(r, n).</li>
     * </ul>
     * Counts match {@link Sparsity#keptPerRow(int)}.
     *
     * @param inputNorms per-column activation norms (Wanda), or null for magnitude
     */
    static boolean[] mask(float[] w, int rows, int cols, Sparsity s, float[] inputNorms) {
        if (inputNorms != null && inputNorms.length != cols) {
            throw new IllegalArgumentException("calibration norms have " + inputNorms.length + " features, tensor has " + cols);
        }
        boolean[] keep = new boolean[w.length];
        if (s.kind() == Sparsity.Kind.NONE) {
            Arrays.fill(keep, true);
            return keep;
        }
        long[] keys = new long[cols];
        for (int r = 0; r < rows; r++) {
            int base = r * cols;
            if (s.kind() == Sparsity.Kind.UNSTRUCTURED) {
                int drop = cols - s.keptPerRow(cols);
                for (int c = 0; c < cols; c++) keys[c] = key(score(w[base + c], inputNorms, c), c);
                Arrays.sort(keys, 0, cols);
                for (int i = 0; i < cols; i++) keep[base + col(keys[i])] = i >= drop;
            } else {
                int m = s.m();
                for (int g = 0; g < cols; g += m) {
                    int len = Math.min(m, cols - g);
                    int kept = Math.min(len, s.n());
                    for (int i = 0; i < len; i++) keys[i] = key(score(w[base + g + i], inputNorms, g + i), g + i);
                    Arrays.sort(keys, 0, len);
                    for (int i = 0; i < len; i++) keep[base + col(keys[i])] = i >= len - kept;
                }
            }
        }
        return keep;
    }

    private static int col(long key) { return (int) (0x7fffffffL - (key & 0xffffffffL)); }

    private static float score(float w, float[] norms, int c) {
        float a = Math.abs(w);
        return norms == null ? a : a * norms[c];
    }

    /**
     * Sort key: non-negative float bits order like the floats; the inverted column index in the low bits makes
     * a lower column sort later among equal scores, so it is kept first.
     */
    private static long key(float score, int col) {
        float s = Float.isNaN(score) ? Float.POSITIVE_INFINITY : score;
        return ((long) Float.floatToIntBits(s) << 32) | (0x7fffffffL - col);
    }
}
