package org.edgefront.space.io;

/**
 * Row orders of q/k projections for the two RoPE conventions.
 *
 * <p>llama2.c (and EdgeFront's forward pass) rotates consecutive pairs (2i, 2i+1) within each head.
 * Hugging Face Llama checkpoints rotate halves (i, i + headDim/2), so Meta's conversion script permutes
 * the q and k rows of every head: Hugging Face row {@code i < headDim/2} holds interleaved row
 * {@code 2i}, and row {@code i >= headDim/2} holds interleaved row {@code 2(i - headDim/2) + 1}.
 * These functions apply that permutation and its inverse to row-major {@code rows x cols} matrices
 * whose rows are {@code heads} blocks of {@code headDim = rows / heads}.
 *
 * <p>With partial rotary (Phi-4-mini: the first {@code rotaryDims} of each head rotated, the rest passed through, in
 * transformers as in llama.cpp's NeoX RoPE) only those first rows are in rotate-half order, with halves of
 * {@code rotaryDims / 2}; the head's other rows are the same in both orders and stay where they are. Stateless.
 */
public final class RopeLayout {
    private RopeLayout() { }

    /** Hugging Face rotate-half row order to interleaved-pair order (applied when loading), whole heads rotated. */
    public static float[] rotateHalfToInterleaved(float[] w, int rows, int heads) {
        return rotateHalfToInterleaved(w, rows, heads, headDim(rows, heads));
    }

    /** Interleaved-pair row order to Hugging Face rotate-half order (applied when writing), whole heads rotated. */
    public static float[] interleavedToRotateHalf(float[] w, int rows, int heads) {
        return interleavedToRotateHalf(w, rows, heads, headDim(rows, heads));
    }

    /** As {@link #rotateHalfToInterleaved(float[], int, int)} for RoPE on the first {@code rotaryDims} rows of each head. */
    public static float[] rotateHalfToInterleaved(float[] w, int rows, int heads, int rotaryDims) {
        return permute(w, rows, heads, rotaryDims, true);
    }

    /** As {@link #interleavedToRotateHalf(float[], int, int)} for RoPE on the first {@code rotaryDims} rows of each head. */
    public static float[] interleavedToRotateHalf(float[] w, int rows, int heads, int rotaryDims) {
        return permute(w, rows, heads, rotaryDims, false);
    }

    private static int headDim(int rows, int heads) {
        if (rows <= 0 || heads <= 0 || rows % heads != 0) throw new IllegalArgumentException(rows + " rows are not " + heads + " heads");
        return rows / heads;
    }

    private static float[] permute(float[] w, int rows, int heads, int rotaryDims, boolean toInterleaved) {
        if (rows <= 0 || heads <= 0 || rows % heads != 0 || w.length % rows != 0) {
            throw new IllegalArgumentException("cannot permute " + w.length + " values as " + rows + " rows of " + heads + " heads");
        }
        int headDim = rows / heads;
        if (rotaryDims < 0 || rotaryDims > headDim || rotaryDims % 2 != 0) {
            throw new IllegalArgumentException("cannot rotate " + rotaryDims + " rows of heads of " + headDim + " (an even number up to it)");
        }
        int cols = w.length / rows;
        int half = rotaryDims / 2;
        float[] out = new float[w.length];
        for (int h = 0; h < heads; h++) {
            int base = h * headDim;
            for (int i = 0; i < headDim; i++) {
                int interleaved = i >= rotaryDims ? i : i < half ? 2 * i : 2 * (i - half) + 1;
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
