package org.edgefront.evaluators.quality;

import static org.edgefront.evaluators.quality.ForwardMath.addBias;
import static org.edgefront.evaluators.quality.ForwardMath.any;
import static org.edgefront.evaluators.quality.ForwardMath.concat;
import static org.edgefront.evaluators.quality.ForwardMath.matrix;
import static org.edgefront.evaluators.quality.ForwardMath.name;

import java.util.List;
import java.util.Map;
import org.edgefront.space.model.ArchitectureFamily;
import org.edgefront.space.model.ModelArchitecture;
import org.edgefront.space.model.TensorRole;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The forward pass of a Phi-2-style decoder (Hugging Face {@code model_type "phi"}), the peer of
 * {@link LlamaForward} that {@link ForwardPasses#of} picks for {@link ArchitectureFamily#PHI2}: per block one LayerNorm (weight and bias, eps
 * {@code normEps}) feeds attention and MLP in parallel, {@code x += attn(ln(x)) + mlp(ln(x))}; q/k/v and the
 * output projection ("dense") carry biases; rotary embedding on the first {@link ModelArchitecture#rotaryDims()} of
 * each head only (Phi-2: 0.4 of it), in the Hugging Face "rotate half" layout (pairs (i, i + rotaryDims/2), no row
 * permutation on load); the MLP
 * is {@code fc2(gelu_tanh(fc1 x + b1)) + b2} (fc1 = {@link TensorRole#UP}, fc2 = {@link TensorRole#DOWN});
 * a final LayerNorm and an untied LM head with bias.
 *
 * <p>Tensor names besides the linear ones (biases use the weight's stem): {@code blk.L.attn_norm.weight/.bias},
 * {@code blk.L.attn_{q,k,v,output}.bias}, {@code blk.L.ffn_up.bias}, {@code blk.L.ffn_down.bias},
 * {@code output_norm.weight/.bias}, {@code output.bias} (see {@link #names}).
 *
 * <p>Activations float32; every linear is one ND4J GEMM per chunk; attention is causal scalar Java per sequence
 * and head. {@link #decoder} appends one token per sequence of a group per step over cached keys and values.
 * Ownership and thread-safety as {@link ForwardPass}: immutable, matrices off-heap and GC-released.
 */
public final class PhiForward implements ForwardPass {
    private static final int MAX_CHUNK_TOKENS = 4096;

    private final ModelArchitecture arch;
    private final Map<String, float[]> tensors;
    private final INDArray[] wqkv;
    private final INDArray[] wo;
    private final INDArray[] w1;
    private final INDArray[] w2;
    private final float[][] qkvBias;
    private final float[][] oBias;
    private final float[][] b1;
    private final float[][] b2;
    private final float[][] lnW;
    private final float[][] lnB;
    private final float[] outW;
    private final float[] outB;
    private final float[] embedding;
    private final INDArray lmHead;
    /** As {@link LlamaForward}'s: matrices held in ND4J, or uploaded layer by layer per chunk (streamed models). */
    private final boolean resident;
    private final float[] headBias;
    private final float[] logitBias;
    /** Buffers reused by this pass's runs and its variants' (shared with the base). */
    private final ScratchPool scratch;
    /** The threads each run spreads over (a variant keeps its base's). */
    private final PassWorkers workers;

    /** Every non-linear tensor name a Phi-2 pass needs for {@code a}. */
    static List<String> names(ModelArchitecture a) {
        java.util.ArrayList<String> n = new java.util.ArrayList<>();
        for (int l = 0; l < a.layers(); l++) {
            n.add(ModelArchitecture.attentionNormName(l));
            n.add(normBiasName(l));
            for (TensorRole r : new TensorRole[] {TensorRole.Q, TensorRole.K, TensorRole.V, TensorRole.O, TensorRole.UP, TensorRole.DOWN}) {
                n.add(biasName(r, l));
            }
        }
        n.add(ModelArchitecture.outputNormName());
        n.add(outputNormBiasName());
        n.add(headBiasName());
        return n;
    }

    static String biasName(TensorRole role, int layer) { return "blk." + layer + "." + role.ggufStem() + ".bias"; }

    static String normBiasName(int layer) { return "blk." + layer + ".attn_norm.bias"; }

    static String outputNormBiasName() { return "output_norm.bias"; }

    static String headBiasName() { return "output.bias"; }

    /**
     * A Phi-family pass over the given float tensors (the linear ones by canonical name and those of {@link #names});
     * the arrays are kept, not copied. Rotary embedding covers the architecture's {@link ModelArchitecture#rotaryDims()}
     * of each head (Phi-2's 0.4 of it; Phi-1.5 would need {@code withRotaryDims(headDim / 2)}).
     *
     * @throws IllegalArgumentException for another family or a missing or wrongly sized tensor
     */
    public static PhiForward of(ModelArchitecture arch, Map<String, float[]> tensors) {
        return of(arch, tensors, ForwardPasses.residentMatrices(arch, ForwardPasses.RESIDENT_MATRIX_BYTES));
    }

    /** As {@link #of(ModelArchitecture, Map)} with the matrices held in ND4J or uploaded per chunk ({@link ForwardPasses#open}). */
    static PhiForward of(ModelArchitecture arch, Map<String, float[]> tensors, boolean resident) {
        ForwardPasses.requireFullWidthHeads(arch);
        return new PhiForward(arch, ForwardMath.kept(tensors), null, Map.of(), null, resident);
    }

    private PhiForward(ModelArchitecture arch, Map<String, float[]> t, PhiForward base, Map<String, float[]> changed,
                       float[] logitBias, boolean resident) {
        this(arch, t, base, changed, logitBias, resident, base != null ? base.workers : PassWorkers.ONE);
    }

    private PhiForward(ModelArchitecture arch, Map<String, float[]> t, PhiForward base, Map<String, float[]> changed,
                       float[] logitBias, boolean resident, PassWorkers workers) {
        this.workers = workers;
        if (arch.family() != ArchitectureFamily.PHI2) throw new IllegalArgumentException(arch.name() + " is not a Phi-2 model");
        if (arch.tiedEmbeddings()) throw new IllegalArgumentException("Phi-2 has an untied LM head");
        this.arch = arch;
        this.tensors = t;
        this.logitBias = logitBias;
        this.resident = base != null ? base.resident : resident;
        this.scratch = base != null ? base.scratch : ScratchPool.forThisMachine();
        int layers = arch.layers();
        int dim = arch.dim();
        int kv = arch.kvDim();
        int hid = arch.hiddenDim();
        wqkv = new INDArray[layers];
        wo = new INDArray[layers];
        w1 = new INDArray[layers];
        w2 = new INDArray[layers];
        qkvBias = new float[layers][];
        oBias = new float[layers][];
        b1 = new float[layers][];
        b2 = new float[layers][];
        lnW = new float[layers][];
        lnB = new float[layers][];
        boolean reuse = base != null;
        for (int l = 0; l < layers; l++) {
            String q = name(TensorRole.Q, l);
            String k = name(TensorRole.K, l);
            String v = name(TensorRole.V, l);
            String o = name(TensorRole.O, l);
            String u = name(TensorRole.UP, l);
            String d = name(TensorRole.DOWN, l);
            if (reuse) {
                // a variant shares the base's unchanged matrices; its replaced ones are uploaded when their layer runs
                wqkv[l] = any(changed, q, k, v) ? null : base.wqkv[l];
                wo[l] = any(changed, o) ? null : base.wo[l];
                w1[l] = any(changed, u) ? null : base.w1[l];
                w2[l] = any(changed, d) ? null : base.w2[l];
            } else if (this.resident) {
                wqkv[l] = matrix(concat(get(t, q, dim * dim), get(t, k, kv * dim), get(t, v, kv * dim)), dim + 2 * kv, dim);
                wo[l] = matrix(get(t, o, dim * dim), dim, dim);
                w1[l] = matrix(get(t, u, hid * dim), hid, dim);
                w2[l] = matrix(get(t, d, dim * hid), dim, hid);
            }
            qkvBias[l] = concat(get(t, biasName(TensorRole.Q, l), dim), get(t, biasName(TensorRole.K, l), kv),
                    get(t, biasName(TensorRole.V, l), kv));
            oBias[l] = get(t, biasName(TensorRole.O, l), dim);
            b1[l] = get(t, biasName(TensorRole.UP, l), hid);
            b2[l] = get(t, biasName(TensorRole.DOWN, l), dim);
            lnW[l] = get(t, ModelArchitecture.attentionNormName(l), dim);
            lnB[l] = get(t, normBiasName(l), dim);
        }
        outW = get(t, ModelArchitecture.outputNormName(), dim);
        outB = get(t, outputNormBiasName(), dim);
        embedding = get(t, name(TensorRole.EMBEDDING, -1), arch.vocabSize() * dim);
        String head = name(TensorRole.LM_HEAD, -1);
        lmHead = reuse ? (any(changed, head) ? null : base.lmHead)
                : this.resident ? matrix(get(t, head, arch.vocabSize() * dim), arch.vocabSize(), dim) : null;
        headBias = get(t, headBiasName(), arch.vocabSize());
    }

    @Override
    public PhiForward withOverrides(Map<String, float[]> replaced) {
        if (replaced.isEmpty()) return this;
        return new PhiForward(arch, ForwardMath.merged(arch, tensors, replaced), this, replaced, logitBias, resident);
    }

    @Override
    public PhiForward withKeptVocabulary(boolean[] keptTokens) {
        return new PhiForward(arch, tensors, this, Map.of(), ForwardMath.logitBias(arch, keptTokens), resident);
    }

    @Override
    public PhiForward withThreads(int threads) {
        if (threads < 1) throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        if (threads == workers.threads()) return this;
        return new PhiForward(arch, tensors, this, Map.of(), logitBias, resident, PassWorkers.of(threads));
    }

    @Override
    public int threads() { return workers.threads(); }

    /** The threads this pass and its variants work on (see {@link ForwardPasses#workers}). */
    PassWorkers workers() { return workers; }

    @Override
    public ModelArchitecture architecture() { return arch; }

    @Override
    public Map<String, float[]> tensors() { return tensors; }

    /** A skipped block adds nothing to the residual stream: its attention-output and fc2 biases go too. */
    @Override
    public List<String> residualBiases(int layer) { return List.of(biasName(TensorRole.O, layer), biasName(TensorRole.DOWN, layer)); }

    @Override
    public void run(List<int[]> sequences, LogProbSink sink, InputObserver observer) {
        try (NdScratch nd = scratch.acquire()) {
            ChunkRunner.run(arch, sequences, embedding, MAX_CHUNK_TOKENS, logitBias, (i, c, n, o) -> chunkLogits(nd, c, n, o),
                    sink, observer, workers);
        }
    }

    /**
     * The logits of one chunk: an array of {@code nd}, valid until its next chunk. Like {@link LlamaForward}'s, each layer
     * runs in steps over {@link #workers}: the rows in fixed blocks ({@link ChunkRunner#rowBlocks}) through the norm,
     * q/k/v and RoPE; attention per sequence and head; the rows again through the output projection, the parallel FFN
     * and the residual add. The blocks and tasks depend on the chunk alone, so any thread count gives the same bits.
     */
    private float[] chunkLogits(NdScratch nd, TokenChunk chunk, int n, InputObserver obs) {
        return chunkLogits(nd, chunk, n, obs, null);
    }

    /**
     * As {@link #chunkLogits(NdScratch, TokenChunk, int, InputObserver)}; with a {@code cache} ({@link KvDecoder}) the
     * chunk is one new token per cached sequence, row r being sequence r at the cache's length: its keys and values are
     * stored and it attends over every cached position, its own included.
     */
    private float[] chunkLogits(NdScratch nd, TokenChunk chunk, int n, InputObserver obs, KvDecoder cache) {
        int dim = arch.dim();
        int kvDim = arch.kvDim();
        int hid = arch.hiddenDim();
        int vocab = arch.vocabSize();
        int heads = arch.heads();
        int width = dim + 2 * kvDim;
        float[] x = chunk.x();
        int[] seqStart = chunk.seqStart();
        int[] positions = chunk.positions();
        float[][] rope = ropeTable(chunk.maxLen());
        nd.beginChunk();
        NdScratch[] ws = nd.workers(workers.threads());
        int[] rows = ChunkRunner.rowBlocks(n);
        int blocks = rows.length - 1;
        int attentionTasks = (seqStart.length - 1) * heads;
        // every element of these is written before it is read: reused buffers need no zeroing
        float[] xb = nd.javaArray("xb", n * dim);
        float[] att = nd.javaArray("att", n * dim);
        float[] qkv = nd.javaArray("qkv", n * width);
        float[] o = nd.javaArray("o", n * dim);
        float[] h = nd.javaArray("h", n * hid);
        float[] d = nd.javaArray("d", n * dim);
        String head = name(TensorRole.LM_HEAD, -1);
        for (int l = 0; l < arch.layers(); l++) {
            int layer = l;
            // replaced matrices are uploaded once per layer, by this thread, and only read by the steps
            INDArray wQkv = wqkv[l] != null ? wqkv[l] : nd.uploadParts("w-qkv", width, dim, get(tensors, name(TensorRole.Q, l), dim * dim),
                    get(tensors, name(TensorRole.K, l), kvDim * dim), get(tensors, name(TensorRole.V, l), kvDim * dim));
            workers.forEach(blocks, (b, t) -> {
                int r0 = rows[b];
                int r1 = rows[b + 1];
                layerNorm(x, xb, lnW[layer], lnB[layer], r0, r1, dim);
                ws[t].matmulRows(xb, r0, r1, dim, wQkv, width, qkv);
                addBias(qkv, qkvBias[layer], r0, r1, width);
                applyRope(qkv, r0, r1, width, positions, rope);
            });
            if (obs != null) obs.accept(List.of(name(TensorRole.Q, l), name(TensorRole.K, l), name(TensorRole.V, l), name(TensorRole.UP, l)), xb, n, dim);
            if (cache != null) {
                for (int s = 0; s < n; s++) cache.store(layer, s, qkv, s * width);
                workers.forEach(n * heads, (i, t) -> attentionCached(cache, layer, i / heads, i % heads, qkv, width, att, ws[t]));
            } else {
                workers.forEach(attentionTasks, (i, t) -> {
                    int s = i / heads;
                    attention(qkv, width, att, seqStart[s], seqStart[s + 1] - seqStart[s], i % heads);
                });
            }
            if (obs != null) obs.accept(List.of(name(TensorRole.O, l)), att, n, dim);
            INDArray wO = wo[l] != null ? wo[l] : nd.uploadParts("w-o", dim, dim, get(tensors, name(TensorRole.O, l), dim * dim));
            INDArray wUp = w1[l] != null ? w1[l] : nd.uploadParts("w-1", hid, dim, get(tensors, name(TensorRole.UP, l), hid * dim));
            INDArray wDown = w2[l] != null ? w2[l] : nd.uploadParts("w-2", dim, hid, get(tensors, name(TensorRole.DOWN, l), dim * hid));
            workers.forEach(blocks, (b, t) -> {
                int r0 = rows[b];
                int r1 = rows[b + 1];
                ws[t].matmulRows(att, r0, r1, dim, wO, dim, o);
                addBias(o, oBias[layer], r0, r1, dim);
                ws[t].matmulRows(xb, r0, r1, dim, wUp, hid, h);
                addBias(h, b1[layer], r0, r1, hid);
                for (int i = r0 * hid; i < r1 * hid; i++) h[i] = geluTanh(h[i]);
                ws[t].matmulRows(h, r0, r1, hid, wDown, dim, d);
                addBias(d, b2[layer], r0, r1, dim);
                for (int i = r0 * dim; i < r1 * dim; i++) x[i] += o[i] + d[i];
            });
            // fc2's inputs of every row, complete once the step is
            if (obs != null) obs.accept(List.of(name(TensorRole.DOWN, l)), h, n, hid);
        }
        INDArray wHead = lmHead != null ? lmHead : nd.uploadParts("w-head", vocab, dim, get(tensors, head, vocab * dim));
        float[] logits = nd.javaArray("logits", n * vocab);
        workers.forEach(blocks, (b, t) -> {
            int r0 = rows[b];
            int r1 = rows[b + 1];
            layerNorm(x, xb, outW, outB, r0, r1, dim);
            ws[t].matmulRows(xb, r0, r1, dim, wHead, vocab, logits);
            addBias(logits, headBias, r0, r1, vocab);
        });
        if (obs != null) obs.accept(List.of(name(TensorRole.LM_HEAD, -1)), xb, n, dim);
        return logits;
    }

    /** GELU with the tanh approximation (Hugging Face "gelu_new"). */
    static float geluTanh(float v) {
        double c = Math.sqrt(2.0 / Math.PI);
        return (float) (0.5 * v * (1.0 + Math.tanh(c * (v + 0.044715 * v * v * v))));
    }

    private void layerNorm(float[] x, float[] out, float[] w, float[] b, int r0, int r1, int dim) {
        double eps = arch.normEps();
        for (int r = r0; r < r1; r++) {
            int o = r * dim;
            double mean = 0;
            for (int i = 0; i < dim; i++) mean += x[o + i];
            mean /= dim;
            double var = 0;
            for (int i = 0; i < dim; i++) {
                double d = x[o + i] - mean;
                var += d * d;
            }
            var /= dim;
            float inv = (float) (1.0 / Math.sqrt(var + eps));
            float m = (float) mean;
            for (int i = 0; i < dim; i++) out[o + i] = (x[o + i] - m) * inv * w[i] + b[i];
        }
    }

    /** cos/sin per position and rotary frequency i < rotaryDims/2: freq = theta^(-2i / rotaryDims). */
    private float[][] ropeTable(int len) {
        int rotaryDims = arch.rotaryDims();
        int half = rotaryDims / 2;
        float[] cos = new float[len * half];
        float[] sin = new float[len * half];
        for (int i = 0; i < half; i++) {
            double freq = 1.0 / Math.pow(arch.ropeTheta(), (2.0 * i) / rotaryDims);
            for (int p = 0; p < len; p++) {
                cos[p * half + i] = (float) Math.cos(p * freq);
                sin[p * half + i] = (float) Math.sin(p * freq);
            }
        }
        return new float[][] {cos, sin};
    }

    /** Rotate-half rotary embedding on the first rotaryDims of every q and k head. */
    private void applyRope(float[] qkv, int r0, int r1, int width, int[] positions, float[][] rope) {
        int hd = arch.headDim();
        int half = arch.rotaryDims() / 2;
        int headsQk = arch.heads() + arch.kvHeads();
        for (int r = r0; r < r1; r++) {
            int pb = positions[r] * half;
            for (int h = 0; h < headsQk; h++) {
                int b = r * width + h * hd;
                for (int i = 0; i < half; i++) {
                    float c = rope[0][pb + i];
                    float s = rope[1][pb + i];
                    float v0 = qkv[b + i];
                    float v1 = qkv[b + i + half];
                    qkv[b + i] = v0 * c - v1 * s;
                    qkv[b + i + half] = v1 * c + v0 * s;
                }
            }
        }
    }

    /** Causal attention of head {@code h} over the sequence whose first row is {@code r0}. */
    private void attention(float[] qkv, int width, float[] out, int r0, int len, int h) {
        int hd = arch.headDim();
        int dim = arch.dim();
        int kvDim = arch.kvDim();
        int kvMul = arch.heads() / arch.kvHeads();
        float scale = (float) (1.0 / Math.sqrt(hd));
        float[] scores = new float[len];
        {
            int ko = dim + (h / kvMul) * hd;
            int vo = dim + kvDim + (h / kvMul) * hd;
            for (int t = 0; t < len; t++) {
                int qb = (r0 + t) * width + h * hd;
                for (int u = 0; u <= t; u++) {
                    int kb = (r0 + u) * width + ko;
                    float s = 0;
                    for (int i = 0; i < hd; i++) s += qkv[qb + i] * qkv[kb + i];
                    s *= scale;
                    scores[u] = s;
                }
                ForwardMath.softmax(scores, 0, t + 1);
                int ob = (r0 + t) * dim + h * hd;
                java.util.Arrays.fill(out, ob, ob + hd, 0f);
                for (int u = 0; u <= t; u++) {
                    float p = scores[u];
                    int vb = (r0 + u) * width + vo;
                    for (int i = 0; i < hd; i++) out[ob + i] += p * qkv[vb + i];
                }
            }
        }
    }

    /**
     * Attention of head {@code h} for row {@code s} of a decoding chunk (the new token of cached sequence s) over the
     * positions the cache holds for it, its own included: the arithmetic of {@link #attention} in the same order, on
     * keys and values read from the cache instead of the chunk.
     */
    private void attentionCached(KvDecoder cache, int layer, int s, int h, float[] qkv, int width, float[] out, NdScratch nd) {
        int hd = arch.headDim();
        int kvMul = arch.heads() / arch.kvHeads();
        float scale = (float) (1.0 / Math.sqrt(hd));
        int len = cache.length + 1;
        float[] k = cache.keys[layer][s * arch.kvHeads() + h / kvMul];
        float[] v = cache.values[layer][s * arch.kvHeads() + h / kvMul];
        float[] scores = nd.javaArray("decode-scores", cache.capacity);
        int qb = s * width + h * hd;
        for (int u = 0; u < len; u++) {
            int kb = u * hd;
            float sc = 0;
            for (int i = 0; i < hd; i++) sc += qkv[qb + i] * k[kb + i];
            sc *= scale;
            scores[u] = sc;
        }
        ForwardMath.softmax(scores, 0, len);
        int ob = s * arch.dim() + h * hd;
        java.util.Arrays.fill(out, ob, ob + hd, 0f);
        for (int u = 0; u < len; u++) {
            float p = scores[u];
            int vb = u * hd;
            for (int i = 0; i < hd; i++) out[ob + i] += p * v[vb + i];
        }
    }

    @Override
    public Decoder decoder(int sequences, int maxTokens) {
        return new KvDecoder(sequences, maxTokens);
    }

    /**
     * The cache of a group of sequences decoded together, position-major ({@code capacity x headDim}: dimension i of
     * position u at {@code u * headDim + i}), as {@link #attentionCached} reads it. Owned by one thread.
     */
    private final class KvDecoder extends CachedDecoder {
        KvDecoder(int sequences, int capacity) {
            super(PhiForward.this.arch, sequences, capacity, PhiForward.this.embedding, PhiForward.this.logitBias, PhiForward.this.workers, PhiForward.this.scratch);
        }

        /** The keys and values of sequence {@code s} at position {@link #length}, from its q|k|v row at {@code qkv[base ..]}. */
        void store(int layer, int s, float[] qkv, int base) {
            int hd = arch.headDim();
            int kOff = base + arch.dim();
            int vOff = kOff + arch.kvDim();
            for (int g = 0; g < arch.kvHeads(); g++) {
                System.arraycopy(qkv, kOff + g * hd, keys[layer][s * arch.kvHeads() + g], length * hd, hd);
                System.arraycopy(qkv, vOff + g * hd, values[layer][s * arch.kvHeads() + g], length * hd, hd);
            }
        }

        @Override
        float[] chunkLogits(TokenChunk chunk) {
            return PhiForward.this.chunkLogits(nd, chunk, sequences, null, this);
        }
    }

    private float[] get(Map<String, float[]> t, String name, int expected) { return ForwardMath.get(arch, t, name, expected); }
}
