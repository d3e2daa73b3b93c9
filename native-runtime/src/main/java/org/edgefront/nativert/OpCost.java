package org.edgefront.nativert;

/**
 * Cost of one operator of one decode step (at the mean decode context). Immutable.
 *
 * @param name         tensor name, or {@code blk.N.attn_kv} for layer N's attention over the KV cache, or for a hybrid
 *                     model's other blocks {@code blk.N.shortconv_state} / {@code blk.N.ssm_state}, the update of its state
 * @param bytes        bytes moved to/from DRAM
 * @param flops        operations: 2 per multiply-add plus dequantization and index decoding
 * @param timeSeconds  roofline time plus fixed overhead
 * @param energyJoules dynamic energy plus static power over the op's time
 * @param bound        what limits it
 */
public record OpCost(String name, double bytes, double flops, double timeSeconds, double energyJoules, Bound bound)
        implements java.io.Serializable {
    /** What limits an operator. */
    public enum Bound { MEMORY, COMPUTE, OVERHEAD }
}
