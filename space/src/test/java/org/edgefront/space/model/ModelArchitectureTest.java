package org.edgefront.space.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class ModelArchitectureTest {

    @Test
    void headSizeDefaultsToDimOverHeads() {
        ModelArchitecture a = ModelArchitecture.llama("t", 64, 172, 2, 8, 4, 512, 512, true, 1e-5, 10000, false);
        assertEquals(8, a.headDim());
        assertEquals(64, a.qDim());
        assertEquals(32, a.kvDim());
        assertEquals(64, a.tensor("blk.0.attn_q.weight").rows());
    }

    @Test
    void explicitHeadSizeShapesQueryAndOutputLikeGemma2() {
        // Gemma-2-2B: hidden 2304, 8 heads of 256 (2048 != 2304), 4 KV heads
        ModelArchitecture a = ModelArchitecture.of("gemma-2-2b", ArchitectureFamily.LLAMA, 2304, 9216, 26, 8, 4, 256,
                256000, 8192, true, 1e-6, 10000, false);
        assertEquals(2048, a.qDim());
        TensorSpec q = a.tensor("blk.0.attn_q.weight");
        TensorSpec o = a.tensor("blk.0.attn_output.weight");
        TensorSpec k = a.tensor("blk.0.attn_k.weight");
        assertEquals(2048, q.rows());
        assertEquals(2304, q.cols());
        assertEquals(2304, o.rows());
        assertEquals(2048, o.cols());
        assertEquals(1024, k.rows());
        // linear parameters: embedding + 26 x (q + k + v + o + 3 FFN)
        long perLayer = 2048L * 2304 + 2 * 1024L * 2304 + 2304L * 2048 + 3L * 9216 * 2304;
        assertEquals(256000L * 2304 + 26 * perLayer, a.linearParameterCount());
    }

    @Test
    void nonPositiveHeadSizeIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> ModelArchitecture.of("x", ArchitectureFamily.LLAMA, 64, 64, 1, 8, 4, 0,
                32, 32, true, 1e-5, 1e4, false));
    }

    @Test
    void rotaryWidthIsTheWholeHeadUnlessTheFamilyOrTheCheckpointNarrowsIt() {
        ModelArchitecture llama = ModelArchitecture.llama("t", 64, 172, 2, 8, 4, 512, 512, true, 1e-5, 10000, false);
        assertEquals(8, llama.rotaryDims());
        // Phi-2: partial_rotary_factor 0.4 of 80 = 32; of 16 = 6.4, rounded down to whole pairs
        assertEquals(32, ModelArchitecture.of("phi2", ArchitectureFamily.PHI2, 160, 640, 1, 2, 2, 97, 128, false, 1e-5, 1e4, true).rotaryDims());
        assertEquals(6, ModelArchitecture.defaultRotaryDims(ArchitectureFamily.PHI2, 16));
        // Phi-4-mini: int(128 x 0.75) = 96, as transformers and llama.cpp's converter compute it
        assertEquals(96, ModelArchitecture.rotaryDimsFor(128, 0.75));
        ModelArchitecture phi3 = ModelArchitecture.of("p", ArchitectureFamily.PHI3, 64, 128, 1, 4, 2, 40, 64, false, 1e-5, 1e4, true);
        assertEquals(16, phi3.rotaryDims());
        ModelArchitecture partial = phi3.withRotaryDims(12);
        assertEquals(12, partial.rotaryDims());
        assertEquals(16, partial.headDim());
        for (int bad : new int[] {-2, 11, 18}) assertThrows(IllegalArgumentException.class, () -> phi3.withRotaryDims(bad), "rotary " + bad);
        // LongRoPE has one factor per rotated pair
        java.util.List<Double> six = java.util.List.of(1.0, 1.0, 1.0, 2.0, 2.0, 2.0);
        assertEquals(6, partial.withRopeScaling(RopeScaling.longRope(six, six, 4, 16, null)).ropeScaling().longFactors().size());
        assertThrows(IllegalArgumentException.class, () -> phi3.withRopeScaling(RopeScaling.longRope(six, six, 4, 16, null)));
    }
}
