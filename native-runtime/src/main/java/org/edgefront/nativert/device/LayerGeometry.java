package org.edgefront.nativert.device;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.edgefront.space.model.TensorRole;
import org.edgefront.space.model.TensorSpec;

/**
 * Blocks that differ from one another, and the per-layer extras of Gemma 3n and Gemma 4, as their public config.json
 * states them: an FFN width per block ({@code intermediate_size} as a list, or doubled on the KV-shared blocks by
 * {@code use_double_wide_mlp}); full-attention blocks with wider heads ({@code global_head_dim},
 * {@code num_global_key_value_heads}); the last {@code num_kv_shared_layers} blocks, which read an earlier block's K
 * and V and have no K/V projections; per-layer inputs ({@code hidden_size_per_layer_input}: a table of
 * {@code vocab_size_per_layer_input} x (layers x size) looked up per token, a projection of the hidden state to it, and
 * a gate and projection in every block); Gemma 3n's LAuReL low-rank branch ({@code laurel_rank}) and AltUp streams
 * ({@code altup_num_inputs}). Tensor names are llama.cpp's. Immutable and thread-safe.
 *
 * @param intermediateSizes  FFN width of each block, one per layer
 * @param globalLayers       blocks whose heads are {@code globalHeadDim} wide with {@code globalKvHeads} K/V heads
 *                           (empty: every block has the descriptor's head shape)
 * @param globalHeadDim      head size of those blocks
 * @param globalKvHeads      K/V heads of those blocks
 * @param kvSharedLayers     the last this many blocks reuse an earlier block's KV cache, in [0, layers)
 * @param perLayerInputSize  width of each block's per-layer input (0: none)
 * @param perLayerInputVocab rows of the per-layer input table (ignored when {@code perLayerInputSize} is 0)
 * @param laurelRank         rank of the LAuReL branch in every block (0: none)
 * @param altupInputs        AltUp streams (1: none); the first is the one the blocks run
 */
public record LayerGeometry(List<Integer> intermediateSizes, List<Integer> globalLayers, int globalHeadDim, int globalKvHeads,
                            int kvSharedLayers, int perLayerInputSize, int perLayerInputVocab, int laurelRank, int altupInputs)
        implements java.io.Serializable {
    /** llama.cpp's name of the per-layer input table: a lookup like the token embedding, one row per token. */
    public static final String PER_LAYER_TABLE = "per_layer_token_embd.weight";

    /** @throws IllegalArgumentException naming the field that is out of range */
    public LayerGeometry {
        intermediateSizes = List.copyOf(intermediateSizes);
        globalLayers = List.copyOf(globalLayers);
        int n = intermediateSizes.size();
        if (n < 1) throw new IllegalArgumentException("intermediateSizes: one width per layer, got none");
        for (int w : intermediateSizes) if (w < 1) throw new IllegalArgumentException("intermediateSizes: width " + w + " is not positive");
        Set<Integer> seen = new HashSet<>();
        for (int l : globalLayers) {
            if (l < 0 || l >= n) throw new IllegalArgumentException("globalLayers: layer " + l + " not in [0, " + n + ")");
            if (!seen.add(l)) throw new IllegalArgumentException("globalLayers: layer " + l + " listed twice");
        }
        if (!globalLayers.isEmpty() && (globalHeadDim < 1 || globalKvHeads < 1)) {
            throw new IllegalArgumentException("globalHeadDim/globalKvHeads: must be positive when globalLayers are given");
        }
        if (kvSharedLayers < 0 || kvSharedLayers >= n) throw new IllegalArgumentException("kvSharedLayers: " + kvSharedLayers + " not in [0, " + n + ")");
        if (perLayerInputSize < 0) throw new IllegalArgumentException("perLayerInputSize: negative");
        if (perLayerInputSize > 0 && perLayerInputVocab < 1) throw new IllegalArgumentException("perLayerInputVocab: must be positive");
        if ((long) perLayerInputSize * n > Integer.MAX_VALUE) throw new IllegalArgumentException("perLayerInputSize: layers x size overflows");
        if (laurelRank < 0) throw new IllegalArgumentException("laurelRank: negative");
        if (altupInputs < 1) throw new IllegalArgumentException("altupInputs: must be at least 1");
    }

    /** Number of blocks. */
    public int layers() { return intermediateSizes.size(); }

    /** The widest FFN (activation memory is sized for it). */
    public int maxIntermediateSize() { return intermediateSizes.stream().mapToInt(Integer::intValue).max().orElseThrow(); }

    /** True for the per-layer input table, a lookup read one row per token. */
    public static boolean isLookupTable(TensorSpec t) { return t.name().equals(PER_LAYER_TABLE); }

    /**
     * Every linear tensor of the model in operator order: token embedding, the per-layer input table and projection,
     * AltUp's projections, then per block q, k, v (not on KV-shared blocks), o, gate, up, down, LAuReL's two factors and
     * the per-layer input gate and projection; the LM head when untied. The extras carry role UP: the simulators cost
     * every per-block linear alike, and their names tell llama.cpp's type rules apart ({@code FormatMixes}).
     */
    public List<TensorSpec> tensors(int dim, int heads, int kvHeads, int headDim, int vocab, boolean tied) {
        int n = layers();
        List<TensorSpec> t = new ArrayList<>();
        t.add(new TensorSpec(TensorSpec.canonicalName(TensorRole.EMBEDDING, -1), TensorRole.EMBEDDING, -1, vocab, dim));
        if (perLayerInputSize > 0) {
            int all = perLayerInputSize * n;
            t.add(new TensorSpec(PER_LAYER_TABLE, TensorRole.UP, -1, perLayerInputVocab, all));
            t.add(new TensorSpec("per_layer_model_proj.weight", TensorRole.UP, -1, all, dim));
        }
        if (altupInputs > 1) {
            t.add(new TensorSpec("altup_proj.weight", TensorRole.UP, -1, Math.multiplyExact(altupInputs - 1, dim), dim));
            t.add(new TensorSpec("altup_unembd_proj.weight", TensorRole.UP, -1, Math.multiplyExact(altupInputs - 1, dim), dim));
        }
        Set<Integer> global = new HashSet<>(globalLayers);
        for (int l = 0; l < n; l++) {
            boolean g = global.contains(l);
            int hd = g ? globalHeadDim : headDim, kv = g ? globalKvHeads : kvHeads;
            int q = Math.multiplyExact(heads, hd), kvRows = Math.multiplyExact(kv, hd), ffn = intermediateSizes.get(l);
            t.add(new TensorSpec(TensorSpec.canonicalName(TensorRole.Q, l), TensorRole.Q, l, q, dim));
            if (l < n - kvSharedLayers) {
                t.add(new TensorSpec(TensorSpec.canonicalName(TensorRole.K, l), TensorRole.K, l, kvRows, dim));
                t.add(new TensorSpec(TensorSpec.canonicalName(TensorRole.V, l), TensorRole.V, l, kvRows, dim));
            }
            t.add(new TensorSpec(TensorSpec.canonicalName(TensorRole.O, l), TensorRole.O, l, dim, q));
            t.add(new TensorSpec(TensorSpec.canonicalName(TensorRole.GATE, l), TensorRole.GATE, l, ffn, dim));
            t.add(new TensorSpec(TensorSpec.canonicalName(TensorRole.UP, l), TensorRole.UP, l, ffn, dim));
            t.add(new TensorSpec(TensorSpec.canonicalName(TensorRole.DOWN, l), TensorRole.DOWN, l, dim, ffn));
            if (laurelRank > 0) {
                t.add(new TensorSpec("blk." + l + ".laurel_l.weight", TensorRole.UP, l, laurelRank, dim));
                t.add(new TensorSpec("blk." + l + ".laurel_r.weight", TensorRole.UP, l, dim, laurelRank));
            }
            if (perLayerInputSize > 0) {
                t.add(new TensorSpec("blk." + l + ".inp_gate.weight", TensorRole.UP, l, perLayerInputSize, dim));
                t.add(new TensorSpec("blk." + l + ".proj.weight", TensorRole.UP, l, dim, perLayerInputSize));
            }
        }
        if (!tied) t.add(new TensorSpec(TensorSpec.canonicalName(TensorRole.LM_HEAD, -1), TensorRole.LM_HEAD, -1, vocab, dim));
        return t;
    }
}
