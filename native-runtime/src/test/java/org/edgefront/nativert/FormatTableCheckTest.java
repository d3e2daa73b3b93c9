package org.edgefront.nativert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.edgefront.nativert.calibration.Calibrations;
import org.edgefront.nativert.device.Backend;
import org.edgefront.nativert.device.Workload;
import org.edgefront.nativert.reference.ReferenceSimulator;
import org.edgefront.space.compress.TensorChoice;
import org.edgefront.space.compress.WeightFormat;
import org.edgefront.space.format.SimulatorFormats;
import org.edgefront.space.model.ModelArchitecture;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

class FormatTableCheckTest {
    /** The Java registry written the way the C library reports its table. */
    private static double[] javaTable() {
        double[] t = new double[SimulatorFormats.COUNT * FormatTableCheck.FIELDS];
        for (SimulatorFormats.Row r : SimulatorFormats.rows()) {
            int id = r.id();
            t[WireLayout.FormatInfo.PRESENT.at(id)] = 1;
            t[WireLayout.FormatInfo.GGML_TYPE.at(id)] = r.ggmlType();
            t[WireLayout.FormatInfo.BLOCK_WEIGHTS.at(id)] = r.blockWeights();
            t[WireLayout.FormatInfo.BLOCK_BYTES.at(id)] = r.blockBytes();
            t[WireLayout.FormatInfo.GENERIC_BITS.at(id)] = r.genericBits();
            t[WireLayout.FormatInfo.DEQUANT_OPS.at(id)] = r.dequantOps();
            t[WireLayout.FormatInfo.INT8_PATH.at(id)] = r.int8Path() ? 1 : 0;
        }
        return t;
    }

    @Test
    void aTableThatDisagreesIsRejectedNamingTheIdAndColumn() {
        assertEquals(List.of(), FormatTableCheck.mismatches(javaTable()));
        double[] t = javaTable();
        t[WireLayout.FormatInfo.BLOCK_BYTES.at(13)] = 20;   // IQ4_NL block bytes
        t[WireLayout.FormatInfo.DEQUANT_OPS.at(3)] = 0.5;   // Q8_0 dequantization ops
        t[WireLayout.FormatInfo.GGML_TYPE.at(33)] = 17;     // IQ2_XXS stored as IQ2_XS's ggml id
        t[WireLayout.FormatInfo.PRESENT.at(39)] = 0;        // a format only Java knows
        assertEquals(List.of("id 3 (Q8_0): dequantization ops Java 0.25, C 0.5", "id 13 (IQ4_NL): block bytes Java 18, C 20",
                "id 33 (IQ2_XXS): ggml type Java 16, C 17", "id 39: TQ2_0 only Java has it"), FormatTableCheck.mismatches(t));
        assertTrue(FormatTableCheck.mismatches(new double[7]).get(0).contains("1 ids, Java 41"));
    }

    @Tag("native")
    @Test
    void theLoadedLibrarysTableAgreesWithTheRegistry() {
        NativeLibrary.ensureLoaded();
        assertEquals(List.of(), FormatTableCheck.mismatches(NativeBridge.formatTable()));
    }

    @Tag("native")
    @Test
    void iq4NlSimulatesTheSameInCAndJavaWithItsExactBytes() {
        ModelArchitecture a = TestFixtures.smallLlama(false);
        WeightFormat iq4 = WeightFormat.parse("IQ4_NL");
        Map<String, TensorChoice> c = TestFixtures.uniform(a, TensorChoice.of(iq4));
        ReferenceSimulator ref = new ReferenceSimulator(Calibrations.defaults());
        try (NativeSimulator sim = new NativeSimulator()) {
            for (Workload w : List.of(Workload.standard(Backend.CPU, 4), new Workload(64, 64, 1024, 8, 1, Backend.NPU))) {
                SimulationResult n = sim.simulate(TestFixtures.s23(), w, a, c);
                TestFixtures.assertSameResult(ref.simulate(TestFixtures.s23(), w, a, c), n);
                long bytes = a.linearTensors().stream().mapToLong(t -> (long) t.rows() * t.cols() / 32 * 18).sum();
                assertEquals(bytes, n.memory().weightBytes());
            }
        }
    }

    @Tag("native")
    @Test
    void latticeAndTernaryFormatsSimulateTheSameInCAndJavaWithExactBytesAndLlamaCppsFallback() {
        ModelArchitecture a = TestFixtures.smallLlama(false); // dim 256: whole super-blocks; FFN 704: ffn_down falls back
        ReferenceSimulator ref = new ReferenceSimulator(Calibrations.defaults());
        Map<String, Integer> blockBytes = Map.of("IQ3_XXS", 98, "IQ3_S", 110, "IQ2_XXS", 66, "IQ2_XS", 74, "IQ2_S", 82, "IQ1_S", 50,
                "IQ1_M", 56, "TQ1_0", 54, "TQ2_0", 66);
        try (NativeSimulator sim = new NativeSimulator()) {
            for (Map.Entry<String, Integer> e : blockBytes.entrySet()) {
                WeightFormat f = WeightFormat.parse(e.getKey());
                Map<String, TensorChoice> c = TestFixtures.uniform(a, TensorChoice.of(f));
                SimulationResult n = sim.simulate(TestFixtures.s23(), Workload.standard(Backend.CPU, 4), a, c);
                TestFixtures.assertSameResult(ref.simulate(TestFixtures.s23(), Workload.standard(Backend.CPU, 4), a, c), n);
                long bytes = a.linearTensors().stream().mapToLong(t -> t.cols() % 256 == 0 ? (long) t.rows() * t.cols() / 256 * e.getValue()
                        : (long) t.rows() * t.cols() / 32 * 18).sum(); // fallback IQ4_NL or Q4_0: 18 bytes per 32 either way
                assertEquals(bytes, n.memory().weightBytes(), e.getKey());
            }
        }
    }
}
