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
    /**
     * Gemma 3 (text, {@code Gemma3ForCausalLM}, llama.cpp's {@code gemma3}): the token embedding scaled by sqrt(dim), Qwen3's
     * per-head q/k RMSNorm, "sandwich" norms (an RMSNorm on the attention output and on the FFN output before each
     * residual add, besides the pre-norms), a GELU (tanh) gated FFN, an attention scale from {@code query_pre_attn_scalar},
     * sliding-window attention with its own RoPE base on most layers ({@link SlidingWindow}), a head size of its own
     * (256), tied head. Its RMSNorms scale by (1 + w) with w stored in Hugging Face checkpoints: see {@link #hfNormOffset()}.
     */
    GEMMA3,
    /**
     * Gemma 2 ({@code Gemma2ForCausalLM}, llama.cpp's {@code gemma2}): Gemma 3's block without its q/k norms (scaled
     * embedding, sandwich norms, GELU (tanh) gated FFN, tied head, head size of its own), with tanh soft-capping of the
     * attention scores and of the final logits ({@link LogitSoftcaps}), and sliding-window attention on every other layer
     * (layers 0, 2, 4, ... local, at the global RoPE base). Its RMSNorms scale by (1 + w) with w stored in Hugging Face
     * checkpoints, as Gemma 3's.
     */
    GEMMA2,
    /**
     * Phi-3 (dense, {@code Phi3ForCausalLM}, llama.cpp's {@code phi3}; also Phi-3.5 and Phi-4-mini): Llama's block (RMSNorm,
     * RoPE, SiLU-gated FFN, no biases, untied head by default; Phi-4-mini rotates 3/4 of each head,
     * {@link ModelArchitecture#rotaryDims()}), with q|k|v and gate|up each stored stacked by rows in one tensor, in Hugging
     * Face checkpoints and in GGUF files ({@link ModelArchitecture#stackedTensors()}); EdgeFront splits them on read, so
     * each is compressed on its own, and stacks them again on write. Its Hugging Face {@code sliding_window} (2047 for
     * Phi-3-mini-4k) is not applied, as llama.cpp's phi3 loader does not apply it ("Phi SWA is currently disabled"): for
     * sequences longer than the window, EdgeFront agrees with llama.cpp, not with transformers.
     */
    PHI3,
    /**
     * SmolLM3 ({@code SmolLM3ForCausalLM}, llama.cpp's {@code smollm3}): Llama's block, with RoPE left out of every fourth
     * layer (layers 3, 7, 11, ...: "NoPE", transformers' {@code no_rope_layers} from {@code no_rope_layer_interval} 4,
     * llama.cpp's {@code n_no_rope_layer_step} 4, which its loader fixes). Its GGUF holds q/k rows in interleaved pairs,
     * as llama's does.
     */
    SMOLLM3,
    /** Phi-2: parallel attention and MLP, partial rotary, LayerNorm, GELU. */
    PHI2;

    /**
     * Whether llama.cpp's graph for this family rotates halves (NeoX RoPE, {@code LLAMA_ROPE_TYPE_NEOX} in
     * {@code llama_model_rope_type}), so a GGUF stores its q/k rows (and q/k biases and norms) in Hugging Face's
     * rotate-half order; EdgeFront holds them in interleaved pairs, so GGUF readers and writers permute them.
     * False for {@code llama}, whose converter already permuted the rows into interleaved pairs.
     */
    public boolean ggufRotatesHalf() { return this == QWEN2 || this == QWEN3 || this == GEMMA3 || this == GEMMA2 || this == PHI3; }

    /**
     * What a Hugging Face checkpoint's RMSNorm weights lack of the factor they scale by: Gemma 3's {@code Gemma3RMSNorm}
     * computes x_normed * (1 + w), so EdgeFront (like llama.cpp, whose converter adds 1 to every {@code *norm.weight}:
     * {@code Gemma3Model.norm_shift} in conversion/gemma.py, and Gemma2Model's add of 1 to every norm) holds 1 + w, adds this on
     * read and subtracts it on write. 0 for the other families.
     */
    public float hfNormOffset() { return gemma() ? 1f : 0f; }

    /**
     * Whether RoPE rotates q and k in layer {@code layer} (0-based): every layer but SmolLM3's every fourth
     * ({@link #SMOLLM3_NO_ROPE_INTERVAL}), whose attention sees no positions but through the causal mask.
     */
    public boolean rotatesLayer(int layer) { return this != SMOLLM3 || (layer + 1) % SMOLLM3_NO_ROPE_INTERVAL != 0; }

    /** SmolLM3's period of layers without RoPE: layer l has none when (l + 1) % 4 == 0 (llama.cpp's fixed step). */
    public static final int SMOLLM3_NO_ROPE_INTERVAL = 4;

    /** Gemma 2 or Gemma 3: scaled embedding, sandwich norms, GELU (tanh) gate, norms of 1 + w in Hugging Face checkpoints. */
    public boolean gemma() { return this == GEMMA3 || this == GEMMA2; }

    /**
     * The fraction of each q/k head that RoPE rotates unless a checkpoint says otherwise
     * ({@link ModelArchitecture#of}): Phi-2's {@code partial_rotary_factor} 0.4, the only one its Hugging Face reader
     * accepts; 1 for the others, whose readers narrow it where a checkpoint declares partial rotary (Phi-3:
     * {@code partial_rotary_factor}, {@code rope.dimension_count}).
     */
    public double defaultPartialRotaryFactor() { return this == PHI2 ? 0.4 : 1.0; }
}
