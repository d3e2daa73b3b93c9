package org.edgefront.space.format;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import org.edgefront.space.compress.WeightFormat;
import org.junit.jupiter.api.Test;

class NamedFormatTest {
    @Test
    void everyRowHasItsOwnGgmlTypeAndSimulatorIdAndAWorkingCodec() {
        Set<Integer> ggml = new HashSet<>();
        Set<Integer> sim = new HashSet<>();
        for (NamedFormat f : NamedFormat.values()) {
            assertTrue(ggml.add(f.ggmlType()), f + " ggml type");
            assertTrue(sim.add(f.simulatorId()), f + " simulator id");
            assertEquals(f, SimulatorFormats.row(f.simulatorId()).label().equals(f.name()) ? f : null);
            float[] x = new float[256];
            for (int i = 0; i < x.length; i++) x[i] = (float) Math.sin(i * 0.37) * 0.05f;
            float[] out = new float[256];
            f.codec().roundTrip(x, 0, 256, out, 0);
            double err = 0;
            for (int i = 0; i < x.length; i++) err = Math.max(err, Math.abs(out[i] - x[i]));
            assertTrue(err < 0.05 * Math.pow(2, 1 - Math.min(f.bits(), 8)), f + " round trip error " + err);
        }
    }

    @Test
    void storedForIsLlamaCppsFallbackRule() {
        assertEquals(NamedFormat.Q4_K, NamedFormat.Q4_K.storedFor(4096));
        assertEquals(NamedFormat.Q5_0, NamedFormat.Q4_K.storedFor(4160));
        assertEquals(NamedFormat.Q4_0, NamedFormat.Q2_K.storedFor(4160));
        assertEquals(NamedFormat.Q4_0, NamedFormat.Q3_K.storedFor(4160));
        assertEquals(NamedFormat.Q5_1, NamedFormat.Q5_K.storedFor(4160));
        assertEquals(NamedFormat.Q8_0, NamedFormat.Q6_K.storedFor(4160));
        assertEquals(NamedFormat.F16, NamedFormat.Q6_K.storedFor(100));
        assertEquals(NamedFormat.F16, NamedFormat.Q4_0.storedFor(100));
        assertEquals(NamedFormat.F32, NamedFormat.F32.storedFor(7));
        assertEquals(WeightFormat.Q5_0, WeightFormat.Q4_K.effectiveFor(4160));
    }

    @Test
    void genericIntIdsFollowTheBaseRuleAndNamedRowsComeFromTheRegistry() {
        assertEquals(16 + 3, WeightFormat.parse("int4g32").simulatorId());
        assertEquals(24 + 3, WeightFormat.parse("int4g32a").simulatorId());
        assertEquals(4, SimulatorFormats.row(19).genericBits());
        assertEquals(1.25, SimulatorFormats.row(27).dequantOps());
        assertEquals(NamedFormat.values().length + 16, SimulatorFormats.rows().size());
        assertNull(NamedFormat.byLabel("Q7_K"));
    }
}
