package org.edgefront.nativert;

import java.util.ArrayList;
import java.util.List;
import org.edgefront.space.model.TensorRole;
import org.edgefront.space.model.TensorSpec;

/**
 * Multi-head latent attention (DeepSeek-V2/V3, GLM-4.7-Flash, Kimi, Moonlight, MiniCPM3; config.json {@code q_lora_rank},
 * {@code kv_lora_rank}, {@code qk_nope_head_dim}, {@code qk_rope_head_dim}, {@code v_head_dim}) as llama.cpp runs it (its
 * {@code deepseek2} graph with MLA): every position caches one compressed latent row of {@code kvLoraRank} plus the
 * {@code qkRopeHeadDim} rotary key shared by all heads, the values are a view of the latent, and each head's query is
 * absorbed into the latent space ({@code attn_k_b}) so it scores over the cached rows and mixes the latent values, which
 * {@code attn_v_b} then lifts to the head's value width. Immutable and thread-safe.
 *
 * @param qLoraRank     rank of the query compression ({@code attn_q_a} / {@code attn_q_b}); 0 for a direct
 *                      {@code attn_q} (DeepSeek-V2-Lite: {@code q_lora_rank} null)
 * @param kvLoraRank    latent width of the key/value compression
 * @param qkNopeHeadDim per-head query/key width without rotary position
 * @param qkRopeHeadDim per-head rotary query/key width (one rotary key shared by the heads)
 * @param vHeadDim      per-head value width
 * @param absorbed      true as llama.cpp runs every MLA model it converts today (split {@code attn_k_b} /
 *                      {@code attn_v_b}, the latent cache above); false for a legacy GGUF whose unsplit
 *                      {@code attn_kv_b} makes llama.cpp decompress keys and values into an ordinary per-head cache of
 *                      {@code heads x (qkHeadDim + vHeadDim)} elements per position
 */
public record LatentAttention(int qLoraRank, int kvLoraRank, int qkNopeHeadDim, int qkRopeHeadDim, int vHeadDim, boolean absorbed)
        implements java.io.Serializable {
    /** Latent attention as llama.cpp runs it ({@code absorbed}). */
    public LatentAttention(int qLoraRank, int kvLoraRank, int qkNopeHeadDim, int qkRopeHeadDim, int vHeadDim) {
        this(qLoraRank, kvLoraRank, qkNopeHeadDim, qkRopeHeadDim, vHeadDim, true);
    }

    /** @throws IllegalArgumentException naming the width that is out of range */
    public LatentAttention {
        if (qLoraRank < 0) throw new IllegalArgumentException("q_lora_rank must be >= 0, got " + qLoraRank);
        if (kvLoraRank < 1) throw new IllegalArgumentException("kv_lora_rank must be positive, got " + kvLoraRank);
        if (qkNopeHeadDim < 1) throw new IllegalArgumentException("qk_nope_head_dim must be positive, got " + qkNopeHeadDim);
        if (qkRopeHeadDim < 0) throw new IllegalArgumentException("qk_rope_head_dim must be >= 0, got " + qkRopeHeadDim);
        if (vHeadDim < 1) throw new IllegalArgumentException("v_head_dim must be positive, got " + vHeadDim);
        if ((long) kvLoraRank + qkRopeHeadDim > 1 << 24) throw new IllegalArgumentException("kv_lora_rank + qk_rope_head_dim is too large");
    }

    /** One head's query/key width, {@code qkNopeHeadDim + qkRopeHeadDim}. */
    public int qkHeadDim() { return qkNopeHeadDim + qkRopeHeadDim; }

    /**
     * Elements each position caches per block of {@code heads} heads: the latent and the shared rotary key (the values are
     * a view of the latent); decompressed (not {@code absorbed}), every head's key and value.
     */
    public int cacheRows(int heads) {
        return absorbed ? kvLoraRank + qkRopeHeadDim : Math.multiplyExact(heads, qkHeadDim() + vHeadDim);
    }

    /**
     * The attention operator's query rows in the simulator's measure (4 flops per query row and cached position): each
     * head scores over {@link #cacheRows} of the latent and mixes {@code kvLoraRank} latent values, 2 flops per element
     * each, so {@code heads x (2 kvLoraRank + qkRopeHeadDim) / 2}; decompressed, it scores over its key and mixes its
     * value, {@code heads x (qkHeadDim + vHeadDim) / 2}.
     */
    public double queryRows(int heads) {
        return absorbed ? heads * (2.0 * kvLoraRank + qkRopeHeadDim) / 2.0 : heads * ((double) qkHeadDim() + vHeadDim) / 2.0;
    }

    /**
     * Block {@code layer}'s projections under llama.cpp's names: {@code attn_q_a} and {@code attn_q_b} (or {@code attn_q}),
     * {@code attn_kv_a_mqa} (latent and rotary key), {@code attn_k_b} (per head {@code kvLoraRank x qkNopeHeadDim}, its
     * rows the nope width as llama.cpp stores it) and {@code attn_v_b} (per head {@code vHeadDim x kvLoraRank}), or for a
     * legacy file the unsplit {@code attn_kv_b}, and {@code attn_output}. None has a Q/K/V role: the block's attention is stated ({@link BlockState#latent}), not derived
     * from them; {@code attn_output} is the output role, the rest {@link TensorRole#O} too, told apart by name.
     */
    public List<TensorSpec> tensors(int layer, int hidden, int heads) {
        String b = "blk." + layer + ".";
        int q = Math.multiplyExact(heads, qkHeadDim());
        List<TensorSpec> t = new ArrayList<>(6);
        if (qLoraRank > 0) {
            t.add(new TensorSpec(b + "attn_q_a.weight", TensorRole.O, layer, qLoraRank, hidden));
            t.add(new TensorSpec(b + "attn_q_b.weight", TensorRole.O, layer, q, qLoraRank));
        } else {
            t.add(new TensorSpec(b + "attn_q.weight", TensorRole.O, layer, q, hidden));
        }
        t.add(new TensorSpec(b + "attn_kv_a_mqa.weight", TensorRole.O, layer, kvLoraRank + qkRopeHeadDim, hidden));
        if (absorbed) {
            t.add(new TensorSpec(b + "attn_k_b.weight", TensorRole.O, layer, Math.multiplyExact(heads, kvLoraRank), qkNopeHeadDim));
            t.add(new TensorSpec(b + "attn_v_b.weight", TensorRole.O, layer, Math.multiplyExact(heads, vHeadDim), kvLoraRank));
        } else {
            t.add(new TensorSpec(b + "attn_kv_b.weight", TensorRole.O, layer, Math.multiplyExact(heads, qkNopeHeadDim + vHeadDim), kvLoraRank));
        }
        t.add(new TensorSpec(TensorSpec.canonicalName(TensorRole.O, layer), TensorRole.O, layer, hidden, Math.multiplyExact(heads, vHeadDim)));
        return t;
    }

    /** True for a tensor {@link #tensors} names other than {@code attn_output}: llama.cpp's quantizer has no rule of its own for them. */
    public static boolean isLatentProjection(TensorSpec t) {
        String n = t.name();
        return n.endsWith(".attn_q_a.weight") || n.endsWith(".attn_q_b.weight") || n.endsWith(".attn_kv_a_mqa.weight")
                || n.endsWith(".attn_k_b.weight") || n.endsWith(".attn_v_b.weight");
    }
}
