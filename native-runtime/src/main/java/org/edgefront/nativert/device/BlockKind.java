package org.edgefront.nativert.device;

import java.util.Locale;

/**
 * What mixes a block's tokens: attention over a KV cache, or a recurrence whose state does not grow with the context
 * (the {@code ef_block_kind} of the C simulator, same ids). Hybrid models mix kinds per layer ({@link LayerGeometry}).
 */
public enum BlockKind {
    /** Softmax attention over the block's (or a shared) KV cache; every transformer block. */
    ATTENTION(0, "attn_kv"),
    /**
     * LFM2's gated short convolution: an input projection to three streams (gate B, gate C, values x), a depthwise causal
     * convolution of {@code L_cache} taps over B·x and an output projection of C times the result; its state is the
     * last {@code L_cache - 1} inputs of the convolution.
     */
    SHORT_CONV(1, "shortconv_state"),
    /**
     * Qwen3-Next / Qwen3.5's gated delta net: q, k, v through a short causal convolution, then a per-head matrix state
     * (key x value head size) decayed, updated by the delta rule and read by the query every token.
     */
    LINEAR_ATTENTION(2, "ssm_state"),
    /**
     * Multi-head latent attention (DeepSeek-V2/V3, GLM-4.7-Flash, Kimi, Moonlight; {@link org.edgefront.nativert.LatentAttention}):
     * attention over a cache of one compressed latent row per position, shared by every head, as llama.cpp runs it.
     */
    LATENT_ATTENTION(3, "attn_kv");

    private final int wireId;
    private final String opName;

    BlockKind(int wireId, String opName) {
        this.wireId = wireId;
        this.opName = opName;
    }

    /** The {@code ef_block_kind} id. */
    public int wireId() { return wireId; }

    /** True for a block with attention and a KV cache. */
    public boolean attends() { return this == ATTENTION || this == LATENT_ATTENTION; }

    /** The name of the block's per-layer operator in a breakdown ({@code blk.N.<name>}): its attention or its state update. */
    public String opName() { return opName; }

    /**
     * The kind of one Hugging Face {@code layer_types} entry: {@code full_attention}, {@code sliding_attention} and
     * {@code attention} attend; {@code conv} (LFM2) is a short convolution; {@code linear_attention} (Qwen3-Next,
     * Qwen3.5) a gated delta net.
     *
     * @throws IllegalArgumentException naming the entry when it is none of these
     */
    public static BlockKind ofLayerType(String layerType) {
        return switch (layerType.trim().toLowerCase(Locale.ROOT)) {
            case "full_attention", "sliding_attention", "attention" -> ATTENTION;
            case "conv", "short_conv" -> SHORT_CONV;
            case "linear_attention" -> LINEAR_ATTENTION;
            default -> throw new IllegalArgumentException("layer type '" + layerType
                    + "' is none of full_attention, sliding_attention, conv, linear_attention");
        };
    }
}
