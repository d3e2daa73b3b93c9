package org.edgefront.evaluators.quality;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.edgefront.evaluators.compress.CalibrationStats;
import org.edgefront.evaluators.compress.HessianStats;
import org.edgefront.evaluators.compress.StructureChoice;
import org.edgefront.space.model.ArchitectureFamily;
import org.edgefront.space.model.ModelArchitecture;
import org.edgefront.space.model.TensorRole;
import org.edgefront.space.model.TensorSpec;
import org.junit.jupiter.api.Test;

/**
 * Phi-2 forward pass against a plain token-by-token reference with a KV cache, written here from the Hugging Face
 * modeling description (double precision, no shared code), on a synthetic Phi-2-shaped checkpoint: Phi-2's head size
 * 80 with 32 rotary dimensions, fc1/fc2 at 4x width, biases everywhere, untied LM head, scaled down to 2 layers.
 */
class PhiForwardTest {
    static ModelArchitecture arch(int layers) {
        return ModelArchitecture.of("synthetic-phi2-shaped", ArchitectureFamily.PHI2, 160, 640, layers, 2, 2, 97, 128, false, 1e-5,
                10000.0, true);
    }

    static Map<String, float[]> tensors(ModelArchitecture a, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        Map<String, float[]> t = new HashMap<>();
        for (TensorSpec s : a.linearTensors()) {
            double std = s.role() == TensorRole.EMBEDDING ? 1.0 : 1.2 / Math.sqrt(s.cols());
            t.put(s.name(), gaussian(r, s.rows() * s.cols(), std, 0));
        }
        for (String n : PhiForward.names(a)) {
            int len = n.startsWith("output.") ? a.vocabSize() : n.contains("ffn_up") ? a.hiddenDim() : a.dim();
            if (n.contains("attn_k.bias") || n.contains("attn_v.bias")) len = a.kvDim();
            boolean normWeight = n.endsWith("norm.weight");
            t.put(n, gaussian(r, len, normWeight ? 0.1 : 0.2, normWeight ? 1 : 0));
        }
        return t;
    }

    private static float[] gaussian(SplittableRandom r, int n, double std, double mean) {
        float[] w = new float[n];
        for (int i = 0; i < n; i++) w[i] = (float) (mean + std * r.nextGaussian());
        return w;
    }

    /** Reference: one token at a time with a KV cache, double precision, straight from the model description. */
    static double[][] reference(ModelArchitecture a, Map<String, float[]> t, int[] tokens, int rotary) {
        int dim = a.dim();
        int hd = a.headDim();
        int hid = a.hiddenDim();
        int kvDim = a.kvDim();
        int layers = a.layers();
        double[][][] kc = new double[layers][tokens.length][];
        double[][][] vc = new double[layers][tokens.length][];
        double[][] out = new double[tokens.length][];
        for (int p = 0; p < tokens.length; p++) {
            double[] x = new double[dim];
            for (int i = 0; i < dim; i++) x[i] = t.get("token_embd.weight")[tokens[p] * dim + i];
            for (int l = 0; l < layers; l++) {
                double[] h = ln(x, t.get("blk." + l + ".attn_norm.weight"), t.get("blk." + l + ".attn_norm.bias"), a.normEps());
                double[] q = lin(t.get("blk." + l + ".attn_q.weight"), t.get("blk." + l + ".attn_q.bias"), h, dim);
                double[] k = lin(t.get("blk." + l + ".attn_k.weight"), t.get("blk." + l + ".attn_k.bias"), h, kvDim);
                double[] v = lin(t.get("blk." + l + ".attn_v.weight"), t.get("blk." + l + ".attn_v.bias"), h, kvDim);
                rope(q, a.heads(), hd, rotary, p, a.ropeTheta());
                rope(k, a.kvHeads(), hd, rotary, p, a.ropeTheta());
                kc[l][p] = k;
                vc[l][p] = v;
                double[] att = new double[dim];
                int group = a.heads() / a.kvHeads();
                for (int head = 0; head < a.heads(); head++) {
                    int kvh = head / group;
                    double[] s = new double[p + 1];
                    double max = Double.NEGATIVE_INFINITY;
                    for (int u = 0; u <= p; u++) {
                        double d = 0;
                        for (int i = 0; i < hd; i++) d += q[head * hd + i] * kc[l][u][kvh * hd + i];
                        s[u] = d / Math.sqrt(hd);
                        max = Math.max(max, s[u]);
                    }
                    double z = 0;
                    for (int u = 0; u <= p; u++) z += s[u] = Math.exp(s[u] - max);
                    for (int u = 0; u <= p; u++) for (int i = 0; i < hd; i++) att[head * hd + i] += s[u] / z * vc[l][u][kvh * hd + i];
                }
                double[] o = lin(t.get("blk." + l + ".attn_output.weight"), t.get("blk." + l + ".attn_output.bias"), att, dim);
                double[] f = lin(t.get("blk." + l + ".ffn_up.weight"), t.get("blk." + l + ".ffn_up.bias"), h, hid);
                for (int i = 0; i < hid; i++) f[i] = 0.5 * f[i] * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (f[i] + 0.044715 * Math.pow(f[i], 3))));
                double[] d = lin(t.get("blk." + l + ".ffn_down.weight"), t.get("blk." + l + ".ffn_down.bias"), f, dim);
                for (int i = 0; i < dim; i++) x[i] += o[i] + d[i];
            }
            double[] h = ln(x, t.get("output_norm.weight"), t.get("output_norm.bias"), a.normEps());
            double[] logits = lin(t.get("output.weight"), t.get("output.bias"), h, a.vocabSize());
            double max = Double.NEGATIVE_INFINITY;
            for (double v : logits) max = Math.max(max, v);
            double z = 0;
            for (double v : logits) z += Math.exp(v - max);
            for (int i = 0; i < logits.length; i++) logits[i] = logits[i] - max - Math.log(z);
            out[p] = logits;
        }
        return out;
    }

    private static double[] ln(double[] x, float[] w, float[] b, double eps) {
        double mean = 0;
        for (double v : x) mean += v / x.length;
        double var = 0;
        for (double v : x) var += (v - mean) * (v - mean) / x.length;
        double[] y = new double[x.length];
        for (int i = 0; i < x.length; i++) y[i] = (x[i] - mean) / Math.sqrt(var + eps) * w[i] + b[i];
        return y;
    }

    private static double[] lin(float[] w, float[] b, double[] x, int rows) {
        double[] y = new double[rows];
        for (int r = 0; r < rows; r++) {
            double s = b[r];
            for (int c = 0; c < x.length; c++) s += w[r * x.length + c] * x[c];
            y[r] = s;
        }
        return y;
    }

    /** HF rotate_half on the first rotary dims: x' = x cos + rotate_half(x) sin with cos/sin repeated over both halves. */
    private static void rope(double[] x, int heads, int hd, int rotary, int pos, double theta) {
        int half = rotary / 2;
        for (int h = 0; h < heads; h++) {
            double[] rot = new double[rotary];
            for (int i = 0; i < rotary; i++) {
                int f = i % half;
                double ang = pos * Math.pow(theta, -2.0 * f / rotary);
                double rh = i < half ? -x[h * hd + i + half] : x[h * hd + i - half];
                rot[i] = x[h * hd + i] * Math.cos(ang) + rh * Math.sin(ang);
            }
            System.arraycopy(rot, 0, x, h * hd, rotary);
        }
    }

    @Test
    void batchedPhiPassMatchesTokenByTokenReference() {
        ModelArchitecture a = arch(2);
        Map<String, float[]> t = tensors(a, 21);
        ForwardPass f = ForwardPasses.of(a, t);
        assertEquals(32, a.rotaryDims());
        int[][] seqs = {{1, 5, 9, 40, 2, 96, 7, 7, 3, 60, 11, 0, 50, 51, 52, 33, 80}, {1, 90, 4}};
        // both sequences in one call, so the chunk concatenates them
        float[][][] got = new float[2][][];
        f.logProbs(List.of(seqs), (s, p, lp, off) -> {
            if (got[s] == null) got[s] = new float[seqs[s].length][];
            got[s][p] = java.util.Arrays.copyOfRange(lp, off, off + a.vocabSize());
        });
        double maxErr = 0;
        for (int s = 0; s < seqs.length; s++) {
            double[][] ref = reference(a, t, seqs[s], 32);
            for (int p = 0; p < seqs[s].length; p++) {
                for (int v = 0; v < a.vocabSize(); v++) maxErr = Math.max(maxErr, Math.abs(ref[p][v] - got[s][p][v]));
            }
        }
        assertTrue(maxErr < 2e-3, "max log-prob error " + maxErr);
        System.out.printf("Phi-2-shaped pass vs token-by-token reference: max log-prob error %.2e%n", maxErr);
        // the check is sensitive to the rotary width: the reference with 2 instead of 32 rotary dims disagrees
        double[][] noRope = reference(a, t, seqs[0], 0 + 2);
        double diff = 0;
        for (int v = 0; v < a.vocabSize(); v++) diff = Math.max(diff, Math.abs(noRope[16][v] - got[0][16][v]));
        assertTrue(diff > 1e-2, "rotary dims should matter: " + diff);
    }

    @Test
    void phi2HuggingFaceDirectoryLoadsWithItsTensorNamesAndRunsTheSamePass(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        ModelArchitecture a = arch(2);
        Map<String, float[]> t = tensors(a, 23);
        Map<String, String> hf = new java.util.LinkedHashMap<>();
        hf.put("model.embed_tokens.weight", "token_embd.weight");
        for (int l = 0; l < a.layers(); l++) {
            String p = "model.layers." + l + ".";
            String b = "blk." + l + ".";
            hf.put(p + "input_layernorm.weight", b + "attn_norm.weight");
            hf.put(p + "input_layernorm.bias", b + "attn_norm.bias");
            String[][] lin = {{"self_attn.q_proj", "attn_q"}, {"self_attn.k_proj", "attn_k"}, {"self_attn.v_proj", "attn_v"},
                {"self_attn.dense", "attn_output"}, {"mlp.fc1", "ffn_up"}, {"mlp.fc2", "ffn_down"}};
            for (String[] x : lin) {
                hf.put(p + x[0] + ".weight", b + x[1] + ".weight");
                hf.put(p + x[0] + ".bias", b + x[1] + ".bias");
            }
        }
        hf.put("model.final_layernorm.weight", "output_norm.weight");
        hf.put("model.final_layernorm.bias", "output_norm.bias");
        hf.put("lm_head.weight", "output.weight");
        hf.put("lm_head.bias", "output.bias");
        // safetensors by hand: u64 little-endian header length, JSON header, raw little-endian F32 data
        StringBuilder header = new StringBuilder("{");
        java.io.ByteArrayOutputStream data = new java.io.ByteArrayOutputStream();
        for (Map.Entry<String, String> e : hf.entrySet()) {
            float[] v = t.get(e.getValue());
            TensorSpec spec = e.getValue().endsWith(".weight") && !e.getValue().contains("norm") ? a.tensor(e.getValue()) : null;
            String shape = spec == null ? "[" + v.length + "]" : "[" + spec.rows() + "," + spec.cols() + "]";
            java.nio.ByteBuffer bb = java.nio.ByteBuffer.allocate(4 * v.length).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            for (float x : v) bb.putFloat(x);
            int begin = data.size();
            data.write(bb.array());
            if (header.length() > 1) header.append(',');
            header.append('"').append(e.getKey()).append("\":{\"dtype\":\"F32\",\"shape\":").append(shape)
                    .append(",\"data_offsets\":[").append(begin).append(',').append(data.size()).append("]}");
        }
        header.append('}');
        byte[] h = header.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        java.nio.ByteBuffer len = java.nio.ByteBuffer.allocate(8).order(java.nio.ByteOrder.LITTLE_ENDIAN).putLong(h.length);
        try (var out = java.nio.file.Files.newOutputStream(dir.resolve("model.safetensors"))) {
            out.write(len.array());
            out.write(h);
            out.write(data.toByteArray());
        }
        String config = "{\"architectures\":[\"PhiForCausalLM\"],\"model_type\":\"phi\",\"hidden_size\":160,\"intermediate_size\":640,"
                + "\"num_hidden_layers\":2,\"num_attention_heads\":2,\"num_key_value_heads\":2,\"vocab_size\":97,"
                + "\"max_position_embeddings\":128,\"layer_norm_eps\":1e-05,\"rope_theta\":10000.0,\"partial_rotary_factor\":0.4,"
                + "\"hidden_act\":\"gelu_new\",\"qk_layernorm\":false,\"tie_word_embeddings\":false}";
        java.nio.file.Files.writeString(dir.resolve("config.json"), config);
        int[] seq = {1, 5, 9, 40, 2, 96, 7};
        try (var w = org.edgefront.space.io.HuggingFaceModel.open(dir.toString())) {
            ModelArchitecture la = w.architecture();
            assertEquals(ArchitectureFamily.PHI2, la.family());
            assertEquals(1e-5, la.normEps());
            assertTrue(!la.tiedEmbeddings());
            assertTrue(w.tensorNames().contains("output.bias"));
            float[][] x = ForwardPasses.load(w).logProbs(seq);
            float[][] y = ForwardPasses.of(a, t).logProbs(seq);
            for (int p = 0; p < seq.length; p++) org.junit.jupiter.api.Assertions.assertArrayEquals(y[p], x[p], 0f);
        }
        java.nio.file.Files.writeString(dir.resolve("config.json"), config.replace("0.4", "0.5"));
        var e = assertThrows(org.edgefront.space.input.InvalidInputException.class, () -> org.edgefront.space.io.HuggingFaceModel.open(dir.toString()));
        assertEquals("partial_rotary_factor", e.field());
    }

    @Test
    void syntheticPhi2CheckpointRunsAndMatchesTheReference() throws Exception {
        var shape = new org.edgefront.space.synthetic.SyntheticLlama.Shape(160, 640, 2, 2, 2, 97, 128, false);
        try (var w = org.edgefront.space.synthetic.SyntheticLlama.create(shape, 5, ArchitectureFamily.PHI2)) {
            ModelArchitecture a = w.architecture();
            Map<String, float[]> t = ForwardPasses.readAll(w, 1);
            int[] seq = {1, 5, 9, 40, 2, 96, 7, 12, 13};
            float[][] got = ForwardPasses.load(w).logProbs(seq);
            double[][] ref = reference(a, t, seq, 32);
            double maxErr = 0;
            for (int p = 0; p < seq.length; p++) for (int v = 0; v < a.vocabSize(); v++) maxErr = Math.max(maxErr, Math.abs(ref[p][v] - got[p][v]));
            assertTrue(maxErr < 2e-3, "max log-prob error " + maxErr);
        }
        // the real Phi-2 shape: 2,778,726,400 linear parameters (2.7B class), biases at their real lengths, nothing materialized
        try (var w = org.edgefront.space.synthetic.SyntheticLlama.create(org.edgefront.space.synthetic.SyntheticLlama.Shape.phi2(), 1,
                ArchitectureFamily.PHI2)) {
            assertEquals(2_778_726_400L, w.architecture().linearParameterCount());
            assertEquals(10240, w.read("blk.31.ffn_up.bias").length);
            assertEquals(51200, w.read("output.bias").length);
            assertTrue(w.tensorNames().containsAll(PhiForward.names(w.architecture())));
            assertEquals(32, w.architecture().rotaryDims());
        }
    }

    @Test
    void phiOverridesCalibrationAndStructuredLayerDropWork() {
        ModelArchitecture a = arch(2);
        Map<String, float[]> t = tensors(a, 22);
        ForwardPass f = ForwardPasses.of(a, t);
        int[] seq = {1, 5, 9, 40, 2, 96, 7};
        float[][] base = f.logProbs(seq);
        // overriding fc2 of layer 1 with zeros changes the output; overriding with the same weights does not
        assertEquals(base[6][3], f.withOverrides(Map.of("blk.1.ffn_down.weight", t.get("blk.1.ffn_down.weight").clone())).logProbs(seq)[6][3], 0f);
        float changed = f.withOverrides(Map.of("blk.1.ffn_down.weight", new float[a.dim() * a.hiddenDim()])).logProbs(seq)[6][3];
        assertTrue(Math.abs(changed - base[6][3]) > 1e-4);

        CalibrationStats norms = f.inputNorms(List.of(seq));
        assertEquals(a.hiddenDim(), norms.normsFor("blk.0.ffn_down.weight").length);
        org.junit.jupiter.api.Assertions.assertArrayEquals(norms.normsFor("blk.0.attn_q.weight"), norms.normsFor("blk.0.ffn_up.weight"), 0f, "fc1 and q share the block input");
        HessianStats h = HessianCollector.collect(f, List.of(seq), java.util.Set.of("blk.0.ffn_up.weight", "blk.1.ffn_down.weight"));
        assertEquals(a.hiddenDim() * a.hiddenDim(), h.hessianFor("blk.1.ffn_down.weight").length);

        // skipping layer 0 (weights and output biases masked) equals a one-layer model holding layer 1
        StructureChoice none = StructureChoice.none(a);
        ForwardPass dropped = StructuredForward.apply(f, new StructureChoice(none.keptHeads(), none.keptChannels(), new boolean[] {true, false}, null));
        Map<String, float[]> one = new HashMap<>();
        for (Map.Entry<String, float[]> e : t.entrySet()) {
            if (!e.getKey().startsWith("blk.0.")) one.put(e.getKey().replace("blk.1.", "blk.0."), e.getValue());
        }
        float[][] x = ForwardPasses.of(arch(1), one).logProbs(seq);
        float[][] y = dropped.logProbs(seq);
        for (int p = 0; p < seq.length; p++) org.junit.jupiter.api.Assertions.assertArrayEquals(x[p], y[p], 2e-4f);
        assertThrows(IllegalArgumentException.class, () -> PhiForward.of(a.withRotaryDims(3), t));
        Map<String, float[]> missing = new HashMap<>(t);
        missing.remove("output.bias");
        assertThrows(IllegalArgumentException.class, () -> ForwardPasses.of(a, missing));
    }

    @Test
    void aPhiPassGivesTheSameBitsOnOneThreadOrMany() {
        ModelArchitecture a = ModelArchitecture.of("synthetic-phi2-shaped", ArchitectureFamily.PHI2, 320, 1280, 2, 4, 4, 300, 1024, false, 1e-5,
                10000.0, true);
        Map<String, float[]> t = tensors(a, 41);
        ForwardPass one = ForwardPasses.of(a, t);
        ForwardPass three = one.withThreads(3);
        assertEquals(3, three.threads());
        // one sequence of two row blocks of 350 (products of that many rows round differently from one of 700, so a
        // partition that followed the thread count would show), and several short ones packed into a chunk
        for (List<int[]> seqs : List.of(List.of(TinyModels.tokens(700, a.vocabSize(), 42)), TinyModels.sequences(9, 100, a.vocabSize(), 43))) {
            float[][] x = new float[2][];
            int k = 0;
            for (ForwardPass p : List.of(one, three)) {
                int rows = seqs.stream().mapToInt(s -> s.length).sum();
                float[] out = new float[rows * a.vocabSize()];
                int[] row = {0};
                p.logProbs(seqs, (s, pos, lp, off) -> System.arraycopy(lp, off, out, a.vocabSize() * row[0]++, a.vocabSize()));
                x[k++] = out;
            }
            org.junit.jupiter.api.Assertions.assertArrayEquals(x[0], x[1]);
        }
    }
}
