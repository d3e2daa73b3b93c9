package org.edgefront.nativert;

import org.edgefront.nativert.device.*;
import org.edgefront.nativert.calibration.*;
import org.edgefront.nativert.reference.*;
import org.edgefront.nativert.tools.*;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.edgefront.space.model.ArchitectureFamily;
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

    /** The C simulator's expert reads (ef_tensor_shape's read fractions) agree with the Java reference to 1e-9. */
    @Test
    void aMixtureOfExpertsSimulatesTheSameInCAndJava() {
        ModelDescriptor olmoe = ModelCatalog.load("../configs/models").find("OLMoE-1B-7B", Double.NaN);
        Calibrations cals = EngineCalibrations.fitted().forSimulator(EngineGroup.LLAMA_CPP_CPU);
        ReferenceSimulator ref = new ReferenceSimulator(cals);
        try (NativeSimulator sim = new NativeSimulator(cals)) {
            for (Workload w : List.of(new Workload(128, 64, 2048, 16, 4, Backend.CPU), new Workload(1, 300, 2048, 8, 2, Backend.CPU),
                    new Workload(700, 32, 2048, 16, 4, Backend.CPU))) {
                for (String f : List.of("Q4_0", "Q4_K_M", "F16")) {
                    ModelSimulation.Plan p = ModelSimulation.plan(olmoe, f, w, cals);
                    TestFixtures.assertSameResult(ref.simulate(PI5, w, p.model(), p.choices()), sim.simulate(PI5, w, p.model(), p.choices()));
                }
            }
            // a small mixture with shared experts (a fractional decode slice) and random per-tensor choices: sparse,
            // low-rank and generic intN tensors read as expert slices
            ModelDescriptor tiny = new ModelDescriptor("test", "tiny-moe", ArchitectureFamily.LLAMA, 256, 0, 2, 8, 2, 32, 1000, 2048,
                    false, List.of(), new ExpertLayout(8, 2, 96, 64));
            SplittableRandom rng = new SplittableRandom(11);
            for (Workload w : List.of(new Workload(64, 32, 1024, 16, 2, Backend.CPU), new Workload(200, 16, 1024, 8, 1, Backend.GPU))) {
                ModelSimulation.Plan p = ModelSimulation.plan(tiny, "Q4_0", w, Calibrations.defaults());
                assertTrue(p.model().reads().stream().anyMatch(r -> r.prefillExtraUnits() > 0 && r.decodeShare() < 1));
                for (int i = 0; i < 5; i++) {
                    List<EncodedChoice> c = new ArrayList<>();
                    for (TensorSpec t : p.model().tensors()) c.add(EncodedChoice.encode(t, TestFixtures.OPTIONS.get(rng.nextInt(TestFixtures.OPTIONS.size()))));
                    ReferenceSimulator dref = new ReferenceSimulator(Calibrations.defaults());
                    try (NativeSimulator dsim = new NativeSimulator()) {
                        TestFixtures.assertSameResult(dref.simulate(TestFixtures.s23(), w, p.model(), c), dsim.simulate(TestFixtures.s23(), w, p.model(), c));
                    }
                }
            }
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
