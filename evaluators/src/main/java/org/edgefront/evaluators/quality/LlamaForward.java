package org.edgefront.evaluators.quality;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.edgefront.evaluators.compress.CalibrationStats;
import org.edgefront.space.model.ArchitectureFamily;
import org.edgefront.space.model.ModelArchitecture;
import org.edgefront.space.model.ModelWeights;
import org.edgefront.space.model.TensorRole;
import org.edgefront.space.model.TensorSpec;
import org.bytedeco.javacpp.FloatPointer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.broadcast.BroadcastAddOp;
import org.nd4j.linalg.api.ops.impl.transforms.custom.SoftMax;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The forward pass of a Llama-family decoder (Llama, Mistral, SmolLM, llama2.c checkpoints; Qwen2 with its
 * q/k/v biases) over whole sequences at once, like a prefill: RMSNorm (eps from the architecture), RoPE with base
 * {@code ropeTheta} on consecutive pairs (2i, 2i+1) within each head (llama2.c's convention; loaders
 * permute Hugging Face q/k rows into it), grouped-query attention with a causal mask, SwiGLU FFN, tied or
 * untied LM head. Activations are float32. Phi-2 models ({@link ArchitectureFamily#PHI2}) are delegated to a
 * separate pass with the same interface ({@link PhiForward}: parallel attention and MLP, LayerNorm, GELU, biases,
 * partial rotary).
 *
 * <p>Speed: several sequences are concatenated into one token matrix so each linear layer is one ND4J
 * GEMM per chunk (q/k/v fused, gate/up fused); norms, RoPE, SiLU and softmax are Java loops over the chunk
 * with a polynomial exponential ({@link #expNonPositive(float)}, relative error below 5e-7). Causal attention
 * runs per sequence: scalar loops over transposed keys and values below 256 tokens, two batched ND4J
 * products with an additive causal mask and ND4J's softmax from 256 tokens on. Chunks hold at most 8,192
 * tokens and 16 Mi logits, which bounds the buffers.
 *
 * <p>Ownership and thread-safety: immutable after construction; weight matrices live in ND4J off-heap
 * buffers released by ND4J's garbage-collection-driven deallocator (no close needed). Instances may be used
 * from several threads, but ND4J's own threading is what parallelizes a call.
 */
public final class LlamaForward {
    /** Receives next-token log-probabilities. */
    @FunctionalInterface
    public interface LogProbSink {
        /**
         * @param sequence index of the sequence in the list passed to {@link #logProbs(List, LogProbSink)}
         * @param position position within that sequence: the distribution is over the token after it
         * @param logProbs natural-log probabilities at {@code logProbs[offset .. offset + vocab)}; valid only
         *                 during the call (the buffer is reused)
         * @param offset   start of this position's row
         */
        void accept(int sequence, int position, float[] logProbs, int offset);
    }

    /**
     * Sees the activations entering linear tensors during a pass (calibration statistics: Wanda norms, GPTQ
     * Hessians). Called once per chunk and input site, in layer order.
     */
    @FunctionalInterface
    public interface InputObserver {
        /**
         * @param tensorNames canonical names of the linear tensors that all take this input (q/k/v share one)
         * @param x           the inputs, {@code rows x width} row-major; valid only during the call (reused)
         * @param rows        tokens in this chunk
         * @param width       input features (the tensors' cols)
         */
        void accept(List<String> tensorNames, float[] x, int rows, int width);
    }

    private static final int DEFAULT_MAX_CHUNK_TOKENS = 8192;
    private static final int DEFAULT_BATCHED_ATTENTION_MIN_TOKENS = 256;
    /** Bound on the float logits of one chunk (64 MiB). */
    private static final long MAX_CHUNK_LOGITS = 16L << 20;

    private final ModelArchitecture arch;
    private final Map<String, float[]> tensors;
    private final INDArray[] wqkv;
    private final INDArray[] wo;
    private final INDArray[] w13;
    private final INDArray[] w2;
    private final INDArray lmHead;
    private final float[] embedding;
    private final float[][] qkvBias;
    private final float[][] attnNorm;
    private final float[][] ffnNorm;
    private final float[] outNorm;
    private final int maxChunkTokens;
    /** Added to the logits before the softmax (0 for kept tokens, -inf for pruned vocabulary); null for none. */
    private final float[] logitBias;
    /** The Phi-2 pass every call is delegated to, or null for Llama and Qwen2. */
    private final PhiForward phi;
    /** Sequences at least this long use the batched ND4J attention; shorter ones the scalar loops. */
    private final int batchedAttentionMinTokens;

    private LlamaForward(ModelArchitecture arch, Map<String, float[]> tensors, LlamaForward base, Map<String, float[]> changed,
                         int batchedAttentionMinTokens, float[] logitBias) {
        this.arch = arch;
        this.logitBias = logitBias;
        this.phi = null;
        this.tensors = tensors;
        int layers = arch.layers();
        this.wqkv = new INDArray[layers];
        this.wo = new INDArray[layers];
        this.w13 = new INDArray[layers];
        this.w2 = new INDArray[layers];
        this.attnNorm = new float[layers][];
        this.qkvBias = new float[layers][];
        this.ffnNorm = new float[layers][];
        int dim = arch.dim();
        int kv = arch.kvDim();
        int hid = arch.hiddenDim();
        for (int l = 0; l < layers; l++) {
            String q = name(TensorRole.Q, l);
            String k = name(TensorRole.K, l);
            String v = name(TensorRole.V, l);
            String o = name(TensorRole.O, l);
            String g = name(TensorRole.GATE, l);
            String u = name(TensorRole.UP, l);
            String d = name(TensorRole.DOWN, l);
            boolean reuse = base != null;
            wqkv[l] = reuse && !any(changed, q, k, v) ? base.wqkv[l]
                    : matrix(concat(get(q, dim * dim), get(k, kv * dim), get(v, kv * dim)), dim + 2 * kv, dim);
            wo[l] = reuse && !any(changed, o) ? base.wo[l] : matrix(get(o, dim * dim), dim, dim);
            w13[l] = reuse && !any(changed, g, u) ? base.w13[l] : matrix(concat(get(g, hid * dim), get(u, hid * dim)), 2 * hid, dim);
            w2[l] = reuse && !any(changed, d) ? base.w2[l] : matrix(get(d, dim * hid), dim, hid);
            attnNorm[l] = get(ModelArchitecture.attentionNormName(l), dim);
            if (arch.attentionBiases()) {
                qkvBias[l] = concat(get(ModelArchitecture.attentionBiasName(TensorRole.Q, l), dim),
                        get(ModelArchitecture.attentionBiasName(TensorRole.K, l), kv),
                        get(ModelArchitecture.attentionBiasName(TensorRole.V, l), kv));
            }
            ffnNorm[l] = get(ModelArchitecture.ffnNormName(l), dim);
        }
        outNorm = get(ModelArchitecture.outputNormName(), dim);
        String emb = name(TensorRole.EMBEDDING, -1);
        embedding = get(emb, arch.vocabSize() * dim);
        String head = arch.tiedEmbeddings() ? emb : name(TensorRole.LM_HEAD, -1);
        lmHead = base != null && !any(changed, head) ? base.lmHead : matrix(get(head, arch.vocabSize() * dim), arch.vocabSize(), dim);
        this.batchedAttentionMinTokens = batchedAttentionMinTokens;
        maxChunkTokens = (int) Math.max(1, Math.min(DEFAULT_MAX_CHUNK_TOKENS, MAX_CHUNK_LOGITS / arch.vocabSize()));
    }

    /** A pass that delegates to a Phi-2 pass (no Llama matrices built). */
    private LlamaForward(ModelArchitecture arch, Map<String, float[]> tensors, PhiForward phi, int batchedAttentionMinTokens) {
        this.arch = arch;
        this.tensors = tensors;
        this.phi = phi;
        this.logitBias = null;
        this.wqkv = null;
        this.wo = null;
        this.w13 = null;
        this.w2 = null;
        this.lmHead = null;
        this.embedding = null;
        this.qkvBias = null;
        this.attnNorm = null;
        this.ffnNorm = null;
        this.outNorm = null;
        this.maxChunkTokens = 0;
        this.batchedAttentionMinTokens = batchedAttentionMinTokens;
    }

    /**
     * A Phi-family pass (parallel attention and MLP, LayerNorm, GELU, biases; see {@link PhiForward}'s tensor
     * names) with rotary embedding on the first {@code rotaryDims} of each head ({@link #of} uses Phi-2's
     * partial rotary factor 0.4; Phi-1.5 needs {@code headDim / 2}).
     */
    public static LlamaForward phi(ModelArchitecture arch, Map<String, float[]> tensors, int rotaryDims) {
        Map<String, float[]> t = Map.copyOf(tensors);
        return new LlamaForward(arch, t, new PhiForward(arch, t, rotaryDims, null, Map.of(), null), DEFAULT_BATCHED_ATTENTION_MIN_TOKENS);
    }

    /**
     * A forward pass over the given float tensors: every linear tensor by canonical name, the norms
     * ({@link ModelArchitecture#attentionNormName(int)} and friends) and, for Qwen2, the attention biases. The arrays are kept, not copied:
     * the caller must not modify them afterwards.
     *
     * @throws IllegalArgumentException for an architecture family this pass does not implement, or a
     *                                  missing or wrongly sized tensor
     */
    public static LlamaForward of(ModelArchitecture arch, Map<String, float[]> tensors) {
        return of(arch, tensors, DEFAULT_BATCHED_ATTENTION_MIN_TOKENS);
    }

    /** As {@link #of(ModelArchitecture, Map)} with the length from which attention runs batched in ND4J (tests use 1 and MAX). */
    static LlamaForward of(ModelArchitecture arch, Map<String, float[]> tensors, int batchedAttentionMinTokens) {
        Objects.requireNonNull(arch, "architecture");
        if (arch.qDim() != arch.dim()) {
            // the passes below size q and the attention output by dim; such models (Gemma-2) are simulated only
            throw new IllegalArgumentException("the forward pass needs heads x headDim = dim; " + arch.name() + " has "
                    + arch.heads() + " x " + arch.headDim() + " != " + arch.dim());
        }
        if (arch.family() == ArchitectureFamily.PHI2) return phi(arch, tensors, PhiForward.phi2RotaryDims(arch));
        if (arch.family() != ArchitectureFamily.LLAMA && arch.family() != ArchitectureFamily.QWEN2) {
            throw new IllegalArgumentException("the forward pass implements Llama, Qwen2 and Phi-2 models; " + arch.name() + " is " + arch.family());
        }
        return new LlamaForward(arch, Map.copyOf(tensors), null, Map.of(), batchedAttentionMinTokens, null);
    }

    /** Reads every tensor the pass needs from {@code weights} (which the caller still owns and closes). */
    public static LlamaForward load(ModelWeights weights) throws IOException {
        return of(weights.architecture(), readAll(weights));
    }

    /** Every linear tensor and norm of {@code weights}, by canonical name. */
    public static Map<String, float[]> readAll(ModelWeights weights) throws IOException {
        ModelArchitecture a = weights.architecture();
        Map<String, float[]> t = new HashMap<>();
        for (TensorSpec s : a.linearTensors()) t.put(s.name(), weights.read(s.name()));
        if (a.family() == ArchitectureFamily.PHI2) {
            for (String n : PhiForward.names(a)) t.put(n, weights.read(n));
            return t;
        }
        for (int l = 0; l < a.layers(); l++) {
            t.put(ModelArchitecture.attentionNormName(l), weights.read(ModelArchitecture.attentionNormName(l)));
            t.put(ModelArchitecture.ffnNormName(l), weights.read(ModelArchitecture.ffnNormName(l)));
            if (a.attentionBiases()) {
                for (TensorRole r : new TensorRole[] {TensorRole.Q, TensorRole.K, TensorRole.V}) {
                    t.put(ModelArchitecture.attentionBiasName(r, l), weights.read(ModelArchitecture.attentionBiasName(r, l)));
                }
            }
        }
        t.put(ModelArchitecture.outputNormName(), weights.read(ModelArchitecture.outputNormName()));
        return t;
    }

    /**
     * This pass with some tensors replaced (e.g. by their compressed versions); untouched layers share
     * this pass's matrices, so only the replaced ones are uploaded to ND4J.
     */
    public LlamaForward withOverrides(Map<String, float[]> replaced) {
        if (replaced.isEmpty()) return this;
        Map<String, float[]> t = new HashMap<>(tensors);
        for (Map.Entry<String, float[]> e : replaced.entrySet()) {
            if (!tensors.containsKey(e.getKey())) throw new IllegalArgumentException("no tensor " + e.getKey() + " in " + arch.name());
            t.put(e.getKey(), e.getValue());
        }
        if (phi != null) return new LlamaForward(arch, t, phi.withOverrides(t, replaced), batchedAttentionMinTokens);
        return new LlamaForward(arch, t, this, replaced, batchedAttentionMinTokens, logitBias);
    }

    /**
     * This pass restricted to a vocabulary: tokens not in {@code keptTokens} get log-probability -inf
     * (vocabulary pruning of the LM head). Shares every matrix with this pass.
     *
     * @param keptTokens one flag per vocabulary entry, or null to keep every token
     */
    public LlamaForward withKeptVocabulary(boolean[] keptTokens) {
        float[] bias = null;
        if (keptTokens != null) {
            if (keptTokens.length != arch.vocabSize()) {
                throw new IllegalArgumentException("vocabulary mask has " + keptTokens.length + " entries, vocabulary is " + arch.vocabSize());
            }
            bias = new float[keptTokens.length];
            boolean any = false;
            for (int i = 0; i < bias.length; i++) {
                bias[i] = keptTokens[i] ? 0f : Float.NEGATIVE_INFINITY;
                any |= keptTokens[i];
            }
            if (!any) throw new IllegalArgumentException("vocabulary mask keeps no token");
        }
        if (phi != null) return new LlamaForward(arch, tensors, phi.withLogitBias(tensors, bias), batchedAttentionMinTokens);
        return new LlamaForward(arch, tensors, this, Map.of(), batchedAttentionMinTokens, bias);
    }

    public ModelArchitecture architecture() { return arch; }

    /** The float tensor this pass uses under {@code name} (shared; do not modify). */
    public float[] tensor(String name) {
        float[] t = tensors.get(name);
        if (t == null) throw new IllegalArgumentException("no tensor " + name);
        return t;
    }

    /**
     * Runs every sequence and hands the sink the next-token log-probabilities at every position (the
     * last position of each sequence included), sequence by sequence in order.
     *
     * @throws IllegalArgumentException for an empty sequence or a token outside the vocabulary
     */
    public void logProbs(List<int[]> sequences, LogProbSink sink) {
        run(sequences, sink, null);
    }

    /** Log-probabilities of one sequence: row p is the distribution of the token after position p. */
    public float[][] logProbs(int[] tokens) {
        float[][] out = new float[tokens.length][];
        int v = arch.vocabSize();
        run(List.of(tokens), (s, p, lp, off) -> out[p] = java.util.Arrays.copyOfRange(lp, off, off + v), null);
        return out;
    }

    /**
     * Greedy continuation: appends the most likely token up to {@code maxNewTokens} times, stopping early
     * after a token in {@code stopTokens}. Recomputes the whole prefix each step (no KV cache), which is
     * fine for the short continuations this is used for.
     *
     * @return the new tokens (the prompt not included)
     */
    public int[] greedy(int[] prompt, int maxNewTokens, int... stopTokens) {
        List<Integer> out = new ArrayList<>();
        int[] seq = prompt.clone();
        for (int step = 0; step < maxNewTokens; step++) {
            float[][] lp = logProbs(seq);
            float[] last = lp[seq.length - 1];
            int best = 0;
            for (int i = 1; i < last.length; i++) if (last[i] > last[best]) best = i;
            boolean stop = false;
            for (int s : stopTokens) stop |= s == best;
            if (stop) break;
            out.add(best);
            seq = java.util.Arrays.copyOf(seq, seq.length + 1);
            seq[seq.length - 1] = best;
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    /**
     * Per-input-feature L2 norms of the activations entering every linear tensor over the given calibration
     * sequences (for Wanda pruning). The embedding has no input; when tied it gets the LM head's.
     */
    public CalibrationStats inputNorms(List<int[]> calibration) {
        Map<String, double[]> sums = new HashMap<>();
        run(calibration, (s, p, lp, off) -> { }, (names, x, n, width) -> {
            double[] acc = sums.computeIfAbsent(names.get(0), k -> new double[width]);
            for (int r = 0; r < n; r++) {
                int b = r * width;
                for (int i = 0; i < width; i++) acc[i] += (double) x[b + i] * x[b + i];
            }
            for (int i = 1; i < names.size(); i++) sums.put(names.get(i), acc);
        });
        Map<String, float[]> norms = new HashMap<>();
        for (Map.Entry<String, double[]> e : sums.entrySet()) {
            double[] ss = e.getValue();
            float[] n = new float[ss.length];
            for (int i = 0; i < ss.length; i++) n[i] = (float) Math.sqrt(ss[i]);
            norms.put(e.getKey(), n);
        }
        long tokens = 0;
        for (int[] s : calibration) tokens += s.length;
        return new CalibrationStats(norms, tokens);
    }

    /** Runs the calibration sequences and shows {@code observer} the input of every linear tensor (no logits kept). */
    public void observeInputs(List<int[]> calibration, InputObserver observer) {
        run(calibration, (s, p, lp, off) -> { }, Objects.requireNonNull(observer, "observer"));
    }

    // ---- the pass ---------------------------------------------------------------------------------

    private void run(List<int[]> sequences, LogProbSink sink, InputObserver inputSumSquares) {
        int v = arch.vocabSize();
        for (int i = 0; i < sequences.size(); i++) {
            int[] s = sequences.get(i);
            if (s.length == 0) throw new IllegalArgumentException("sequence " + i + " is empty");
            for (int t : s) if (t < 0 || t >= v) throw new IllegalArgumentException("sequence " + i + ": token " + t + " outside vocabulary of " + v);
        }
        if (phi != null) {
            phi.run(sequences, sink, inputSumSquares);
            return;
        }
        TokenChunk.forEach(sequences, maxChunkTokens, (from, to, tokens) -> runChunk(sequences, from, to, tokens, sink, inputSumSquares));
    }

    private void runChunk(List<int[]> sequences, int from, int to, int n, LogProbSink sink, InputObserver sumSq) {
        int dim = arch.dim();
        int kvDim = arch.kvDim();
        int hid = arch.hiddenDim();
        int vocab = arch.vocabSize();
        int qkvWidth = dim + 2 * kvDim;
        TokenChunk chunk = TokenChunk.embed(sequences, from, to, n, embedding, dim);
        float[] x = chunk.x();
        int[] seqStart = chunk.seqStart();
        int[] positions = chunk.positions();
        float[][] rope = ropeTable(chunk.maxLen());

        float[] xb = new float[n * dim];
        float[] att = new float[n * dim];
        float[] gated = new float[n * hid];
        for (int l = 0; l < arch.layers(); l++) {
            rmsNorm(x, xb, attnNorm[l], n, dim);
            accumulate(sumSq, xb, n, dim, name(TensorRole.Q, l), name(TensorRole.K, l), name(TensorRole.V, l));
            float[] qkv = matmul(xb, n, dim, wqkv[l], qkvWidth);
            if (qkvBias[l] != null) {
                float[] b = qkvBias[l];
                for (int r = 0; r < n; r++) for (int i = 0; i < qkvWidth; i++) qkv[r * qkvWidth + i] += b[i];
            }
            applyRope(qkv, n, qkvWidth, positions, rope);
            attention(qkv, qkvWidth, att, seqStart);
            accumulate(sumSq, att, n, dim, name(TensorRole.O, l));
            float[] o = matmul(att, n, dim, wo[l], dim);
            for (int i = 0; i < x.length; i++) x[i] += o[i];

            rmsNorm(x, xb, ffnNorm[l], n, dim);
            accumulate(sumSq, xb, n, dim, name(TensorRole.GATE, l), name(TensorRole.UP, l));
            float[] h = matmul(xb, n, dim, w13[l], 2 * hid);
            for (int r = 0; r < n; r++) {
                int hb = r * 2 * hid;
                int gb = r * hid;
                for (int j = 0; j < hid; j++) {
                    float g = h[hb + j];
                    gated[gb + j] = silu(g) * h[hb + hid + j];
                }
            }
            accumulate(sumSq, gated, n, hid, name(TensorRole.DOWN, l));
            float[] d = matmul(gated, n, hid, w2[l], dim);
            for (int i = 0; i < x.length; i++) x[i] += d[i];
        }
        rmsNorm(x, xb, outNorm, n, dim);
        accumulate(sumSq, xb, n, dim, arch.tiedEmbeddings() ? name(TensorRole.EMBEDDING, -1) : name(TensorRole.LM_HEAD, -1));
        float[] logits = matmul(xb, n, dim, lmHead, vocab);
        for (int s = from; s < to; s++) {
            int r0 = seqStart[s - from];
            int len = seqStart[s - from + 1] - r0;
            for (int p = 0; p < len; p++) {
                int off = (r0 + p) * vocab;
                if (logitBias != null) for (int i = 0; i < vocab; i++) logits[off + i] += logitBias[i];
                logSoftmax(logits, off, vocab);
                sink.accept(s, p, logits, off);
            }
        }
    }

    private void rmsNorm(float[] x, float[] out, float[] w, int n, int dim) {
        float eps = (float) arch.normEps();
        for (int r = 0; r < n; r++) {
            int b = r * dim;
            float ss = 0;
            for (int i = 0; i < dim; i++) ss += x[b + i] * x[b + i];
            ss = ss / dim + eps;
            float inv = (float) (1.0 / Math.sqrt(ss));
            for (int i = 0; i < dim; i++) out[b + i] = w[i] * (inv * x[b + i]);
        }
    }

    /** cos/sin of position x frequency for every position below {@code len}: [0] cos, [1] sin, index p * half + i. */
    private float[][] ropeTable(int len) {
        int hd = arch.headDim();
        int half = hd / 2;
        float[] cos = new float[len * half];
        float[] sin = new float[len * half];
        // frequencies and cos/sin magnitude from the architecture's RoPE scaling rule (plain RoPE unless configured)
        double[] freqs = arch.ropeScaling().inverseFrequencies(arch.ropeTheta(), hd);
        double mscale = arch.ropeScaling().attentionFactor();
        for (int i = 0; i < half; i++) {
            double freq = freqs[i];
            for (int p = 0; p < len; p++) {
                double a = p * freq;
                cos[p * half + i] = (float) (Math.cos(a) * mscale);
                sin[p * half + i] = (float) (Math.sin(a) * mscale);
            }
        }
        return new float[][] {cos, sin};
    }

    private void applyRope(float[] qkv, int n, int width, int[] positions, float[][] rope) {
        int hd = arch.headDim();
        int half = hd / 2;
        int rotated = arch.dim() + arch.kvDim();   // q and k, not v
        float[] cos = rope[0];
        float[] sin = rope[1];
        for (int r = 0; r < n; r++) {
            int b = r * width;
            int pb = positions[r] * half;
            for (int i = 0; i < rotated; i += 2) {
                int f = pb + (i % hd) / 2;
                float c = cos[f];
                float s = sin[f];
                float v0 = qkv[b + i];
                float v1 = qkv[b + i + 1];
                qkv[b + i] = v0 * c - v1 * s;
                qkv[b + i + 1] = v0 * s + v1 * c;
            }
        }
    }

    private void attention(float[] qkv, int width, float[] out, int[] seqStart) {
        int maxLen = 0;
        for (int s = 0; s + 1 < seqStart.length; s++) maxLen = Math.max(maxLen, seqStart[s + 1] - seqStart[s]);
        AttentionScratch scratch = new AttentionScratch(arch.headDim(), maxLen);
        for (int s = 0; s + 1 < seqStart.length; s++) {
            int r0 = seqStart[s];
            int len = seqStart[s + 1] - r0;
            if (len >= batchedAttentionMinTokens) attentionBatched(qkv, width, out, r0, len);
            else attentionLoops(qkv, width, out, r0, len, scratch);
        }
    }

    /** Reusable buffers of the loop path. */
    private static final class AttentionScratch {
        final float[] scores;
        final float[] kt;
        final float[] vh;
        final float[] q;

        AttentionScratch(int hd, int maxLen) {
            scores = new float[maxLen];
            kt = new float[hd * maxLen];
            vh = new float[maxLen * hd];
            q = new float[hd];
        }
    }

    /**
     * Causal attention of one sequence with two batched ND4J products per layer: for every kv head g, the
     * queries of its kvMul heads stacked as (kvMul x len) x hd times K_g^T, a causal softmax in Java, then
     * times V_g. Computes the masked upper triangle too, which BLAS does faster than scalar Java does half.
     */
    private void attentionBatched(float[] qkv, int width, float[] out, int r0, int len) {
        int hd = arch.headDim();
        int dim = arch.dim();
        int kvDim = arch.kvDim();
        int kvHeads = arch.kvHeads();
        int kvMul = arch.heads() / kvHeads;
        float scale = (float) (1.0 / Math.sqrt(hd));
        int rowsPerGroup = kvMul * len;
        float[] q = new float[kvHeads * rowsPerGroup * hd];
        float[] k = new float[kvHeads * len * hd];
        float[] v = new float[kvHeads * len * hd];
        for (int t = 0; t < len; t++) {
            int rb = (r0 + t) * width;
            for (int h = 0; h < arch.heads(); h++) {
                int g = h / kvMul;
                int row = g * rowsPerGroup + (h % kvMul) * len + t;
                for (int i = 0; i < hd; i++) q[row * hd + i] = qkv[rb + h * hd + i] * scale;
            }
            for (int g = 0; g < kvHeads; g++) {
                System.arraycopy(qkv, rb + dim + g * hd, k, (g * len + t) * hd, hd);
                System.arraycopy(qkv, rb + dim + kvDim + g * hd, v, (g * len + t) * hd, hd);
            }
        }
        INDArray qa = upload(q, kvHeads, rowsPerGroup, hd);
        INDArray ka = upload(k, kvHeads, len, hd);
        INDArray sa = Nd4j.createUninitialized(DataType.FLOAT, new long[] {kvHeads, rowsPerGroup, len}, 'c');
        Nd4j.matmul(qa, ka, sa, false, true, false);
        // causal mask as an additive bias broadcast over heads, then ND4J's softmax over the last axis
        INDArray s3 = sa.reshape('c', arch.heads(), len, len);
        INDArray mask = causalMask(len);
        Nd4j.getExecutioner().exec(new BroadcastAddOp(s3, mask, s3, 1, 2));
        INDArray p3 = Nd4j.createUninitialized(DataType.FLOAT, new long[] {arch.heads(), len, len}, 'c');
        Nd4j.exec(new SoftMax(s3, p3, 2));
        INDArray pa = p3.reshape('c', kvHeads, rowsPerGroup, len);
        INDArray va = upload(v, kvHeads, len, hd);
        INDArray oa = Nd4j.createUninitialized(DataType.FLOAT, new long[] {kvHeads, rowsPerGroup, hd}, 'c');
        Nd4j.matmul(pa, va, oa, false, false, false);
        new FloatPointer(oa.data().addressPointer()).get(q, 0, q.length);
        for (int h = 0; h < arch.heads(); h++) {
            int g = h / kvMul;
            for (int t = 0; t < len; t++) {
                int row = g * rowsPerGroup + (h % kvMul) * len + t;
                System.arraycopy(q, row * hd, out, (r0 + t) * dim + h * hd, hd);
            }
        }
        qa.close();
        ka.close();
        sa.close();
        mask.close();
        p3.close();
        va.close();
        oa.close();
    }

    /** len x len additive bias: 0 where the key position is not after the query position, -1e30 after. */
    private static INDArray causalMask(int len) {
        float[] m = new float[len * len];
        for (int t = 0; t < len; t++) java.util.Arrays.fill(m, t * len + t + 1, (t + 1) * len, -1e30f);
        return upload(m, len, len);
    }

    private static INDArray upload(float[] x, long... shape) {
        INDArray a = Nd4j.createUninitialized(DataType.FLOAT, shape, 'c');
        new FloatPointer(a.data().addressPointer()).put(x, 0, x.length);
        return a;
    }

    /** Causal attention of one sequence in scalar Java (no ND4J call overhead). */
    private void attentionLoops(float[] qkv, int width, float[] out, int r0, int len, AttentionScratch sc) {
        int heads = arch.heads();
        int hd = arch.headDim();
        int dim = arch.dim();
        int kvDim = arch.kvDim();
        int kvHeads = arch.kvHeads();
        int kvMul = heads / kvHeads;
        float scale = (float) (1.0 / Math.sqrt(hd));
        float[] scores = sc.scores;
        float[] kt = sc.kt;
        float[] vt = sc.vh;
        float[] q = sc.q;
        for (int g = 0; g < kvHeads; g++) {
            int ko = dim + g * hd;
            int vo = dim + kvDim + g * hd;
            // keys and values transposed (hd x len): every inner loop below runs unit-stride over positions
            for (int u = 0; u < len; u++) {
                int rb = (r0 + u) * width;
                for (int i = 0; i < hd; i++) {
                    kt[i * len + u] = qkv[rb + ko + i];
                    vt[i * len + u] = qkv[rb + vo + i];
                }
            }
            for (int h = g * kvMul; h < (g + 1) * kvMul; h++) {
                int qo = h * hd;
                for (int t = 0; t < len; t++) {
                    int qb = (r0 + t) * width + qo;
                    for (int i = 0; i < hd; i++) q[i] = qkv[qb + i] * scale;
                    int n = t + 1;
                    float q0 = q[0];
                    for (int u = 0; u < n; u++) scores[u] = q0 * kt[u];
                    for (int i = 1; i < hd; i++) {
                        float qi = q[i];
                        int kb = i * len;
                        for (int u = 0; u < n; u++) scores[u] += qi * kt[kb + u];
                    }
                    float max = Float.NEGATIVE_INFINITY;
                    for (int u = 0; u < n; u++) if (scores[u] > max) max = scores[u];
                    float sum = 0;
                    for (int u = 0; u < n; u++) {
                        float e = expNonPositive(scores[u] - max);
                        scores[u] = e;
                        sum += e;
                    }
                    float inv = 1f / sum;
                    int ob = (r0 + t) * dim + qo;
                    for (int i = 0; i < hd; i++) {
                        int vb = i * len;
                        // four independent partial sums keep the floating-point units busy
                        float a0 = 0, a1 = 0, a2 = 0, a3 = 0;
                        int u = 0;
                        for (; u + 3 < n; u += 4) {
                            a0 += scores[u] * vt[vb + u];
                            a1 += scores[u + 1] * vt[vb + u + 1];
                            a2 += scores[u + 2] * vt[vb + u + 2];
                            a3 += scores[u + 3] * vt[vb + u + 3];
                        }
                        for (; u < n; u++) a0 += scores[u] * vt[vb + u];
                        out[ob + i] = ((a0 + a1) + (a2 + a3)) * inv;
                    }
                }
            }
        }
    }

    private static final float LOG2E = 1.44269504088896341f;
    private static final float LN2_HI = 0.693359375f;
    private static final float LN2_LO = -2.12194440e-4f;

    /**
     * e^x for x <= 0 (softmax after subtracting the maximum), relative error below 2e-7: x = n ln2 + r with
     * |r| <= ln2/2, e^r by a degree-6 Taylor polynomial, 2^n by building the exponent bits. About four
     * times faster than {@link Math#exp} in the attention inner loop.
     */
    static float expNonPositive(float x) {
        if (x < -87f) return 0f;
        float n = (int) (x * LOG2E - 0.5f);   // truncation of a non-positive value: round to nearest
        float r = x - n * LN2_HI - n * LN2_LO;
        float p = 1f + r * (1f + r * (0.5f + r * (1f / 6 + r * (1f / 24 + r * (1f / 120 + r * (1f / 720))))));
        return p * Float.intBitsToFloat(((int) n + 127) << 23);
    }

    /** SiLU, x / (1 + e^-x), through the fast exponential of -|x| for both signs. */
    static float silu(float x) {
        // e^-|x| never overflows; the select (not a branch) avoids mispredictions on random signs
        float e = expNonPositive(-Math.abs(x));
        float num = x >= 0 ? 1f : e;
        return x * num / (1f + e);
    }

    static void logSoftmax(float[] x, int off, int n) {
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) if (x[off + i] > max) max = x[off + i];
        double sum = 0;
        for (int i = 0; i < n; i++) sum += expNonPositive(x[off + i] - max);
        float lse = (float) (max + Math.log(sum));
        for (int i = 0; i < n; i++) x[off + i] -= lse;
    }

    /** x (n x k, row-major) times w^T where w is m x k: returns n x m row-major. */
    static float[] matmul(float[] x, int n, int k, INDArray w, int m) {
        INDArray a = Nd4j.createUninitialized(DataType.FLOAT, new long[] {n, k}, 'c');
        // bulk copies through the native pointer: INDArray's float[] paths copy element by element
        new FloatPointer(a.data().addressPointer()).put(x, 0, n * k);
        INDArray c = Nd4j.createUninitialized(DataType.FLOAT, new long[] {n, m}, 'c');
        Nd4j.gemm(a, w, c, false, true, 1.0, 0.0);
        float[] out = new float[n * m];
        new FloatPointer(c.data().addressPointer()).get(out, 0, n * m);
        a.close();
        c.close();
        return out;
    }

    private static void accumulate(InputObserver observer, float[] x, int n, int width, String... names) {
        if (observer != null) observer.accept(List.of(names), x, n, width);
    }

    private float[] get(String name, int expected) {
        float[] t = tensors.get(name);
        if (t == null) throw new IllegalArgumentException("tensor " + name + " missing for " + arch.name());
        if (t.length != expected) throw new IllegalArgumentException("tensor " + name + " has " + t.length + " values, expected " + expected);
        return t;
    }

    static INDArray matrix(float[] data, int rows, int cols) {
        INDArray a = Nd4j.createUninitialized(DataType.FLOAT, new long[] {rows, cols}, 'c');
        new FloatPointer(a.data().addressPointer()).put(data, 0, data.length);
        return a;
    }

    static float[] concat(float[]... parts) {
        int n = 0;
        for (float[] p : parts) n += p.length;
        float[] out = new float[n];
        int o = 0;
        for (float[] p : parts) {
            System.arraycopy(p, 0, out, o, p.length);
            o += p.length;
        }
        return out;
    }

    private static boolean any(Map<String, float[]> changed, String... names) {
        for (String n : names) if (changed.containsKey(n)) return true;
        return false;
    }

    private static String name(TensorRole role, int layer) { return TensorSpec.canonicalName(role, layer); }
}
