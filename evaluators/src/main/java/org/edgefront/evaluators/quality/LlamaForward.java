package org.edgefront.evaluators.quality;

import static org.edgefront.evaluators.quality.ForwardMath.any;
import static org.edgefront.evaluators.quality.ForwardMath.concat;
import static org.edgefront.evaluators.quality.ForwardMath.matrix;
import static org.edgefront.evaluators.quality.ForwardMath.name;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.edgefront.space.model.ArchitectureFamily;
import org.edgefront.space.model.LogitSoftcaps;
import org.edgefront.space.model.ModelArchitecture;
import org.edgefront.space.model.RopeScaling;
import org.edgefront.space.model.SlidingWindow;
import org.edgefront.space.model.TensorRole;
import org.bytedeco.javacpp.FloatPointer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The forward pass of a Llama-family decoder (Llama, Mistral, SmolLM, llama2.c checkpoints; Qwen2 with its
 * q/k/v biases; Qwen3 with its per-head q/k RMSNorm, applied to each head of q and k after the projections and before
 * RoPE, as llama.cpp's qwen3 graph does; Gemma 3 with, besides those q/k norms, the embedding scaled by sqrt(dim), an RMSNorm on
 * the attention output and on the FFN output before each residual add, a GELU (tanh) gate, the attention scale of the
 * architecture and, on its local layers ({@link org.edgefront.space.model.SlidingWindow}), attention within the window and
 * RoPE at the local base without scaling, as llama.cpp's gemma3 graph with iSWA does; Phi-3, whose block is Llama's once
 * its loaders have split the stacked q|k|v and gate|up) over whole sequences at once, like a prefill: RMSNorm (eps from the
 * architecture), heads of {@link ModelArchitecture#headDim()} (heads x headDim may differ from dim), RoPE with base
 * {@code ropeTheta} on consecutive pairs (2i, 2i+1) within each head (llama2.c's convention; loaders
 * permute Hugging Face q/k rows into it), on the first {@link ModelArchitecture#rotaryDims()} of each head only, the
 * rest passed through unscaled (partial rotary, Phi-4-mini, as llama.cpp's NeoX RoPE with n_rot below the head size and
 * transformers' q_pass do), its frequencies and magnitude set by the architecture's
 * {@link RopeScaling} (LongRoPE's factor set chosen per sequence by its length), grouped-query attention with a causal mask, SwiGLU FFN, tied or
 * untied LM head. Activations are float32. Phi-2 models ({@link ArchitectureFamily#PHI2}) run in a peer pass,
 * {@link PhiForward}; {@link ForwardPasses#of} picks the pass for an architecture.
 *
 * <p>Speed: several sequences are concatenated into one token matrix so each linear layer is one ND4J
 * GEMM per block of the chunk's rows (q/k/v fused, gate/up fused); norms, RoPE, SiLU and softmax are Java loops over the rows, the
 * exponential-bound ones SIMD code where the JVM has the Vector API ({@link ForwardMath#SIMD}), else a polynomial
 * exponential (relative error below 5e-7). Causal attention runs per sequence and KV head: scalar loops over transposed
 * keys and values below 256 tokens; from 256 tokens on, per block of 128 query positions, two ND4J products around a
 * causal softmax in Java (only each row's past positions exponentiated). Row blocks and attention tasks run on the pass's
 * threads ({@link #withThreads}); they are cut by the chunk's shape alone, so the result does not depend on the thread
 * count. Chunks hold at most 8,192 tokens and 16 Mi logits, which bounds the buffers; the buffers are reused from
 * chunk to chunk and pass to pass ({@link ScratchPool}). {@link #decoder} runs the same chunk code one token per
 * sequence of a group, over keys and values cached from the earlier steps (text generation).
 *
 * <p>Ownership and thread-safety as {@link ForwardPass}: immutable, matrices off-heap and GC-released.
 */
public final class LlamaForward implements ForwardPass {
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
    /**
     * Whether the base pass's linear matrices live in ND4J for its lifetime (small models: uploaded once) or are uploaded
     * from {@link #tensors} layer by layer into reused buffers on every chunk (models above
     * {@link ForwardPasses#RESIDENT_MATRIX_BYTES}: only one layer's matrices are ever off-heap, and streamed or lazily
     * computed tensors are produced only when their layer runs). A variant ({@link #withOverrides}) always uploads its
     * replaced matrices that way: allocating fresh ND4J matrices per candidate cost more than the copies.
     */
    private final boolean resident;
    private final float[] embedding;
    private final float[][] qkvBias;
    /** Per layer, the q and k head norms (length headDim each) when {@link ModelArchitecture#qkNorm()}, else null. */
    private final float[][] qNorm;
    private final float[][] kNorm;
    private final float[][] attnNorm;
    private final float[][] ffnNorm;
    /** Per layer, the norms on the attention output and on the FFN output when {@link ModelArchitecture#sandwichNorms()}, else null. */
    private final float[][] postAttnNorm;
    private final float[][] postFfnNorm;
    private final float[] outNorm;
    private final int maxChunkTokens;
    /** Added to the logits before the softmax (0 for kept tokens, -inf for pruned vocabulary); null for none. */
    private final float[] logitBias;
    /** Sequences at least this long use the batched ND4J attention; shorter ones the scalar loops. */
    private final int batchedAttentionMinTokens;
    /** Buffers reused by this pass's runs and its variants' (shared with the base). */
    private final ScratchPool scratch;
    /** The threads each run spreads over (a variant keeps its base's). */
    private final PassWorkers workers;

    private LlamaForward(ModelArchitecture arch, Map<String, float[]> tensors, LlamaForward base, Map<String, float[]> changed,
                         int batchedAttentionMinTokens, float[] logitBias, boolean resident) {
        this(arch, tensors, base, changed, batchedAttentionMinTokens, logitBias, resident, base != null ? base.workers : PassWorkers.ONE);
    }

    private LlamaForward(ModelArchitecture arch, Map<String, float[]> tensors, LlamaForward base, Map<String, float[]> changed,
                         int batchedAttentionMinTokens, float[] logitBias, boolean resident, PassWorkers workers) {
        this.arch = arch;
        this.workers = workers;
        this.logitBias = logitBias;
        this.tensors = tensors;
        this.resident = base != null ? base.resident : resident;
        this.scratch = base != null ? base.scratch : ScratchPool.forThisMachine();
        int layers = arch.layers();
        this.wqkv = new INDArray[layers];
        this.wo = new INDArray[layers];
        this.w13 = new INDArray[layers];
        this.w2 = new INDArray[layers];
        this.attnNorm = new float[layers][];
        this.qkvBias = new float[layers][];
        this.qNorm = new float[layers][];
        this.kNorm = new float[layers][];
        this.ffnNorm = new float[layers][];
        this.postAttnNorm = new float[layers][];
        this.postFfnNorm = new float[layers][];
        int dim = arch.dim();
        int qd = arch.qDim();
        int kv = arch.kvDim();
        int hid = arch.hiddenDim();
        String emb = name(TensorRole.EMBEDDING, -1);
        String head = arch.tiedEmbeddings() ? emb : name(TensorRole.LM_HEAD, -1);
        INDArray[] heldHead = new INDArray[1];
        if (base == null && resident) {
            // the upload copies every weight once more: spread over the pass's threads, the LM head (the largest
            // matrix) first, then a layer per task (each task fills its own slots; the matrices are the same on any count)
            workers.forEach(layers + 1, (task, thread) -> {
                if (task == 0) {
                    heldHead[0] = matrix(arch.vocabSize(), dim, get(head, arch.vocabSize() * dim));
                    return;
                }
                int l = task - 1;
                wqkv[l] = matrix(qd + 2 * kv, dim, get(name(TensorRole.Q, l), qd * dim), get(name(TensorRole.K, l), kv * dim),
                        get(name(TensorRole.V, l), kv * dim));
                wo[l] = matrix(dim, qd, get(name(TensorRole.O, l), dim * qd));
                w13[l] = matrix(2 * hid, dim, get(name(TensorRole.GATE, l), hid * dim), get(name(TensorRole.UP, l), hid * dim));
                w2[l] = matrix(dim, hid, get(name(TensorRole.DOWN, l), dim * hid));
            });
        }
        for (int l = 0; l < layers; l++) {
            String q = name(TensorRole.Q, l);
            String k = name(TensorRole.K, l);
            String v = name(TensorRole.V, l);
            String o = name(TensorRole.O, l);
            String g = name(TensorRole.GATE, l);
            String u = name(TensorRole.UP, l);
            String d = name(TensorRole.DOWN, l);
            if (base != null) {
                // a variant shares the base's unchanged matrices; its replaced ones are uploaded when their layer runs
                wqkv[l] = any(changed, q, k, v) ? null : base.wqkv[l];
                wo[l] = any(changed, o) ? null : base.wo[l];
                w13[l] = any(changed, g, u) ? null : base.w13[l];
                w2[l] = any(changed, d) ? null : base.w2[l];
            }
            attnNorm[l] = get(ModelArchitecture.attentionNormName(l), dim);
            if (arch.attentionBiases()) {
                qkvBias[l] = concat(get(ModelArchitecture.attentionBiasName(TensorRole.Q, l), qd),
                        get(ModelArchitecture.attentionBiasName(TensorRole.K, l), kv),
                        get(ModelArchitecture.attentionBiasName(TensorRole.V, l), kv));
            }
            if (arch.qkNorm()) {
                qNorm[l] = get(ModelArchitecture.qkNormName(TensorRole.Q, l), arch.headDim());
                kNorm[l] = get(ModelArchitecture.qkNormName(TensorRole.K, l), arch.headDim());
            }
            ffnNorm[l] = get(ModelArchitecture.ffnNormName(l), dim);
            if (arch.sandwichNorms()) {
                postAttnNorm[l] = get(ModelArchitecture.postAttentionNormName(l), dim);
                postFfnNorm[l] = get(ModelArchitecture.postFfnNormName(l), dim);
            }
        }
        outNorm = get(ModelArchitecture.outputNormName(), dim);
        embedding = get(emb, arch.vocabSize() * dim);
        lmHead = base != null ? (any(changed, head) ? null : base.lmHead) : heldHead[0];
        this.batchedAttentionMinTokens = batchedAttentionMinTokens;
        maxChunkTokens = (int) Math.max(1, Math.min(DEFAULT_MAX_CHUNK_TOKENS, MAX_CHUNK_LOGITS / arch.vocabSize()));
    }

    /**
     * A forward pass over the given float tensors: every linear tensor by canonical name, the norms
     * ({@link ModelArchitecture#attentionNormName(int)} and friends) and, for Qwen2, the attention biases, for Qwen3 the
     * q/k norms ({@link ModelArchitecture#vectorTensors()}). The arrays are kept, not copied:
     * the caller must not modify them afterwards.
     *
     * @throws IllegalArgumentException for an architecture family this pass does not implement, or a
     *                                  missing or wrongly sized tensor
     * @see ForwardPasses#of(ModelArchitecture, Map)
     */
    public static LlamaForward of(ModelArchitecture arch, Map<String, float[]> tensors) {
        return of(arch, tensors, DEFAULT_BATCHED_ATTENTION_MIN_TOKENS);
    }

    /** As {@link #of(ModelArchitecture, Map)} with the length from which attention runs batched in ND4J (tests use 1 and MAX). */
    static LlamaForward of(ModelArchitecture arch, Map<String, float[]> tensors, int batchedAttentionMinTokens) {
        return of(arch, tensors, batchedAttentionMinTokens, ForwardPasses.residentMatrices(arch, ForwardPasses.RESIDENT_MATRIX_BYTES));
    }

    /**
     * As {@link #of(ModelArchitecture, Map)} with the matrices held in ND4J ({@code resident}) or uploaded layer by layer
     * on every chunk (for streamed tensors, {@link ForwardPasses#open}).
     */
    static LlamaForward of(ModelArchitecture arch, Map<String, float[]> tensors, boolean resident) {
        return of(arch, tensors, DEFAULT_BATCHED_ATTENTION_MIN_TOKENS, resident);
    }

    static LlamaForward of(ModelArchitecture arch, Map<String, float[]> tensors, int batchedAttentionMinTokens, boolean resident) {
        return of(arch, tensors, batchedAttentionMinTokens, resident, 1);
    }

    /**
     * As {@link #of(ModelArchitecture, Map)} on {@code threads} threads from the start ({@link #withThreads}), its
     * matrices uploaded over them.
     */
    static LlamaForward onThreads(ModelArchitecture arch, Map<String, float[]> tensors, int threads) {
        return of(arch, tensors, DEFAULT_BATCHED_ATTENTION_MIN_TOKENS, ForwardPasses.residentMatrices(arch, ForwardPasses.RESIDENT_MATRIX_BYTES), threads);
    }

    private static LlamaForward of(ModelArchitecture arch, Map<String, float[]> tensors, int batchedAttentionMinTokens, boolean resident,
                                   int threads) {
        if (arch.family() != ArchitectureFamily.LLAMA && arch.family() != ArchitectureFamily.QWEN2 && arch.family() != ArchitectureFamily.QWEN3
                && !arch.family().gemma() && arch.family() != ArchitectureFamily.PHI3 && arch.family() != ArchitectureFamily.SMOLLM3) {
            throw new IllegalArgumentException("the forward pass implements Llama, Qwen2, Qwen3, Gemma 2, Gemma 3, Phi-3, SmolLM3 and Phi-2 models; " + arch.name() + " is " + arch.family());
        }
        return new LlamaForward(arch, ForwardMath.kept(tensors), null, Map.of(), batchedAttentionMinTokens, null, resident, PassWorkers.of(threads));
    }

    /** Every non-linear tensor name (norms; Qwen2's q/k/v biases; Qwen3's q/k norms; Gemma 3's q/k and post norms) a Llama-family pass needs for {@code a}. */
    static List<String> names(ModelArchitecture a) {
        List<String> n = new ArrayList<>();
        for (ModelArchitecture.VectorTensor v : a.vectorTensors()) n.add(v.name());
        return n;
    }

    @Override
    public LlamaForward withOverrides(Map<String, float[]> replaced) {
        if (replaced.isEmpty()) return this;
        return new LlamaForward(arch, ForwardMath.merged(arch, tensors, replaced), this, replaced, batchedAttentionMinTokens, logitBias, resident);
    }

    @Override
    public LlamaForward withKeptVocabulary(boolean[] keptTokens) {
        return new LlamaForward(arch, tensors, this, Map.of(), batchedAttentionMinTokens, ForwardMath.logitBias(arch, keptTokens), resident);
    }

    @Override
    public LlamaForward withThreads(int threads) {
        if (threads < 1) throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        if (threads == workers.threads()) return this;
        return new LlamaForward(arch, tensors, this, Map.of(), batchedAttentionMinTokens, logitBias, resident, PassWorkers.of(threads));
    }

    @Override
    public int threads() { return workers.threads(); }

    /** The threads this pass and its variants work on (see {@link ForwardPasses#workers}). */
    PassWorkers workers() { return workers; }

    @Override
    public ModelArchitecture architecture() { return arch; }

    @Override
    public Map<String, float[]> tensors() { return tensors; }

    // ---- the pass ---------------------------------------------------------------------------------

    @Override
    public void run(List<int[]> sequences, LogProbSink sink, InputObserver observer) {
        try (NdScratch nd = scratch.acquire()) {
            ChunkRunner.run(arch, sequences, embedding, maxChunkTokens, logitBias,
                    (i, c, n, o) -> chunkLogits(nd, c, n, o, 0, null, null, 0, null), sink, observer, workers);
        }
    }

    @Override
    public LayerStates runRecording(List<int[]> sequences, LogProbSink sink, long maxBytes) {
        long rows = 0;
        for (int[] s : sequences) rows += s.length;
        LayerStates states = new LayerStates(arch.layers(), LayerStates.strideFor(arch.layers(), rows, arch.dim(), maxBytes));
        try (NdScratch nd = scratch.acquire()) {
            ChunkRunner.run(arch, sequences, embedding, maxChunkTokens, logitBias,
                    (i, c, n, o) -> chunkLogits(nd, c, n, o, 0, null, states, i, null), sink, null, workers);
        }
        return states;
    }

    @Override
    public void runFrom(List<int[]> sequences, LayerStates states, int firstChanged, LogProbSink sink) {
        if (states == null) {
            run(sequences, sink, null);
            return;
        }
        int start = states.resumeLayer(firstChanged);
        try (NdScratch nd = scratch.acquire()) {
            ChunkRunner.run(arch, sequences, embedding, maxChunkTokens, logitBias,
                    (i, c, n, o) -> chunkLogits(nd, c, n, o, start, states.state(i, start), null, i, null), sink, null, workers);
        }
    }

    /**
     * The logits of one chunk, running layers {@code from..layers-1} on {@code startState} (the residual stream entering
     * layer {@code from}; null: the chunk's embedding) and recording boundaries into {@code record} (or null). The
     * logits are an array of {@code nd}, valid until its next chunk.
     *
     * <p>Each layer runs in three steps over {@link #workers}: the rows of the chunk in fixed blocks
     * ({@link ChunkRunner#rowBlocks}) through norm, q/k/v, q/k norms and RoPE; attention in tasks of one sequence, one KV head and
     * one block of query positions ({@link #attentionTasks}); the rows again through the output projection, the FFN and
     * both residual adds. Blocks and tasks depend on the chunk alone, so the result is the same bits on any number of threads.
     * With a {@code cache} ({@link KvDecoder}) the chunk is one new token per cached sequence, row r being sequence r at
     * position {@code cache.length}: its keys and values are stored into the cache and it attends over the cached ones.
     */
    private float[] chunkLogits(NdScratch nd, TokenChunk chunk, int n, InputObserver sumSq, int from, float[] startState, LayerStates record,
                                int chunkIndex, KvDecoder cache) {
        int dim = arch.dim();
        int qDim = arch.qDim();
        int kvDim = arch.kvDim();
        int hid = arch.hiddenDim();
        int vocab = arch.vocabSize();
        int qkvWidth = qDim + 2 * kvDim;
        float[] x = startState == null ? chunk.x() : startState.clone();
        if (startState == null && arch.embeddingScale() != 1.0) {
            // Gemma 3 scales the embedding rows entering the first block (in float, as llama.cpp's sqrtf(n_embd)); not the tied head
            float scale = (float) arch.embeddingScale();
            for (int i = 0; i < n * dim; i++) x[i] *= scale;
        }
        int[] seqStart = chunk.seqStart();
        SlidingWindow window = arch.slidingWindow();
        RopeTable rope = ropeTable(chunk, arch.ropeTheta(), arch.ropeScaling());
        // local layers rotate at their own base, unscaled (llama.cpp's rope_freq_scale_train_swa = 1)
        RopeTable localRope = window.tokens() > 0 ? ropeTable(chunk, window.ropeTheta(), RopeScaling.NONE) : null;

        nd.beginChunk();
        NdScratch[] ws = nd.workers(workers.threads());
        int[] rows = ChunkRunner.rowBlocks(n);
        int blocks = rows.length - 1;
        List<AttentionTask> attentionTasks = attentionTasks(seqStart);
        // every element of these is written before it is read: reused buffers need no zeroing
        float[] xb = nd.javaArray("xb", n * dim);
        float[] qkv = nd.javaArray("qkv", n * qkvWidth);
        float[] att = nd.javaArray("att", n * qDim);
        float[] o = nd.javaArray("o", n * dim);
        float[] h = nd.javaArray("h", n * 2 * hid);
        float[] gated = nd.javaArray("gated", n * hid);
        float[] d = nd.javaArray("d", n * dim);
        boolean gelu = arch.geluGate();
        for (int l = from; l < arch.layers(); l++) {
            if (record != null) record.record(chunkIndex, l, x, n * dim);
            int layer = l;
            boolean local = window.isLocal(l);
            // SmolLM3's NoPE layers rotate nothing
            RopeTable layerRope = !arch.family().rotatesLayer(l) ? null : local ? localRope : rope;
            int layerWindow = local ? window.tokens() : Integer.MAX_VALUE;
            // replaced matrices are uploaded once per layer, by this thread, and only read by the steps
            INDArray wQkv = wqkv[l] != null ? wqkv[l] : nd.uploadParts("w-qkv", qkvWidth, dim, get(name(TensorRole.Q, l), qDim * dim),
                    get(name(TensorRole.K, l), kvDim * dim), get(name(TensorRole.V, l), kvDim * dim));
            workers.forEach(blocks, (b, t) -> {
                int r0 = rows[b];
                int r1 = rows[b + 1];
                rmsNorm(x, xb, attnNorm[layer], r0, r1, dim);
                ws[t].matmulRows(xb, r0, r1, dim, wQkv, qkvWidth, qkv);
                ForwardMath.addBias(qkv, qkvBias[layer], r0, r1, qkvWidth);
                if (qNorm[layer] != null) {
                    headNorm(qkv, r0, r1, qkvWidth, 0, arch.heads(), qNorm[layer]);
                    headNorm(qkv, r0, r1, qkvWidth, qDim, arch.kvHeads(), kNorm[layer]);
                }
                if (layerRope != null) applyRope(qkv, r0, r1, qkvWidth, layerRope);
                if (cache != null) for (int r = r0; r < r1; r++) cache.store(layer, r, qkv, r * qkvWidth);
            });
            accumulate(sumSq, xb, n, dim, name(TensorRole.Q, l), name(TensorRole.K, l), name(TensorRole.V, l));
            if (cache != null) {
                int kvHeads = arch.kvHeads();
                workers.forEach(n * kvHeads, (i, t) -> attentionCached(cache, layer, i / kvHeads, i % kvHeads, qkv, qkvWidth, att, ws[t], layerWindow));
            } else {
                workers.forEach(attentionTasks.size(), (i, t) -> attention(attentionTasks.get(i), qkv, qkvWidth, att, ws[t], layerWindow));
            }
            accumulate(sumSq, att, n, qDim, name(TensorRole.O, l));
            INDArray wO = wo[l] != null ? wo[l] : nd.uploadParts("w-o", dim, qDim, get(name(TensorRole.O, l), dim * qDim));
            INDArray wUp = w13[l] != null ? w13[l]
                    : nd.uploadParts("w-13", 2 * hid, dim, get(name(TensorRole.GATE, l), hid * dim), get(name(TensorRole.UP, l), hid * dim));
            INDArray wDown = w2[l] != null ? w2[l] : nd.uploadParts("w-2", dim, hid, get(name(TensorRole.DOWN, l), dim * hid));
            workers.forEach(blocks, (b, t) -> {
                int r0 = rows[b];
                int r1 = rows[b + 1];
                ws[t].matmulRows(att, r0, r1, qDim, wO, dim, o);
                if (postAttnNorm[layer] != null) rmsNorm(o, o, postAttnNorm[layer], r0, r1, dim);
                for (int i = r0 * dim; i < r1 * dim; i++) x[i] += o[i];
                rmsNorm(x, xb, ffnNorm[layer], r0, r1, dim);
                ws[t].matmulRows(xb, r0, r1, dim, wUp, 2 * hid, h);
                for (int r = r0; r < r1; r++) {
                    int hb = r * 2 * hid;
                    int gb = r * hid;
                    if (gelu) for (int j = 0; j < hid; j++) gated[gb + j] = geluTanh(h[hb + j]) * h[hb + hid + j];
                    else ForwardMath.siluGate(h, hb, hid, gated, gb);
                }
                ws[t].matmulRows(gated, r0, r1, hid, wDown, dim, d);
                if (postFfnNorm[layer] != null) rmsNorm(d, d, postFfnNorm[layer], r0, r1, dim);
                for (int i = r0 * dim; i < r1 * dim; i++) x[i] += d[i];
            });
            // the FFN's inputs of every row, complete once the step is: xb holds the FFN norm's output until the next layer
            accumulate(sumSq, xb, n, dim, name(TensorRole.GATE, l), name(TensorRole.UP, l));
            accumulate(sumSq, gated, n, hid, name(TensorRole.DOWN, l));
        }
        if (record != null) record.record(chunkIndex, arch.layers(), x, n * dim);
        String headName = arch.tiedEmbeddings() ? name(TensorRole.EMBEDDING, -1) : name(TensorRole.LM_HEAD, -1);
        INDArray head = lmHead != null ? lmHead : nd.uploadParts("w-head", vocab, dim, get(headName, vocab * dim));
        float[] logits = nd.javaArray("logits", n * vocab);
        double finalCap = arch.softcaps().finalLogits();
        workers.forEach(blocks, (b, t) -> {
            rmsNorm(x, xb, outNorm, rows[b], rows[b + 1], dim);
            ws[t].matmulRows(xb, rows[b], rows[b + 1], dim, head, vocab, logits);
            LogitSoftcaps.apply(logits, rows[b] * vocab, rows[b + 1] * vocab, finalCap);
        });
        accumulate(sumSq, xb, n, dim, headName);
        return logits;
    }

    private void rmsNorm(float[] x, float[] out, float[] w, int r0, int r1, int dim) {
        float eps = (float) arch.normEps();
        for (int r = r0; r < r1; r++) {
            int b = r * dim;
            float ss = 0;
            for (int i = 0; i < dim; i++) ss += x[b + i] * x[b + i];
            ss = ss / dim + eps;
            float inv = (float) (1.0 / Math.sqrt(ss));
            for (int i = 0; i < dim; i++) out[b + i] = w[i] * (inv * x[b + i]);
        }
    }

    /**
     * RMS-normalizes each of {@code heads} consecutive heads of headDim values starting at column {@code from} of every
     * row, in place, and scales them by {@code w} (one weight per position in a head, shared by all heads): Qwen3's
     * q/k norm, eps {@link ModelArchitecture#normEps()} like the block norms (llama.cpp's build_norm with LLM_NORM_RMS).
     */
    private void headNorm(float[] qkv, int r0, int r1, int width, int from, int heads, float[] w) {
        int hd = arch.headDim();
        float eps = (float) arch.normEps();
        for (int r = r0; r < r1; r++) {
            for (int h = 0; h < heads; h++) {
                int b = r * width + from + h * hd;
                float ss = 0;
                for (int i = 0; i < hd; i++) ss += qkv[b + i] * qkv[b + i];
                float inv = (float) (1.0 / Math.sqrt(ss / hd + eps));
                for (int i = 0; i < hd; i++) qkv[b + i] = w[i] * (inv * qkv[b + i]);
            }
        }
    }

    /**
     * cos/sin of position x frequency for the tokens of a chunk: {@code cos[row[r] * half + i]} for token r and frequency
     * pair i, already times the rule's attention factor. A row is a position, except that under LongRoPE a table holds
     * the positions of both factor sets when the chunk's sequences pick both (by length, {@link RopeScaling#usesLongFactors}):
     * the long set's rows follow the short set's, {@code maxLen} rows on.
     */
    private record RopeTable(float[] cos, float[] sin, int[] row) { }

    private RopeTable ropeTable(TokenChunk chunk, double theta, RopeScaling scaling) {
        int rot = arch.rotaryDims();
        int half = rot / 2;
        int len = chunk.maxLen();
        int[] seqStart = chunk.seqStart();
        int[] row = chunk.positions().clone();
        // [0]: the frequencies of sequences on the rule's only (or LongRoPE's short) factors, [1]: on LongRoPE's long ones
        double[][] freqs = new double[2][];
        for (int s = 0; s + 1 < seqStart.length; s++) {
            int tokens = seqStart[s + 1] - seqStart[s];
            int set = scaling.usesLongFactors(tokens) ? 1 : 0;
            if (freqs[set] == null) freqs[set] = scaling.inverseFrequencies(theta, rot, tokens);
            if (set == 1) for (int r = seqStart[s]; r < seqStart[s + 1]; r++) row[r] += len;
        }
        int rows = freqs[1] == null ? len : 2 * len;
        float[] cos = new float[rows * half];
        float[] sin = new float[rows * half];
        double mscale = scaling.attentionFactor();
        for (int set = 0; set < 2; set++) {
            if (freqs[set] == null) continue;
            for (int i = 0; i < half; i++) {
                double freq = freqs[set][i];
                for (int p = 0; p < len; p++) {
                    double a = p * freq;
                    int at = (set * len + p) * half + i;
                    cos[at] = (float) (Math.cos(a) * mscale);
                    sin[at] = (float) (Math.sin(a) * mscale);
                }
            }
        }
        return new RopeTable(cos, sin, row);
    }

    /** Rotates the first rotaryDims of every q and k head of rows [r0, r1) in place; their other dimensions stay as they are. */
    private void applyRope(float[] qkv, int r0, int r1, int width, RopeTable rope) {
        int hd = arch.headDim();
        int rot = arch.rotaryDims();
        int half = rot / 2;
        int rotatedHeads = arch.heads() + arch.kvHeads();   // q and k, not v
        float[] cos = rope.cos();
        float[] sin = rope.sin();
        for (int r = r0; r < r1; r++) {
            int pb = rope.row()[r] * half;
            for (int h = 0; h < rotatedHeads; h++) {
                int b = r * width + h * hd;
                for (int i = 0; i < rot; i += 2) {
                    int f = pb + i / 2;
                    float c = cos[f];
                    float s = sin[f];
                    float v0 = qkv[b + i];
                    float v1 = qkv[b + i + 1];
                    qkv[b + i] = v0 * c - v1 * s;
                    qkv[b + i + 1] = v0 * s + v1 * c;
                }
            }
        }
    }

    /** Query positions per attention task of a sequence on the batched path. */
    static final int ATTENTION_QUERY_BLOCK = 128;

    /**
     * One attention task: KV head {@code group} of the sequence whose first row is {@code r0} ({@code len} tokens), for
     * its query positions {@code [q0, q1)}.
     */
    private record AttentionTask(int r0, int len, int group, int q0, int q1) { }

    /**
     * The attention tasks of a chunk: per sequence and KV head, one task when the sequence is shorter than
     * {@code batchedAttentionMinTokens} (scalar loops), else one per {@link #ATTENTION_QUERY_BLOCK} query positions (two
     * ND4J GEMMs each). A function of the chunk alone, like {@link ChunkRunner#rowBlocks}.
     */
    private List<AttentionTask> attentionTasks(int[] seqStart) {
        List<AttentionTask> tasks = new ArrayList<>();
        for (int s = 0; s + 1 < seqStart.length; s++) {
            int r0 = seqStart[s];
            int len = seqStart[s + 1] - r0;
            int step = len >= batchedAttentionMinTokens ? ATTENTION_QUERY_BLOCK : len;
            for (int g = 0; g < arch.kvHeads(); g++) {
                for (int q0 = 0; q0 < len; q0 += step) tasks.add(new AttentionTask(r0, len, g, q0, Math.min(len, q0 + step)));
            }
        }
        return tasks;
    }

    /** Causal attention of one task; a query sees at most the last {@code window} positions (its own included). */
    private void attention(AttentionTask task, float[] qkv, int width, float[] out, NdScratch nd, int window) {
        if (task.len() >= batchedAttentionMinTokens) attentionBatched(task, qkv, width, out, nd, window);
        else attentionLoops(task, qkv, width, out, nd, window);
    }

    /**
     * Causal attention of one task with two ND4J GEMMs: the task's queries of the KV head's kvMul heads stacked as
     * (kvMul x queries) x hd times K^T over the whole sequence, a causal softmax over each row's past positions (the
     * future ones set to 0), then times V. The products compute the masked positions too, which BLAS does faster than
     * scalar Java does the rest.
     */
    private void attentionBatched(AttentionTask task, float[] qkv, int width, float[] out, NdScratch nd, int window) {
        int hd = arch.headDim();
        int qDim = arch.qDim();
        int kvDim = arch.kvDim();
        int kvMul = arch.heads() / arch.kvHeads();
        float scale = (float) arch.attentionScale();
        int r0 = task.r0();
        int len = task.len();
        int g = task.group();
        int q0 = task.q0();
        int qr = task.q1() - q0;
        int rowsPerGroup = kvMul * qr;
        // every element below is written before it is read: reused buffers need no zeroing
        float[] q = nd.javaArray("att-q", rowsPerGroup * hd);
        float[] k = nd.javaArray("att-k", len * hd);
        float[] v = nd.javaArray("att-v", len * hd);
        for (int t = q0; t < q0 + qr; t++) {
            int rb = (r0 + t) * width;
            for (int j = 0; j < kvMul; j++) {
                int h = g * kvMul + j;
                int row = j * qr + t - q0;
                for (int i = 0; i < hd; i++) q[row * hd + i] = qkv[rb + h * hd + i] * scale;
            }
        }
        for (int t = 0; t < len; t++) {
            int rb = (r0 + t) * width;
            System.arraycopy(qkv, rb + qDim + g * hd, k, t * hd, hd);
            System.arraycopy(qkv, rb + qDim + kvDim + g * hd, v, t * hd, hd);
        }
        INDArray qa = nd.upload("att-q", q, rowsPerGroup, hd);
        INDArray ka = nd.upload("att-k", k, len, hd);
        INDArray sa = nd.get("att-scores", rowsPerGroup, len);
        Nd4j.gemm(qa, ka, sa, false, true, 1.0, 0.0);
        // causal softmax in Java over each row's first t + 1 scores only (exponentials of the masked part skipped)
        float[] scores = nd.javaArray("att-scores", rowsPerGroup * len);
        FloatPointer sp = new FloatPointer(sa.data().addressPointer());
        sp.get(scores, 0, rowsPerGroup * len);
        double cap = arch.softcaps().attention();
        for (int r = 0; r < rowsPerGroup; r++) {
            int t = q0 + r % qr;
            int lo = Math.max(0, t + 1 - window);
            LogitSoftcaps.apply(scores, r * len + lo, r * len + t + 1, cap);
            causalSoftmax(scores, r * len, lo, t + 1, len);
        }
        sp.put(scores, 0, rowsPerGroup * len);
        INDArray va = nd.upload("att-v", v, len, hd);
        INDArray oa = nd.get("att-out", rowsPerGroup, hd);
        Nd4j.gemm(sa, va, oa, false, false, 1.0, 0.0);
        new FloatPointer(oa.data().addressPointer()).get(q, 0, rowsPerGroup * hd);
        for (int j = 0; j < kvMul; j++) {
            int h = g * kvMul + j;
            for (int t = q0; t < q0 + qr; t++) {
                System.arraycopy(q, (j * qr + t - q0) * hd, out, (r0 + t) * qDim + h * hd, hd);
            }
        }
    }

    /**
     * Softmax of {@code x[off + from, off + to)} in place, zeros in {@code x[off, off + from)} (positions before a sliding
     * window) and {@code x[off + to, off + len)} (the masked future positions).
     */
    static void causalSoftmax(float[] x, int off, int from, int to, int len) {
        ForwardMath.softmax(x, off + from, off + to);
        java.util.Arrays.fill(x, off, off + from, 0f);
        java.util.Arrays.fill(x, off + to, off + len, 0f);
    }

    /** Causal attention of one task in scalar Java (no ND4J call overhead), for short sequences. */
    private void attentionLoops(AttentionTask task, float[] qkv, int width, float[] out, NdScratch nd, int window) {
        int hd = arch.headDim();
        int qDim = arch.qDim();
        int kvDim = arch.kvDim();
        int kvMul = arch.heads() / arch.kvHeads();
        float scale = (float) arch.attentionScale();
        int r0 = task.r0();
        int len = task.len();
        int g = task.group();
        // buffers sized to the next power of two, so sequences of many lengths share a few
        int cap = Integer.highestOneBit(Math.max(1, len - 1)) << 1;
        float[] scores = nd.javaArray("loop-scores", cap);
        float[] kt = nd.javaArray("loop-kt", hd * cap);
        float[] vt = nd.javaArray("loop-vt", hd * cap);
        float[] q = nd.javaArray("loop-q", hd);
        int ko = qDim + g * hd;
        int vo = qDim + kvDim + g * hd;
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
            for (int t = task.q0(); t < task.q1(); t++) {
                int qb = (r0 + t) * width + qo;
                for (int i = 0; i < hd; i++) q[i] = qkv[qb + i] * scale;
                int n = t + 1;
                int lo = Math.max(0, n - window);   // first position inside the sliding window (0: full causal)
                attendOne(q, kt, vt, len, lo, n, scores, out, (r0 + t) * qDim + qo);
            }
        }
    }

    /**
     * One query's attention over positions {@code [lo, n)}: {@code q} (headDim, already scaled) against keys and values
     * stored transposed ({@code kt[i * stride + u]}: dimension i of position u), the softmax of the (soft-capped)
     * scores, the weighted values into {@code out[ob .. ob + headDim)}. {@code scores} holds at least n floats.
     */
    private void attendOne(float[] q, float[] kt, float[] vt, int stride, int lo, int n, float[] scores, float[] out, int ob) {
        int hd = arch.headDim();
        float q0 = q[0];
        for (int u = lo; u < n; u++) scores[u] = q0 * kt[u];
        for (int i = 1; i < hd; i++) {
            float qi = q[i];
            int kb = i * stride;
            for (int u = lo; u < n; u++) scores[u] += qi * kt[kb + u];
        }
        LogitSoftcaps.apply(scores, lo, n, arch.softcaps().attention());
        ForwardMath.softmax(scores, lo, n);
        for (int i = 0; i < hd; i++) {
            int vb = i * stride;
            // four independent partial sums keep the floating-point units busy
            float a0 = 0, a1 = 0, a2 = 0, a3 = 0;
            int u = lo;
            for (; u + 3 < n; u += 4) {
                a0 += scores[u] * vt[vb + u];
                a1 += scores[u + 1] * vt[vb + u + 1];
                a2 += scores[u + 2] * vt[vb + u + 2];
                a3 += scores[u + 3] * vt[vb + u + 3];
            }
            for (; u < n; u++) a0 += scores[u] * vt[vb + u];
            out[ob + i] = (a0 + a1) + (a2 + a3);
        }
    }

    /**
     * Attention of row {@code s} of a decoding chunk (the new token of cached sequence s) for the q heads of KV head
     * {@code g}, over the positions the cache holds for it, its own included; within the last {@code window} on a local
     * layer.
     */
    private void attentionCached(KvDecoder cache, int layer, int s, int g, float[] qkv, int width, float[] out, NdScratch nd, int window) {
        int hd = arch.headDim();
        int qDim = arch.qDim();
        int kvMul = arch.heads() / arch.kvHeads();
        float scale = (float) arch.attentionScale();
        int n = cache.length + 1;
        int lo = Math.max(0, n - window);
        float[] kt = cache.keys[layer][s * arch.kvHeads() + g];
        float[] vt = cache.values[layer][s * arch.kvHeads() + g];
        float[] scores = nd.javaArray("decode-scores", cache.capacity);
        float[] q = nd.javaArray("loop-q", hd);
        for (int h = g * kvMul; h < (g + 1) * kvMul; h++) {
            int qb = s * width + h * hd;
            for (int i = 0; i < hd; i++) q[i] = qkv[qb + i] * scale;
            attendOne(q, kt, vt, cache.capacity, lo, n, scores, out, s * qDim + h * hd);
        }
    }

    @Override
    public Decoder decoder(int sequences, int maxTokens) {
        CachedDecoder.requireShape(arch, sequences, maxTokens);
        // LongRoPE's factor set follows the sequence's length: a prefix recomputed at each length could switch sets,
        // which cached keys cannot; such lengths are left to whole passes
        RopeScaling scaling = arch.ropeScaling();
        if (scaling.usesLongFactors(1) != scaling.usesLongFactors(maxTokens)) return null;
        return new KvDecoder(sequences, maxTokens);
    }

    /**
     * The cache of a group of sequences decoded together, stored transposed ({@code headDim x capacity}: dimension i of
     * position u at {@code i * capacity + u}), as {@link #attendOne} reads it. Owned by one thread.
     */
    private final class KvDecoder extends CachedDecoder {
        KvDecoder(int sequences, int capacity) {
            super(LlamaForward.this.arch, sequences, capacity, LlamaForward.this.embedding, LlamaForward.this.logitBias, LlamaForward.this.workers, LlamaForward.this.scratch);
        }

        /** The keys and values of sequence {@code s} at position {@link #length}, from its q|k|v row at {@code qkv[base ..]}. */
        void store(int layer, int s, float[] qkv, int base) {
            int hd = arch.headDim();
            int kOff = base + arch.qDim();
            int vOff = kOff + arch.kvDim();
            for (int g = 0; g < arch.kvHeads(); g++) {
                float[] k = keys[layer][s * arch.kvHeads() + g];
                float[] v = values[layer][s * arch.kvHeads() + g];
                for (int i = 0; i < hd; i++) {
                    k[i * capacity + length] = qkv[kOff + g * hd + i];
                    v[i * capacity + length] = qkv[vOff + g * hd + i];
                }
            }
        }

        @Override
        float[] chunkLogits(TokenChunk chunk) {
            return LlamaForward.this.chunkLogits(nd, chunk, sequences, null, 0, null, null, 0, this);
        }
    }

    /**
     * GELU in its tanh approximation, 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))): transformers' gelu_pytorch_tanh and
     * the formula of ggml's ggml_gelu_f32 (whose CPU kernel reads it from an FP16 table; this is the exact value).
     */
    static float geluTanh(float x) {
        double u = 0.7978845608028654 * (x + 0.044715 * (double) x * x * x);
        return (float) (0.5 * x * (1 + Math.tanh(u)));
    }

    private static void accumulate(InputObserver observer, float[] x, int n, int width, String... names) {
        if (observer != null) observer.accept(List.of(names), x, n, width);
    }

    private float[] get(String name, int expected) { return ForwardMath.get(arch, tensors, name, expected); }
}
