package org.edgefront.nativert;

import java.util.Objects;
import org.edgefront.nativert.device.BlockKind;

/**
 * What one block does besides running its linear tensors ({@code ef_block}, {@code EF_WIRE_BLOCK}): whether it attends
 * over a KV cache, or holds a fixed per-sequence state that each token reads, updates and writes back (a hybrid model's
 * convolution and linear-attention blocks, {@link org.edgefront.nativert.device.LayerGeometry}). Immutable.
 *
 * @param kind             the block's token mixer
 * @param stateBytes       state the block holds per sequence, bytes: 0 for attention, positive otherwise
 * @param stateOpsPerToken operations per token of the state update, beyond the block's linear tensors: 0 for attention
 */
public record BlockState(BlockKind kind, long stateBytes, double stateOpsPerToken) implements java.io.Serializable {
    /** A block that attends. */
    public static final BlockState ATTENTION = new BlockState(BlockKind.ATTENTION, 0, 0.0);

    /** @throws IllegalArgumentException when an attention block has state, another kind none, or a number is negative */
    public BlockState {
        Objects.requireNonNull(kind, "kind");
        if (stateBytes < 0 || !(stateOpsPerToken >= 0) || Double.isInfinite(stateOpsPerToken)) {
            throw new IllegalArgumentException("block state " + stateBytes + " bytes, " + stateOpsPerToken + " ops per token");
        }
        if (kind.attends() && (stateBytes != 0 || stateOpsPerToken != 0)) {
            throw new IllegalArgumentException("an attention block holds no state, got " + stateBytes + " bytes");
        }
        if (!kind.attends() && stateBytes == 0) throw new IllegalArgumentException("a " + kind + " block holds a state, got 0 bytes");
    }
}
