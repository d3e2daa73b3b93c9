package org.edgefront.nativert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.edgefront.nativert.calibration.Calibrations;
import org.edgefront.nativert.calibration.EngineCalibrations;
import org.edgefront.nativert.calibration.EngineGroup;
import org.edgefront.nativert.device.Backend;
import org.edgefront.nativert.device.DeviceProfile;
import org.edgefront.nativert.device.DeviceProfiles;
import org.edgefront.nativert.device.ModelDescriptor;
import org.edgefront.nativert.device.Workload;
import org.edgefront.nativert.reference.ReferenceSimulator;
import org.edgefront.space.input.InvalidInputException;
import org.edgefront.space.model.SlidingWindow;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Sliding-window attention as llama.cpp runs it (Gemma 2/3, gpt-oss): the local layers read and cache their window only
 * (the cache one micro-batch more), read from the catalog, config.json and GGUF metadata.
 */
class SlidingWindowTest {
    @TempDir
    Path dir;

    private static ModelCatalog catalog() { return ModelCatalog.load("../configs/models"); }

    @Test
    void theCatalogsSlidingWindowModelsNameTheirLocalLayers() {
        ModelCatalog c = catalog();
        assertEquals(new SlidingWindow(1024, 6, 10000.0), c.find("Gemma-3-4B", Double.NaN).slidingWindow());
        assertEquals(new SlidingWindow(512, 6, 10000.0), c.find("Gemma-3-1B", Double.NaN).slidingWindow());
        assertEquals(new SlidingWindow(4096, 2, 10000.0), c.find("Gemma-2-2B", Double.NaN).slidingWindow());
        assertEquals(new SlidingWindow(128, 2, 10000.0), c.find("gpt-oss-20b", Double.NaN).slidingWindow());
        assertEquals(SlidingWindow.NONE, c.find("Llama-3.2-1B", Double.NaN).slidingWindow());
        // five local layers, then one global: Gemma-3-4B's 34 blocks have 5 global ones (5, 11, 17, 23, 29)
        List<BlockState> b = c.find("Gemma-3-4B", Double.NaN).blockStates();
        assertEquals(5, b.stream().filter(s -> s.windowTokens() == 0).count());
        assertEquals(0, b.get(5).windowTokens());
        assertEquals(1024, b.get(4).windowTokens());
    }

    @Test
    void configJsonAndGgufMetadataGiveTheWindowLlamaCppRuns() throws Exception {
        String gemma3 = """
                {"model_type": "gemma3_text", "hidden_size": 2560, "intermediate_size": 10240, "num_hidden_layers": 34,
                 "num_attention_heads": 8, "num_key_value_heads": 4, "head_dim": 256, "vocab_size": 262208,
                 "max_position_embeddings": 131072, "sliding_window": 1024, "sliding_window_pattern": 6}""";
        assertEquals(new SlidingWindow(1024, 6, 10000.0), ModelCatalog.fromHuggingFaceConfig("config.json", gemma3, "g").slidingWindow());
        // gpt-oss names its layers; a layout other than local layers closed by one global is refused by name
        StringBuilder types = new StringBuilder();
        for (int l = 0; l < 24; l++) types.append(l == 0 ? "" : ", ").append(l % 2 == 0 ? "\"sliding_attention\"" : "\"full_attention\"");
        String oss = """
                {"model_type": "gpt_oss", "hidden_size": 2880, "intermediate_size": 2880, "num_hidden_layers": 24,
                 "num_attention_heads": 64, "num_key_value_heads": 8, "head_dim": 64, "vocab_size": 201088, "num_local_experts": 32,
                 "num_experts_per_tok": 4, "sliding_window": 128, "layer_types": [%s]}""".formatted(types);
        assertEquals(new SlidingWindow(128, 2, 10000.0), ModelCatalog.fromHuggingFaceConfig("config.json", oss, "o").slidingWindow());
        String odd = oss.replace("[\"sliding_attention\", \"full_attention\", \"sliding_attention\"",
                "[\"sliding_attention\", \"full_attention\", \"full_attention\"");
        assertTrue(assertThrows(InvalidInputException.class, () -> ModelCatalog.fromHuggingFaceConfig("config.json", odd, "o"))
                .field().startsWith("layer_types"));
        // a Mistral-style sliding_window without local layers is run as full attention by llama.cpp
        String mistral = gemma3.replace("gemma3_text", "mistral");
        assertEquals(SlidingWindow.NONE, ModelCatalog.fromHuggingFaceConfig("config.json", mistral, "m").slidingWindow());

        // GGUF: gemma2 defaults to 4096 tokens every other layer, gemma3 to a period of 6 once it states a window
        assertEquals(new SlidingWindow(4096, 2, 10000.0), gguf("gemma2", Map.of()).slidingWindow());
        assertEquals(new SlidingWindow(1024, 6, 10000.0), gguf("gemma3", Map.of("gemma3.attention.sliding_window", 1024L)).slidingWindow());
        assertEquals(SlidingWindow.NONE, gguf("gemma3", Map.of()).slidingWindow());
        assertEquals(new SlidingWindow(512, 4, 10000.0), gguf("gemma3", Map.of("gemma3.attention.sliding_window", 512L,
                "gemma3.attention.sliding_window_pattern", 4L)).slidingWindow());
        assertEquals(SlidingWindow.NONE, gguf("llama", Map.of("llama.attention.sliding_window", 4096L)).slidingWindow(), "no period of its own");
    }

    private ModelDescriptor gguf(String arch, Map<String, Long> extra) throws Exception {
        Map<String, Long> u32 = new LinkedHashMap<>();
        u32.put(arch + ".embedding_length", 256L);
        u32.put(arch + ".block_count", 6L);
        u32.put(arch + ".attention.head_count", 4L);
        u32.put(arch + ".attention.head_count_kv", 2L);
        u32.put(arch + ".feed_forward_length", 512L);
        u32.put(arch + ".context_length", 8192L);
        u32.putAll(extra);
        Path f = dir.resolve(arch + "-" + extra.size() + ".gguf");
        Files.write(f, HeaderOnlyGguf.of(Map.of("general.architecture", arch), u32, List.of(new HeaderOnlyGguf.Tensor("token_embd.weight", 256, 1000))));
        return catalog().resolve(f.toString());
    }

    /**
     * Random small models mixing every attending kind the blocks state (attention with or without a window, latent
     * attention with or without one), random per-tensor choices and workloads on both sides of the windows: the C
     * simulator and the Java reference agree on every figure.
     */
    @Tag("native")
    @Test
    void randomWindowedAndLatentBlocksSimulateTheSameInCAndJava() {
        java.util.SplittableRandom rng = new java.util.SplittableRandom(31);
        ReferenceSimulator ref = new ReferenceSimulator(Calibrations.defaults());
        try (NativeSimulator sim = new NativeSimulator(Calibrations.defaults())) {
            for (int trial = 0; trial < 40; trial++) {
                int layers = 2 + rng.nextInt(5);
                org.edgefront.space.model.ModelArchitecture a = org.edgefront.space.model.ModelArchitecture.llama("rand", 128, 256, layers, 4, 2, 500,
                        4096, false, 1e-5, 1e4, true);
                List<BlockState> blocks = new java.util.ArrayList<>();
                for (int l = 0; l < layers; l++) {
                    BlockState b = rng.nextBoolean() ? BlockState.ATTENTION : BlockState.latent(1 + rng.nextInt(200), 1 + rng.nextInt(400) + 0.5);
                    blocks.add(rng.nextInt(3) == 0 ? b : b.withWindow(1 + rng.nextInt(600)));
                }
                List<org.edgefront.space.model.TensorSpec> ts = new java.util.ArrayList<>();
                for (org.edgefront.space.model.TensorSpec t : a.linearTensors()) {
                    // a latent block's projections carry no Q/K/V role
                    boolean latent = t.layer() >= 0 && blocks.get(t.layer()).kind() == org.edgefront.nativert.device.BlockKind.LATENT_ATTENTION;
                    boolean qkv = t.role() == org.edgefront.space.model.TensorRole.Q || t.role() == org.edgefront.space.model.TensorRole.K
                            || t.role() == org.edgefront.space.model.TensorRole.V;
                    ts.add(latent && qkv ? new org.edgefront.space.model.TensorSpec(t.name(), org.edgefront.space.model.TensorRole.O, t.layer(), t.rows(), t.cols()) : t);
                }
                ModelTensors m = new ModelTensors(a, ts, java.util.Collections.nCopies(ts.size(), TensorReads.DENSE), 0, blocks);
                List<EncodedChoice> c = new java.util.ArrayList<>();
                for (org.edgefront.space.model.TensorSpec t : ts) c.add(EncodedChoice.encode(t, TestFixtures.OPTIONS.get(rng.nextInt(TestFixtures.OPTIONS.size()))));
                int prompt = 1 + rng.nextInt(1500), gen = 1 + rng.nextInt(700);
                Workload w = new Workload(prompt, gen, prompt + gen + rng.nextInt(1000), rng.nextBoolean() ? 16 : 8, 1 + rng.nextInt(4),
                        rng.nextBoolean() ? Backend.CPU : Backend.GPU);
                TestFixtures.assertSameResult(ref.simulate(TestFixtures.s23(), w, m, c), sim.simulate(TestFixtures.s23(), w, m, c));
            }
        }
    }

    @Tag("native")
    @Test
    void theLocalLayersReadAndCacheTheirWindowOnlyInCAndJavaAlike() {
        DeviceProfile m2 = DeviceProfiles.load("../configs/devices/mac-studio-m2-ultra-76gpu.yaml");
        ModelDescriptor gemma = catalog().find("Gemma-3-4B", Double.NaN);
        Calibrations cals = EngineCalibrations.fitted().forSimulator(EngineGroup.LLAMA_CPP_METAL);
        double ubatch = cals.forBackend(Backend.GPU).ubatchTokens();
        ReferenceSimulator ref = new ReferenceSimulator(cals);
        try (NativeSimulator sim = new NativeSimulator(cals)) {
            Workload deep = new Workload(32768, 32, 32800, 16, 16, Backend.GPU);
            ModelSimulation.Plan p = ModelSimulation.plan(gemma, "Q4_0", deep, cals);
            SimulationResult r = sim.simulate(m2, deep, p.model(), p.choices());
            // 5 global blocks hold the whole context, 29 local ones their window and one micro-batch; K + V of 4 heads of 256
            long expected = (5L * 32800 + 29L * (1024 + (long) ubatch)) * 2 * 4 * 256 * 2;
            assertEquals(expected, r.memory().kvCacheBytes());
            ModelDescriptor full = gemma.withSlidingWindow(SlidingWindow.NONE);
            ModelSimulation.Plan fp = ModelSimulation.plan(full, "Q4_0", deep, cals);
            SimulationResult f = sim.simulate(m2, deep, fp.model(), fp.choices());
            assertEquals(34L * 32800 * 2 * 4 * 256 * 2, f.memory().kvCacheBytes());
            assertTrue(r.decodeTokensPerSecond() > 1.2 * f.decodeTokensPerSecond(), r.decodeTokensPerSecond() + " vs " + f.decodeTokensPerSecond());
            // a context within the window: the same as full attention
            Workload shallow = new Workload(512, 64, 1024, 16, 16, Backend.GPU);
            ModelSimulation.Plan sp = ModelSimulation.plan(gemma, "Q4_0", shallow, cals), sf = ModelSimulation.plan(full, "Q4_0", shallow, cals);
            TestFixtures.assertSameResult(sim.simulate(m2, shallow, sf.model(), sf.choices()), sim.simulate(m2, shallow, sp.model(), sp.choices()));
            // Gemma-3n-E2B: blocks 0-19 hold a cache, 4 of them global (4, 9, 14, 19); the 10 KV-shared ones hold none
            ModelDescriptor g3n = catalog().find("Gemma-3n-E2B", Double.NaN);
            ModelSimulation.Plan np = ModelSimulation.plan(g3n, "Q4_0", deep, cals);
            assertEquals((4L * 32800 + 16L * (512 + (long) ubatch)) * 2 * 2 * 256 * 2, sim.simulate(m2, deep, np.model(), np.choices()).memory().kvCacheBytes());
            for (Workload w : List.of(deep, shallow, new Workload(1500, 700, 4096, 8, 16, Backend.GPU))) {
                for (ModelDescriptor m : List.of(gemma, g3n, catalog().find("gpt-oss-20b", Double.NaN))) {
                    ModelSimulation.Plan q = ModelSimulation.plan(m, m.moe() ? "MXFP4" : "Q4_K_M", w, cals);
                    TestFixtures.assertSameResult(ref.simulate(m2, w, q.model(), q.choices()), sim.simulate(m2, w, q.model(), q.choices()));
                }
            }
        }
    }
}
