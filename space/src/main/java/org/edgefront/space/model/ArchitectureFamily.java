package org.edgefront.space.model;

/** Transformer families the forward pass and loaders understand. */
public enum ArchitectureFamily {
    /** Llama, Mistral, SmolLM: RMSNorm, RoPE, GQA, SwiGLU, no biases. */
    LLAMA,
    /** Qwen2: Llama plus q/k/v biases. */
    QWEN2,
    /**
     * Qwen3 (dense): Llama plus a per-head RMSNorm on q and on k (one weight vector of head size each, shared by all
     * heads) between the projections and RoPE; no biases; often an explicit head size with heads x headDim != dim.
     */
    QWEN3,
    /** Phi-2: parallel attention and MLP, partial rotary, LayerNorm, GELU. */
    PHI2;

    /**
     * Whether llama.cpp's graph for this family rotates halves (NeoX RoPE, {@code LLAMA_ROPE_TYPE_NEOX} in
     * {@code llama_model_rope_type}), so a GGUF stores its q/k rows (and q/k biases and norms) in Hugging Face's
     * rotate-half order; EdgeFront holds them in interleaved pairs, so GGUF readers and writers permute them.
     * False for {@code llama}, whose converter already permuted the rows into interleaved pairs.
     */
    public boolean ggufRotatesHalf() { return this == QWEN2 || this == QWEN3; }
}
