package org.edgefront.nativert;

/**
 * Peak resident memory of one candidate, bytes. Immutable.
 *
 * @param weightBytes     exact stored bytes of every linear tensor (blocks with scales, sparsity metadata, factors)
 * @param kvCacheBytes    K and V cache at the full context of the blocks that attend: 2 x layers x context x kvDim x
 *                        kvBits / 8 for a transformer
 * @param stateBytes      the recurrent state of a hybrid model's blocks that do not attend ({@link BlockState}): fixed per
 *                        sequence, whatever the context; 0 for a transformer
 * @param activationBytes fp32 working buffers of one prefill ubatch (see the reference simulator's {@code MemoryModel})
 * @param runtimeBytes    engine fixed bytes plus fp32 norm weights
 */
public record MemoryBreakdown(long weightBytes, long kvCacheBytes, long stateBytes, long activationBytes, long runtimeBytes)
        implements java.io.Serializable {
    /** A model without recurrent state. */
    public MemoryBreakdown(long weightBytes, long kvCacheBytes, long activationBytes, long runtimeBytes) {
        this(weightBytes, kvCacheBytes, 0L, activationBytes, runtimeBytes);
    }

    /** The sum of all parts, bytes. */
    public long totalBytes() { return weightBytes + kvCacheBytes + stateBytes + activationBytes + runtimeBytes; }
}
