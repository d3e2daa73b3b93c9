package org.edgefront.space.model;

/** Transformer families the forward pass and loaders understand. */
public enum ArchitectureFamily {
    /** Llama, Mistral, SmolLM: RMSNorm, RoPE, GQA, SwiGLU, no biases. */
    LLAMA,
    /** Qwen2: Llama plus q/k/v biases. */
    QWEN2,
    /** Phi-2: parallel attention and MLP, partial rotary, LayerNorm, GELU. */
    PHI2
}
