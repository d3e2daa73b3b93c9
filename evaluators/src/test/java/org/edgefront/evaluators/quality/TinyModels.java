package org.edgefront.evaluators.quality;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.edgefront.space.model.ModelArchitecture;
import org.edgefront.space.model.ModelWeights;
import org.edgefront.space.model.TensorSpec;

/** Seeded in-memory Llama models and token sequences for tests. */
final class TinyModels {
    private TinyModels() {}

    static ModelArchitecture arch(boolean tied) {
        return ModelArchitecture.llama("tiny-test", 32, 48, 2, 4, 2, 40, 64, tied, 1e-5, 10000.0, true);
    }

    static ModelArchitecture qwen2() {
        return ModelArchitecture.of("tiny-qwen2-test", org.edgefront.space.model.ArchitectureFamily.QWEN2, 32, 48, 2, 4, 2, 40, 64,
                true, 1e-6, 1000000.0, true);
    }

    /**
     * A tiny Qwen3: q/k norms, no biases, and heads of 12 so that heads x headDim (48) differs from the width (32), as in
     * Qwen3-0.6B (16 x 128 on 1024).
     */
    static ModelArchitecture qwen3() {
        return ModelArchitecture.of("tiny-qwen3-test", org.edgefront.space.model.ArchitectureFamily.QWEN3, 32, 48, 2, 4, 2, 12, 40, 64,
                true, 1e-6, 1000000.0, true);
    }

    /**
     * A tiny Gemma 3: q/k and sandwich norms, heads of 12 (48 != 32 wide), three layers with a period of 2 (local, global,
     * local) and a 5-token window, local RoPE base 10000 unscaled, global base 1e6 with linear scaling 2, and an attention
     * scale of 1/sqrt(10) rather than 1/sqrt(headDim) (query_pre_attn_scalar may differ from the head size, as in 27B).
     */
    static ModelArchitecture gemma3() {
        return ModelArchitecture.of("tiny-gemma3-test", org.edgefront.space.model.ArchitectureFamily.GEMMA3, 32, 48, 3, 4, 2, 12, 40, 64,
                        true, 1e-6, 1000000.0, true)
                .withRopeScaling(org.edgefront.space.model.RopeScaling.linear(2.0))
                .withSlidingWindow(new org.edgefront.space.model.SlidingWindow(5, 2, 10000.0))
                .withAttentionScale(1 / Math.sqrt(10));
    }

    /**
     * A tiny Phi-3: Llama's block with an untied head and grouped-query attention (4 heads, 2 KV heads), the canonical
     * tensors its loaders split from the stacked q|k|v and gate|up.
     */
    static ModelArchitecture phi3() {
        return ModelArchitecture.of("tiny-phi3-test", org.edgefront.space.model.ArchitectureFamily.PHI3, 32, 48, 2, 4, 2, 40, 64,
                false, 1e-5, 10000.0, true);
    }

    static Map<String, float[]> tensors(ModelArchitecture a, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        Map<String, float[]> t = new HashMap<>();
        for (TensorSpec s : a.linearTensors()) {
            float[] w = new float[s.rows() * s.cols()];
            double std = 1.0 / Math.sqrt(s.cols());
            for (int i = 0; i < w.length; i++) w[i] = (float) ((r.nextDouble() * 2 - 1) * std * 1.7);
            t.put(s.name(), w);
        }
        for (int l = 0; l < a.layers(); l++) {
            t.put(ModelArchitecture.attentionNormName(l), norm(a.dim(), r));
            t.put(ModelArchitecture.ffnNormName(l), norm(a.dim(), r));
        }
        t.put(ModelArchitecture.outputNormName(), norm(a.dim(), r));
        if (a.sandwichNorms()) {
            for (int l = 0; l < a.layers(); l++) {
                t.put(ModelArchitecture.postAttentionNormName(l), norm(a.dim(), r));
                t.put(ModelArchitecture.postFfnNormName(l), norm(a.dim(), r));
            }
        }
        if (a.attentionBiases()) {
            for (int l = 0; l < a.layers(); l++) {
                for (org.edgefront.space.model.TensorRole role : new org.edgefront.space.model.TensorRole[] {
                        org.edgefront.space.model.TensorRole.Q, org.edgefront.space.model.TensorRole.K, org.edgefront.space.model.TensorRole.V}) {
                    float[] b = new float[a.tensor(TensorSpec.canonicalName(role, l)).rows()];
                    for (int i = 0; i < b.length; i++) b[i] = (float) (r.nextDouble() - 0.5);
                    t.put(ModelArchitecture.attentionBiasName(role, l), b);
                }
            }
        }
        if (a.qkNorm()) {
            // spread wider than the block norms', so a q/k norm mix-up shows in the output
            for (int l = 0; l < a.layers(); l++) {
                for (org.edgefront.space.model.TensorRole role : new org.edgefront.space.model.TensorRole[] {
                        org.edgefront.space.model.TensorRole.Q, org.edgefront.space.model.TensorRole.K}) {
                    float[] w = new float[a.headDim()];
                    for (int i = 0; i < w.length; i++) w[i] = (float) (0.5 + 1.5 * r.nextDouble());
                    t.put(ModelArchitecture.qkNormName(role, l), w);
                }
            }
        }
        return t;
    }

    private static float[] norm(int dim, SplittableRandom r) {
        float[] n = new float[dim];
        for (int i = 0; i < dim; i++) n[i] = (float) (0.8 + 0.4 * r.nextDouble());
        return n;
    }

    /** One sequence of exactly {@code length} uniformly random tokens. */
    static int[] tokens(int length, int vocab, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int[] s = new int[length];
        for (int i = 0; i < length; i++) s[i] = r.nextInt(vocab);
        return s;
    }

    /** A model of the given width over 2 layers and a 500-token vocabulary: long sequences give several row blocks. */
    static ModelArchitecture mid(int maxSeqLen) {
        return ModelArchitecture.llama("mid-test", 256, 640, 2, 8, 4, 500, maxSeqLen, true, 1e-5, 10000.0, true);
    }

    static List<int[]> sequences(int count, int maxLen, int vocab, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        java.util.ArrayList<int[]> out = new java.util.ArrayList<>();
        for (int i = 0; i < count; i++) {
            int[] s = new int[2 + r.nextInt(maxLen - 1)];
            s[0] = 1;
            for (int j = 1; j < s.length; j++) s[j] = r.nextInt(vocab);
            out.add(s);
        }
        return out;
    }

    /** A ModelWeights over in-memory tensors. */
    static ModelWeights weights(ModelArchitecture a, Map<String, float[]> t) {
        return new ModelWeights() {
            @Override public ModelArchitecture architecture() { return a; }
            @Override public float[] read(String name) {
                float[] w = t.get(name);
                if (w == null) throw new IllegalArgumentException("no tensor " + name);
                return w.clone();
            }
            @Override public String source() { return "synthetic:tiny-test"; }
            @Override public void close() { }
        };
    }

    /**
     * Token-by-token llama2.c forward with a KV cache, written independently of LlamaForward (the
     * "reference beside the fast one"): double accumulation, no ND4J. Gemma 3 as Gemma3ForCausalLM computes it (with
     * the norms' 1 + w held as the weights): embedding times sqrt(dim), post-attention and post-FFN norms, GELU (tanh) gate,
     * the architecture's attention scale, and on local layers keys only from the last {@code window} positions and RoPE at
     * the local base without scaling.
     */
    static double[][] referenceLogProbs(ModelArchitecture a, Map<String, float[]> t, int[] tokens) {
        int dim = a.dim();
        int qDim = a.qDim();
        int hd = a.headDim();
        int kvDim = a.kvDim();
        int hid = a.hiddenDim();
        int n = tokens.length;
        double[][][] kc = new double[a.layers()][n][kvDim];
        double[][][] vc = new double[a.layers()][n][kvDim];
        double[][] out = new double[n][];
        float[] emb = t.get("token_embd.weight");
        float[] head = a.tiedEmbeddings() ? emb : t.get("output.weight");
        for (int pos = 0; pos < n; pos++) {
            double[] x = new double[dim];
            double embScale = a.family() == org.edgefront.space.model.ArchitectureFamily.GEMMA3 ? Math.sqrt(dim) : 1;
            for (int i = 0; i < dim; i++) x[i] = emb[tokens[pos] * dim + i] * embScale;
            for (int l = 0; l < a.layers(); l++) {
                boolean local = a.slidingWindow().isLocal(l);
                double[] xb = rms(x, t.get("blk." + l + ".attn_norm.weight"), a.normEps());
                double[] q = mv(t.get("blk." + l + ".attn_q.weight"), xb, qDim, dim);
                double[] k = mv(t.get("blk." + l + ".attn_k.weight"), xb, kvDim, dim);
                double[] v = mv(t.get("blk." + l + ".attn_v.weight"), xb, kvDim, dim);
                if (a.attentionBiases()) {
                    for (int i = 0; i < qDim; i++) q[i] += t.get("blk." + l + ".attn_q.bias")[i];
                    for (int i = 0; i < kvDim; i++) k[i] += t.get("blk." + l + ".attn_k.bias")[i];
                    for (int i = 0; i < kvDim; i++) v[i] += t.get("blk." + l + ".attn_v.bias")[i];
                }
                if (a.qkNorm()) {
                    // Qwen3: each head of q and of k RMS-normalized over its own hd values, then scaled by the shared weight
                    for (int h = 0; h < a.heads(); h++) headRms(q, h * hd, hd, t.get("blk." + l + ".attn_q_norm.weight"), a.normEps());
                    for (int g = 0; g < a.kvHeads(); g++) headRms(k, g * hd, hd, t.get("blk." + l + ".attn_k_norm.weight"), a.normEps());
                }
                // frequencies by the architecture's RoPE rule (hand-checked in RopeScalingTest), cos/sin times its attention factor
                org.edgefront.space.model.RopeScaling scaling = local ? org.edgefront.space.model.RopeScaling.NONE : a.ropeScaling();
                // on the first rotaryDims of each head (partial rotary); the head's other dimensions pass through
                int rot = a.rotaryDims();
                double[] freqs = scaling.inverseFrequencies(local ? a.slidingWindow().ropeTheta() : a.ropeTheta(), rot, n);
                double mscale = scaling.attentionFactor();
                for (int i = 0; i < qDim; i += 2) {
                    int hdi = i % hd;
                    if (hdi >= rot) continue;
                    double freq = freqs[hdi / 2];
                    double c = Math.cos(pos * freq) * mscale;
                    double s = Math.sin(pos * freq) * mscale;
                    double q0 = q[i], q1 = q[i + 1];
                    q[i] = q0 * c - q1 * s;
                    q[i + 1] = q0 * s + q1 * c;
                    if (i < kvDim) {
                        double k0 = k[i], k1 = k[i + 1];
                        k[i] = k0 * c - k1 * s;
                        k[i + 1] = k0 * s + k1 * c;
                    }
                }
                kc[l][pos] = k;
                vc[l][pos] = v;
                double[] attOut = new double[qDim];
                int kvMul = a.heads() / a.kvHeads();
                int first = local ? Math.max(0, pos - a.slidingWindow().tokens() + 1) : 0;
                for (int h = 0; h < a.heads(); h++) {
                    double[] sc = new double[pos + 1];
                    double max = Double.NEGATIVE_INFINITY;
                    for (int u = first; u <= pos; u++) {
                        double d = 0;
                        for (int i = 0; i < hd; i++) d += q[h * hd + i] * kc[l][u][(h / kvMul) * hd + i];
                        sc[u] = d * a.attentionScale();
                        max = Math.max(max, sc[u]);
                    }
                    double sum = 0;
                    for (int u = first; u <= pos; u++) { sc[u] = Math.exp(sc[u] - max); sum += sc[u]; }
                    for (int u = first; u <= pos; u++) {
                        for (int i = 0; i < hd; i++) attOut[h * hd + i] += sc[u] / sum * vc[l][u][(h / kvMul) * hd + i];
                    }
                }
                double[] o = mv(t.get("blk." + l + ".attn_output.weight"), attOut, dim, qDim);
                if (a.sandwichNorms()) o = rms(o, t.get("blk." + l + ".post_attention_norm.weight"), a.normEps());
                for (int i = 0; i < dim; i++) x[i] += o[i];
                xb = rms(x, t.get("blk." + l + ".ffn_norm.weight"), a.normEps());
                double[] g = mv(t.get("blk." + l + ".ffn_gate.weight"), xb, hid, dim);
                double[] up = mv(t.get("blk." + l + ".ffn_up.weight"), xb, hid, dim);
                for (int i = 0; i < hid; i++) {
                    double act = a.family() == org.edgefront.space.model.ArchitectureFamily.GEMMA3
                            ? 0.5 * g[i] * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (g[i] + 0.044715 * g[i] * g[i] * g[i])))
                            : g[i] / (1 + Math.exp(-g[i]));
                    g[i] = act * up[i];
                }
                double[] d = mv(t.get("blk." + l + ".ffn_down.weight"), g, dim, hid);
                if (a.sandwichNorms()) d = rms(d, t.get("blk." + l + ".post_ffw_norm.weight"), a.normEps());
                for (int i = 0; i < dim; i++) x[i] += d[i];
            }
            double[] xf = rms(x, t.get("output_norm.weight"), a.normEps());
            double[] logits = mv(head, xf, a.vocabSize(), dim);
            double max = Double.NEGATIVE_INFINITY;
            for (double v : logits) max = Math.max(max, v);
            double sum = 0;
            for (double v : logits) sum += Math.exp(v - max);
            double lse = max + Math.log(sum);
            for (int i = 0; i < logits.length; i++) logits[i] -= lse;
            out[pos] = logits;
        }
        return out;
    }

    /** RMSNorm of {@code x[from, from + n)} in place, times {@code w[0, n)}. */
    private static void headRms(double[] x, int from, int n, float[] w, double eps) {
        double ss = 0;
        for (int i = from; i < from + n; i++) ss += x[i] * x[i];
        double inv = 1 / Math.sqrt(ss / n + eps);
        for (int i = 0; i < n; i++) x[from + i] = w[i] * x[from + i] * inv;
    }

    private static double[] rms(double[] x, float[] w, double eps) {
        double ss = 0;
        for (double v : x) ss += v * v;
        double inv = 1 / Math.sqrt(ss / x.length + eps);
        double[] o = new double[x.length];
        for (int i = 0; i < x.length; i++) o[i] = w[i] * x[i] * inv;
        return o;
    }

    private static double[] mv(float[] w, double[] x, int rows, int cols) {
        double[] o = new double[rows];
        for (int r = 0; r < rows; r++) {
            double s = 0;
            for (int c = 0; c < cols; c++) s += w[r * cols + c] * x[c];
            o[r] = s;
        }
        return o;
    }
}
