package org.edgefront.evaluators.quality;

import org.edgefront.space.model.ModelArchitecture;

/**
 * What every pass's incremental decoder ({@link ForwardPass#decoder}) shares: the group's key/value cache (per layer,
 * per sequence and KV head, {@code headDim x capacity} floats in the layout its pass's attention reads), the checks,
 * and a step that embeds one token per sequence, runs the pass's chunk over them (row r = sequence r at position
 * {@link #length}) and turns the logits into log-probabilities. The pass supplies the chunk ({@link #chunkLogits}),
 * which stores each layer's keys and values and attends over the cached ones. Owned by one thread; {@link #close()}
 * returns its scratch buffers.
 */
abstract class CachedDecoder implements ForwardPass.Decoder {
    final ModelArchitecture arch;
    final int sequences;
    final int capacity;
    final float[][][] keys;
    final float[][][] values;
    /** Positions every sequence holds. */
    int length;
    final NdScratch nd;
    private final float[] embedding;
    private final float[] logitBias;
    private final PassWorkers workers;
    private boolean closed;

    /**
     * @param embedding the pass's token embedding ({@code vocab x dim})
     * @param logitBias the pass's bias added to the logits before the softmax (a pruned vocabulary), or null
     */
    CachedDecoder(ModelArchitecture arch, int sequences, int capacity, float[] embedding, float[] logitBias, PassWorkers workers,
                  ScratchPool scratch) {
        requireShape(arch, sequences, capacity);
        this.arch = arch;
        this.sequences = sequences;
        this.capacity = capacity;
        this.embedding = embedding;
        this.logitBias = logitBias;
        this.workers = workers;
        int slots = sequences * arch.kvHeads();
        int size = arch.headDim() * capacity;
        this.keys = new float[arch.layers()][slots][size];
        this.values = new float[arch.layers()][slots][size];
        this.nd = scratch.acquire();
    }

    /** The refusals every decoder makes before allocating its cache. */
    static void requireShape(ModelArchitecture arch, int sequences, int maxTokens) {
        if (sequences < 1) throw new IllegalArgumentException("sequences must be >= 1, got " + sequences);
        if (maxTokens < 1 || maxTokens > arch.maxSeqLen()) {
            throw new IllegalArgumentException("maxTokens must be in [1, " + arch.maxSeqLen() + "], got " + maxTokens);
        }
    }

    /** The logits ({@code sequences x vocab}, an array of {@link #nd}) of one decoding chunk, storing its keys and values. */
    abstract float[] chunkLogits(TokenChunk chunk);

    @Override
    public final float[] step(int[] tokens) {
        if (closed) throw new IllegalStateException("decoder closed");
        if (tokens.length != sequences) throw new IllegalArgumentException(tokens.length + " tokens for " + sequences + " sequences");
        if (length >= capacity) throw new IllegalStateException("the sequences already hold " + capacity + " tokens");
        int dim = arch.dim();
        int vocab = arch.vocabSize();
        float[] x = new float[sequences * dim];
        int[] seqStart = new int[sequences + 1];
        int[] positions = new int[sequences];
        for (int r = 0; r < sequences; r++) {
            int t = tokens[r];
            if (t < 0 || t >= vocab) throw new IllegalArgumentException("sequence " + r + ": token " + t + " outside vocabulary of " + vocab);
            System.arraycopy(embedding, t * dim, x, r * dim, dim);
            seqStart[r + 1] = r + 1;
            positions[r] = length;
        }
        float[] logits = chunkLogits(new TokenChunk(x, seqStart, positions, length + 1));
        ChunkRunner.logSoftmaxRows(logits, sequences, vocab, logitBias, workers);
        length++;
        return logits;
    }

    @Override
    public final int length() { return length; }

    @Override
    public final void close() {
        if (closed) return;
        closed = true;
        nd.close();
    }
}
