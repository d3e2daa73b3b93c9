package org.edgefront.evaluators.quality;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.edgefront.evaluators.compress.CalibrationStats;
import org.edgefront.evaluators.compress.StructureChoice;
import org.edgefront.evaluators.compress.StructuredPruning;
import org.edgefront.space.io.Llama2cCheckpoint;
import org.edgefront.space.io.TextCorpus;
import org.edgefront.space.model.ModelArchitecture;
import org.edgefront.space.model.ModelWeights;
import org.edgefront.space.model.TensorRole;
import org.edgefront.space.model.TensorSpec;
import org.edgefront.space.tokenizer.Llama2cTokenizer;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

class StructuredPruningTest {
    private static String n(TensorRole r, int l) { return TensorSpec.canonicalName(r, l); }

    private static StructureChoice select(ModelArchitecture a, Map<String, float[]> t, CalibrationStats st, int heads, int channels,
                                          double[] layerScores, int drop, double[] counts, int vocab) {
        return StructuredPruning.select(a, StructuredPruning.headScores(a, t, st), heads, StructuredPruning.channelScores(a, t, st),
                channels, layerScores, drop, counts, vocab, 1, 2);
    }

    private static Map<String, float[]> linear(ForwardPass f) {
        Map<String, float[]> t = new HashMap<>();
        for (TensorSpec s : f.architecture().linearTensors()) t.put(s.name(), f.tensor(s.name()));
        return t;
    }

    @Test
    void keepingEverythingLeavesLogProbsBitIdentical() {
        ModelArchitecture a = TinyModels.arch(false);
        Map<String, float[]> t = TinyModels.tensors(a, 3);
        ForwardPass base = ForwardPasses.of(a, t);
        List<int[]> seqs = TinyModels.sequences(3, 20, a.vocabSize(), 5);
        StructureChoice all = select(a, t, null, a.heads(), a.hiddenDim(), null, 0, null, a.vocabSize());
        assertEquals(StructureChoice.none(a), all);
        assertTrue(StructuredPruning.mask(a, t, all).isEmpty());
        ForwardPass same = StructuredForward.apply(base, all);
        for (int[] s : seqs) {
            float[][] x = base.logProbs(s);
            float[][] y = same.logProbs(s);
            for (int p = 0; p < x.length; p++) assertArrayEquals(x[p], y[p], 0f);
        }
        assertEquals(a.linearParameterCount(), all.linearParameterCount(a));
    }

    @Test
    void maskedChannelsAndDroppedLayersComputeWhatPhysicallySmallerModelsDo() {
        ModelArchitecture a = TinyModels.arch(false);
        Map<String, float[]> t = TinyModels.tensors(a, 4);
        ForwardPass base = ForwardPasses.of(a, t);
        List<int[]> seqs = TinyModels.sequences(2, 16, a.vocabSize(), 6);
        // FFN channels: keep 30 of 48 per layer, versus a checkpoint built with hiddenDim 30
        StructureChoice c = select(a, t, null, a.heads(), 30, null, 0, null, a.vocabSize());
        ModelArchitecture small = ModelArchitecture.llama("small", a.dim(), 30, a.layers(), a.heads(), a.kvHeads(), a.vocabSize(),
                a.maxSeqLen(), false, a.normEps(), a.ropeTheta(), true);
        Map<String, float[]> st = new HashMap<>(t);
        for (int l = 0; l < a.layers(); l++) {
            int[] keep = c.keptChannels().get(l);
            st.put(n(TensorRole.GATE, l), rows(t.get(n(TensorRole.GATE, l)), a.dim(), keep));
            st.put(n(TensorRole.UP, l), rows(t.get(n(TensorRole.UP, l)), a.dim(), keep));
            st.put(n(TensorRole.DOWN, l), cols(t.get(n(TensorRole.DOWN, l)), a.dim(), a.hiddenDim(), keep));
            assertEquals(30, c.prunedShape(a, a.tensor(n(TensorRole.DOWN, l))).cols());
        }
        assertClose(ForwardPasses.of(small, st), StructuredForward.apply(base, c), seqs);
        assertEquals(small.linearParameterCount(), c.linearParameterCount(a));

        // dropping layer 0 versus a one-layer checkpoint holding layer 1
        StructureChoice none = StructureChoice.none(a);
        StructureChoice drop = new StructureChoice(none.keptHeads(), none.keptChannels(), new boolean[] {true, false}, null);
        ModelArchitecture one = ModelArchitecture.llama("one", a.dim(), a.hiddenDim(), 1, a.heads(), a.kvHeads(), a.vocabSize(),
                a.maxSeqLen(), false, a.normEps(), a.ropeTheta(), true);
        Map<String, float[]> ot = new HashMap<>();
        for (Map.Entry<String, float[]> e : t.entrySet()) {
            if (e.getKey().startsWith("blk.0.")) continue;
            ot.put(e.getKey().replace("blk.1.", "blk.0."), e.getValue());
        }
        assertClose(ForwardPasses.of(one, ot), StructuredForward.apply(base, drop), seqs);
        assertEquals(one.linearParameterCount(), drop.linearParameterCount(a));
        assertNull(drop.prunedShape(a, a.tensor(n(TensorRole.Q, 0))));
    }

    @Test
    void keptCountsAreExactAndGroupedQueryAttentionDropsOnlyEmptyGroups() {
        ModelArchitecture a = TinyModels.arch(true);   // 4 query heads in 2 KV groups, head size 8
        Map<String, float[]> t = TinyModels.tensors(a, 5);
        List<int[]> heads = List.of(new int[] {0, 1}, new int[] {0, 2});
        List<int[]> channels = List.of(StructuredPruning.topK(new double[48], 17), StructuredPruning.topK(new double[48], 48));
        StructureChoice c = new StructureChoice(heads, channels, new boolean[2], new int[] {1, 2, 3, 5, 8});
        Map<String, float[]> m = StructuredPruning.mask(a, t, c);
        assertEquals(1, c.keptKvGroupCount(a, 0));
        assertEquals(2, c.keptKvGroupCount(a, 1));
        assertEquals(16, zeroRows(m.get(n(TensorRole.Q, 0)), a.dim()));
        assertEquals(8, zeroRows(m.get(n(TensorRole.K, 0)), a.dim()));   // group 1 of layer 0 has no head left
        assertEquals(8, zeroRows(m.get(n(TensorRole.V, 0)), a.dim()));
        assertTrue(!m.containsKey(n(TensorRole.K, 1)), "layer 1 keeps a head in each group");
        assertEquals(48 - 17, zeroRows(m.get(n(TensorRole.UP, 0)), a.dim()));
        assertEquals(48 - 17, zeroRows(m.get(n(TensorRole.GATE, 0)), a.dim()));
        assertTrue(!m.containsKey(n(TensorRole.UP, 1)));
        assertEquals(a.vocabSize() - 5, zeroRows(m.get(n(TensorRole.EMBEDDING, -1)), a.dim()));
        assertEquals(8, c.prunedShape(a, a.tensor(n(TensorRole.K, 0))).rows());
        assertEquals(16, c.prunedShape(a, a.tensor(n(TensorRole.Q, 0))).rows());
        assertEquals(16, c.prunedShape(a, a.tensor(n(TensorRole.O, 0))).cols());
        assertEquals(17, c.prunedShape(a, a.tensor(n(TensorRole.UP, 0))).rows());
        assertEquals(5, c.prunedShape(a, a.tensor(n(TensorRole.EMBEDDING, -1))).rows());
        assertThrows(IllegalArgumentException.class, () -> new StructureChoice(List.of(new int[] {0, 0}, new int[] {1}), channels, new boolean[2], null));
        assertThrows(IllegalArgumentException.class,
                () -> new StructureChoice(List.of(new int[] {9}, new int[] {1}), channels, new boolean[2], null).validate(a));

        // pruned tokens can never be predicted; the meter reports the reference mass they held
        ForwardPass base = ForwardPasses.of(a, t);
        ForwardPass pruned = StructuredForward.apply(base, c);
        float[][] lp = pruned.logProbs(new int[] {1, 5, 8, 3});
        double mass = 0;
        for (int v = 0; v < a.vocabSize(); v++) {
            boolean kept = v == 1 || v == 2 || v == 3 || v == 5 || v == 8;
            assertEquals(!kept, lp[2][v] == Float.NEGATIVE_INFINITY);
            if (kept) mass += Math.exp(lp[2][v]);
        }
        assertEquals(1.0, mass, 1e-5);
        DivergenceMeter meter = new DivergenceMeter(base, List.of(new int[] {1, 5, 8, 3, 7}));
        DivergenceMeter.Result r = meter.measure(pruned);
        assertTrue(r.droppedReferenceMass() > 0 && r.droppedReferenceMass() < 1);
        assertEquals(0.25, r.droppedTargetFraction(), 1e-12);   // target 7 is pruned
        assertTrue(Double.isFinite(r.klNatsPerToken()) && r.klNatsPerToken() > 0);
    }

    @Test
    void compressingPrunedTensorsQuantizesThePackedMatrixAndZeroesTheRest() {
        ModelArchitecture a = TinyModels.arch(false);
        Map<String, float[]> t = TinyModels.tensors(a, 8);
        StructureChoice c = new StructureChoice(List.of(new int[] {1, 3}, new int[] {0, 1, 2}),
                List.of(StructuredPruning.topK(new double[48], 30), StructuredPruning.topK(new double[48], 48)), new boolean[2], new int[] {1, 2, 4});
        Map<String, float[]> masked = StructuredPruning.mask(a, t, c);
        org.edgefront.space.compress.TensorChoice f32 = org.edgefront.space.compress.TensorChoice.parse("F32");
        for (TensorSpec s : a.linearTensors()) {
            float[] expected = masked.getOrDefault(s.name(), t.get(s.name()));
            assertArrayEquals(expected, StructuredPruning.compressPruned(a, s, t.get(s.name()), c, f32, null), 0f, s.name());
        }
        // int4g32 on a down projection with 30 kept columns: one ragged 30-wide group per packed row
        TensorSpec down = a.tensor(n(TensorRole.DOWN, 0));
        org.edgefront.space.compress.WeightFormat int4 = org.edgefront.space.compress.WeightFormat.parse("int4g32");
        float[] q = StructuredPruning.compressPruned(a, down, t.get(down.name()), c, org.edgefront.space.compress.TensorChoice.of(int4), null);
        int[] keep = c.keptChannels().get(0);
        float[] packed = org.edgefront.evaluators.compress.TensorCompressor.quantizeMatrix(int4, cols(t.get(down.name()), a.dim(), 48, keep), a.dim(), 30);
        assertArrayEquals(packed, cols(q, a.dim(), 48, keep), 0f);
        assertEquals(0, countNonZeroOutside(q, a.dim(), 48, keep), "pruned columns must be 0");
        // a dropped layer stores nothing
        StructureChoice none = StructureChoice.none(a);
        StructureChoice drop = new StructureChoice(none.keptHeads(), none.keptChannels(), new boolean[] {false, true}, null);
        assertEquals(a.dim() * a.dim(), zeroCount(StructuredPruning.compressPruned(a, a.tensor(n(TensorRole.Q, 1)), t.get(n(TensorRole.Q, 1)), drop, f32, null)));
    }

    private static int zeroCount(float[] w) {
        int z = 0;
        for (float v : w) if (v == 0f) z++;
        return z;
    }

    private static int countNonZeroOutside(float[] w, int rows, int cols, int[] keep) {
        boolean[] k = StructuredPruning.flags(keep, cols);
        int n = 0;
        for (int r = 0; r < rows; r++) for (int c = 0; c < cols; c++) if (!k[c] && w[r * cols + c] != 0f) n++;
        return n;
    }

    @Test
    void klGrowsMonotonicallyWithEachKindOfPruningOnStories() throws Exception {
        Assumptions.assumeTrue(Files.exists(LlamaForwardTest.MODEL), "shared model missing");
        ForwardPass base;
        try (ModelWeights w = Llama2cCheckpoint.open(LlamaForwardTest.MODEL.toString())) {
            base = ForwardPasses.load(w);
        }
        ModelArchitecture a = base.architecture();
        Llama2cTokenizer tok = Llama2cTokenizer.load(LlamaForwardTest.TOKENIZER.toString(), 512);
        List<String> paragraphs = TextCorpus.paragraphs(LlamaForwardTest.TEXT.toString());
        List<int[]> eval = TextCorpus.encode(tok, paragraphs.subList(0, 20), 512);
        List<int[]> calib = TextCorpus.encode(tok, paragraphs.subList(200, 232), 512);
        Map<String, float[]> t = linear(base);
        CalibrationStats stats = base.inputNorms(calib);
        DivergenceMeter meter = new DivergenceMeter(base, eval);
        double[] counts = StructuredForward.tokenImportance(base, calib);
        double[] layerKl = StructuredForward.layerDropKl(base, calib);
        System.out.printf("stories260K structured pruning (eval 20 paragraphs, %d tokens; calibration 32 paragraphs)%n", meter.reference().tokens());
        System.out.printf("  single-layer drop KL on calibration: %s%n", java.util.Arrays.toString(layerKl));

        int H = a.heads();
        int F = a.hiddenDim();
        int V = a.vocabSize();
        List<double[]> curves = new ArrayList<>();
        double[] heads = new double[4];
        int[] hk = {H, 6, 4, 2};
        for (int i = 0; i < hk.length; i++) heads[i] = kl(meter, base, select(a, t, stats, hk[i], F, null, 0, null, V), a, "heads activation");
        double[] ffn = new double[4];
        int[] fk = {F, 129, 86, 43};
        for (int i = 0; i < fk.length; i++) ffn[i] = kl(meter, base, select(a, t, stats, H, fk[i], null, 0, null, V), a, "ffn activation");
        curves.add(heads);
        curves.add(ffn);
        double headsMagnitude = kl(meter, base, select(a, t, null, 4, F, null, 0, null, V), a, "heads magnitude");
        double ffnMagnitude = kl(meter, base, select(a, t, null, H, 43, null, 0, null, V), a, "ffn magnitude");
        double[] layers = new double[4];
        for (int d = 0; d < layers.length; d++) layers[d] = kl(meter, base, select(a, t, null, H, F, layerKl, d, null, V), a, "layers");
        double[] vocab = new double[5];
        int[] vk = {V, 256, 192, 160, 128};
        for (int i = 0; i < vk.length; i++) vocab[i] = kl(meter, base, select(a, t, null, H, F, null, 0, counts, vk[i]), a, "vocab");
        curves.add(layers);
        curves.add(vocab);
        for (double[] c : curves) {
            assertEquals(0.0, c[0], 1e-6, "no pruning, no divergence");
            // strictly increasing, except that the 256 byte-fallback tokens, never seen and given ~1e-8 of the mass,
            // are free to prune: there the vocabulary curve stays flat within 1e-6
            for (int i = 1; i < c.length; i++) {
                boolean flatAllowed = c == vocab && c[i] < 1e-6;
                assertTrue(flatAllowed ? c[i] >= c[i - 1] - 1e-6 : c[i] > c[i - 1], "KL not increasing: " + java.util.Arrays.toString(c));
            }
        }
        assertTrue(vocab[2] > 0.01, "pruning real tokens must cost: " + java.util.Arrays.toString(vocab));
        // activation-aware scores should beat weight magnitude alone
        assertTrue(ffn[3] < ffnMagnitude, "ffn: activation " + ffn[3] + " vs magnitude " + ffnMagnitude);
        assertTrue(heads[2] < headsMagnitude, "heads: activation " + heads[2] + " vs magnitude " + headsMagnitude);
    }

    private static double kl(DivergenceMeter meter, ForwardPass base, StructureChoice c, ModelArchitecture a, String what) {
        DivergenceMeter.Result r = meter.measure(StructuredForward.apply(base, c));
        System.out.printf("  %-18s %-45s params %6d  KL %.5f  ppl %.4f  top1 %.4f  dropped mass %.4f  dropped targets %.4f%n", what,
                c.label(a), c.linearParameterCount(a), r.klNatsPerToken(), r.perplexity(), r.top1Agreement(), r.droppedReferenceMass(),
                r.droppedTargetFraction());
        return r.klNatsPerToken();
    }

    private static void assertClose(ForwardPass expected, ForwardPass actual, List<int[]> seqs) {
        for (int[] s : seqs) {
            float[][] x = expected.logProbs(s);
            float[][] y = actual.logProbs(s);
            for (int p = 0; p < x.length; p++) assertArrayEquals(x[p], y[p], 2e-4f);
        }
    }

    private static float[] rows(float[] w, int cols, int[] keep) {
        float[] out = new float[keep.length * cols];
        for (int i = 0; i < keep.length; i++) System.arraycopy(w, keep[i] * cols, out, i * cols, cols);
        return out;
    }

    private static float[] cols(float[] w, int rows, int cols, int[] keep) {
        float[] out = new float[rows * keep.length];
        for (int r = 0; r < rows; r++) for (int i = 0; i < keep.length; i++) out[r * keep.length + i] = w[r * cols + keep[i]];
        return out;
    }

    private static int zeroRows(float[] w, int cols) {
        int z = 0;
        for (int r = 0; r < w.length / cols; r++) {
            boolean all = true;
            for (int c = 0; c < cols; c++) all &= w[r * cols + c] == 0f;
            if (all) z++;
        }
        return z;
    }
}
