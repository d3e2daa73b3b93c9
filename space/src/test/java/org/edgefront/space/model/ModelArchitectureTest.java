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
}
