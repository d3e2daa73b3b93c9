package org.edgefront.space.synthetic;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.edgefront.space.model.ModelArchitecture;
import org.edgefront.space.model.TensorSpec;
import org.junit.jupiter.api.Test;

class SyntheticLlamaTest {
    @Test
    void tinyPresetHasTheQuickstartShapeAndIsLabelledSynthetic() {
        ModelArchitecture a = SyntheticLlama.tiny(42).architecture();
        assertEquals("synthetic-llama-64x4", a.name());
        assertTrue(a.synthetic());
        assertEquals(64, a.dim());
        assertEquals(176, a.hiddenDim());
        assertEquals(4, a.layers());
        assertEquals(8, a.heads());
        assertEquals(4, a.kvHeads());
        assertEquals(256, a.vocabSize());
        assertEquals(256, a.maxSeqLen());
        // 256*64 + 4 * (64*64*2 + 32*64*2 + 3*176*64) linear, + 9*64 norms
        assertEquals(200_704, a.linearParameterCount());
        assertEquals(201_280, a.parameterCount());
    }

    @Test
    void sameSeedGivesIdenticalWeightsInAnyReadOrder() {
        SyntheticLlama a = SyntheticLlama.tiny(5);
        SyntheticLlama b = SyntheticLlama.tiny(5);
        float[] lastFirst = b.read("blk.3.ffn_down.weight");
        for (String name : a.tensorNames()) assertArrayEquals(a.read(name), b.read(name), name);
        assertArrayEquals(a.read("blk.3.ffn_down.weight"), lastFirst);
        assertFalse(Arrays.equals(a.read("blk.0.attn_q.weight"), SyntheticLlama.tiny(6).read("blk.0.attn_q.weight")));
    }

    /**
     * Change detector, not a correctness check: these values are what the generator produced when they were
     * pinned. A change here means every synthetic figure (BENCHMARKS.md, fidelity studies) moves, so update
     * the values only on purpose.
     */
    @Test
    void changeDetectorPinsTheGeneratedValuesAcrossJvmsAndRefactorings() {
        SyntheticLlama a = SyntheticLlama.tiny(5);
        assertEquals(-0.09236047f, a.read("blk.0.attn_q.weight")[0]);
        assertEquals(0.05232089f, a.read("token_embd.weight")[7]);
    }

    /** The statistics the class comment promises, measured on a shape large enough to estimate them. */
    @Test
    void generatedWeightsHaveTheDocumentedStatistics() {
        SyntheticLlama.Shape shape = new SyntheticLlama.Shape(384, 512, 3, 6, 2, 400, 64, true);
        SyntheticLlama m = SyntheticLlama.create(shape, 17);
        int dim = shape.dim();
        float[] emb = m.read("token_embd.weight");
        assertEquals(0.0, mean(emb), 0.01 * 3.6 / Math.sqrt(dim), "embedding mean");
        assertEquals(3.6 / Math.sqrt(dim), std(emb), 0.03 * 3.6 / Math.sqrt(dim), "embedding standard deviation is 3.6/sqrt(dim)");
        java.util.Set<Integer> outliers = null;
        for (int l = 0; l < shape.layers(); l++) {
            double v = rms(m.read("blk." + l + ".attn_v.weight"));
            // q and k: 0.4 of v's scale (same input width, same layer scale)
            assertEquals(0.4, rms(m.read("blk." + l + ".attn_q.weight")) / v, 0.05, "q/v scale, layer " + l);
            assertEquals(0.4, rms(m.read("blk." + l + ".attn_k.weight")) / v, 0.05, "k/v scale, layer " + l);
            for (String stem : new String[] {"attn_q", "attn_k", "attn_v", "ffn_gate", "ffn_up"}) {
                float[] w = m.read("blk." + l + "." + stem + ".weight");
                assertEquals(0.0, mean(w), 0.02 * rms(w), stem + " mean, layer " + l);
                java.util.Set<Integer> big = outlierColumns(w, dim);
                // the same few residual-stream channels are outliers in every matrix that reads the residual stream
                if (outliers == null) outliers = big;
                assertEquals(outliers, big, stem + " outlier input channels, layer " + l);
            }
        }
        assertFalse(outliers.isEmpty(), "some residual channels are outliers");
        assertTrue(outliers.size() <= dim / 48, "a few outlier channels: " + outliers);
    }

    /** Input columns whose norm exceeds twice the median column norm. */
    private static java.util.Set<Integer> outlierColumns(float[] w, int cols) {
        double[] col = new double[cols];
        for (int i = 0; i < w.length; i++) col[i % cols] += (double) w[i] * w[i];
        double[] sorted = col.clone();
        Arrays.sort(sorted);
        double median = sorted[cols / 2];
        java.util.Set<Integer> out = new java.util.TreeSet<>();
        for (int c = 0; c < cols; c++) if (col[c] > 2.0 * 2.0 * median) out.add(c);
        return out;
    }

    private static double mean(float[] w) {
        double s = 0;
        for (float v : w) s += v;
        return s / w.length;
    }

    private static double std(float[] w) {
        double m = mean(w), s = 0;
        for (float v : w) s += (v - m) * (v - m);
        return Math.sqrt(s / w.length);
    }

    @Test
    void weightsHaveRealisticScaleOutliersAndVaryAcrossLayers() {
        SyntheticLlama m = SyntheticLlama.tiny(9);
        ModelArchitecture a = m.architecture();
        double[] rmsQ = new double[a.layers()];
        for (int l = 0; l < a.layers(); l++) {
            TensorSpec q = a.tensor("blk." + l + ".attn_q.weight");
            float[] w = m.read(q.name());
            rmsQ[l] = rms(w);
            // column norms: the outlier residual channels stand well above the median column
            double[] col = new double[q.cols()];
            for (int r = 0; r < q.rows(); r++) for (int c = 0; c < q.cols(); c++) col[c] += w[r * q.cols() + c] * w[r * q.cols() + c];
            double[] sorted = col.clone();
            Arrays.sort(sorted);
            assertTrue(sorted[sorted.length - 1] > 4 * sorted[sorted.length / 2], "layer " + l + " has no outlier column");
            assertTrue(rmsQ[l] > 0.01 && rmsQ[l] < 0.5, "rms " + rmsQ[l]);
        }
        double min = Arrays.stream(rmsQ).min().orElseThrow();
        double max = Arrays.stream(rmsQ).max().orElseThrow();
        assertTrue(max > 1.2 * min, "layer scales should differ: " + Arrays.toString(rmsQ));
        float[] norm = m.read("blk.1.attn_norm.weight");
        double mean = 0;
        for (float v : norm) mean += v / norm.length;
        assertEquals(1.0, mean, 0.1);
    }

    @Test
    void unknownTensorIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> SyntheticLlama.tiny(1).read("output.weight"));
    }

    @Test
    void realShapePresetsAreCheapToHold() {
        ModelArchitecture a = SyntheticLlama.create(SyntheticLlama.Shape.tinyLlama1b(), 1).architecture();
        assertEquals(1_100_048_384L, a.parameterCount());
        // k of SmolLM-135M: 3 KV heads x 64 rows, 576 columns, generated only when read
        assertEquals(192 * 576, SyntheticLlama.create(SyntheticLlama.Shape.smolLm135m(), 1).read("blk.0.attn_k.weight").length);
    }

    @Test
    void tokenSequencesStartWithBosStayInVocabularyAndRepeat() {
        int[][] s = SyntheticLlama.tokenSequences(3, 4, 100, 256);
        assertEquals(4, s.length);
        int[] counts = new int[256];
        for (int[] seq : s) {
            assertEquals(100, seq.length);
            assertEquals(1, seq[0]);
            for (int i = 1; i < seq.length; i++) {
                assertTrue(seq[i] >= 3 && seq[i] < 256);
                counts[seq[i]]++;
            }
        }
        // Zipf-like: the most frequent token is far above the uniform expectation of ~1.6
        assertTrue(Arrays.stream(counts).max().orElseThrow() >= 10);
        assertTrue(Arrays.deepEquals(s, SyntheticLlama.tokenSequences(3, 4, 100, 256)));
        assertFalse(Arrays.deepEquals(s, SyntheticLlama.tokenSequences(4, 4, 100, 256)));
    }

    private static double rms(float[] w) {
        double s = 0;
        for (float v : w) s += (double) v * v;
        return Math.sqrt(s / w.length);
    }
}
