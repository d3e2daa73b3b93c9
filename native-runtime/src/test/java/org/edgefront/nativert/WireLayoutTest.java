package org.edgefront.nativert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

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
