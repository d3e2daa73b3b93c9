package org.edgefront.space.compress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.edgefront.space.model.TensorRole;
import org.edgefront.space.model.TensorSpec;
import org.junit.jupiter.api.Test;

class TensorChoiceTest {
    private static final TensorSpec T = new TensorSpec("blk.0.attn_q.weight", TensorRole.Q, 0, 64, 64);

    @Test
    void labelsRoundTrip() {
        for (String l : new String[] {"Q4_0", "int4g32+2:4", "Q8_0+s50", "F16+r0.25", "int3g128a", "int3g32+gptq", "Q4_K+gptq"}) {
            assertEquals(l, TensorChoice.parse(l).label());
        }
    }

    @Test
    void twoOfFourSparsityStoresHalfTheValuesPlusTwoBitIndices() {
        TensorChoice c = TensorChoice.parse("int4g32+2:4");
        // 32 kept per row -> one int4g32 group (16 + 2 bytes); indices 32 x 2 bits = 8 bytes
        assertEquals(64L * (18 + 8), c.bytes(T));
    }

    @Test
    void unstructuredSparsityStoresABitmapAndTheKeptValues() {
        TensorChoice c = TensorChoice.parse("Q8_0+s50");
        // 32 kept -> one Q8_0 block (34 bytes) + bitmap 64 bits (8 bytes)
        assertEquals(64L * (34 + 8), c.bytes(T));
    }

    @Test
    void lowRankStoresBothFactors() {
        TensorChoice c = TensorChoice.parse("F16+r0.25");
        assertEquals(16, c.rank(T));
        assertEquals(64L * 16 * 2 + 16L * 64 * 2, c.bytes(T));
    }

    @Test
    void lowRankWithSparsityIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> TensorChoice.parse("Q4_0+2:4+r0.5"));
    }

    @Test
    void badSparsityIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> TensorChoice.parse("Q4_0+5:4"));
        assertThrows(IllegalArgumentException.class, () -> TensorChoice.parse("Q4_0+sparse"));
    }

    @Test
    void gptqChangesRoundingNotStorage() {
        TensorChoice g = TensorChoice.parse("int4g32+gptq");
        assertEquals(TensorChoice.parse("int4g32").bytes(T), g.bytes(T));
        org.junit.jupiter.api.Assertions.assertTrue(g.errorCompensated());
        assertThrows(IllegalArgumentException.class, () -> TensorChoice.parse("F16+gptq"));
        assertThrows(IllegalArgumentException.class, () -> TensorChoice.parse("Q4_0+2:4+gptq"));
    }
}
