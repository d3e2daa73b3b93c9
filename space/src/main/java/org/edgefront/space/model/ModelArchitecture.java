package org.edgefront.space.model;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Shape facts of a decoder-only transformer and the list of its linear tensors.
 * Immutable and thread-safe.
 *
 * @param name           a display name (e.g. {@code stories260K}); synthetic models say so here
 * @param family         architecture family
 * @param dim            hidden size
 * @param hiddenDim      FFN intermediate size
 * @param layers         transformer blocks
 * @param heads          query heads
 * @param kvHeads        key/value heads (grouped-query attention when fewer than heads)
 * @param vocabSize      vocabulary size
 * @param maxSeqLen      maximum context the checkpoint was trained for, in tokens
 * @param tiedEmbeddings true when the LM head shares the embedding matrix (then no separate LM-head tensor)
 * @param normEps        RMSNorm/LayerNorm epsilon
 * @param ropeTheta      RoPE base frequency
 * @param synthetic      true when the weights were generated, not trained (labelled in every output)
 * @param linearTensors  every linear tensor in canonical order: embedding, blocks (q,k,v,o,gate,up,down), LM head
 * @param headDim        size of one attention head; dim / heads for most models, but e.g. Gemma-2 has heads x headDim
 *                       != dim (then q has heads x headDim rows and o as many columns)
 * @param ropeScaling    how RoPE frequencies are stretched beyond the trained context ({@link RopeScaling#NONE} for plain RoPE);
 *                       with a {@link SlidingWindow}, on the global layers only
 * @param slidingWindow  local attention on some layers ({@link SlidingWindow#NONE}: none)
 * @param attentionScale factor on every q.k before the softmax: 1/sqrt(headDim) for most models; Gemma 3's is
 *                       1/sqrt({@code query_pre_attn_scalar})
 * @param rotaryDims     dimensions of each q and k head that RoPE rotates, the first ones of the head; the rest pass
 *                       through unrotated (partial rotary: Phi-2, Phi-4-mini). Even, at most headDim; headDim for most
 *                       models. Hugging Face's {@code partial_rotary_factor} ({@link #rotaryDimsFor(int, double)}), GGUF's
 *                       {@code rope.dimension_count}; RoPE frequencies are those of a head of this width, and LongRoPE has
 *                       one factor per rotated pair
 * @param softcaps       tanh soft-capping of the attention scores and the logits (Gemma 2); {@link LogitSoftcaps#NONE} for none
 */
public record ModelArchitecture(
        String name,
        ArchitectureFamily family,
        int dim,
        int hiddenDim,
        int layers,
        int heads,
        int kvHeads,
        int vocabSize,
        int maxSeqLen,
        boolean tiedEmbeddings,
        double normEps,
        double ropeTheta,
        boolean synthetic,
        List<TensorSpec> linearTensors,
        int headDim,
        RopeScaling ropeScaling,
        SlidingWindow slidingWindow,
        double attentionScale,
        int rotaryDims,
        LogitSoftcaps softcaps) implements java.io.Serializable {

    public ModelArchitecture {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(family, "family");
        Objects.requireNonNull(ropeScaling, "ropeScaling");
        Objects.requireNonNull(slidingWindow, "slidingWindow");
        Objects.requireNonNull(softcaps, "softcaps");
        if (!(attentionScale > 0) || Double.isInfinite(attentionScale)) {
            throw new IllegalArgumentException("architecture " + name + " has attention scale " + attentionScale);
        }
        linearTensors = List.copyOf(linearTensors);
        if (dim < 1 || hiddenDim < 1 || layers < 1 || heads < 1 || kvHeads < 1 || vocabSize < 1 || maxSeqLen < 1) {
            throw new IllegalArgumentException("architecture " + name + " has a non-positive size");
        }
        if (headDim < 1) throw new IllegalArgumentException("architecture " + name + " has head size " + headDim);
        if (heads % kvHeads != 0) throw new IllegalArgumentException("heads " + heads + " not divisible by kv heads " + kvHeads);
        if (rotaryDims < 0 || rotaryDims > headDim || rotaryDims % 2 != 0) {
            throw new IllegalArgumentException("architecture " + name + " rotates " + rotaryDims + " dimensions of heads of " + headDim
                    + " (an even number up to the head size expected)");
        }
        if (ropeScaling.type() == RopeScaling.Type.LONGROPE && ropeScaling.longFactors().size() * 2 != rotaryDims) {
            throw new IllegalArgumentException("architecture " + name + " has " + ropeScaling.longFactors().size()
                    + " LongRoPE factors for " + rotaryDims + " rotated dimensions per head (half as many expected)");
        }
    }

    /**
     * Builds a Llama-family architecture with its canonical tensor list.
     */
    public static ModelArchitecture llama(String name, int dim, int hiddenDim, int layers, int heads, int kvHeads,
                                          int vocabSize, int maxSeqLen, boolean tiedEmbeddings, double normEps,
                                          double ropeTheta, boolean synthetic) {
        return of(name, ArchitectureFamily.LLAMA, dim, hiddenDim, layers, heads, kvHeads, vocabSize, maxSeqLen,
                tiedEmbeddings, normEps, ropeTheta, synthetic);
    }

    /**
     * Builds an architecture of any family with the canonical Llama-style tensor list; head size dim / heads; RoPE on
     * the family's {@link ArchitectureFamily#defaultPartialRotaryFactor()} of each head.
     */
    public static ModelArchitecture of(String name, ArchitectureFamily family, int dim, int hiddenDim, int layers,
                                       int heads, int kvHeads, int vocabSize, int maxSeqLen, boolean tiedEmbeddings,
                                       double normEps, double ropeTheta, boolean synthetic) {
        if (dim < 1 || heads < 1 || kvHeads < 1 || dim % heads != 0) {
            throw new IllegalArgumentException("architecture " + name + ": dim " + dim + " and heads " + heads + " do not fit");
        }
        return of(name, family, dim, hiddenDim, layers, heads, kvHeads, dim / heads, vocabSize, maxSeqLen, tiedEmbeddings,
                normEps, ropeTheta, synthetic);
    }

    /**
     * As {@link #of(String, ArchitectureFamily, int, int, int, int, int, int, int, boolean, double, double, boolean)}
     * with an explicit head size (config.json's {@code head_dim}), for models whose heads x headDim differs from dim.
     * Readers of a checkpoint that declares its rotary width set it with {@link #withRotaryDims}.
     */
    public static ModelArchitecture of(String name, ArchitectureFamily family, int dim, int hiddenDim, int layers,
                                       int heads, int kvHeads, int headDim, int vocabSize, int maxSeqLen, boolean tiedEmbeddings,
                                       double normEps, double ropeTheta, boolean synthetic) {
        if (dim < 1 || heads < 1 || kvHeads < 1 || headDim < 1) {
            throw new IllegalArgumentException("architecture " + name + ": dim " + dim + ", heads " + heads + ", head size " + headDim + " do not fit");
        }
        int qDim = Math.multiplyExact(heads, headDim);
        int kvDim = Math.multiplyExact(kvHeads, headDim);
        List<TensorSpec> t = new ArrayList<>();
        t.add(new TensorSpec(TensorSpec.canonicalName(TensorRole.EMBEDDING, -1), TensorRole.EMBEDDING, -1, vocabSize, dim));
        for (int l = 0; l < layers; l++) {
            t.add(new TensorSpec(TensorSpec.canonicalName(TensorRole.Q, l), TensorRole.Q, l, qDim, dim));
            t.add(new TensorSpec(TensorSpec.canonicalName(TensorRole.K, l), TensorRole.K, l, kvDim, dim));
            t.add(new TensorSpec(TensorSpec.canonicalName(TensorRole.V, l), TensorRole.V, l, kvDim, dim));
            t.add(new TensorSpec(TensorSpec.canonicalName(TensorRole.O, l), TensorRole.O, l, dim, qDim));
            if (family != ArchitectureFamily.PHI2) {
                t.add(new TensorSpec(TensorSpec.canonicalName(TensorRole.GATE, l), TensorRole.GATE, l, hiddenDim, dim));
            }
            t.add(new TensorSpec(TensorSpec.canonicalName(TensorRole.UP, l), TensorRole.UP, l, hiddenDim, dim));
            t.add(new TensorSpec(TensorSpec.canonicalName(TensorRole.DOWN, l), TensorRole.DOWN, l, dim, hiddenDim));
        }
        if (!tiedEmbeddings) {
            t.add(new TensorSpec(TensorSpec.canonicalName(TensorRole.LM_HEAD, -1), TensorRole.LM_HEAD, -1, vocabSize, dim));
        }
        return new ModelArchitecture(name, family, dim, hiddenDim, layers, heads, kvHeads, vocabSize, maxSeqLen,
                tiedEmbeddings, normEps, ropeTheta, synthetic, t, headDim, RopeScaling.NONE, SlidingWindow.NONE, 1.0 / Math.sqrt(headDim),
                defaultRotaryDims(family, headDim), LogitSoftcaps.NONE);
    }

    /**
     * The rotated dimensions per head of a {@code family} model whose checkpoint does not say:
     * {@link ArchitectureFamily#defaultPartialRotaryFactor()} of the head, rounded down to a whole number of pairs (Phi-2's
     * 0.4 of a head that is no multiple of 5, as its pass always has).
     */
    public static int defaultRotaryDims(ArchitectureFamily family, int headDim) {
        return rotaryDimsFor(headDim, family.defaultPartialRotaryFactor()) & ~1;
    }

    /**
     * The rotated dimensions per head that a {@code partial_rotary_factor} gives, as transformers computes them
     * ({@code int(head_dim * partial_rotary_factor)}, truncated; llama.cpp's converter writes the same as
     * {@code rope.dimension_count}). Not checked: callers decide what an odd or zero result means.
     */
    public static int rotaryDimsFor(int headDim, double partialRotaryFactor) {
        return (int) (headDim * partialRotaryFactor);
    }

    /** This architecture with another RoPE scaling rule. */
    public ModelArchitecture withRopeScaling(RopeScaling scaling) {
        return new ModelArchitecture(name, family, dim, hiddenDim, layers, heads, kvHeads, vocabSize, maxSeqLen,
                tiedEmbeddings, normEps, ropeTheta, synthetic, linearTensors, headDim, scaling, slidingWindow, attentionScale, rotaryDims, softcaps);
    }

    /** This architecture with local attention on some layers (Gemma 3). */
    public ModelArchitecture withSlidingWindow(SlidingWindow window) {
        return new ModelArchitecture(name, family, dim, hiddenDim, layers, heads, kvHeads, vocabSize, maxSeqLen,
                tiedEmbeddings, normEps, ropeTheta, synthetic, linearTensors, headDim, ropeScaling, window, attentionScale, rotaryDims, softcaps);
    }

    /** This architecture with another factor on q.k (Gemma 3: 1/sqrt(query_pre_attn_scalar)). */
    public ModelArchitecture withAttentionScale(double scale) {
        return new ModelArchitecture(name, family, dim, hiddenDim, layers, heads, kvHeads, vocabSize, maxSeqLen,
                tiedEmbeddings, normEps, ropeTheta, synthetic, linearTensors, headDim, ropeScaling, slidingWindow, scale, rotaryDims, softcaps);
    }

    /**
     * This architecture with RoPE on the first {@code dims} of each q/k head (even, at most headDim). Set it before a
     * LongRoPE rule, whose factors it sizes.
     */
    public ModelArchitecture withRotaryDims(int dims) {
        return new ModelArchitecture(name, family, dim, hiddenDim, layers, heads, kvHeads, vocabSize, maxSeqLen,
                tiedEmbeddings, normEps, ropeTheta, synthetic, linearTensors, headDim, ropeScaling, slidingWindow, attentionScale, dims, softcaps);
    }

    /** This architecture with tanh soft-capping of the attention scores and logits (Gemma 2). */
    public ModelArchitecture withSoftcaps(LogitSoftcaps caps) {
        return new ModelArchitecture(name, family, dim, hiddenDim, layers, heads, kvHeads, vocabSize, maxSeqLen,
                tiedEmbeddings, normEps, ropeTheta, synthetic, linearTensors, headDim, ropeScaling, slidingWindow, attentionScale, rotaryDims, caps);
    }

    /** Width of the query projection (and the attention output): heads x headDim; equals dim for most models. */
    public int qDim() { return heads * headDim; }

    /** Width of the key (and value) projections: headDim x kvHeads. */
    public int kvDim() { return headDim * kvHeads; }

    /** Parameters in linear tensors (the embedding counted once when tied). */
    public long linearParameterCount() {
        long n = 0;
        for (TensorSpec s : linearTensors) n += s.parameterCount();
        return n;
    }

    /**
     * Parameters in norm weights: two per layer plus the final norm, each of length dim, with {@link #sandwichNorms()}
     * two more per layer of length dim, and with {@link #qkNorm()} two per layer of length headDim.
     */
    public long normParameterCount() {
        return (long) (2 * layers + 1) * dim + (sandwichNorms() ? 2L * layers * dim : 0) + (qkNorm() ? 2L * layers * headDim : 0);
    }

    /** True when q, k and v projections carry biases (Qwen2). */
    public boolean attentionBiases() { return family == ArchitectureFamily.QWEN2; }

    /**
     * True when every query and key head is RMS-normalized (epsilon {@link #normEps()}) after its projection and before
     * RoPE, with one weight vector of length headDim for all q heads and one for all k heads (Qwen3, Gemma 3).
     */
    public boolean qkNorm() { return family == ArchitectureFamily.QWEN3 || family == ArchitectureFamily.GEMMA3; }

    /**
     * True when the attention output and the FFN output are each RMS-normalized (weights {@link #postAttentionNormName},
     * {@link #postFfnNormName}) before being added to the residual stream, besides the pre-norms (Gemma 3's "sandwich").
     */
    public boolean sandwichNorms() { return family.gemma(); }

    /**
     * True when the FFN gate goes through GELU in its tanh approximation (Gemma 3's {@code gelu_pytorch_tanh}; llama.cpp's
     * {@code LLM_FFN_GELU} with {@code LLM_FFN_PAR}) rather than SiLU.
     */
    public boolean geluGate() { return family.gemma(); }

    /**
     * Factor on the token embedding rows as they enter the first block: sqrt(dim) for Gemma 3 (its
     * {@code Gemma3TextScaledWordEmbedding}; llama.cpp's {@code ggml_scale(inpL, sqrtf(n_embd))}), else 1. The tied LM head
     * uses the unscaled embedding.
     */
    public double embeddingScale() { return family.gemma() ? Math.sqrt(dim) : 1.0; }

    /**
     * A weight vector of a Llama-family block or of the final norm: the norms and attention biases, which are small,
     * read whole, and never quantized (stored F32 in a GGUF).
     *
     * @param name      canonical (GGUF) name
     * @param length    number of values
     * @param ropeHeads heads of consecutive values that a rotate-half RoPE layout permutes (a q or k bias: the q or kv
     *                  heads; a q or k norm, shared by all heads: 1), 0 for vectors RoPE does not touch
     */
    public record VectorTensor(String name, int length, int ropeHeads) implements java.io.Serializable { }

    /**
     * Every {@link VectorTensor} of a Llama-family model ({@link ArchitectureFamily#LLAMA}, {@link ArchitectureFamily#QWEN2},
     * {@link ArchitectureFamily#QWEN3}, {@link ArchitectureFamily#GEMMA3}, {@link ArchitectureFamily#PHI3}) in canonical order: per layer the attention norm, the q/k/v biases
     * ({@link #attentionBiases()}), the q/k norms ({@link #qkNorm()}), the post-attention norm ({@link #sandwichNorms()}),
     * the FFN norm and the post-FFN norm ({@link #sandwichNorms()}); then the final norm.
     * (Phi-2's LayerNorm biases and linear biases are its pass's own.)
     */
    public List<VectorTensor> vectorTensors() {
        List<VectorTensor> v = new ArrayList<>();
        for (int l = 0; l < layers; l++) {
            v.add(new VectorTensor(attentionNormName(l), dim, 0));
            if (attentionBiases()) {
                v.add(new VectorTensor(attentionBiasName(TensorRole.Q, l), qDim(), heads));
                v.add(new VectorTensor(attentionBiasName(TensorRole.K, l), kvDim(), kvHeads));
                v.add(new VectorTensor(attentionBiasName(TensorRole.V, l), kvDim(), 0));
            }
            if (qkNorm()) {
                v.add(new VectorTensor(qkNormName(TensorRole.Q, l), headDim, 1));
                v.add(new VectorTensor(qkNormName(TensorRole.K, l), headDim, 1));
            }
            if (sandwichNorms()) v.add(new VectorTensor(postAttentionNormName(l), dim, 0));
            v.add(new VectorTensor(ffnNormName(l), dim, 0));
            if (sandwichNorms()) v.add(new VectorTensor(postFfnNormName(l), dim, 0));
        }
        v.add(new VectorTensor(outputNormName(), dim, 0));
        return List.copyOf(v);
    }

    /**
     * A tensor that checkpoints store as several of this model's linear tensors stacked by rows (Phi-3's fused
     * projections). EdgeFront holds, compresses and evaluates the parts, each on its own; readers split the stack on read
     * and writers stack the parts again. Immutable.
     *
     * @param name      canonical (GGUF) name of the stack: llama.cpp's {@code blk.N.attn_qkv.weight} (q | k | v) or
     *                  {@code blk.N.ffn_up.weight} (gate | up; the same name as its second part's, as llama.cpp's phi3
     *                  loader names the fused tensor)
     * @param parts     the linear tensors it holds, first rows first; all of the same columns
     * @param separable whether llama.cpp also loads the parts as tensors of their own under their canonical names
     *                  (q, k, v: {@code create_tensor_qkv} falls back to attn_q / attn_k / attn_v when attn_qkv is absent;
     *                  Phi-3's gate and up: no, its loader requires ffn_up of 2 x ffn rows)
     */
    public record StackedTensor(String name, List<TensorSpec> parts, boolean separable) implements java.io.Serializable {
        public StackedTensor {
            Objects.requireNonNull(name, "name");
            parts = List.copyOf(parts);
            if (parts.size() < 2) throw new IllegalArgumentException("stack " + name + " of " + parts.size() + " part(s)");
            for (TensorSpec p : parts) {
                if (p.cols() != parts.get(0).cols()) throw new IllegalArgumentException("stack " + name + " mixes columns: " + parts);
            }
        }

        /** Rows of the stack: the parts' rows summed. */
        public int rows() {
            int n = 0;
            for (TensorSpec p : parts) n += p.rows();
            return n;
        }

        /** Columns of every part and of the stack. */
        public int cols() { return parts.get(0).cols(); }

        /** The stack's row where part {@code partName} begins. */
        public int rowOffset(String partName) {
            int r = 0;
            for (TensorSpec p : parts) {
                if (p.name().equals(partName)) return r;
                r += p.rows();
            }
            throw new IllegalArgumentException("no part " + partName + " in stack " + name);
        }
    }

    /**
     * Every {@link StackedTensor} of this model in canonical order, empty for families that store their linear tensors
     * apart. Phi-3 ({@link ArchitectureFamily#PHI3}), per layer: {@code blk.N.attn_qkv.weight} holding q | k | v (Hugging
     * Face's {@code self_attn.qkv_proj}) and {@code blk.N.ffn_up.weight} holding gate | up ({@code mlp.gate_up_proj}, whose
     * first half transformers' Phi3MLP gates and llama.cpp's LLM_FFN_SWIGLU takes as the SiLU input).
     */
    public List<StackedTensor> stackedTensors() {
        if (family != ArchitectureFamily.PHI3) return List.of();
        List<StackedTensor> s = new ArrayList<>();
        for (int l = 0; l < layers; l++) {
            s.add(new StackedTensor("blk." + l + ".attn_qkv.weight", List.of(tensor(TensorSpec.canonicalName(TensorRole.Q, l)),
                    tensor(TensorSpec.canonicalName(TensorRole.K, l)), tensor(TensorSpec.canonicalName(TensorRole.V, l))), true));
            s.add(new StackedTensor(TensorSpec.canonicalName(TensorRole.UP, l), List.of(tensor(TensorSpec.canonicalName(TensorRole.GATE, l)),
                    tensor(TensorSpec.canonicalName(TensorRole.UP, l))), false));
        }
        return List.copyOf(s);
    }

    /** The stack that holds each stacked part, keyed by the part's canonical name (empty when nothing is stacked). */
    public Map<String, StackedTensor> stacksByPart() {
        Map<String, StackedTensor> out = new LinkedHashMap<>();
        for (StackedTensor st : stackedTensors()) for (TensorSpec p : st.parts()) out.put(p.name(), st);
        return out;
    }

    /** Parameters in attention biases: qDim + 2 x kvDim per layer when {@link #attentionBiases()}, else 0. */
    public long biasParameterCount() { return attentionBiases() ? (long) layers * (qDim() + 2L * kvDim()) : 0; }

    /** All parameters (linear plus norms plus attention biases). */
    public long parameterCount() { return linearParameterCount() + normParameterCount() + biasParameterCount(); }

    /** Tensor by canonical name. */
    public TensorSpec tensor(String tensorName) {
        for (TensorSpec s : linearTensors) if (s.name().equals(tensorName)) return s;
        throw new IllegalArgumentException("no tensor named " + tensorName + " in " + name);
    }

    /** Tensors keyed by name, in canonical order. */
    public Map<String, TensorSpec> tensorsByName() {
        Map<String, TensorSpec> m = new LinkedHashMap<>();
        for (TensorSpec s : linearTensors) m.put(s.name(), s);
        return Collections.unmodifiableMap(m);
    }

    /** Canonical names of the norm weight vectors (each of length dim). */
    public static String attentionNormName(int layer) { return "blk." + layer + ".attn_norm.weight"; }

    /** See {@link #attentionNormName(int)}. */
    public static String ffnNormName(int layer) { return "blk." + layer + ".ffn_norm.weight"; }

    /** See {@link #attentionNormName(int)}. */
    public static String outputNormName() { return "output_norm.weight"; }

    /** Canonical name of the norm on a block's attention output ({@link #sandwichNorms()}; llama.cpp's {@code blk.%d.post_attention_norm}). */
    public static String postAttentionNormName(int layer) { return "blk." + layer + ".post_attention_norm.weight"; }

    /** Canonical name of the norm on a block's FFN output ({@link #sandwichNorms()}; llama.cpp's {@code blk.%d.post_ffw_norm}). */
    public static String postFfnNormName(int layer) { return "blk." + layer + ".post_ffw_norm.weight"; }

    /**
     * Canonical name of a per-head q or k norm weight (Qwen3, Gemma 3; llama.cpp's {@code blk.%d.attn_q_norm} /
     * {@code blk.%d.attn_k_norm}), e.g. {@code blk.3.attn_q_norm.weight}; its length is {@link #headDim()}.
     *
     * @param role {@link TensorRole#Q} or {@link TensorRole#K}
     */
    public static String qkNormName(TensorRole role, int layer) {
        if (role != TensorRole.Q && role != TensorRole.K) throw new IllegalArgumentException("no q/k norm for role " + role);
        return "blk." + layer + "." + role.ggufStem() + "_norm.weight";
    }

    /**
     * Canonical name of an attention bias vector (Qwen2), e.g. {@code blk.3.attn_q.bias}; its length is
     * the rows of the matching weight.
     *
     * @param role {@link TensorRole#Q}, {@link TensorRole#K} or {@link TensorRole#V}
     */
    public static String attentionBiasName(TensorRole role, int layer) {
        if (role != TensorRole.Q && role != TensorRole.K && role != TensorRole.V) {
            throw new IllegalArgumentException("no attention bias for role " + role);
        }
        return "blk." + layer + "." + role.ggufStem() + ".bias";
    }
}
