package org.edgefront.space.candidate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.util.List;
import org.apache.commons.math3.random.Well19937c;
import org.edgefront.space.compress.StructurePlan;
import org.edgefront.space.compress.TensorChoice;
import org.edgefront.space.model.ModelArchitecture;
import org.junit.jupiter.api.Test;

class StructureSpaceTest {
    /** 2 layers, 8 query heads in 4 KV groups of 2, FFN 172, vocabulary 512, untied. */
    private static final ModelArchitecture ARCH = ModelArchitecture.llama("t", 64, 172, 2, 8, 4, 512, 512, false, 1e-5, 10000, true);
    private static final List<TensorChoice> OPTS = List.of(TensorChoice.parse("F16"), TensorChoice.parse("Q8_0"));

    private static SearchSpace space() {
        return SearchSpace.perTensor(ARCH, OPTS).withStructure(
                StructureDecision.forModel(ARCH, List.of(1.0, 0.5), List.of(1.0, 0.75, 0.5), true, List.of(1.0, 0.5)));
    }

    @Test
    void structuralGenesFollowTheTensorGenes() {
        SearchSpace s = space();
        int tensorGenes = 2 + 2 * 7;
        assertEquals(tensorGenes + 2 * 3 + 1, s.dimensions());
        assertEquals(2, s.optionCount(tensorGenes));       // blk.0.heads
        assertEquals(3, s.optionCount(tensorGenes + 1));   // blk.0.ffn_channels
        assertEquals(2, s.optionCount(tensorGenes + 2));   // blk.0.layer
        assertEquals(BigInteger.TWO.pow(tensorGenes).multiply(BigInteger.valueOf(2L * 3 * 2 * 2 * 3 * 2 * 2)), s.size());
    }

    @Test
    void uniformCandidatesKeepTheWholeStructure() {
        SearchSpace s = space();
        assertEquals(StructurePlan.none(ARCH), s.structurePlan(s.uniform(1)));
        assertFalse(s.structurePlan(s.uniform(1)).prunes(ARCH));
    }

    @Test
    void planCountsFollowTheChosenRatios() {
        SearchSpace s = space();
        int base = s.decisions().size();
        int[] g = new int[s.dimensions()];
        g[base] = 1;       // layer 0 heads 0.5 -> 2 of 4 KV groups
        g[base + 1] = 1;   // layer 0 FFN 0.75 of 172 = 129 -> multiple of 32: 128
        g[base + 5] = 1;   // layer 1 dropped
        g[base + 6] = 1;   // vocabulary 0.5 -> 256
        StructurePlan p = s.structurePlan(new Candidate(g));
        assertArrayEquals(new int[] {2, 4}, p.keptKvGroups());
        assertArrayEquals(new int[] {128, 172}, p.keptChannels());
        assertArrayEquals(new boolean[] {false, true}, p.droppedLayer());
        assertEquals(256, p.keptVocab());
        assertEquals(4, p.keptHeadCount(ARCH, 0));
        assertEquals(0, p.keptHeadCount(ARCH, 1));
        assertEquals("heads=4/16 ffn=128/344 layers=-1 vocab=256/512", p.label(ARCH));
        assertEquals("keep0.500", s.structureLabels(new Candidate(g)).get("blk.0.heads"));
        assertEquals("drop", s.structureLabels(new Candidate(g)).get("blk.1.layer"));
    }

    @Test
    void prunedShapesShrinkByWholeHeadsChannelsAndTokens() {
        int[] groups = {2, 4};
        StructurePlan p = new StructurePlan(groups, new int[] {96, 172}, new boolean[] {false, true}, 300);
        int hd = ARCH.headDim();
        assertEquals(4 * hd, p.prunedShape(ARCH, ARCH.tensor("blk.0.attn_q.weight")).rows());
        assertEquals(2 * hd, p.prunedShape(ARCH, ARCH.tensor("blk.0.attn_k.weight")).rows());
        assertEquals(4 * hd, p.prunedShape(ARCH, ARCH.tensor("blk.0.attn_output.weight")).cols());
        assertEquals(96, p.prunedShape(ARCH, ARCH.tensor("blk.0.ffn_up.weight")).rows());
        assertEquals(96, p.prunedShape(ARCH, ARCH.tensor("blk.0.ffn_down.weight")).cols());
        assertNull(p.prunedShape(ARCH, ARCH.tensor("blk.1.ffn_up.weight")), "a dropped layer's tensors are gone");
        assertEquals(300, p.prunedShape(ARCH, ARCH.tensor("output.weight")).rows());
        assertArrayEquals(new int[] {2 * hd, 0}, p.keptKvRowsPerLayer(ARCH));
        // by hand, head dim 8: layer 0 keeps 2 KV groups = 4 query heads and 96 FFN channels:
        // q 32x64, k and v 16x64, o 64x32, gate and up 96x64, down 64x96; layer 1 is dropped;
        // embedding and output keep 300 of 512 rows of 64
        long layer0 = 32 * 64 + 2 * 16 * 64 + 64 * 32 + 2 * 96 * 64 + 64 * 96;
        assertEquals(layer0 + 2 * 300 * 64, p.linearParameterCount(ARCH));
        // unpruned: embedding and output 512x64, per layer q and o 64x64, k and v 32x64, three FFN 172x64
        assertEquals(2 * 512 * 64 + 2 * (2 * 64 * 64 + 2 * 32 * 64 + 3 * 172 * 64), ARCH.linearParameterCount());
    }

    @Test
    void samplesStayInsideAndPlansValidate() {
        SearchSpace s = space();
        Well19937c rng = new Well19937c(11);
        for (int i = 0; i < 200; i++) {
            Candidate c = s.sample(rng);
            assertTrue(s.contains(c));
            s.structurePlan(c).validate(ARCH);
        }
    }

    @Test
    void badStructureDecisionsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> new StructureDecision("h", StructureDecision.Kind.HEADS, 0, List.of(0.5, 1.0)));
        assertThrows(IllegalArgumentException.class, () -> new StructureDecision("h", StructureDecision.Kind.HEADS, 0, List.of(1.0, 0.0)));
        assertThrows(IllegalArgumentException.class, () -> new StructureDecision("l", StructureDecision.Kind.LAYER, 0, List.of(1.0, 0.5)));
        assertThrows(IllegalArgumentException.class, () -> new StructureDecision("v", StructureDecision.Kind.VOCAB, 1, List.of(1.0, 0.5)));
        SearchSpace base = SearchSpace.perTensor(ARCH, OPTS);
        assertThrows(IllegalArgumentException.class, () -> base.withStructure(
                List.of(new StructureDecision("x", StructureDecision.Kind.HEADS, 5, List.of(1.0, 0.5)))));
        assertThrows(IllegalArgumentException.class, () -> base.withStructure(List.of(
                new StructureDecision("a", StructureDecision.Kind.HEADS, 0, List.of(1.0, 0.5)),
                new StructureDecision("b", StructureDecision.Kind.HEADS, 0, List.of(1.0, 0.25)))));
        assertThrows(IllegalArgumentException.class, () -> new StructurePlan(new int[] {5, 4}, new int[] {172, 172}, new boolean[2], 512).validate(ARCH));
    }
}
