package org.edgefront.nativert.calibration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.edgefront.nativert.ModelSimulation;
import org.edgefront.nativert.NativeSimulator;
import org.edgefront.nativert.device.Backend;
import org.edgefront.nativert.device.DeviceProfile;
import org.edgefront.nativert.device.DeviceProfiles;
import org.edgefront.nativert.device.ModelDescriptors;
import org.edgefront.nativert.device.Workload;
import org.edgefront.nativert.tools.SimulatorValidation;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

class SimulatorEngineTest {
    private static final DeviceProfile RYZEN = DeviceProfiles.load("../configs/devices/amd-ryzen-9-7950x-desktop.yaml");
    private static final DeviceProfile S23 = DeviceProfiles.load("../configs/devices/samsung-galaxy-s23.yaml");
    private static final DeviceProfile AIR = DeviceProfiles.load("../configs/devices/macbook-air-13-m2-8gpu.yaml");

    @Test
    void llamaCppOnTheCpuTakesTheGroupOfTheDevicesInstructionSet() {
        SimulatorEngine x86 = SimulatorEngine.resolve("llama.cpp", Backend.CPU, RYZEN);
        SimulatorEngine arm = SimulatorEngine.resolve("llama.cpp", Backend.CPU, S23);
        assertEquals(EngineGroup.LLAMA_CPP_CPU_X86, x86.group());
        assertEquals(EngineGroup.LLAMA_CPP_CPU, arm.group());
        assertEquals(EngineCalibrations.fitted().get(EngineGroup.LLAMA_CPP_CPU_X86), x86.calibration());
        assertEquals(EngineCalibrations.fitted().get(EngineGroup.LLAMA_CPP_CPU), arm.calibration());
        assertNotEquals(BackendCalibration.defaultFor(Backend.CPU), arm.calibration(), "fitted, not the first-principles defaults");
        assertTrue(x86.describe().contains("fitted per engine group"), x86.describe());
    }

    @Test
    void aBareGpuIsTheApiTheEngineUsesOnThatDevice() {
        assertEquals(EngineGroup.LLAMA_CPP_METAL, SimulatorEngine.resolve("Ollama", Backend.GPU, AIR).group());
        assertEquals(EngineGroup.LLAMA_CPP_OPENCL, SimulatorEngine.resolve("llama.cpp", Backend.GPU, S23).group());
        assertEquals(EngineGroup.MLC_OPENCL, SimulatorEngine.resolve("MLC LLM", Backend.GPU, S23).group(), "Adreno: MLC's OpenCL kernels");
        assertEquals(EngineGroup.MLC_OTHER_GPU, SimulatorEngine.resolve("mlc", Backend.GPU, AIR).group(), "Apple: MLC's Metal kernels");
    }

    @Test
    void anEngineWithoutKernelsOnTheBackendIsRefusedByName() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SimulatorEngine.resolve("MLC LLM", Backend.CPU, S23));
        assertTrue(e.getMessage().contains("'MLC LLM'") && e.getMessage().contains("cpu"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> SimulatorEngine.resolve(" ", Backend.CPU, S23));
    }

    @Test
    void anUnknownEngineGetsTheBackendsDefaultsAndSaysSo() {
        SimulatorEngine e = SimulatorEngine.resolve("SomeNewEngine 0.1", Backend.CPU, S23);
        assertEquals(EngineGroup.UNCALIBRATED_CPU, e.group());
        assertEquals(BackendCalibration.defaultFor(Backend.CPU), e.calibration());
        assertTrue(e.describe().contains("first-principles defaults"), e.describe());
    }

    /** The number a search or {@code simulate} costs is the one {@code validate-simulator} reports for the same row. */
    @Test
    @Tag("native")
    void simulatingWithTheEngineGivesValidateSimulatorsPrediction() {
        SimulatorValidation v = new SimulatorValidation(DeviceProfiles.loadAll("../configs/devices"), ModelDescriptors.loadAll("../configs/models"));
        String text = "device,engine,backend,threads,model,weight_format,prompt_tokens,decode_tok_s,prefill_tok_s\n"
                + "AMD Ryzen 9 7950X desktop (ikawrakow),llama.cpp,CPU,2,Llama-3.2-1B,Q4_0,512,20,\n"
                + "Samsung Galaxy S23,llama.cpp,CPU,4,Llama-3.2-1B,Q4_0,512,20,\n";
        SimulatorValidation.Report r = v.validate("t.csv", text, EngineCalibrations.fitted());
        DeviceProfile[] devices = {RYZEN, S23};
        int[] threads = {2, 4};
        for (int i = 0; i < 2; i++) {
            assertTrue(r.rows().get(i).ok(), r.rows().get(i).reason());
            SimulatorEngine e = SimulatorEngine.resolve("llama.cpp", Backend.CPU, devices[i]);
            Workload w = new Workload(512, 128, 2048, 16, threads[i], Backend.CPU);
            try (NativeSimulator sim = new NativeSimulator(e.calibrations())) {
                double decode = ModelSimulation.simulate(sim, devices[i], w, ModelDescriptors.load("../configs/models/llama-3.2-1b.yaml"), "Q4_0")
                        .decodeTokensPerSecond();
                assertEquals(r.rows().get(i).predictedDecodeTokS(), decode, 1e-9 * decode, devices[i].name());
            }
        }
    }
}
