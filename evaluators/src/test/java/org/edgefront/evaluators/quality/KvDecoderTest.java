package org.edgefront.evaluators.quality;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.edgefront.space.model.ArchitectureFamily;
import org.edgefront.space.model.ModelArchitecture;
import org.edgefront.space.model.RopeScaling;
import org.edgefront.space.synthetic.SyntheticLlama;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Incremental decoding with cached keys and values ({@link ForwardPass#decoder}) against the whole-sequence pass: the
 * same log-probabilities at every position, for every Llama-family block layout (biases, q/k norms, sandwich norms,
 * sliding windows, soft-caps, layers without RoPE), past the sliding window, and for Phi-2's parallel block with partial
 * rotation; the same bits on any thread count; and refusals.
 */
class KvDecoderTest {
    /** Longer than the tiny shape's 64-token sliding window (Gemma 2 and 3), so the window's edge is decoded too. */
    private static final int TOKENS = 90;

    /** The tiny shape in {@code family}'s layout; Phi-2's LM head is untied. */
    private static SyntheticLlama tiny(long seed, ArchitectureFamily family) {
        SyntheticLlama.Shape t = SyntheticLlama.Shape.tiny();
        return SyntheticLlama.create(new SyntheticLlama.Shape(t.dim(), t.hiddenDim(), t.layers(), t.heads(), t.kvHeads(), t.vocabSize(),
                t.seqLen(), family != ArchitectureFamily.PHI2), seed, family);
    }

    @ParameterizedTest
    @EnumSource(value = ArchitectureFamily.class, names = {"LLAMA", "QWEN2", "QWEN3", "GEMMA2", "GEMMA3", "SMOLLM3", "PHI3", "PHI2"})
    void aDecoderGivesTheWholePassLogProbabilitiesAtEveryPosition(ArchitectureFamily family) throws IOException {
        ForwardPass pass = ForwardPasses.load(tiny(5, family));
        int vocab = pass.architecture().vocabSize();
        int[][] seqs = SyntheticLlama.tokenSequences(9, 3, TOKENS, vocab);
        float[][][] whole = new float[seqs.length][][];
        for (int s = 0; s < seqs.length; s++) whole[s] = pass.logProbs(seqs[s]);
        double worst = 0;
        try (ForwardPass.Decoder d = pass.decoder(seqs.length, TOKENS)) {
            assertNotNull(d, family + " decodes incrementally");
            for (int p = 0; p < TOKENS; p++) {
                int[] feed = new int[seqs.length];
                for (int s = 0; s < seqs.length; s++) feed[s] = seqs[s][p];
                float[] lp = d.step(feed);
                assertEquals(p + 1, d.length());
                for (int s = 0; s < seqs.length; s++) {
                    for (int v = 0; v < vocab; v++) worst = Math.max(worst, Math.abs(lp[s * vocab + v] - whole[s][p][v]));
                }
            }
        }
        // rounding only (products of 3 rows against the whole pass's 90): about 1e-6 here; a missed window, cap, norm
        // or rotation is off by 1e-2 and more
        assertTrue(worst < 1e-4, family + ": largest log-probability difference " + worst);
    }

    @ParameterizedTest
    @EnumSource(value = ArchitectureFamily.class, names = {"GEMMA3", "PHI2"})
    void aDecoderGivesTheSameBitsOnOneThreadAndOnThree(ArchitectureFamily family) throws IOException {
        ForwardPass one = ForwardPasses.load(tiny(6, family));
        ForwardPass three = one.withThreads(3);
        int[][] seqs = SyntheticLlama.tokenSequences(4, 5, 20, one.architecture().vocabSize());
        try (ForwardPass.Decoder a = one.decoder(5, 20); ForwardPass.Decoder b = three.decoder(5, 20)) {
            for (int p = 0; p < 20; p++) {
                int[] feed = new int[5];
                for (int s = 0; s < 5; s++) feed[s] = seqs[s][p];
                assertArrayEquals(a.step(feed).clone(), b.step(feed), "position " + p);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = ArchitectureFamily.class, names = {"LLAMA", "PHI2"})
    void wrongCountsTokensOutsideTheVocabularyAndStepsPastTheLengthAreRefused(ArchitectureFamily family) throws IOException {
        ForwardPass pass = ForwardPasses.load(tiny(3, family));
        int vocab = pass.architecture().vocabSize();
        try (ForwardPass.Decoder d = pass.decoder(2, 3)) {
            assertThrows(IllegalArgumentException.class, () -> d.step(new int[] {1}));
            assertThrows(IllegalArgumentException.class, () -> d.step(new int[] {1, vocab}));
            assertThrows(IllegalArgumentException.class, () -> d.step(new int[] {-1, 1}));
            for (int i = 0; i < 3; i++) d.step(new int[] {1, 2});
            assertThrows(IllegalStateException.class, () -> d.step(new int[] {1, 2}));
        }
        assertThrows(IllegalArgumentException.class, () -> pass.decoder(0, 8));
        assertThrows(IllegalArgumentException.class, () -> pass.decoder(1, pass.architecture().maxSeqLen() + 1));
    }

    @Test
    void aLongRopeModelWhoseFactorSetWouldSwitchWithinTheLengthIsLeftToWholePasses() throws IOException {
        SyntheticLlama m = SyntheticLlama.create(new SyntheticLlama.Shape(64, 176, 4, 8, 4, 256, 1024, true), 2);
        ModelArchitecture base = m.architecture();
        int pairs = base.rotaryDims() / 2;
        List<Double> longF = java.util.Collections.nCopies(pairs, 4.0);
        List<Double> shortF = java.util.Collections.nCopies(pairs, 1.0);
        // llama.cpp's rule: the long factors once the context, in steps of 256 tokens, passes the original 256
        ModelArchitecture a = base.withRopeScaling(RopeScaling.longRope(longF, shortF, 4.0, 256, 1.0));
        Map<String, float[]> tensors = ForwardPasses.readAll(m, 1);
        ForwardPass pass = ForwardPasses.of(a, tensors);
        try (ForwardPass.Decoder d = pass.decoder(1, 256)) {
            assertNotNull(d, "up to 256 tokens the short factors hold throughout");
        }
        assertNull(pass.decoder(1, 300), "from 257 tokens on a whole pass would switch to the long factors");
    }
}
