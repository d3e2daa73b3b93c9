package org.edgefront.nativert;

import org.edgefront.nativert.device.*;
import org.edgefront.nativert.calibration.*;
import org.edgefront.nativert.reference.*;
import org.edgefront.nativert.tools.*;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.edgefront.space.compress.TensorChoice;
import org.edgefront.space.model.ModelArchitecture;
import org.edgefront.space.model.TensorSpec;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("native")
class ModelSimulationTest {
    private static final DeviceProfile PI5 = DeviceProfiles.load("../configs/devices/raspberry-pi-5.yaml");

    @Test
    void memoryHoldsEveryExpertWhileDecodeReadsTheActiveOnes() {
        ModelDescriptor olmoe = ModelCatalog.load("../configs/models").find("OLMoE-1B-7B", Double.NaN);
        Workload w = new Workload(128, 64, 2048, 16, 4, Backend.CPU);
        try (NativeSimulator sim = new NativeSimulator(EngineCalibrations.fitted().forSimulator(EngineGroup.LLAMA_CPP_CPU))) {
            SimulationResult moe = ModelSimulation.simulate(sim, PI5, w, olmoe, "Q4_0");
            ModelArchitecture active = olmoe.architecture(), stored = olmoe.storedArchitecture();
            SimulationResult dense = sim.simulate(PI5, w, active, FormatMixes.resolve(active, "Q4_0"));
            Map<String, TensorChoice> sc = FormatMixes.resolve(stored, "Q4_0");
            long storedBytes = 0;
            for (TensorSpec t : stored.linearTensors()) storedBytes += sc.get(t.name()).bytes(t);
            long routers = 16L * 64 * 2048 * 4;
            assertEquals(storedBytes + routers, moe.memory().weightBytes(), "every expert and router is resident");
            assertTrue(moe.memory().weightBytes() > 4 * dense.memory().weightBytes(), "7B stored vs 1.3B active");
            // decode reads the active experts plus 16 small routers: within 2% of the active-width model, and slower
            assertTrue(moe.decodeTokensPerSecond() < dense.decodeTokensPerSecond());
            assertTrue(moe.decodeTokensPerSecond() > 0.98 * dense.decodeTokensPerSecond(), moe + " vs " + dense);
            // a 128-token prompt touches ~all 64 experts per layer: prefill reads far more than the active weights
            assertTrue(moe.timeToFirstTokenSeconds() > dense.timeToFirstTokenSeconds());
            assertTrue(moe.prefillEnergyJoules() > dense.prefillEnergyJoules());
            assertEquals(dense.memory().kvCacheBytes(), moe.memory().kvCacheBytes());
        }
    }

    @Test
    void aDenseModelIsOneNativeCall() {
        ModelDescriptor q = ModelCatalog.load("../configs/models").find("Qwen2.5-0.5B", Double.NaN);
        Workload w = new Workload(128, 64, 2048, 16, 4, Backend.CPU);
        try (NativeSimulator sim = new NativeSimulator()) {
            SimulationResult a = ModelSimulation.simulate(sim, PI5, w, q, "Q4_K_M");
            SimulationResult b = sim.simulate(PI5, w, q.architecture(), FormatMixes.resolve(q.architecture(), "Q4_K_M"));
            assertEquals(b, a);
        }
    }
}
