package org.edgefront.space.format;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.edgefront.space.compress.TensorChoice;
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
            if (!f.quantizable()) continue; // read, simulated and accounted only: see theReadOnlyFormats...
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
    void theReadOnlyFormatsHaveGgmlsExactBytesDecodeAndAreNoSearchOption() {
        // bits per weight from ggml-common.h's block structs (256 weights each)
        Map<NamedFormat, Double> bpw = Map.of(NamedFormat.IQ3_XXS, 3.0625, NamedFormat.IQ3_S, 3.4375, NamedFormat.IQ2_XXS, 2.0625,
                NamedFormat.IQ2_XS, 2.3125, NamedFormat.IQ2_S, 2.5625, NamedFormat.IQ1_S, 1.5625, NamedFormat.IQ1_M, 1.75,
                NamedFormat.TQ1_0, 1.6875, NamedFormat.TQ2_0, 2.0625);
        for (Map.Entry<NamedFormat, Double> e : bpw.entrySet()) {
            NamedFormat f = e.getKey();
            assertEquals(e.getValue(), f.bitsPerWeight(), 1e-12, f.name());
            assertFalse(f.quantizable(), f.name());
            assertTrue(f.int8Path(), f.name());
            assertEquals(f, NamedFormat.byGgmlType(f.ggmlType()));
            float[] out = new float[256];
            java.util.Arrays.fill(out, 7f);
            f.decode(new byte[f.blockBytes()], 0, 256, out, 0); // an all-zero block: scale 0, so every weight decodes to 0
            for (float v : out) assertEquals(0f, Math.abs(v), f.name());
            IllegalArgumentException x = assertThrows(IllegalArgumentException.class, () -> TensorChoice.parseOption(f.name()));
            assertTrue(x.getMessage().startsWith(f.name() + " has no EdgeFront quantizer"), x.getMessage());
            assertEquals(f.name(), TensorChoice.parse(f.name()).format().name()); // still a format to simulate and account
        }
        assertTrue(NamedFormat.IQ4_NL.quantizable());
        TensorChoice.parseOption("int2g64"); // generic formats are all quantizable
    }

    @Test
    void storedForIsLlamaCppsFallbackRule() {
        // llama-quant.cpp tensor_type_fallback: lattice i-quants to IQ4_NL, ternary to Q4_0, then F16
        for (NamedFormat f : new NamedFormat[] {NamedFormat.IQ3_XXS, NamedFormat.IQ3_S, NamedFormat.IQ2_XXS, NamedFormat.IQ2_XS,
                NamedFormat.IQ2_S, NamedFormat.IQ1_S, NamedFormat.IQ1_M}) {
            assertEquals(f, f.storedFor(2048));
            assertEquals(NamedFormat.IQ4_NL, f.storedFor(4160), f.name());
            assertEquals(NamedFormat.F16, f.storedFor(100), f.name());
        }
        assertEquals(NamedFormat.Q4_0, NamedFormat.TQ1_0.storedFor(4160));
        assertEquals(NamedFormat.Q4_0, NamedFormat.TQ2_0.storedFor(4160));
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
        assertTrue(SimulatorFormats.isGeneric(31) && !SimulatorFormats.isGeneric(32) && !SimulatorFormats.isGeneric(15));
        assertEquals("IQ2_XXS", SimulatorFormats.row(33).label());
        assertNull(NamedFormat.byLabel("Q7_K"));
    }
}
