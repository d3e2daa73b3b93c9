package org.edgefront.evaluators.quality;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.edgefront.evaluators.compress.CalibrationStats;
import org.edgefront.space.io.Llama2cCheckpoint;
import org.edgefront.space.io.TextCorpus;
import org.edgefront.space.model.ModelArchitecture;
import org.edgefront.space.model.ModelWeights;
import org.edgefront.space.tokenizer.Llama2cTokenizer;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

class LlamaForwardTest {
    static final Path SHARED = Path.of(System.getProperty("edgefront.shared", "../shared"));
    static final Path MODEL = SHARED.resolve("models/stories260K.bin");
    static final Path TOKENIZER = SHARED.resolve("models/tok512.bin");
    static final Path TEXT = SHARED.resolve("models/tinystories_val.txt");

    /**
     * Fails when a shared file is missing, in CI ({@code CI=true} or {@code -Dedgefront.requireShared=true}) and
     * locally when the shared models directory exists; skips only a local checkout without any shared models
     * (the same rule as space's SharedModels, which evaluators' tests cannot see).
     */
    static void requireShared(Path p) {
        if (Files.isRegularFile(p)) return;
        String ci = System.getenv("CI");
        boolean required = "true".equalsIgnoreCase(ci) || "1".equals(ci) || Boolean.getBoolean("edgefront.requireShared");
        if (required || Files.isDirectory(p.getParent())) org.junit.jupiter.api.Assertions.fail("shared data missing: " + p);
        Assumptions.abort("no shared models directory, test skipped: " + p.getParent());
    }

    @Test
    void batchedPassMatchesTokenByTokenReferenceOnTiedAndUntiedModels() {
        for (int variant = 0; variant < 4; variant++) {
            boolean tied = variant % 2 == 0;
            int batchedFrom = variant < 2 ? 1 : Integer.MAX_VALUE;   // batched ND4J attention, then scalar loops
            ModelArchitecture a = TinyModels.arch(tied);
            Map<String, float[]> t = TinyModels.tensors(a, tied ? 1 : 2);
            ForwardPass f = LlamaForward.of(a, t, batchedFrom);
            List<int[]> seqs = TinyModels.sequences(5, 30, a.vocabSize(), 3);
            List<float[][]> got = new ArrayList<>();
            for (int[] s : seqs) got.add(new float[s.length][]);
            f.logProbs(seqs, (s, p, lp, off) -> got.get(s)[p] = java.util.Arrays.copyOfRange(lp, off, off + a.vocabSize()));
            double maxDiff = 0;
            for (int i = 0; i < seqs.size(); i++) {
                double[][] ref = TinyModels.referenceLogProbs(a, t, seqs.get(i));
                for (int p = 0; p < ref.length; p++) {
                    for (int v = 0; v < a.vocabSize(); v++) maxDiff = Math.max(maxDiff, Math.abs(ref[p][v] - got.get(i)[p][v]));
                }
            }
            assertTrue(maxDiff < 1e-4, "tied=" + tied + " batched from " + batchedFrom + " max |log p difference| " + maxDiff);
        }
    }

    @Test
    void ropeScalingRulesAreAppliedInTheForwardPass() {
        ModelArchitecture plain = TinyModels.arch(true);
        Map<String, float[]> t = TinyModels.tensors(plain, 6);
        int[] seq = TinyModels.sequences(1, 40, plain.vocabSize(), 9).get(0);
        float[][] unscaled = LlamaForward.of(plain, t).logProbs(seq);
        for (org.edgefront.space.model.RopeScaling r : List.of(org.edgefront.space.model.RopeScaling.linear(4),
                org.edgefront.space.model.RopeScaling.llama3(8, 1, 4, 16), org.edgefront.space.model.RopeScaling.yarn(4, 16, 32, 1, null))) {
            ModelArchitecture a = plain.withRopeScaling(r);
            float[][] got = LlamaForward.of(a, t).logProbs(seq);
            double[][] ref = TinyModels.referenceLogProbs(a, t, seq);
            double maxDiff = 0;
            double changed = 0;
            for (int p = 0; p < seq.length; p++) {
                for (int v = 0; v < a.vocabSize(); v++) {
                    maxDiff = Math.max(maxDiff, Math.abs(ref[p][v] - got[p][v]));
                    changed = Math.max(changed, Math.abs(unscaled[p][v] - got[p][v]));
                }
            }
            assertTrue(maxDiff < 1e-4, r.type() + ": max |log p difference| to the reference " + maxDiff);
            assertTrue(changed > 1e-3, r.type() + " changes the output on 40 positions: " + changed);
        }
    }

    @Test
    void qwen2BiasesAreAddedToQueriesKeysAndValues() {
        ModelArchitecture a = TinyModels.qwen2();
        Map<String, float[]> t = TinyModels.tensors(a, 4);
        ForwardPass f = ForwardPasses.of(a, t);
        int[] seq = TinyModels.sequences(1, 25, a.vocabSize(), 5).get(0);
        float[][] got = f.logProbs(seq);
        double[][] ref = TinyModels.referenceLogProbs(a, t, seq);
        assertLogProbsClose(ref, got, 1e-4, "qwen2 with biases");
        // the biases matter: zeroing them changes the output well beyond the tolerance above
        Map<String, float[]> noBias = new HashMap<>(t);
        noBias.put("blk.0.attn_q.bias", new float[a.dim()]);
        assertTrue(maxAbsDiff(ref, ForwardPasses.of(a, noBias).logProbs(seq)) > 1e-2, "zeroed q bias changes the log-probs");
    }

    @Test
    void qwen3QkNormIsAppliedToEveryHeadBeforeRopeWithHeadsWiderThanTheModel() {
        ModelArchitecture a = TinyModels.qwen3();
        assertTrue(a.qDim() != a.dim(), "heads x headDim differs from the width, as in Qwen3-0.6B");
        Map<String, float[]> t = TinyModels.tensors(a, 11);
        List<int[]> seqs = TinyModels.sequences(3, 30, a.vocabSize(), 12);
        // both attention paths (batched ND4J from one token on, scalar loops always), resident and uploaded per layer
        for (int batchedFrom : new int[] {1, Integer.MAX_VALUE}) {
            for (boolean resident : new boolean[] {true, false}) {
                ForwardPass f = LlamaForward.of(a, t, batchedFrom, resident);
                for (int[] seq : seqs) {
                    assertLogProbsClose(TinyModels.referenceLogProbs(a, t, seq), f.logProbs(seq), 1e-4,
                            "qwen3 batched from " + batchedFrom + (resident ? ", resident" : ", uploaded"));
                }
            }
        }
    }

    @Test
    void gemma3MatchesTheDoublePrecisionReferenceBeyondItsSlidingWindowOnEveryAttentionPath() {
        ModelArchitecture a = TinyModels.gemma3();
        Map<String, float[]> t = TinyModels.tensors(a, 13);
        // sequences up to 30 tokens against a 5-token window: most queries of the local layers lose keys to the window
        List<int[]> seqs = TinyModels.sequences(3, 30, a.vocabSize(), 14);
        for (int batchedFrom : new int[] {1, Integer.MAX_VALUE}) {
            for (boolean resident : new boolean[] {true, false}) {
                ForwardPass f = LlamaForward.of(a, t, batchedFrom, resident);
                for (int[] seq : seqs) {
                    assertLogProbsClose(TinyModels.referenceLogProbs(a, t, seq), f.logProbs(seq), 1e-4,
                            "gemma3 batched from " + batchedFrom + (resident ? ", resident" : ", uploaded"));
                }
            }
        }
    }

    @Test
    void phi3MatchesTheDoublePrecisionReferenceOnEveryAttentionPath() {
        ModelArchitecture a = TinyModels.phi3();
        Map<String, float[]> t = TinyModels.tensors(a, 17);
        List<int[]> seqs = TinyModels.sequences(3, 30, a.vocabSize(), 18);
        for (int batchedFrom : new int[] {1, Integer.MAX_VALUE}) {
            for (boolean resident : new boolean[] {true, false}) {
                ForwardPass f = LlamaForward.of(a, t, batchedFrom, resident);
                for (int[] seq : seqs) {
                    assertLogProbsClose(TinyModels.referenceLogProbs(a, t, seq), f.logProbs(seq), 1e-4,
                            "phi3 batched from " + batchedFrom + (resident ? ", resident" : ", uploaded"));
                }
            }
        }
    }

    @Test
    void phi3LongRopePicksItsFactorSetPerSequenceByLengthWithinOneRun() {
        // original context 256: a 40-token sequence runs on the short factors, a 300-token one (llama.cpp's context 512) on
        // the long ones; one run holds both, and each matches the reference and its own run alone
        ModelArchitecture plain = TinyModels.phi3();
        ModelArchitecture a = plain.withRopeScaling(org.edgefront.space.model.RopeScaling.longRope(List.of(1.0, 2.5, 3.0, 4.0),
                List.of(1.1, 1.2, 1.3, 1.5), 4, 256, null));
        Map<String, float[]> t = TinyModels.tensors(a, 23);
        List<int[]> seqs = List.of(TinyModels.sequences(1, 40, a.vocabSize(), 24).get(0), TinyModels.sequences(1, 300, a.vocabSize(), 25).get(0));
        ForwardPass f = LlamaForward.of(a, t);
        List<float[][]> together = new ArrayList<>();
        for (int[] s : seqs) together.add(new float[s.length][]);
        f.logProbs(seqs, (s, p, lp, off) -> together.get(s)[p] = java.util.Arrays.copyOfRange(lp, off, off + a.vocabSize()));
        for (int i = 0; i < seqs.size(); i++) {
            int[] seq = seqs.get(i);
            assertLogProbsClose(TinyModels.referenceLogProbs(a, t, seq), together.get(i), 1e-4, "longrope, sequence of " + seq.length);
            float[][] alone = f.logProbs(seq);
            for (int p = 0; p < seq.length; p++) assertArrayEquals(alone[p], together.get(i)[p], 1e-5f, "position " + p + " of " + seq.length);
            // and the factors matter: plain RoPE gives other log-probabilities
            float[][] unscaled = LlamaForward.of(plain, t).logProbs(seq);
            double changed = 0;
            for (int p = 0; p < seq.length; p++) {
                for (int v = 0; v < a.vocabSize(); v++) changed = Math.max(changed, Math.abs(unscaled[p][v] - alone[p][v]));
            }
            assertTrue(changed > 1e-3, "longrope changes a sequence of " + seq.length + ": " + changed);
        }
    }

    @Test
    void phi3PartialRotaryTurnsOnlyTheFirstRotaryDimsOfEachHeadAlsoUnderLongRope() {
        // heads of 8, 6 rotated (Phi-4-mini's 0.75): three pairs turn, two dimensions pass through; LongRoPE then has three factors
        ModelArchitecture full = TinyModels.phi3();
        ModelArchitecture partial = full.withRotaryDims(6);
        ModelArchitecture longRope = partial.withRopeScaling(org.edgefront.space.model.RopeScaling.longRope(List.of(1.0, 2.5, 4.0),
                List.of(1.1, 1.2, 1.5), 4, 16, null));
        Map<String, float[]> t = TinyModels.tensors(full, 31);
        List<int[]> seqs = TinyModels.sequences(3, 30, full.vocabSize(), 32);
        for (ModelArchitecture a : List.of(partial, longRope)) {
            for (int batchedFrom : new int[] {1, Integer.MAX_VALUE}) {
                ForwardPass f = LlamaForward.of(a, t, batchedFrom);
                for (int[] seq : seqs) {
                    assertLogProbsClose(TinyModels.referenceLogProbs(a, t, seq), f.logProbs(seq), 1e-4,
                            a.ropeScaling().type() + " on 6 of 8, batched attention from " + batchedFrom);
                }
            }
        }
        // and the width matters: rotating whole heads gives other log-probabilities
        int[] seq = seqs.get(0);
        float[][] p = LlamaForward.of(partial, t).logProbs(seq);
        float[][] w = LlamaForward.of(full, t).logProbs(seq);
        double changed = 0;
        for (int i = 1; i < seq.length; i++) for (int v = 0; v < full.vocabSize(); v++) changed = Math.max(changed, Math.abs(p[i][v] - w[i][v]));
        assertTrue(changed > 1e-3, "partial rotary changes the log-probabilities: " + changed);
        for (int v = 0; v < full.vocabSize(); v++) assertEquals(w[0][v], p[0][v], 1e-6, "position 0 is not rotated at all");
    }

    @Test
    void aPhi3ReadFromItsStackedHuggingFaceTensorsMatchesTheReferenceOnItsSeparateTensors(@org.junit.jupiter.api.io.TempDir Path dir)
            throws Exception {
        org.edgefront.space.synthetic.SyntheticLlama m = org.edgefront.space.synthetic.SyntheticLlama.create(
                new org.edgefront.space.synthetic.SyntheticLlama.Shape(32, 48, 2, 4, 2, 40, 64, false), 19,
                org.edgefront.space.model.ArchitectureFamily.PHI3);
        Map<String, float[]> t = new HashMap<>();
        for (String n : m.tensorNames()) t.put(n, m.read(n));
        String hf = dir.resolve("phi3").toString();
        org.edgefront.space.synthetic.SyntheticLlama.writeHuggingFace(m, hf, "F32", 1);
        int[] seq = TinyModels.sequences(1, 30, 40, 20).get(0);
        try (ModelWeights w = org.edgefront.space.io.ModelLoader.open(hf)) {
            assertEquals(org.edgefront.space.model.ArchitectureFamily.PHI3, w.architecture().family());
            // qkv_proj and gate_up_proj split on read, q/k rows back in interleaved order: the pass sees the generated tensors
            assertLogProbsClose(TinyModels.referenceLogProbs(m.architecture(), t, seq), ForwardPasses.load(w).logProbs(seq), 1e-4,
                    "phi3 from its Hugging Face directory");
        }
    }

    @Test
    void gemma3SlidingWindowChangesOnlyPositionsBeyondIt() {
        ModelArchitecture a = TinyModels.gemma3();
        Map<String, float[]> t = TinyModels.tensors(a, 13);
        int[] seq = TinyModels.sequences(1, 30, a.vocabSize(), 15).get(0);
        seq = java.util.Arrays.copyOf(seq, Math.max(seq.length, 12));
        float[][] windowed = ForwardPasses.of(a, t).logProbs(seq);
        ModelArchitecture wide = a.withSlidingWindow(new org.edgefront.space.model.SlidingWindow(64, 2, 10000.0));
        float[][] full = ForwardPasses.of(wide, t).logProbs(seq);
        // within the window the mask is the causal one; beyond it, a pass that ignored the window would agree everywhere
        for (int p = 0; p < 5; p++) assertArrayEquals(full[p], windowed[p], 1e-5f, "position " + p);
        double diff = 0;
        for (int p = 5; p < seq.length; p++) for (int v = 0; v < a.vocabSize(); v++) diff = Math.max(diff, Math.abs(full[p][v] - windowed[p][v]));
        assertTrue(diff > 1e-3, "the 5-token window changes later positions: " + diff);
    }

    @Test
    void qwen3QkNormWeightsChangeTheLogitsAndOneHeadMatchesAHandComputedReference() {
        // one layer, one head of 8 on a width of 6: the reference below is the attention of that one head, by hand
        ModelArchitecture a = ModelArchitecture.of("one-head-qwen3", org.edgefront.space.model.ArchitectureFamily.QWEN3, 6, 10, 1, 1, 1, 8,
                12, 16, true, 1e-6, 10000.0, true);
        Map<String, float[]> t = new HashMap<>(TinyModels.tensors(a, 21));
        int[] seq = {1, 5, 7, 3, 9};
        for (float w : new float[] {1f, 2f}) {
            t.put("blk.0.attn_q_norm.weight", filled(a.headDim(), w));
            t.put("blk.0.attn_k_norm.weight", filled(a.headDim(), 1f));
            assertLogProbsClose(oneHeadReference(a, t, seq), ForwardPasses.of(a, t).logProbs(seq), 1e-4, "q norm weight " + w);
        }
        t.put("blk.0.attn_q_norm.weight", filled(a.headDim(), 1f));
        float[][] ones = ForwardPasses.of(a, t).logProbs(seq);
        t.put("blk.0.attn_q_norm.weight", filled(a.headDim(), 2f));
        float[][] twos = ForwardPasses.of(a, t).logProbs(seq);
        double diff = 0;
        for (int p = 1; p < seq.length; p++) for (int v = 0; v < a.vocabSize(); v++) diff = Math.max(diff, Math.abs(ones[p][v] - twos[p][v]));
        // a pass that skipped the q norm would give the same output for both weights
        assertTrue(diff > 1e-3, "q norm weight 2 vs 1 changes the log-probs beyond the first position: " + diff);
        // position 0 attends only to itself: any scale of q gives the same output there
        assertArrayEquals(ones[0], twos[0], 1e-5f);
    }

    private static float[] filled(int n, float v) {
        float[] x = new float[n];
        java.util.Arrays.fill(x, v);
        return x;
    }

    /**
     * The one-layer, one-head model by hand in double: attention norm, q/k/v, RMSNorm of q and of k over the head with
     * their weights, RoPE of pairs (2i, 2i+1) at base theta, causal softmax over q.k / sqrt(headDim), o, residual, FFN
     * (SiLU gate), final norm, tied head.
     */
    private static double[][] oneHeadReference(ModelArchitecture a, Map<String, float[]> t, int[] seq) {
        int dim = a.dim();
        int hd = a.headDim();
        int hid = a.hiddenDim();
        double eps = a.normEps();
        float[] emb = t.get("token_embd.weight");
        double[][] ks = new double[seq.length][];
        double[][] vs = new double[seq.length][];
        double[][] out = new double[seq.length][];
        for (int p = 0; p < seq.length; p++) {
            double[] x = new double[dim];
            for (int i = 0; i < dim; i++) x[i] = emb[seq[p] * dim + i];
            double[] xn = scaledRms(x, t.get("blk.0.attn_norm.weight"), eps);
            double[] q = scaledRms(matVec(t.get("blk.0.attn_q.weight"), xn, hd), t.get("blk.0.attn_q_norm.weight"), eps);
            double[] k = scaledRms(matVec(t.get("blk.0.attn_k.weight"), xn, hd), t.get("blk.0.attn_k_norm.weight"), eps);
            vs[p] = matVec(t.get("blk.0.attn_v.weight"), xn, hd);
            for (int i = 0; i < hd; i += 2) {
                double angle = p * Math.pow(a.ropeTheta(), -(double) i / hd);
                double c = Math.cos(angle);
                double s = Math.sin(angle);
                double q0 = q[i];
                double k0 = k[i];
                q[i] = q0 * c - q[i + 1] * s;
                q[i + 1] = q0 * s + q[i + 1] * c;
                k[i] = k0 * c - k[i + 1] * s;
                k[i + 1] = k0 * s + k[i + 1] * c;
            }
            ks[p] = k;
            double[] w = new double[p + 1];
            double sum = 0;
            for (int u = 0; u <= p; u++) {
                double d = 0;
                for (int i = 0; i < hd; i++) d += q[i] * ks[u][i];
                w[u] = Math.exp(d / Math.sqrt(hd));
                sum += w[u];
            }
            double[] att = new double[hd];
            for (int u = 0; u <= p; u++) for (int i = 0; i < hd; i++) att[i] += w[u] / sum * vs[u][i];
            double[] o = matVec(t.get("blk.0.attn_output.weight"), att, dim);
            for (int i = 0; i < dim; i++) x[i] += o[i];
            double[] fn = scaledRms(x, t.get("blk.0.ffn_norm.weight"), eps);
            double[] g = matVec(t.get("blk.0.ffn_gate.weight"), fn, hid);
            double[] up = matVec(t.get("blk.0.ffn_up.weight"), fn, hid);
            for (int j = 0; j < hid; j++) g[j] = g[j] / (1 + Math.exp(-g[j])) * up[j];
            double[] down = matVec(t.get("blk.0.ffn_down.weight"), g, dim);
            for (int i = 0; i < dim; i++) x[i] += down[i];
            double[] logits = matVec(emb, scaledRms(x, t.get("output_norm.weight"), eps), a.vocabSize());
            double lse = Double.NEGATIVE_INFINITY;
            for (double l : logits) lse = Math.max(lse, l);
            double z = 0;
            for (double l : logits) z += Math.exp(l - lse);
            lse += Math.log(z);
            for (int v = 0; v < logits.length; v++) logits[v] -= lse;
            out[p] = logits;
        }
        return out;
    }

    private static double[] scaledRms(double[] x, float[] w, double eps) {
        double ss = 0;
        for (double v : x) ss += v * v;
        double inv = 1 / Math.sqrt(ss / x.length + eps);
        double[] y = new double[x.length];
        for (int i = 0; i < x.length; i++) y[i] = w[i] * x[i] * inv;
        return y;
    }

    /** {@code w} (rows x x.length, row-major) times {@code x}. */
    private static double[] matVec(float[] w, double[] x, int rows) {
        double[] y = new double[rows];
        for (int r = 0; r < rows; r++) for (int c = 0; c < x.length; c++) y[r] += w[r * x.length + c] * x[c];
        return y;
    }

    @Test
    void overridesReplaceOnlyTheNamedTensors() {
        ModelArchitecture a = TinyModels.arch(false);
        Map<String, float[]> t = TinyModels.tensors(a, 5);
        ForwardPass base = ForwardPasses.of(a, t);
        int[] seq = TinyModels.sequences(1, 20, a.vocabSize(), 6).get(0);
        float[][] ref = base.logProbs(seq);
        ForwardPass same = base.withOverrides(Map.of("blk.1.ffn_up.weight", t.get("blk.1.ffn_up.weight").clone()));
        assertArrayEquals(ref[seq.length - 1], same.logProbs(seq)[seq.length - 1], 1e-6f);
        ForwardPass zeroed = base.withOverrides(Map.of("blk.1.ffn_up.weight", new float[a.hiddenDim() * a.dim()]));
        float[][] zeroedOut = zeroed.logProbs(seq);
        assertTrue(maxAbsDiff(toDouble(ref), zeroedOut) > 1e-2, "zeroing ffn_up changes the log-probs");
        // the base pass is unaffected by its derived passes
        assertArrayEquals(ref[seq.length - 1], base.logProbs(seq)[seq.length - 1], 0f);
        // zeroing the FFN up projection equals the reference without that FFN
        Map<String, float[]> t2 = new HashMap<>(t);
        t2.put("blk.1.ffn_up.weight", new float[a.hiddenDim() * a.dim()]);
        double[][] r2 = TinyModels.referenceLogProbs(a, t2, seq);
        assertLogProbsClose(r2, zeroedOut, 1e-4, "zeroed ffn_up");
    }

    /** Every position's whole log-probability vector within {@code tol} of the double-precision reference. */
    static void assertLogProbsClose(double[][] ref, float[][] got, double tol, String what) {
        assertEquals(ref.length, got.length, what + ": positions");
        for (int p = 0; p < ref.length; p++) {
            assertEquals(ref[p].length, got[p].length, what + ": vocabulary at position " + p);
            for (int v = 0; v < ref[p].length; v++) {
                assertEquals(ref[p][v], got[p][v], tol, what + ": position " + p + " token " + v);
            }
        }
    }

    static double maxAbsDiff(double[][] a, float[][] b) {
        double m = 0;
        for (int p = 0; p < a.length; p++) for (int v = 0; v < a[p].length; v++) m = Math.max(m, Math.abs(a[p][v] - b[p][v]));
        return m;
    }

    static double[][] toDouble(float[][] a) {
        double[][] d = new double[a.length][];
        for (int p = 0; p < a.length; p++) {
            d[p] = new double[a[p].length];
            for (int v = 0; v < a[p].length; v++) d[p][v] = a[p][v];
        }
        return d;
    }

    @Test
    void fastExponentialAndSiluMatchTheLibraryWithinSingleRounding() {
        double worstExp = 0;
        double worstSilu = 0;
        for (int i = 0; i <= 200_000; i++) {
            float x = -100f + i * 0.0005f;                 // [-100, 0]
            double ref = Math.exp(x);
            float got = ForwardMath.expNonPositive(x);
            if (ref > 1e-37) worstExp = Math.max(worstExp, Math.abs(got - ref) / ref);
            else assertTrue(got < 1e-36f);
            float y = -40f + i * 0.0004f;                  // [-40, 40]
            double s = y / (1 + Math.exp(-y));
            if (Math.abs(s) > 1e-30) worstSilu = Math.max(worstSilu, Math.abs(ForwardMath.silu(y) - s) / Math.abs(s));
        }
        assertTrue(worstExp < 5e-7, "exp relative error " + worstExp);
        assertTrue(worstSilu < 1e-6, "silu relative error " + worstSilu);
        assertEquals(0f, ForwardMath.expNonPositive(Float.NEGATIVE_INFINITY));
        assertTrue(Float.isNaN(ForwardMath.expNonPositive(Float.NaN)));
    }

    @Test
    void inputNormsHaveOneEntryPerInputFeature() {
        ModelArchitecture a = TinyModels.arch(true);
        ForwardPass f = ForwardPasses.of(a, TinyModels.tensors(a, 8));
        CalibrationStats s = f.inputNorms(TinyModels.sequences(3, 10, a.vocabSize(), 9));
        assertEquals(a.dim(), s.normsFor("blk.0.attn_q.weight").length);
        assertEquals(a.hiddenDim(), s.normsFor("blk.1.ffn_down.weight").length);
        assertEquals(a.dim(), s.normsFor("token_embd.weight").length);
        for (float v : s.normsFor("blk.0.ffn_down.weight")) assertTrue(v > 0);
    }

    static List<int[]> storiesSequences(Llama2cTokenizer tok, int paragraphs) throws Exception {
        List<String> p = TextCorpus.paragraphs(TEXT.toString());
        return TextCorpus.encode(tok, p.subList(0, paragraphs), 512);
    }

    @Test
    void stories260KMatchesReferencePerplexityOn200Paragraphs() throws Exception {
        requireShared(MODEL);
        long t0 = System.nanoTime();
        ForwardPass f;
        try (ModelWeights w = Llama2cCheckpoint.open(MODEL.toString())) {
            f = ForwardPasses.load(w);
        }
        Llama2cTokenizer tok = Llama2cTokenizer.load(TOKENIZER.toString(), 512);
        List<int[]> seqs = storiesSequences(tok, 200);
        long t1 = System.nanoTime();
        double[] nll = new double[1];
        long[] count = new long[1];
        f.logProbs(seqs, (s, p, lp, off) -> {
            int[] toks = seqs.get(s);
            if (p + 1 < toks.length) {
                nll[0] -= lp[off + toks[p + 1]];
                count[0]++;
            }
        });
        long t2 = System.nanoTime();
        double nats = nll[0] / count[0];
        System.out.printf("stories260K 200 paragraphs: %d tokens, %.5f nats/token, ppl %.4f; load %.2f s, forward %.2f s%n",
                count[0], nats, Math.exp(nats), (t1 - t0) / 1e9, (t2 - t1) / 1e9);
        assertEquals(19_380, count[0]);
        assertEquals(1.4388, nats, 1.4388 * 0.005);
        assertEquals(4.216, Math.exp(nats), 4.216 * 0.005);
    }

    @Test
    void stories260KGreedyContinuationMatchesReference() throws Exception {
        requireShared(MODEL);
        ForwardPass f;
        try (ModelWeights w = Llama2cCheckpoint.open(MODEL.toString())) {
            f = ForwardPasses.load(w);
        }
        Llama2cTokenizer tok = Llama2cTokenizer.load(TOKENIZER.toString(), 512);
        int[] prompt = tok.encode("Once upon a time", true, false);
        int[] gen = f.greedy(prompt, 60, 1, 2);
        int[] all = java.util.Arrays.copyOf(prompt, prompt.length + gen.length);
        System.arraycopy(gen, 0, all, prompt.length, gen.length);
        String text = tok.decode(all);
        System.out.println("greedy: " + text);
        String expected = "Once upon a time, there was a little girl named Lily. She loved to play outside in the park. "
                + "One day, she saw a big, red ball. She wanted to play with it, but it was too high.";
        assertTrue(text.startsWith(expected), text);
    }
}
