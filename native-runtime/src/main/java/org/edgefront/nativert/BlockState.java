package org.edgefront.nativert;

import java.util.List;
import java.util.Objects;
import org.edgefront.nativert.device.BlockKind;
import org.edgefront.space.model.SlidingWindow;

/**
 * What one block does besides running its linear tensors ({@code ef_block}, {@code EF_WIRE_BLOCK}): whether it attends
 * over a KV cache, or holds a fixed per-sequence state that each token reads, updates and writes back (a hybrid model's
 * convolution and linear-attention blocks, {@link org.edgefront.nativert.device.LayerGeometry}), or attends over a latent
 * cache whose rows it states ({@link LatentAttention}). Immutable.
 *
 * @param kind             the block's token mixer
 * @param stateBytes       state the block holds per sequence, bytes: 0 for attention, positive otherwise
 * @param stateOpsPerToken operations per token of the state update, beyond the block's linear tensors: 0 for attention
 * @param cacheRows        latent attention: elements cached per position (and read by the attention operator); 0 otherwise
 * @param queryRows        latent attention: query rows of the attention operator (4 flops per row and cached position); 0
 *                         otherwise
 * @param windowTokens     an attending block's sliding window in tokens (it reads and caches at most that many positions,
 *                         its cache also one micro-batch more, as llama.cpp's iSWA cache); 0 for the whole context and for
 *                         a block that does not attend
 */
public record BlockState(BlockKind kind, long stateBytes, double stateOpsPerToken, int cacheRows, double queryRows, int windowTokens)
        implements java.io.Serializable {
    /** A block that attends, its attention shaped by its Q/K/V tensors. */
    public static final BlockState ATTENTION = new BlockState(BlockKind.ATTENTION, 0, 0.0);

    /** @throws IllegalArgumentException when an attention block has state, another kind none, or a number is out of range */
    public BlockState {
        Objects.requireNonNull(kind, "kind");
        if (stateBytes < 0 || !(stateOpsPerToken >= 0) || Double.isInfinite(stateOpsPerToken)) {
            throw new IllegalArgumentException("block state " + stateBytes + " bytes, " + stateOpsPerToken + " ops per token");
        }
        if (kind.attends() && (stateBytes != 0 || stateOpsPerToken != 0)) {
            throw new IllegalArgumentException("an attention block holds no state, got " + stateBytes + " bytes");
        }
        if (!kind.attends() && stateBytes == 0) throw new IllegalArgumentException("a " + kind + " block holds a state, got 0 bytes");
        boolean latent = kind == BlockKind.LATENT_ATTENTION;
        if (latent && (cacheRows < 1 || !(queryRows >= 1) || Double.isInfinite(queryRows))) {
            throw new IllegalArgumentException("a latent-attention block states positive cache and query rows, got " + cacheRows + " and " + queryRows);
        }
        if (!latent && (cacheRows != 0 || queryRows != 0)) {
            throw new IllegalArgumentException("only a latent-attention block states cache and query rows, got " + cacheRows + " and " + queryRows);
        }
        if (windowTokens < 0 || (windowTokens > 0 && !kind.attends())) {
            throw new IllegalArgumentException("a sliding window of " + windowTokens + " tokens on a " + kind + " block");
        }
    }

    /** A block without a sliding window. */
    public BlockState(BlockKind kind, long stateBytes, double stateOpsPerToken, int cacheRows, double queryRows) {
        this(kind, stateBytes, stateOpsPerToken, cacheRows, queryRows, 0);
    }

    /** This block attending within {@code tokens} (0: the whole context). */
    public BlockState withWindow(int tokens) {
        return new BlockState(kind, stateBytes, stateOpsPerToken, cacheRows, queryRows, tokens);
    }

    /**
     * Positions a decode step of this block reads, averaged over {@code generated} tokens after a {@code prompt}: token i
     * attends to {@code prompt + i + 1} positions, or to its window (the C simulator's {@code decode_positions}).
     */
    public double decodePositions(int prompt, int generated) {
        return sumMin(prompt + 1.0, (double) prompt + generated, windowTokens) / generated;
    }

    /** Query-key pairs of a prefill of {@code prompt} tokens: query t sees {@code min(t, window)} keys. */
    public double prefillPairs(int prompt) { return sumMin(1.0, prompt, windowTokens); }

    /** Positions a prefill micro-batch re-reads from the cache: the prompt written so far, at most the window. */
    public double prefillRereadPositions(int prompt) { return windowTokens > 0 && windowTokens < prompt ? windowTokens : prompt; }

    /** Positions this block's cache holds for a {@code context}: the window and one micro-batch of {@code ubatch}, at most the context. */
    public long heldPositions(int context, double ubatch) {
        return windowTokens > 0 && windowTokens + ubatch < context ? (long) (windowTokens + ubatch) : context;
    }

    /**
     * The blocks {@code kinds} with the local ones of {@code window} ({@link SlidingWindow#isLocal}) that attend within it;
     * {@code kinds} itself without a window.
     */
    public static List<BlockState> windowed(List<BlockState> kinds, SlidingWindow window) {
        if (window.tokens() == 0) return kinds;
        List<BlockState> out = new java.util.ArrayList<>(kinds.size());
        for (int l = 0; l < kinds.size(); l++) {
            BlockState b = kinds.get(l);
            out.add(window.isLocal(l) && b.kind().attends() ? b.withWindow(window.tokens()) : b);
        }
        return out;
    }

    /** Sum of {@code min(n, w)} over {@code n = a..b} ({@code a <= b}); no window when {@code w <= 0}. */
    private static double sumMin(double a, double b, double w) {
        if (w <= 0 || w >= b) return (a + b) * (b - a + 1.0) / 2.0;
        if (w <= a) return w * (b - a + 1.0);
        return (a + w) * (w - a + 1.0) / 2.0 + w * (b - w);
    }

    /** A block that is not latent attention: {@code stateBytes} and {@code stateOpsPerToken} as above. */
    public BlockState(BlockKind kind, long stateBytes, double stateOpsPerToken) {
        this(kind, stateBytes, stateOpsPerToken, 0, 0.0);
    }

    /** A latent-attention block caching {@code cacheRows} elements per position, its attention of {@code queryRows}. */
    public static BlockState latent(int cacheRows, double queryRows) {
        return new BlockState(BlockKind.LATENT_ATTENTION, 0, 0.0, cacheRows, queryRows, 0);
    }
}
