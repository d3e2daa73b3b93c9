package org.edgefront.evaluators.quality;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.edgefront.space.model.ArchitectureFamily;
import org.edgefront.space.model.ModelArchitecture;
import org.junit.jupiter.api.Test;

class ForwardPassesTest {
    @Test
    void theArchitectureFamilyPicksThePassAndTheTensorsItReads() {
        ModelArchitecture llama = TinyModels.arch(false);
        assertInstanceOf(LlamaForward.class, ForwardPasses.of(llama, TinyModels.tensors(llama, 1)));
        ModelArchitecture qwen = TinyModels.qwen2();
        assertInstanceOf(LlamaForward.class, ForwardPasses.of(qwen, TinyModels.tensors(qwen, 2)));
        assertTrue(ForwardPasses.tensorNames(qwen).contains("blk.0.attn_q.bias"));
        assertTrue(!ForwardPasses.tensorNames(llama).contains("blk.0.attn_q.bias"));
        ModelArchitecture qwen3 = TinyModels.qwen3();
        assertInstanceOf(LlamaForward.class, ForwardPasses.of(qwen3, TinyModels.tensors(qwen3, 2)));
        assertTrue(ForwardPasses.tensorNames(qwen3).containsAll(List.of("blk.1.attn_q_norm.weight", "blk.1.attn_k_norm.weight")));
        assertTrue(!ForwardPasses.tensorNames(qwen3).contains("blk.0.attn_q.bias"));
        ModelArchitecture gemma3 = TinyModels.gemma3();
        assertInstanceOf(LlamaForward.class, ForwardPasses.of(gemma3, TinyModels.tensors(gemma3, 2)));
        assertTrue(ForwardPasses.tensorNames(gemma3).containsAll(List.of("blk.2.attn_q_norm.weight", "blk.2.post_attention_norm.weight",
                "blk.2.post_ffw_norm.weight")));
        ModelArchitecture phi3 = TinyModels.phi3();
        assertInstanceOf(LlamaForward.class, ForwardPasses.of(phi3, TinyModels.tensors(phi3, 2)));
        assertEquals(ForwardPasses.tensorNames(llama), ForwardPasses.tensorNames(phi3), "Phi-3 reads Llama's norms, no biases");
        ModelArchitecture phi = PhiForwardTest.arch(2);
        ForwardPass p = ForwardPasses.of(phi, PhiForwardTest.tensors(phi, 3));
        assertInstanceOf(PhiForward.class, p);
        assertEquals(PhiForward.names(phi), ForwardPasses.tensorNames(phi));
        assertEquals(List.of("blk.1.attn_output.bias", "blk.1.ffn_down.bias"), p.residualBiases(1));
        assertEquals(List.of(), ForwardPasses.of(llama, TinyModels.tensors(llama, 1)).residualBiases(1));
    }

    @Test
    void aPassRefusesAnotherFamilyAndPhiRefusesHeadsOtherThanTheWidth() {
        ModelArchitecture phi = PhiForwardTest.arch(2);
        var e = assertThrows(IllegalArgumentException.class, () -> LlamaForward.of(phi, PhiForwardTest.tensors(phi, 3)));
        assertTrue(e.getMessage().contains("is PHI2"), e.getMessage());
        ModelArchitecture llama = TinyModels.arch(false);
        assertThrows(IllegalArgumentException.class, () -> PhiForward.of(llama, TinyModels.tensors(llama, 1)));
        // the Llama-family pass sizes q by heads x headDim (Qwen3-0.6B: 16 x 128 on 1024); Phi-2's sizes it by the width
        ModelArchitecture narrow = ModelArchitecture.of("phi-like", ArchitectureFamily.PHI2, 320, 640, 3, 4, 4, 100,
                1000, 2048, false, 1e-5, 1e4, true);
        var n = assertThrows(IllegalArgumentException.class, () -> ForwardPasses.of(narrow, Map.of()));
        assertEquals("the forward pass needs heads x headDim = dim; phi-like has 4 x 100 != 320", n.getMessage());
    }

    @Test
    void peersShareTheChunkRunnerSoChunkingDoesNotChangeTheResult() {
        ModelArchitecture phi = PhiForwardTest.arch(2);
        ForwardPass p = ForwardPasses.of(phi, PhiForwardTest.tensors(phi, 4));
        List<int[]> seqs = TinyModels.sequences(6, 20, phi.vocabSize(), 9);
        float[][] together = new float[seqs.size()][];
        p.logProbs(seqs, (s, pos, lp, off) -> { if (pos == 0) together[s] = java.util.Arrays.copyOfRange(lp, off, off + phi.vocabSize()); });
        for (int s = 0; s < seqs.size(); s++) assertArrayEquals(p.logProbs(seqs.get(s))[0], together[s], 1e-5f);
    }

    @Test
    void buffersReusedAcrossChunkShapesAndVariantsLeaveEveryLogProbBitForBit() {
        ModelArchitecture a = TinyModels.mid(512);
        Map<String, float[]> t = TinyModels.tensors(a, 9);
        ForwardPass pass = ForwardPasses.of(a, t);
        // one sequence past the batched-attention length, then shorter ones packed into a chunk of another shape
        int[] longOne = TinyModels.tokens(300, a.vocabSize(), 5);
        List<int[]> first = List.of(longOne);
        List<int[]> packed = TinyModels.sequences(6, 120, a.vocabSize(), 6);
        float[] fresh = logProbs(ForwardPasses.of(a, t), first);
        float[] freshPacked = logProbs(ForwardPasses.of(a, t), packed);
        float[] once = logProbs(pass, first);
        float[] packedAfter = logProbs(pass, packed);
        float[] variantAfter = logProbs(pass.withOverrides(Map.of("blk.1.ffn_down.weight", t.get("blk.1.ffn_down.weight").clone())), first);
        float[] twice = logProbs(pass, first);
        assertArrayEquals(fresh, once);
        assertArrayEquals(freshPacked, packedAfter, "a chunk of another shape on reused buffers differs");
        assertArrayEquals(fresh, variantAfter, "a variant (uploading its matrix) on the base's buffers differs");
        assertArrayEquals(fresh, twice, "a pass after other shapes on reused buffers differs");
    }

    @Test
    void aPassGivesTheSameBitsOnOneThreadOrMany() {
        // a sequential run spreads each pass over every core and a Spark task runs it on one: both must find the same front
        ModelArchitecture a = TinyModels.mid(1024);
        Map<String, float[]> t = TinyModels.tensors(a, 9);
        int[] longOne = TinyModels.tokens(700, a.vocabSize(), 7);   // two row blocks; batched attention in query blocks
        List<int[]> packed = TinyModels.sequences(12, 120, a.vocabSize(), 8);   // short sequences: the scalar attention
        ForwardPass one = ForwardPasses.of(a, t);
        ForwardPass three = one.withThreads(3);
        assertArrayEquals(logProbs(one, List.of(longOne)), logProbs(three, List.of(longOne)));
        assertArrayEquals(logProbs(one, packed), logProbs(three, packed));
        Map<String, float[]> replaced = Map.of("blk.0.attn_q.weight", t.get("blk.0.attn_q.weight").clone());
        assertArrayEquals(logProbs(one.withOverrides(replaced), List.of(longOne)), logProbs(three.withOverrides(replaced), List.of(longOne)),
                "a variant keeps its base's threads and their results");
        assertThrows(IllegalArgumentException.class, () -> one.withThreads(0));
    }

    @Test
    void tensorsReadOnSeveralThreadsAreTheSameAsReadOnOne() throws Exception {
        var shape = new org.edgefront.space.synthetic.SyntheticLlama.Shape(64, 160, 3, 4, 2, 97, 64, false);
        try (var w = org.edgefront.space.synthetic.SyntheticLlama.create(shape, 11)) {
            Map<String, float[]> one = ForwardPasses.readAll(w, 1);
            Map<String, float[]> three = ForwardPasses.readAll(w, 3);
            assertEquals(one.keySet(), three.keySet());
            assertEquals(w.architecture().linearTensors().size() + ForwardPasses.tensorNames(w.architecture()).size(), one.size(),
                    "every linear tensor, norm and bias, once");
            for (String n : one.keySet()) assertArrayEquals(one.get(n), three.get(n), n);
            int[] seq = TinyModels.tokens(40, 97, 12);
            assertArrayEquals(logProbs(ForwardPasses.load(w), List.of(seq)), logProbs(ForwardPasses.load(w, 3), List.of(seq)));
            assertEquals(3, ForwardPasses.load(w, 3).threads(), "the loaded pass runs on the threads it was read on");
        }
    }

    private static float[] logProbs(ForwardPass p, List<int[]> seqs) {
        int v = p.architecture().vocabSize();
        int rows = seqs.stream().mapToInt(s -> s.length).sum();
        float[] out = new float[rows * v];
        int[] row = {0};
        p.logProbs(seqs, (s, pos, lp, off) -> System.arraycopy(lp, off, out, v * row[0]++, v));
        return out;
    }
}
