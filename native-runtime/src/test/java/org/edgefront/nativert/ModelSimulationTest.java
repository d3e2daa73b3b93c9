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

    /**
     * Gemma 4 E2B from its public config: 35 blocks, the last 20 sharing K/V (no k/v projections, no cache of their
     * own) with double-width FFNs, seven full-attention blocks with 512-wide heads, and a per-layer input table that a
     * token reads one row of. Its non-table weights are Google's "2.3B effective" parameters.
     */
    @Test
    void perLayerGeometryFollowsGemma4E2BsConfig() {
        ModelDescriptor g = ModelCatalog.load("../configs/models").find("Gemma 4 E2B", Double.NaN);
        assertTrue(g.perLayer(), "catalog entry carries per-layer geometry");
        ModelArchitecture a = g.architecture();
        long kProjections = a.linearTensors().stream().filter(t -> t.role() == org.edgefront.space.model.TensorRole.K).count();
        assertEquals(15, kProjections, "only the 15 blocks before the shared ones project K");
        assertEquals(8 * 512, a.tensor("blk.4.attn_q.weight").rows(), "full-attention block: 8 heads of 512");
        assertEquals(8 * 256, a.tensor("blk.3.attn_q.weight").rows());
        assertEquals(6144, a.tensor("blk.14.ffn_up.weight").rows());
        assertEquals(12288, a.tensor("blk.15.ffn_up.weight").rows(), "use_double_wide_mlp on the KV-shared blocks");
        TensorSpec table = a.tensor(LayerGeometry.PER_LAYER_TABLE);
        assertEquals(262144, table.rows());
        assertEquals(35 * 256, table.cols());
        double effective = a.linearParameterCount() - table.parameterCount();
        assertEquals(2.3e9, effective, 0.05e9, "Google's stated effective parameters");

        Workload w = new Workload(128, 64, 2048, 16, 4, Backend.CPU);
        Calibrations cals = EngineCalibrations.fitted().forSimulator(EngineGroup.LLAMA_CPP_CPU);
        ModelSimulation.Plan p = ModelSimulation.plan(g, "Q4_0", w, cals);
        assertEquals(20, p.model().kvSharedLayers());
        TensorReads tableReads = p.model().reads().get(p.model().tensors().indexOf(table));
        assertEquals(1.0 / 262144, tableReads.decodeShare(), 1e-15, "one row per decode token");
        try (NativeSimulator sim = new NativeSimulator(cals)) {
            SimulationResult r = sim.simulate(PI5, w, p.model(), p.choices());
            // memory holds the whole table; a decode step reads one row of it: the bytes a token moves are far below the weights
            double readPerToken = r.ops().stream().mapToDouble(OpCost::bytes).sum();
            assertTrue(readPerToken < 0.6 * r.memory().weightBytes(), readPerToken + " read of " + r.memory().weightBytes());
            // the first 15 blocks hold K and V: 12 local (256 rows each) and 3 global (blocks 4, 9, 14: 512), 2048 positions, fp16
            long cached = 2L * (12 * 256 + 3 * 512) * 2048 * 2;
            assertEquals(cached, r.memory().kvCacheBytes(), "KV-shared blocks hold no cache");
            // the shared blocks still attend: an operator for every block
            assertEquals(35, r.ops().stream().filter(o -> o.name().endsWith(".attn_kv")).count());
            TestFixtures.assertSameResult(new ReferenceSimulator(cals).simulate(PI5, w, p.model(), p.choices()), r);
        }
    }

    /** A "quantized CoreML bundle" is CoreML-LLM's recipe: 4-bit blocks and head, the per-layer input table int8 per row. */
    @Test
    void coreMlBundleKeepsThePerLayerTableAtEightBits() {
        ModelArchitecture a = ModelCatalog.load("../configs/models").find("Gemma-4-E2B", Double.NaN).architecture();
        Map<String, TensorChoice> c = FormatMixes.resolve(a, "quantized CoreML bundle (exact scheme not stated)");
        assertEquals("int8gC", c.get(LayerGeometry.PER_LAYER_TABLE).label());
        assertEquals("int4g32", c.get("blk.0.ffn_up.weight").label());
        assertEquals("int4g32", c.get("token_embd.weight").label(), "tied: the LM head's 4-bit chunk is what decode reads");
        // llama.cpp's file types: the table follows the token embedding's type, Gemma 3n's AltUp/LAuReL stay F16
        ModelArchitecture n = ModelCatalog.load("../configs/models").find("Gemma 3n E2B", Double.NaN).architecture();
        Map<String, TensorChoice> q = FormatMixes.resolve(n, "Q4_K_M");
        assertEquals("Q6_K", q.get("token_embd.weight").label(), "tied: the output's type");
        assertEquals("Q6_K", q.get(LayerGeometry.PER_LAYER_TABLE).label(), "llama-quant.cpp: the same token-table category");
        assertEquals("Q4_K", FormatMixes.resolve(n, "Q4_K_S").get("blk.3.ffn_gate.weight").label());
        assertEquals("F16", q.get("blk.3.laurel_l.weight").label());
        assertEquals("F16", q.get("altup_proj.weight").label());
        assertEquals("Q4_K", q.get("blk.3.inp_gate.weight").label());
    }
}
