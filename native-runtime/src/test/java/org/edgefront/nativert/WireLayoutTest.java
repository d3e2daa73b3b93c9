package org.edgefront.nativert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.edgefront.nativert.calibration.BackendCalibration;
import org.edgefront.nativert.calibration.Calibrations;
import org.edgefront.nativert.device.Backend;
import org.edgefront.nativert.device.DeviceProfile;
import org.edgefront.nativert.device.Workload;
import org.edgefront.nativert.reference.ReferenceSimulator;
import org.edgefront.space.compress.TensorChoice;
import org.edgefront.space.model.ModelArchitecture;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

class WireLayoutTest {
    @Test
    void aDifferentLayoutIsRejectedNamingTheSection() {
        assertNull(WireLayout.mismatch(WireLayout.describe()));
        String swapped = WireLayout.describe().replace("FP16_FLOPS,INT8_OPS,", "INT8_OPS,FP16_FLOPS,");
        assertEquals("JNI wire layout differs: Java unit=FP32_FLOPS,FP16_FLOPS,INT8_OPS,PJ_PER_OP,ACTIVE_W, but C (edgefront_wire.h) "
                + "unit=FP32_FLOPS,INT8_OPS,FP16_FLOPS,PJ_PER_OP,ACTIVE_W,", WireLayout.mismatch(swapped));
    }

    @Test
    void everyTableIsCheckedNamesOrderAndCounts() {
        String java = WireLayout.describe();
        for (String section : List.of("attention=", "block=", "shape=", "reads=", "choice=", "result=", "op=", "format_info=", "fields=")) {
            assertTrue(java.contains(";" + section), section);
        }
        // a renamed slot, a reordered table, a missing slot and a different array length are each refused, naming the table
        assertTrue(WireLayout.mismatch(java.replace("HEADS,KV_HEADS,", "HEADZ,KV_HEADS,")).contains("C (edgefront_wire.h) attention=LAYERS,HEADZ,"));
        assertTrue(WireLayout.mismatch(java.replace("ROWS,COLS,ROLE,", "COLS,ROWS,ROLE,")).contains("Java shape=ROWS,COLS,ROLE,LAYER,"));
        assertTrue(WireLayout.mismatch(java.replace("KEPT_ROWS,KEPT_COLS,", "KEPT_ROWS,"))
                .endsWith("C (edgefront_wire.h) choice=FORMAT,SPARSITY_KIND,RANK,KEPT_ROWS,"));
        assertTrue(WireLayout.mismatch(java.replace("PREFILL_ENERGY_J,", "")).startsWith("JNI wire layout differs: Java result="));
        assertTrue(WireLayout.mismatch(java.replace("TIME_S,ENERGY_J,", "ENERGY_J,TIME_S,")).contains("op="));
        assertTrue(WireLayout.mismatch(java.replace("GGML_TYPE,", "")).contains("format_info="));
        assertTrue(WireLayout.mismatch(java.replace(",result:13,", ",result:12,")).contains("C (edgefront_wire.h) fields="));
        assertTrue(WireLayout.mismatch(java.replace("STATE_BYTES,STATE_OPS,", "STATE_OPS,STATE_BYTES,")).contains("Java block=KIND,STATE_BYTES,STATE_OPS,"));
        assertEquals("JNI wire layout differs: Java device=DRAM_BYTES_PER_S,DRAM_CAPACITY_BYTES,CPU_CORES,CPU_CORE_BYTES_PER_S,"
                + "ENERGY_PJ_PER_BYTE,STATIC_POWER_W,THERMAL_ONSET_S,THERMAL_SUSTAINED_FRACTION, but C (edgefront_wire.h) (none)",
                WireLayout.mismatch(null));
    }

    @Test
    void encodersAndDecodersIndexEveryArrayByName() {
        ModelArchitecture a = TestFixtures.smallLlama(true);
        int[] att = SimulatorEncoding.attention(a);
        assertEquals(WireLayout.ATTENTION_FIELDS, att.length);
        assertEquals(a.kvHeads(), att[WireLayout.Attention.KV_HEADS.at()]);
        assertEquals(1, att[WireLayout.Attention.TIED_EMBEDDINGS.at()]);
        assertEquals(a.dim(), att[WireLayout.Attention.MODEL_DIM.at()]);
        int[] shapes = SimulatorEncoding.shapes(a);
        int last = a.linearTensors().size() - 1;
        assertEquals(WireLayout.SHAPE_FIELDS * (last + 1), shapes.length);
        assertEquals(a.linearTensors().get(last).cols(), shapes[WireLayout.Shape.COLS.at(last)]);
        assertEquals(a.linearTensors().get(1).layer(), shapes[WireLayout.Shape.LAYER.at(1)]);
        double[] reads = SimulatorEncoding.reads(List.of(TensorReads.DENSE, new TensorReads(1.0, 0.25, 0.125, 3.5)));
        assertEquals(2 * WireLayout.READS_FIELDS, reads.length);
        assertEquals(0.25, reads[WireLayout.Reads.DECODE_COLS_FRACTION.at(1)]);
        assertEquals(3.5, reads[WireLayout.Reads.PREFILL_EXTRA_UNITS.at(1)]);
        assertEquals(0.0, reads[WireLayout.Reads.PREFILL_EXTRA_UNITS.at(0)]);
        // a choice goes into the batch by name and comes back unchanged
        CandidateBatch b = new CandidateBatch(a, 2);
        EncodedChoice e = new EncodedChoice(4, 2, 0.5, 17, 1234L, 31, 29);
        b.set(1, 3, e);
        assertEquals(e, b.get(1, 3));
        int k = a.linearTensors().size() + 3;
        assertEquals(31, b.choiceInts[WireLayout.Choice.KEPT_ROWS.at(k)]);
        assertEquals(2, b.choiceInts[WireLayout.Choice.SPARSITY_KIND.at(k)]);
        // results are read by name: each slot holds a distinct value that must land in its own field
        double[] out = new double[2 * WireLayout.RESULT_FIELDS];
        for (WireLayout.Result f : WireLayout.Result.values()) out[f.at(1)] = 100 + f.ordinal();
        SimulationResult r = NativeSimulator.toResult(out, 1, List.of());
        assertEquals(100 + WireLayout.Result.TTFT_S.ordinal(), r.timeToFirstTokenSeconds());
        assertEquals(100 + WireLayout.Result.PREFILL_ENERGY_J.ordinal(), r.prefillEnergyJoules());
        assertEquals(100 + WireLayout.Result.RUNTIME_BYTES.ordinal(), r.memory().runtimeBytes());
        assertEquals(100 + WireLayout.Result.STATE_BYTES.ordinal(), r.memory().stateBytes());
        // blocks go by name too: kind id, state bytes and ops of each layer; none at all when every block attends
        double[] blocks = SimulatorEncoding.blocks(List.of(BlockState.ATTENTION,
                new BlockState(org.edgefront.nativert.device.BlockKind.LINEAR_ATTENTION, 1 << 20, 5e5)));
        assertEquals(2 * WireLayout.BLOCK_FIELDS, blocks.length);
        assertEquals(2.0, blocks[WireLayout.Block.KIND.at(1)]);
        assertEquals(1 << 20, blocks[WireLayout.Block.STATE_BYTES.at(1)]);
        assertEquals(5e5, blocks[WireLayout.Block.STATE_OPS.at(1)]);
        assertEquals(0, SimulatorEncoding.blocks(List.of()).length);
        assertEquals(100 + WireLayout.Result.POWER_W.ordinal(), new BatchResult(out, new int[2], 2, null).powerWatts(1));
    }

    @Test
    void deviceSlotsAreNamedPerBackendUnit() {
        DeviceProfile d = TestFixtures.s23();
        Workload w = Workload.standard(Backend.CPU, 4);
        double[] a = SimulatorEncoding.device(d, w);
        assertEquals(WireLayout.Device.values().length + Backend.values().length * WireLayout.Unit.values().length, a.length);
        assertEquals(d.npu().int8OpsPerSecond(), a[WireLayout.Unit.INT8_OPS.at(Backend.NPU)]);
        assertEquals(d.accelerator(Backend.DSP).activeWatts(), a[WireLayout.Unit.ACTIVE_W.at(Backend.DSP)]);
        assertEquals(d.cpuActiveWatts(4), a[WireLayout.Unit.ACTIVE_W.at(Backend.CPU)]);
        assertEquals(4, a[WireLayout.Device.CPU_CORES.at()]);
        assertEquals(Backend.NPU.id(), SimulatorEncoding.workload(new Workload(8, 8, 64, 16, 1, Backend.NPU))[WireLayout.Workload.BACKEND.at()]);
    }

    @Tag("native")
    @Test
    void theLoadedLibraryUsesTheSameLayout() {
        NativeLibrary.ensureLoaded();
        assertEquals(WireLayout.describe(), NativeBridge.wireLayout());
    }

    /** The backend added as data (an enum value, a C table row, a YAML section): the DSP of the Galaxy S23. */
    @Tag("native")
    @Test
    void theDspBackendSimulatesTheSameInCAndJava() {
        assertEquals(Backend.DSP, Backend.parse("dsp"));
        DeviceProfile s23 = TestFixtures.s23();
        assertEquals(1.4e12, s23.accelerator(Backend.DSP).int8OpsPerSecond());
        assertEquals("default-dsp", BackendCalibration.defaultFor(Backend.DSP).name());
        ModelArchitecture a = TestFixtures.smallLlama(true);
        ReferenceSimulator ref = new ReferenceSimulator(Calibrations.defaults());
        try (NativeSimulator sim = new NativeSimulator()) {
            Map<String, TensorChoice> c = TestFixtures.random(a, new java.util.SplittableRandom(7));
            for (Workload w : List.of(new Workload(128, 64, 1024, 8, 1, Backend.DSP), Workload.standard(Backend.DSP, 2))) {
                TestFixtures.assertSameResult(ref.simulate(s23, w, a, c), sim.simulate(s23, w, a, c));
            }
            // the Pi 5 has no DSP: the C library refuses, as it does for a missing GPU
            NativeSimulatorException e = assertThrows(NativeSimulatorException.class,
                    () -> sim.simulate(TestFixtures.pi5(), Workload.standard(Backend.DSP, 4), a, c));
            assertEquals(true, e.getMessage().contains("backend DSP requested but the device has no DSP"), e.getMessage());
        }
    }
}
