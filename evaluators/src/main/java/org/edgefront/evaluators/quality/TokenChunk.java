package org.edgefront.evaluators.quality;

import java.util.List;

/**
 * Whole sequences concatenated row by row so each linear layer runs as one matrix product: the embedded rows,
 * where each sequence starts, and each row's position within its sequence. Built by {@link ChunkRunner} for every forward pass.
 * Mutable arrays owned by the one chunk computation that builds it; not thread-safe.
 *
 * @param x         embedded tokens, {@code rows x dim}
 * @param seqStart  start row of each sequence, plus the end row last
 * @param positions position of each row within its sequence
 * @param maxLen    longest sequence, tokens
 */
record TokenChunk(float[] x, int[] seqStart, int[] positions, int maxLen) {

    /** Embeds sequences {@code [from, to)} ({@code n} tokens) from a {@code vocab x dim} embedding. */
    static TokenChunk embed(List<int[]> sequences, int from, int to, int n, float[] embedding, int dim) {
        int[] seqStart = new int[to - from + 1];
        int[] positions = new int[n];
        float[] x = new float[n * dim];
        int maxLen = 0;
        int row = 0;
        for (int s = from; s < to; s++) {
            int[] toks = sequences.get(s);
            seqStart[s - from] = row;
            maxLen = Math.max(maxLen, toks.length);
            for (int p = 0; p < toks.length; p++, row++) {
                positions[row] = p;
                System.arraycopy(embedding, toks[p] * dim, x, row * dim, dim);
            }
        }
        seqStart[to - from] = row;
        return new TokenChunk(x, seqStart, positions, maxLen);
    }
}
