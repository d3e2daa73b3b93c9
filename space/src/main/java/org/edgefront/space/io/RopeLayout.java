package org.edgefront.space.io;

/**
 * Row orders of q/k projections for the two RoPE conventions.
 *
 * <p>llama2.c (and EdgeFront's forward pass) rotates consecutive pairs (2i, 2i+1) within each head.
 * Hugging Face Llama checkpoints rotate halves (i, i + headDim/2), so Meta's conversion script permutes
 * the q and k rows of every head: Hugging Face row {@code i < headDim/2} holds interleaved row
 * {@code 2i}, and row {@code i >= headDim/2} holds interleaved row {@code 2(i - headDim/2) + 1}.
 * These functions apply that permutation and its inverse to row-major {@code rows x cols} matrices
 * whose rows are {@code heads} blocks of {@code headDim = rows / heads}. Stateless.
 */
public final class RopeLayout {
    private RopeLayout() { }

    /** Hugging Face rotate-half row order to interleaved-pair order (applied when loading). */
    public static float[] rotateHalfToInterleaved(float[] w, int rows, int heads) {
        return permute(w, rows, heads, true);
    }

    /** Interleaved-pair row order to Hugging Face rotate-half order (applied when writing). */
    public static float[] interleavedToRotateHalf(float[] w, int rows, int heads) {
        return permute(w, rows, heads, false);
    }

    private static float[] permute(float[] w, int rows, int heads, boolean toInterleaved) {
        if (rows <= 0 || heads <= 0 || rows % heads != 0 || w.length % rows != 0) {
            throw new IllegalArgumentException("cannot permute " + w.length + " values as " + rows + " rows of " + heads + " heads");
        }
        int headDim = rows / heads;
        if (headDim % 2 != 0) throw new IllegalArgumentException("head size " + headDim + " is odd");
        int cols = w.length / rows;
        int half = headDim / 2;
        float[] out = new float[w.length];
        for (int h = 0; h < heads; h++) {
            int base = h * headDim;
            for (int i = 0; i < headDim; i++) {
                int interleaved = i < half ? 2 * i : 2 * (i - half) + 1;
                int hfRow = base + i;
                int ilRow = base + interleaved;
                int src = toInterleaved ? hfRow : ilRow;
                int dst = toInterleaved ? ilRow : hfRow;
                System.arraycopy(w, src * cols, out, dst * cols, cols);
            }
        }
        return out;
    }
}
