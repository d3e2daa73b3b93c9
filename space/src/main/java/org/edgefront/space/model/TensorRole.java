package org.edgefront.space.model;

/** What a linear (weight-matrix) tensor does in a transformer. */
public enum TensorRole {
    EMBEDDING("token_embd"),
    Q("attn_q"),
    K("attn_k"),
    V("attn_v"),
    O("attn_output"),
    GATE("ffn_gate"),
    UP("ffn_up"),
    DOWN("ffn_down"),
    LM_HEAD("output");

    private final String ggufStem;

    TensorRole(String ggufStem) { this.ggufStem = ggufStem; }

    /** The llama.cpp/GGUF name stem, e.g. {@code attn_q} in {@code blk.3.attn_q.weight}. */
    public String ggufStem() { return ggufStem; }

    /** True for roles that belong to a transformer block (have a layer index). */
    public boolean perLayer() { return this != EMBEDDING && this != LM_HEAD; }
}
