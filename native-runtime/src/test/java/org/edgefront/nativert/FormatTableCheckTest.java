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
        t[WireLayout.FormatInfo.PRESENT.at(15)] = 1;        // a format only C knows
        assertEquals(List.of("id 3 (Q8_0): dequantization ops Java 0.25, C 0.5", "id 13 (IQ4_NL): block bytes Java 18, C 20",
                "id 15: only C has it"), FormatTableCheck.mismatches(t));
        assertTrue(FormatTableCheck.mismatches(new double[7]).get(0).contains("1 ids, Java 32"));
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
}
