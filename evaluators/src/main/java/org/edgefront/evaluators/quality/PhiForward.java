package org.edgefront.evaluators.quality;

import java.util.List;
import java.util.Map;
import org.edgefront.space.model.ArchitectureFamily;
import org.edgefront.space.model.ModelArchitecture;
import org.edgefront.space.model.TensorRole;
import org.edgefront.space.model.TensorSpec;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The forward pass of a Phi-2-style decoder (Hugging Face {@code model_type "phi"}), reached through
 * {@link LlamaForward#of} for {@link ArchitectureFamily#PHI2}: per block one LayerNorm (weight and bias, eps
 * {@code normEps}) feeds attention and MLP in parallel, {@code x += attn(ln(x)) + mlp(ln(x))}; q/k/v and the
 * output projection ("dense") carry biases; rotary embedding on the first {@code rotaryDims} of each head only,
 * in the Hugging Face "rotate half" layout (pairs (i, i + rotaryDims/2), no row permutation on load); the MLP
 * is {@code fc2(gelu_tanh(fc1 x + b1)) + b2} (fc1 = {@link TensorRole#UP}, fc2 = {@link TensorRole#DOWN});
 * a final LayerNorm and an untied LM head with bias.
 *
 * <p>Tensor names besides the linear ones (biases use the weight's stem): {@code blk.L.attn_norm.weight/.bias},
 * {@code blk.L.attn_{q,k,v,output}.bias}, {@code blk.L.ffn_up.bias}, {@code blk.L.ffn_down.bias},
 * {@code output_norm.weight/.bias}, {@code output.bias} (see {@link #names}).
 *
 * <p>Activations float32; every linear is one ND4J GEMM per chunk; attention is causal scalar Java per sequence
 * and head. Ownership and thread-safety as {@link LlamaForward}: immutable, matrices off-heap and GC-released.
 */
final class PhiForward {
    /** Phi-2's {@code partial_rotary_factor} (Phi-1 and Phi-1.5 use 0.5). */
    static final double PHI2_PARTIAL_ROTARY = 0.4;
    private static final int MAX_CHUNK_TOKENS = 4096;

    private final ModelArchitecture arch;
    private final int rotaryDims;
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
    private final float[] headBias;
    private final float[] logitBias;

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

    /** Rotary dimensions per head for Phi-2: {@link #PHI2_PARTIAL_ROTARY} of the head size, rounded down to even. */
    static int phi2RotaryDims(ModelArchitecture a) { return ((int) (a.headDim() * PHI2_PARTIAL_ROTARY)) & ~1; }

    PhiForward(ModelArchitecture arch, Map<String, float[]> t, int rotaryDims, PhiForward base, Map<String, float[]> changed,
               float[] logitBias) {
        if (arch.family() != ArchitectureFamily.PHI2) throw new IllegalArgumentException(arch.name() + " is not a Phi-2 model");
        if (arch.tiedEmbeddings()) throw new IllegalArgumentException("Phi-2 has an untied LM head");
        if (rotaryDims < 0 || rotaryDims > arch.headDim() || rotaryDims % 2 != 0) {
            throw new IllegalArgumentException("rotary dims " + rotaryDims + " for head size " + arch.headDim());
        }
        this.arch = arch;
        this.rotaryDims = rotaryDims;
        this.logitBias = logitBias;
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
            wqkv[l] = reuse && !any(changed, q, k, v) ? base.wqkv[l]
                    : LlamaForward.matrix(LlamaForward.concat(get(t, q, dim * dim), get(t, k, kv * dim), get(t, v, kv * dim)), dim + 2 * kv, dim);
            wo[l] = reuse && !any(changed, o) ? base.wo[l] : LlamaForward.matrix(get(t, o, dim * dim), dim, dim);
            w1[l] = reuse && !any(changed, u) ? base.w1[l] : LlamaForward.matrix(get(t, u, hid * dim), hid, dim);
            w2[l] = reuse && !any(changed, d) ? base.w2[l] : LlamaForward.matrix(get(t, d, dim * hid), dim, hid);
            qkvBias[l] = LlamaForward.concat(get(t, biasName(TensorRole.Q, l), dim), get(t, biasName(TensorRole.K, l), kv),
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
        lmHead = reuse && !any(changed, head) ? base.lmHead : LlamaForward.matrix(get(t, head, arch.vocabSize() * dim), arch.vocabSize(), dim);
        headBias = get(t, headBiasName(), arch.vocabSize());
    }

    PhiForward withOverrides(Map<String, float[]> all, Map<String, float[]> changed) {
        return new PhiForward(arch, all, rotaryDims, this, changed, logitBias);
    }

    PhiForward withLogitBias(Map<String, float[]> all, float[] bias) {
        return new PhiForward(arch, all, rotaryDims, this, Map.of(), bias);
    }

    int rotaryDims() { return rotaryDims; }

    void run(List<int[]> sequences, LlamaForward.LogProbSink sink, LlamaForward.InputObserver observer) {
        TokenChunk.forEach(sequences, MAX_CHUNK_TOKENS, (from, to, tokens) -> runChunk(sequences, from, to, tokens, sink, observer));
    }

    private void runChunk(List<int[]> sequences, int from, int to, int n, LlamaForward.LogProbSink sink, LlamaForward.InputObserver obs) {
        int dim = arch.dim();
        int kvDim = arch.kvDim();
        int hid = arch.hiddenDim();
        int vocab = arch.vocabSize();
        int width = dim + 2 * kvDim;
        TokenChunk chunk = TokenChunk.embed(sequences, from, to, n, embedding, dim);
        float[] x = chunk.x();
        int[] seqStart = chunk.seqStart();
        int[] positions = chunk.positions();
        float[][] rope = ropeTable(chunk.maxLen());
        float[] xb = new float[n * dim];
        float[] att = new float[n * dim];
        for (int l = 0; l < arch.layers(); l++) {
            layerNorm(x, xb, lnW[l], lnB[l], n, dim);
            if (obs != null) obs.accept(List.of(name(TensorRole.Q, l), name(TensorRole.K, l), name(TensorRole.V, l), name(TensorRole.UP, l)), xb, n, dim);
            float[] qkv = LlamaForward.matmul(xb, n, dim, wqkv[l], width);
            addBias(qkv, qkvBias[l], n, width);
            applyRope(qkv, n, width, positions, rope);
            for (int s = 0; s + 1 < seqStart.length; s++) attention(qkv, width, att, seqStart[s], seqStart[s + 1] - seqStart[s]);
            if (obs != null) obs.accept(List.of(name(TensorRole.O, l)), att, n, dim);
            float[] o = LlamaForward.matmul(att, n, dim, wo[l], dim);
            addBias(o, oBias[l], n, dim);
            float[] h = LlamaForward.matmul(xb, n, dim, w1[l], hid);
            addBias(h, b1[l], n, hid);
            for (int i = 0; i < h.length; i++) h[i] = geluTanh(h[i]);
            if (obs != null) obs.accept(List.of(name(TensorRole.DOWN, l)), h, n, hid);
            float[] d = LlamaForward.matmul(h, n, hid, w2[l], dim);
            addBias(d, b2[l], n, dim);
            for (int i = 0; i < x.length; i++) x[i] += o[i] + d[i];
        }
        layerNorm(x, xb, outW, outB, n, dim);
        if (obs != null) obs.accept(List.of(name(TensorRole.LM_HEAD, -1)), xb, n, dim);
        float[] logits = LlamaForward.matmul(xb, n, dim, lmHead, vocab);
        addBias(logits, headBias, n, vocab);
        for (int s = from; s < to; s++) {
            int r0 = seqStart[s - from];
            int len = seqStart[s - from + 1] - r0;
            for (int p = 0; p < len; p++) {
                int off = (r0 + p) * vocab;
                if (logitBias != null) for (int i = 0; i < vocab; i++) logits[off + i] += logitBias[i];
                LlamaForward.logSoftmax(logits, off, vocab);
                sink.accept(s, p, logits, off);
            }
        }
    }

    /** GELU with the tanh approximation (Hugging Face "gelu_new"). */
    static float geluTanh(float v) {
        double c = Math.sqrt(2.0 / Math.PI);
        return (float) (0.5 * v * (1.0 + Math.tanh(c * (v + 0.044715 * v * v * v))));
    }

    private void layerNorm(float[] x, float[] out, float[] w, float[] b, int n, int dim) {
        double eps = arch.normEps();
        for (int r = 0; r < n; r++) {
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

    private static void addBias(float[] y, float[] b, int n, int width) {
        for (int r = 0; r < n; r++) {
            int o = r * width;
            for (int i = 0; i < width; i++) y[o + i] += b[i];
        }
    }

    /** cos/sin per position and rotary frequency i < rotaryDims/2: freq = theta^(-2i / rotaryDims). */
    private float[][] ropeTable(int len) {
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
    private void applyRope(float[] qkv, int n, int width, int[] positions, float[][] rope) {
        int hd = arch.headDim();
        int half = rotaryDims / 2;
        int headsQk = arch.heads() + arch.kvHeads();
        for (int r = 0; r < n; r++) {
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

    private void attention(float[] qkv, int width, float[] out, int r0, int len) {
        int hd = arch.headDim();
        int dim = arch.dim();
        int kvDim = arch.kvDim();
        int kvMul = arch.heads() / arch.kvHeads();
        float scale = (float) (1.0 / Math.sqrt(hd));
        float[] scores = new float[len];
        for (int h = 0; h < arch.heads(); h++) {
            int ko = dim + (h / kvMul) * hd;
            int vo = dim + kvDim + (h / kvMul) * hd;
            for (int t = 0; t < len; t++) {
                int qb = (r0 + t) * width + h * hd;
                float max = Float.NEGATIVE_INFINITY;
                for (int u = 0; u <= t; u++) {
                    int kb = (r0 + u) * width + ko;
                    float s = 0;
                    for (int i = 0; i < hd; i++) s += qkv[qb + i] * qkv[kb + i];
                    s *= scale;
                    scores[u] = s;
                    if (s > max) max = s;
                }
                float sum = 0;
                for (int u = 0; u <= t; u++) {
                    float e = LlamaForward.expNonPositive(scores[u] - max);
                    scores[u] = e;
                    sum += e;
                }
                float inv = 1f / sum;
                int ob = (r0 + t) * dim + h * hd;
                java.util.Arrays.fill(out, ob, ob + hd, 0f);
                for (int u = 0; u <= t; u++) {
                    float p = scores[u] * inv;
                    int vb = (r0 + u) * width + vo;
                    for (int i = 0; i < hd; i++) out[ob + i] += p * qkv[vb + i];
                }
            }
        }
    }

    private float[] get(Map<String, float[]> t, String name, int expected) {
        float[] v = t.get(name);
        if (v == null) throw new IllegalArgumentException("tensor " + name + " missing for " + arch.name());
        if (v.length != expected) throw new IllegalArgumentException("tensor " + name + " has " + v.length + " values, expected " + expected);
        return v;
    }

    private static boolean any(Map<String, float[]> changed, String... names) {
        for (String n : names) if (changed.containsKey(n)) return true;
        return false;
    }

    private static String name(TensorRole role, int layer) { return TensorSpec.canonicalName(role, layer); }
}
