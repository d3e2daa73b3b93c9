package org.edgefront.evaluators.quality;

import java.util.List;
import org.edgefront.space.model.ModelArchitecture;

/**
 * What every {@link ForwardPass} does around its layers: checks the tokens, concatenates whole sequences into
 * chunks of at most a given number of tokens (so each linear layer runs as one matrix product per chunk),
 * embeds them, and turns each chunk's logits into log-probabilities (after the optional logit bias of a pruned
 * vocabulary) handed to the sink sequence by sequence. Stateless and thread-safe.
 */
final class ChunkRunner {
    private ChunkRunner() {}

    /**
     * The layers of one pass: the {@code rows x vocab} logits of an embedded chunk (the array may be reused), told the
     * chunk's index in the run (0, 1, ...: the same for the same sequences).
     */
    @FunctionalInterface
    interface Layers {
        float[] logits(int chunkIndex, TokenChunk chunk, int rows, ForwardPass.InputObserver observer);
    }

    /** Receives one chunk: sequences {@code [from, to)} holding {@code tokens} tokens in all. */
    @FunctionalInterface
    interface Chunk {
        void run(int from, int to, int tokens);
    }

    /**
     * Runs {@code sequences} through {@code layers} chunk by chunk (the layers are told each chunk's index, to record or
     * resume per-chunk states), with the logits' bias and log-softmax spread over {@code workers} by row blocks; the sink
     * sees the rows in order, on this thread.
     *
     * @param embedding      the {@code vocab x dim} token embedding
     * @param maxChunkTokens tokens per chunk (a longer sequence is a chunk alone)
     * @param logitBias      added to every row of logits before the softmax, or null
     * @throws IllegalArgumentException for an empty sequence or a token outside the vocabulary
     */
    static void run(ModelArchitecture arch, List<int[]> sequences, float[] embedding, int maxChunkTokens, float[] logitBias,
                           Layers layers, ForwardPass.LogProbSink sink, ForwardPass.InputObserver observer, PassWorkers workers) {
        int vocab = arch.vocabSize();
        for (int i = 0; i < sequences.size(); i++) {
            int[] s = sequences.get(i);
            if (s.length == 0) throw new IllegalArgumentException("sequence " + i + " is empty");
            for (int t : s) if (t < 0 || t >= vocab) throw new IllegalArgumentException("sequence " + i + ": token " + t + " outside vocabulary of " + vocab);
        }
        int[] index = new int[1];
        forEach(sequences, maxChunkTokens, (from, to, n) -> {
            TokenChunk chunk = TokenChunk.embed(sequences, from, to, n, embedding, arch.dim());
            float[] logits = layers.logits(index[0]++, chunk, n, observer);
            logSoftmaxRows(logits, n, vocab, logitBias, workers);
            int[] seqStart = chunk.seqStart();
            for (int s = from; s < to; s++) {
                int r0 = seqStart[s - from];
                int len = seqStart[s - from + 1] - r0;
                for (int p = 0; p < len; p++) sink.accept(s, p, logits, (r0 + p) * vocab);
            }
        });
    }

    /**
     * Turns {@code rows x vocab} logits into log-probabilities in place, after adding {@code logitBias} (or null) to every
     * row, spread over {@code workers} by {@link #rowBlocks}.
     */
    static void logSoftmaxRows(float[] logits, int n, int vocab, float[] logitBias, PassWorkers workers) {
        int[] rows = rowBlocks(n);
        workers.forEach(rows.length - 1, (b, t) -> {
            for (int r = rows[b]; r < rows[b + 1]; r++) {
                int off = r * vocab;
                if (logitBias != null) for (int i = 0; i < vocab; i++) logits[off + i] += logitBias[i];
                ForwardMath.logSoftmax(logits, off, vocab);
            }
        });
    }

    /** Rows per block of a chunk's row-wise steps: at least this many (fewer rows per matrix product run slower). */
    static final int MIN_BLOCK_ROWS = 256;
    /** At most this many row blocks per chunk. */
    static final int MAX_BLOCKS = 16;

    /**
     * The row blocks of a chunk of {@code n} rows: their starts, then the end; {@code n / MIN_BLOCK_ROWS} (1 to
     * {@link #MAX_BLOCKS}) nearly equal blocks. A function of {@code n} alone: a matrix product's rounding depends on its
     * row count, so the blocks, never the threads, must fix a pass's result ({@link PassWorkers}).
     */
    static int[] rowBlocks(int n) {
        int blocks = Math.max(1, Math.min(MAX_BLOCKS, n / MIN_BLOCK_ROWS));
        int[] start = new int[blocks + 1];
        for (int b = 0; b <= blocks; b++) start[b] = (int) ((long) n * b / blocks);
        return start;
    }

    /** Splits {@code sequences} into chunks of at most {@code maxTokens} (a longer sequence is a chunk alone). */
    static void forEach(List<int[]> sequences, int maxTokens, Chunk chunk) {
        int start = 0;
        while (start < sequences.size()) {
            int end = start;
            int tokens = 0;
            while (end < sequences.size() && (end == start || tokens + sequences.get(end).length <= maxTokens)) {
                tokens += sequences.get(end).length;
                end++;
            }
            chunk.run(start, end, tokens);
            start = end;
        }
    }
}
