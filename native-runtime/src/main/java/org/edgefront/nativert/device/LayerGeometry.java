package org.edgefront.nativert.device;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.edgefront.nativert.BlockState;
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
 * ({@code altup_num_inputs}). Hybrid models: what mixes each block's tokens ({@link BlockKind}: attention, LFM2's gated
 * short convolution, Qwen3-Next / Qwen3.5's gated delta net), the shapes of those mixers ({@link ShortConvolution},
 * {@link GatedDeltaNet}) and the output gate of Qwen3-Next / Qwen3.5's attention ({@code attn_output_gate}: q projects
 * a sigmoid gate per head beside the queries). Tensor names are llama.cpp's. Immutable and thread-safe.
 *
 * @param intermediateSizes  FFN width of each block, one per layer
 * @param globalLayers       blocks whose heads are {@code globalHeadDim} wide with {@code globalKvHeads} K/V heads
 *                           (empty: every block has the descriptor's head shape)
 * @param globalHeadDim      head size of those blocks (0 when there are none)
 * @param globalKvHeads      K/V heads of those blocks (0 when there are none)
 * @param kvSharedLayers     the last this many blocks reuse an earlier block's KV cache, in [0, layers)
 * @param perLayerInputSize  width of each block's per-layer input (0: none)
 * @param perLayerInputVocab rows of the per-layer input table (ignored when {@code perLayerInputSize} is 0)
 * @param laurelRank         rank of the LAuReL branch in every block (0: none)
 * @param altupInputs        AltUp streams (1: none); the first is the one the blocks run
 * @param blockKinds         the token mixer of each block, one per layer (empty: every block attends)
 * @param shortConvolution   the short-convolution blocks' shape; null exactly when no block is {@link BlockKind#SHORT_CONV}
 * @param gatedDeltaNet      the linear-attention blocks' shape; null exactly when no block is
 *                           {@link BlockKind#LINEAR_ATTENTION}
 * @param attentionOutputGate whether the attention blocks' q projection also yields a per-head output gate (twice the
 *                           rows, llama.cpp's attn_q of Qwen3-Next / Qwen3.5)
 */
public record LayerGeometry(List<Integer> intermediateSizes, List<Integer> globalLayers, int globalHeadDim, int globalKvHeads,
                            int kvSharedLayers, int perLayerInputSize, int perLayerInputVocab, int laurelRank, int altupInputs,
                            List<BlockKind> blockKinds, ShortConvolution shortConvolution, GatedDeltaNet gatedDeltaNet,
                            boolean attentionOutputGate)
        implements java.io.Serializable {
    /** llama.cpp's name of the per-layer input table: a lookup like the token embedding, one row per token. */
    public static final String PER_LAYER_TABLE = "per_layer_token_embd.weight";

    /** @throws IllegalArgumentException naming the field that is out of range */
    public LayerGeometry {
        intermediateSizes = List.copyOf(intermediateSizes);
        globalLayers = List.copyOf(globalLayers);
        if (globalLayers.isEmpty()) { // no full-attention block of its own shape: the shape means nothing, and 0 says so
            globalHeadDim = 0;
            globalKvHeads = 0;
        }
        int n = intermediateSizes.size();
        blockKinds = blockKinds.isEmpty() ? Collections.nCopies(n, BlockKind.ATTENTION) : List.copyOf(blockKinds);
        if (blockKinds.size() != n) throw new IllegalArgumentException("blockKinds: " + blockKinds.size() + " kinds for " + n + " layers");
        // a latent-attention model's blocks are described by its LatentAttention, not by per-layer geometry
        if (blockKinds.contains(BlockKind.LATENT_ATTENTION)) throw new IllegalArgumentException("blockKinds: latent attention is not per-layer geometry");
        if (blockKinds.contains(BlockKind.SHORT_CONV) != (shortConvolution != null)) {
            throw new IllegalArgumentException("shortConvolution: " + (shortConvolution == null ? "needed by the short-convolution blocks"
                    : "given, but no block is a short convolution"));
        }
        if (blockKinds.contains(BlockKind.LINEAR_ATTENTION) != (gatedDeltaNet != null)) {
            throw new IllegalArgumentException("gatedDeltaNet: " + (gatedDeltaNet == null ? "needed by the linear-attention blocks"
                    : "given, but no block is a linear-attention block"));
        }
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
        for (int l : globalLayers) {
            if (!blockKinds.get(l).attends()) throw new IllegalArgumentException("globalLayers: block " + l + " does not attend");
        }
        for (int l = n - kvSharedLayers; l < n; l++) {
            if (!blockKinds.get(l).attends()) throw new IllegalArgumentException("kvSharedLayers: block " + l + " does not attend");
        }
    }

    /** Blocks that all attend (Gemma 3n, Gemma 4): the per-layer shapes and extras only. */
    public LayerGeometry(List<Integer> intermediateSizes, List<Integer> globalLayers, int globalHeadDim, int globalKvHeads,
                         int kvSharedLayers, int perLayerInputSize, int perLayerInputVocab, int laurelRank, int altupInputs) {
        this(intermediateSizes, globalLayers, globalHeadDim, globalKvHeads, kvSharedLayers, perLayerInputSize, perLayerInputVocab,
                laurelRank, altupInputs, List.of(), null, null, false);
    }

    /**
     * A hybrid model (LFM2, Qwen3-Next / Qwen3.5): each block's FFN width and token mixer, the mixers' shapes (null when
     * no block has that kind) and whether attention has an output gate; no per-layer extras.
     *
     * @throws IllegalArgumentException naming the field that is inconsistent
     */
    public static LayerGeometry hybrid(List<Integer> intermediateSizes, List<BlockKind> blockKinds, ShortConvolution shortConvolution,
                                       GatedDeltaNet gatedDeltaNet, boolean attentionOutputGate) {
        return new LayerGeometry(intermediateSizes, List.of(), 1, 1, 0, 0, 0, 0, 1, blockKinds, shortConvolution, gatedDeltaNet,
                attentionOutputGate);
    }

    /** True when some block does not attend (it holds a recurrent state instead of a KV cache). */
    public boolean hybrid() { return !blockKinds.stream().allMatch(BlockKind::attends); }

    /**
     * What each block does besides its linear tensors, for the simulators: empty when every block attends, else one
     * {@link BlockState} per layer, the state of a {@link BlockKind#SHORT_CONV} or {@link BlockKind#LINEAR_ATTENTION}
     * block from its shape.
     *
     * @param dim the residual width (hidden size)
     */
    public List<BlockState> blockStates(int dim) {
        if (!hybrid()) return List.of();
        List<BlockState> out = new ArrayList<>(blockKinds.size());
        for (BlockKind k : blockKinds) {
            out.add(switch (k) {
                case ATTENTION, LATENT_ATTENTION -> BlockState.ATTENTION; // LATENT_ATTENTION: refused by the constructor
                case SHORT_CONV -> new BlockState(k, shortConvolution.stateBytes(dim), shortConvolution.stateOpsPerToken(dim));
                case LINEAR_ATTENTION -> new BlockState(k, gatedDeltaNet.stateBytes(), gatedDeltaNet.stateOpsPerToken());
            });
        }
        return out;
    }

    /** Bytes of one fp32 state element: llama.cpp keeps the recurrent and convolution states in F32. */
    private static final long STATE_ELEMENT_BYTES = 4;

    /**
     * LFM2's gated short convolution (Hugging Face {@code conv_L_cache}, GGUF {@code lfm2.shortconv.l_cache}): an input
     * projection to three streams B, C, x of the residual width, a depthwise causal convolution of {@code kernel} taps
     * over B·x, C times its output, an output projection. The convolution kernel is a tensor like the projections
     * (dim x kernel, kept in F32 by llama.cpp), so its multiply-adds are costed as its GEMV.
     *
     * @param kernel taps of the convolution ({@code L_cache}), at least 2
     */
    public record ShortConvolution(int kernel) implements java.io.Serializable {
        public ShortConvolution {
            if (kernel < 2) throw new IllegalArgumentException("shortConvolution.kernel: at least 2 taps, got " + kernel);
        }

        /** Block {@code layer}'s tensors in operator order: in_proj (3 dim x dim), conv (dim x kernel), out_proj (dim x dim). */
        public List<TensorSpec> tensors(int layer, int dim) {
            String b = "blk." + layer + ".shortconv.";
            return List.of(new TensorSpec(b + "in_proj.weight", TensorRole.UP, layer, Math.multiplyExact(3, dim), dim),
                    new TensorSpec(b + "conv.weight", TensorRole.UP, layer, dim, kernel),
                    new TensorSpec(b + "out_proj.weight", TensorRole.UP, layer, dim, dim));
        }

        /** The convolution window a sequence carries: the last kernel - 1 inputs of every channel, fp32 (llama.cpp's n_embd_r). */
        public long stateBytes(int dim) { return STATE_ELEMENT_BYTES * (kernel - 1) * dim; }

        /** Operations per token beyond the tensors: the two gates, B·x and C·y, one multiply per channel each. */
        public double stateOpsPerToken(int dim) { return 2.0 * dim; }
    }

    /**
     * The gated delta net of Qwen3-Next and Qwen3.5 (Hugging Face {@code linear_num_key_heads},
     * {@code linear_num_value_heads}, {@code linear_key_head_dim}, {@code linear_value_head_dim},
     * {@code linear_conv_kernel_dim}; GGUF {@code ssm.group_count}, {@code ssm.time_step_rank}, {@code ssm.state_size},
     * {@code ssm.inner_size}, {@code ssm.conv_kernel}). Per token: q, k (key heads) and v (value heads) from one
     * projection through a depthwise causal convolution, a gate z, per-head decay and write strength from two small
     * projections (alpha, beta), then for each value head a key x value matrix state is decayed, corrected by the delta
     * rule and read by the query; a gated norm and the output projection follow. Key heads are shared by
     * {@code valueHeads / keyHeads} value heads.
     *
     * @param keyHeads     query/key heads
     * @param valueHeads   value heads, a multiple of the key heads
     * @param keyHeadDim   width of a query/key head
     * @param valueHeadDim width of a value head
     * @param convKernel   taps of the causal convolution over q, k, v, at least 2
     */
    public record GatedDeltaNet(int keyHeads, int valueHeads, int keyHeadDim, int valueHeadDim, int convKernel)
            implements java.io.Serializable {
        public GatedDeltaNet {
            if (keyHeads < 1 || valueHeads < 1 || keyHeadDim < 1 || valueHeadDim < 1) {
                throw new IllegalArgumentException("gatedDeltaNet: heads and head sizes must be positive, got " + keyHeads + "/" + valueHeads
                        + " heads of " + keyHeadDim + "/" + valueHeadDim);
            }
            if (valueHeads % keyHeads != 0) {
                throw new IllegalArgumentException("gatedDeltaNet.valueHeads: " + valueHeads + " is not a multiple of " + keyHeads + " key heads");
            }
            if (convKernel < 2) throw new IllegalArgumentException("gatedDeltaNet.convKernel: at least 2 taps, got " + convKernel);
            if ((long) valueHeads * keyHeadDim * valueHeadDim > Integer.MAX_VALUE || (long) keyHeads * keyHeadDim * 2 + (long) valueHeads * valueHeadDim > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("gatedDeltaNet: heads x head sizes overflow");
            }
        }

        /** Width of all query (or key) heads. */
        public int keyDim() { return keyHeads * keyHeadDim; }

        /** Width of all value heads. */
        public int valueDim() { return valueHeads * valueHeadDim; }

        /** Channels of the causal convolution: q, k and v side by side. */
        public int convChannels() { return 2 * keyDim() + valueDim(); }

        /**
         * Block {@code layer}'s tensors in operator order, as llama.cpp's qwen35 names them: attn_qkv (q, k, v), attn_gate
         * (z), ssm_beta and ssm_alpha (one row per value head), ssm_conv1d (channels x taps, F32), ssm_out. Qwen3-Next's
         * fused in_proj_qkvz / in_proj_ba hold the same weights.
         */
        public List<TensorSpec> tensors(int layer, int dim) {
            String b = "blk." + layer + ".";
            return List.of(new TensorSpec(b + "attn_qkv.weight", TensorRole.UP, layer, convChannels(), dim),
                    new TensorSpec(b + "attn_gate.weight", TensorRole.UP, layer, valueDim(), dim),
                    new TensorSpec(b + "ssm_beta.weight", TensorRole.UP, layer, valueHeads, dim),
                    new TensorSpec(b + "ssm_alpha.weight", TensorRole.UP, layer, valueHeads, dim),
                    new TensorSpec(b + "ssm_conv1d.weight", TensorRole.UP, layer, convChannels(), convKernel),
                    new TensorSpec(b + "ssm_out.weight", TensorRole.UP, layer, dim, valueDim()));
        }

        /**
         * The state a sequence carries, fp32: a key x value matrix per value head (llama.cpp's n_embd_s) and the
         * convolution window, the last convKernel - 1 inputs of every channel (n_embd_r).
         */
        public long stateBytes() {
            return STATE_ELEMENT_BYTES * ((long) valueHeads * keyHeadDim * valueHeadDim + (long) (convKernel - 1) * convChannels());
        }

        /**
         * Operations per token beyond the tensors: per state element, the decay (1), the key's read-out S·k (2), the
         * rank-one delta update (2) and the query's read-out S·q (2).
         */
        public double stateOpsPerToken() { return 7.0 * valueHeads * keyHeadDim * valueHeadDim; }
    }

    /** Number of blocks. */
    public int layers() { return intermediateSizes.size(); }

    /** The widest FFN (activation memory is sized for it). */
    public int maxIntermediateSize() { return intermediateSizes.stream().mapToInt(Integer::intValue).max().orElseThrow(); }

    /** The name of block {@code layer}'s attention output gate: the second half of llama.cpp's attn_q rows. */
    public static String outputGateName(int layer) { return "blk." + layer + ".attn_q_gate.weight"; }

    /** True for the per-layer input table, a lookup read one row per token. */
    public static boolean isLookupTable(TensorSpec t) { return t.name().equals(PER_LAYER_TABLE); }

    /**
     * Every linear tensor of the model in operator order: token embedding, the per-layer input table and projection,
     * AltUp's projections, then per block its token mixer (attention: q, the output gate {@code attn_q_gate} when
     * {@link #attentionOutputGate}, k, v (not on KV-shared blocks), o; a short convolution or gated delta net: its own
     * tensors), gate, up, down, LAuReL's two factors and the per-layer input gate and projection; the LM head when
     * untied. The extras carry role UP: the simulators cost every per-block linear alike, and their names tell
     * llama.cpp's type rules apart ({@code FormatMixes}). llama.cpp stores q and its output gate as one attn_q of twice
     * the rows; they are two tensors here so that the attention itself is costed for the query heads only.
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
            switch (blockKinds.get(l)) {
                case SHORT_CONV -> t.addAll(shortConvolution.tensors(l, dim));
                case LINEAR_ATTENTION -> t.addAll(gatedDeltaNet.tensors(l, dim));
                case ATTENTION, LATENT_ATTENTION -> { // LATENT_ATTENTION: refused by the constructor
                    t.add(new TensorSpec(TensorSpec.canonicalName(TensorRole.Q, l), TensorRole.Q, l, q, dim));
                    if (attentionOutputGate) t.add(new TensorSpec(outputGateName(l), TensorRole.UP, l, q, dim));
                    if (l < n - kvSharedLayers) {
                        t.add(new TensorSpec(TensorSpec.canonicalName(TensorRole.K, l), TensorRole.K, l, kvRows, dim));
                        t.add(new TensorSpec(TensorSpec.canonicalName(TensorRole.V, l), TensorRole.V, l, kvRows, dim));
                    }
                    t.add(new TensorSpec(TensorSpec.canonicalName(TensorRole.O, l), TensorRole.O, l, dim, q));
                }
            }
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
