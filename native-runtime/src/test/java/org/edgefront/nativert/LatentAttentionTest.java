package org.edgefront.nativert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
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
import org.edgefront.nativert.device.BlockKind;
import org.edgefront.nativert.device.DeviceProfile;
import org.edgefront.nativert.device.DeviceProfiles;
import org.edgefront.nativert.device.ModelDescriptor;
import org.edgefront.nativert.device.Workload;
import org.edgefront.nativert.reference.ReferenceSimulator;
import org.edgefront.nativert.tools.FormatMixes;
import org.edgefront.space.compress.TensorChoice;
import org.edgefront.space.input.InvalidInputException;
import org.edgefront.space.model.ModelArchitecture;
import org.edgefront.space.model.TensorSpec;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Multi-head latent attention (DeepSeek-V2-Lite, GLM-4.7-Flash) from the catalog, a config.json and a GGUF header, and how
 * the simulators run it: one latent row cached per position, leading dense blocks read whole and without a router.
 */
class LatentAttentionTest {
    @TempDir
    Path dir;

    private static ModelCatalog catalog() { return ModelCatalog.load("../configs/models"); }

    /** DeepSeek-V2-Lite's config.json facts (huggingface.co/deepseek-ai/DeepSeek-V2-Lite). */
    private static final String DEEPSEEK_V2_LITE = """
            {"_name_or_path": "deepseek-ai/DeepSeek-V2-Lite", "model_type": "deepseek_v2", "hidden_size": 2048,
             "intermediate_size": 10944, "moe_intermediate_size": 1408, "num_hidden_layers": 27, "num_attention_heads": 16,
             "num_key_value_heads": 16, "n_routed_experts": 64, "n_shared_experts": 2, "num_experts_per_tok": 6,
             "first_k_dense_replace": 1, "moe_layer_freq": 1, "q_lora_rank": null, "kv_lora_rank": 512, "qk_nope_head_dim": 128,
             "qk_rope_head_dim": 64, "v_head_dim": 128, "vocab_size": 102400, "max_position_embeddings": 163840,
             "tie_word_embeddings": false}""";

    @Test
    void theCatalogsLatentModelsHoldTheirPublishedParameterCounts() {
        ModelCatalog c = catalog();
        ModelDescriptor lite = c.find("DeepSeek-V2-Lite-Chat", Double.NaN);
        ModelDescriptor flash = c.find("GLM-4.7-Flash", Double.NaN);
        // the model card's 15.7 B; llama-bench's 29.94 B for ggml-org/GLM-4.7-Flash-GGUF (routers: 0.04% more)
        assertEquals(15.7e9, lite.storedArchitecture().parameterCount(), 0.01 * 15.7e9);
        assertEquals(29.94e9, flash.storedArchitecture().parameterCount(), 0.01 * 29.94e9);
        // the active side: 2.4 B for DeepSeek-V2-Lite by its card (2.7 B with the untied input embedding's lookup excluded here)
        assertEquals(2.4e9, ModelCatalog.activeParameters(lite) - 102400.0 * 2048, 0.1 * 2.4e9);
        assertEquals(576, lite.latent().cacheRows(16));
        assertEquals(16 * 544.0, lite.latent().queryRows(16));
        // the first block's FFN is dense and as wide as intermediate_size; the others hold the experts
        ModelArchitecture stored = lite.storedArchitecture();
        assertEquals(10944, tensor(stored, "blk.0.ffn_up.weight").rows());
        assertEquals(64 * 1408 + 2816, tensor(stored, "blk.1.ffn_up.weight").rows());
        assertEquals(16 * 192, tensor(stored, "blk.3.attn_q.weight").rows(), "q_lora_rank null: a direct query");
        assertEquals(16 * 512, tensor(stored, "blk.3.attn_k_b.weight").rows());
        assertEquals(128, tensor(stored, "blk.3.attn_k_b.weight").cols());
        assertEquals(768, tensor(flash.storedArchitecture(), "blk.5.attn_q_a.weight").rows());
    }

    @Test
    void aDeepSeekV2ConfigJsonGivesTheCatalogsShapes() {
        ModelDescriptor d = ModelCatalog.fromHuggingFaceConfig("config.json", DEEPSEEK_V2_LITE, "dir");
        ModelDescriptor m = catalog().find("DeepSeek-V2-Lite", Double.NaN);
        assertEquals(m.latent(), d.latent());
        assertEquals(m.experts(), d.experts());
        assertEquals(m.storedArchitecture().linearTensors(), d.storedArchitecture().linearTensors());
        assertEquals(m.architecture().linearTensors(), d.architecture().linearTensors());
        assertEquals("DeepSeek-V2-Lite", d.name());

        // an expert layout other than "every block after the dense ones" is refused by name, as is missing latent width
        String everyOther = DEEPSEEK_V2_LITE.replace("\"moe_layer_freq\": 1", "\"moe_layer_freq\": 2");
        assertEquals("moe_layer_freq", assertThrows(InvalidInputException.class,
                () -> ModelCatalog.fromHuggingFaceConfig("config.json", everyOther, "dir")).field());
        String noRope = DEEPSEEK_V2_LITE.replace("\"qk_rope_head_dim\": 64,", "");
        assertEquals("qk_rope_head_dim", assertThrows(InvalidInputException.class,
                () -> ModelCatalog.fromHuggingFaceConfig("config.json", noRope, "dir")).field());
        // a mixture of experts whose first blocks are dense without latent attention (GLM-4.5-Air's layout) keeps them dense
        String gqa = DEEPSEEK_V2_LITE.replace("\"kv_lora_rank\": 512,", "").replace("\"num_key_value_heads\": 16", "\"num_key_value_heads\": 4");
        ModelDescriptor g = ModelCatalog.fromHuggingFaceConfig("config.json", gqa, "dir");
        assertNull(g.latent());
        assertEquals(1, g.experts().leadingDenseLayers());
        assertEquals(10944, tensor(g.storedArchitecture(), "blk.0.ffn_gate.weight").rows());
        assertEquals(4 * 128, tensor(g.storedArchitecture(), "blk.0.attn_k.weight").rows());
    }

    @Test
    void anMlaGgufHeaderGivesTheCatalogsShapes() throws Exception {
        // the keys llama.cpp's converter writes for GLM-4.7-Flash (arch deepseek2, converted for MLA: key_length is the
        // latent cache's 576 and head_count_kv 1; the head widths are the _mla keys); block_count counts the MTP block
        Map<String, Long> u32 = new LinkedHashMap<>();
        u32.put("deepseek2.block_count", 48L);
        u32.put("deepseek2.nextn_predict_layers", 1L);
        u32.put("deepseek2.context_length", 202752L);
        u32.put("deepseek2.embedding_length", 2048L);
        u32.put("deepseek2.feed_forward_length", 10240L);
        u32.put("deepseek2.attention.head_count", 20L);
        u32.put("deepseek2.attention.head_count_kv", 1L);
        u32.put("deepseek2.attention.key_length", 576L);
        u32.put("deepseek2.attention.value_length", 512L);
        u32.put("deepseek2.attention.key_length_mla", 256L);
        u32.put("deepseek2.attention.value_length_mla", 256L);
        u32.put("deepseek2.attention.q_lora_rank", 768L);
        u32.put("deepseek2.attention.kv_lora_rank", 512L);
        u32.put("deepseek2.rope.dimension_count", 64L);
        u32.put("deepseek2.leading_dense_block_count", 1L);
        u32.put("deepseek2.expert_count", 64L);
        u32.put("deepseek2.expert_used_count", 4L);
        u32.put("deepseek2.expert_shared_count", 1L);
        u32.put("deepseek2.expert_feed_forward_length", 1536L);
        Map<String, String> strings = new LinkedHashMap<>();
        strings.put("general.architecture", "deepseek2");
        strings.put("general.name", "GLM 4.7 Flash");
        Path gguf = dir.resolve("GLM-4.7-Flash-Q8_0.gguf");
        Files.write(gguf, HeaderOnlyGguf.of(strings, u32, List.of(new HeaderOnlyGguf.Tensor("token_embd.weight", 2048, 154880),
                new HeaderOnlyGguf.Tensor("blk.0.attn_q_a.weight", 2048, 768), new HeaderOnlyGguf.Tensor("blk.0.attn_k_b.weight", 192, 512, 20),
                new HeaderOnlyGguf.Tensor("output.weight", 2048, 154880))));
        ModelDescriptor g = catalog().resolve(gguf.toString());
        ModelDescriptor m = catalog().find("GLM-4.7-Flash", Double.NaN);
        assertEquals(m.latent(), g.latent());
        assertEquals(m.experts(), g.experts());
        assertEquals(47, g.layers(), "the MTP block is not run");
        assertEquals(m.storedArchitecture().linearTensors(), g.storedArchitecture().linearTensors());
    }

    @Test
    void aLegacyGgufWithAnUnsplitKvBCachesEveryHeadsKeysAndValues() throws Exception {
        // DeepSeek-V2-Lite converted before llama.cpp's MLA: key/value lengths are the heads', attn_kv_b is one tensor,
        // and llama.cpp decompresses it into an ordinary per-head cache
        Map<String, Long> u32 = new LinkedHashMap<>();
        u32.put("deepseek2.block_count", 27L);
        u32.put("deepseek2.context_length", 163840L);
        u32.put("deepseek2.embedding_length", 2048L);
        u32.put("deepseek2.feed_forward_length", 10944L);
        u32.put("deepseek2.attention.head_count", 16L);
        u32.put("deepseek2.attention.head_count_kv", 16L);
        u32.put("deepseek2.attention.key_length", 192L);
        u32.put("deepseek2.attention.value_length", 128L);
        u32.put("deepseek2.attention.kv_lora_rank", 512L);
        u32.put("deepseek2.rope.dimension_count", 64L);
        u32.put("deepseek2.leading_dense_block_count", 1L);
        u32.put("deepseek2.expert_count", 64L);
        u32.put("deepseek2.expert_used_count", 6L);
        u32.put("deepseek2.expert_shared_count", 2L);
        u32.put("deepseek2.expert_feed_forward_length", 1408L);
        Map<String, String> strings = new LinkedHashMap<>();
        strings.put("general.architecture", "deepseek2");
        Path gguf = dir.resolve("DeepSeek-V2-Lite-legacy.gguf");
        Files.write(gguf, HeaderOnlyGguf.of(strings, u32, List.of(new HeaderOnlyGguf.Tensor("token_embd.weight", 2048, 102400),
                new HeaderOnlyGguf.Tensor("blk.0.attn_kv_b.weight", 512, 16 * 256), new HeaderOnlyGguf.Tensor("output.weight", 2048, 102400))));
        ModelDescriptor g = catalog().resolve(gguf.toString());
        ModelDescriptor m = catalog().find("DeepSeek-V2-Lite", Double.NaN);
        assertFalse(g.latent().absorbed());
        assertEquals(new LatentAttention(0, 512, 128, 64, 128, false), g.latent());
        assertEquals(16 * (192 + 128), g.latent().cacheRows(16));
        assertEquals(m.storedArchitecture().parameterCount(), g.storedArchitecture().parameterCount(), "split or not, the same weights");
        assertEquals(16 * 256, tensor(g.storedArchitecture(), "blk.2.attn_kv_b.weight").rows());
    }

    @Test
    void llamaCppsQuantizerHasNoRuleForTheLatentProjections() {
        // llama-quant's categories match attn_q.weight, attn_kv_b.weight (attn_v-like) and attn_output.weight by name:
        // q_a, q_b, kv_a_mqa, k_b and v_b take the file type's default; MXFP4_MOE stores the 3-D k_b and v_b in MXFP4
        ModelDescriptor flash = catalog().find("GLM-4.7-Flash", Double.NaN);
        ModelArchitecture a = flash.storedArchitecture();
        Map<String, TensorChoice> q4km = FormatMixes.resolve(a, "Q4_K_M", flash.experts());
        assertEquals("Q4_K", q4km.get("blk.10.attn_kv_a_mqa.weight").format().toString());
        assertEquals("Q4_K", q4km.get("blk.10.attn_q_b.weight").format().toString());
        assertEquals("Q6_K", q4km.get("blk.0.ffn_down.weight").format().toString(), "Q4_K_M's ffn_down rule still applies");
        Map<String, TensorChoice> mx = FormatMixes.resolve(a, "MXFP4", flash.experts());
        assertEquals("MXFP4", mx.get("blk.10.attn_k_b.weight").format().toString());
        assertEquals("Q8_0", mx.get("blk.10.attn_kv_a_mqa.weight").format().toString());
        assertEquals("MXFP4", mx.get("blk.10.ffn_up.weight").format().toString());
    }

    @Test
    void aBlockStateIsLatentOrStatesNoRows() {
        assertEquals(BlockKind.LATENT_ATTENTION, BlockState.latent(576, 8704).kind());
        assertTrue(BlockKind.LATENT_ATTENTION.attends());
        assertThrows(IllegalArgumentException.class, () -> BlockState.latent(0, 8704));
        assertThrows(IllegalArgumentException.class, () -> BlockState.latent(576, Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> new BlockState(BlockKind.ATTENTION, 0, 0.0, 576, 10.0));
        assertThrows(IllegalArgumentException.class, () -> new LatentAttention(0, 0, 128, 64, 128));
    }

    @Tag("native")
    @Test
    void aLatentCacheHoldsOneLatentRowPerPositionAndTheCAndJavaSimulatorsAgree() {
        DeviceProfile m2 = DeviceProfiles.load("../configs/devices/mac-studio-m2-ultra-76gpu.yaml");
        ModelDescriptor lite = catalog().find("DeepSeek-V2-Lite", Double.NaN);
        Calibrations cals = EngineCalibrations.fitted().forSimulator(EngineGroup.LLAMA_CPP_METAL);
        ReferenceSimulator ref = new ReferenceSimulator(cals);
        try (NativeSimulator sim = new NativeSimulator(cals)) {
            Workload w = new Workload(512, 128, 4096, 16, 16, Backend.GPU);
            ModelSimulation.Plan p = ModelSimulation.plan(lite, "Q4_K_M", w, cals);
            SimulationResult r = sim.simulate(m2, w, p.model(), p.choices());
            // 27 blocks x 576 latent elements x 4096 positions x 2 bytes: 7x less than 16 heads' keys and values of 192 + 128
            assertEquals(27L * 576 * 4096 * 2, r.memory().kvCacheBytes());
            assertEquals(0, r.memory().stateBytes());
            // the dense first block's FFN is read whole and has no router; the 26 others have one each
            List<TensorSpec> ts = p.model().tensors();
            assertEquals(26, ts.stream().filter(t -> t.name().endsWith(".ffn_gate_inp")).count());
            assertFalse(ts.stream().anyMatch(t -> t.name().equals("blk.0.ffn_gate_inp")));
            for (int i = 0; i < ts.size(); i++) {
                if (ts.get(i).name().startsWith("blk.0.ffn_")) assertEquals(TensorReads.DENSE, p.model().reads().get(i), ts.get(i).name());
                if (ts.get(i).name().equals("blk.1.ffn_up.weight")) assertEquals((6 * 1408 + 2816) / (64 * 1408 + 2816.0), p.model().reads().get(i).decodeShare(), 1e-12);
            }
            for (String f : List.of("Q4_K_M", "Q8_0", "MXFP4")) {
                for (Workload x : List.of(w, new Workload(1, 64, 2048, 8, 16, Backend.GPU))) {
                    ModelSimulation.Plan q = ModelSimulation.plan(lite, f, x, cals);
                    TestFixtures.assertSameResult(ref.simulate(m2, x, q.model(), q.choices()), sim.simulate(m2, x, q.model(), q.choices()));
                }
            }
            // the same weights decompressed (a legacy file): the cache grows to every head's keys and values, decode slows
            ModelDescriptor legacy = new ModelDescriptor("test", "legacy", lite.family(), lite.hiddenSize(), lite.intermediateSize(), lite.layers(),
                    lite.heads(), lite.kvHeads(), lite.headDim(), lite.vocabSize(), lite.maxContextTokens(), false, List.of(), lite.experts(), null,
                    new LatentAttention(0, 512, 128, 64, 128, false));
            ModelSimulation.Plan lp = ModelSimulation.plan(legacy, "Q4_K_M", w, cals);
            SimulationResult lr = sim.simulate(m2, w, lp.model(), lp.choices());
            assertEquals(27L * 16 * 320 * 4096 * 2, lr.memory().kvCacheBytes());
            TestFixtures.assertSameResult(ref.simulate(m2, w, lp.model(), lp.choices()), lr);
            // at a short context both attentions are mostly launch overhead; at 16 K positions the decompressed cache's
            // 9x larger read dominates
            Workload deep = new Workload(16384, 64, 32768, 16, 16, Backend.GPU);
            ModelSimulation.Plan dl = ModelSimulation.plan(legacy, "Q4_K_M", deep, cals), da = ModelSimulation.plan(lite, "Q4_K_M", deep, cals);
            double legacyDecode = sim.simulate(m2, deep, dl.model(), dl.choices()).decodeTokensPerSecond();
            double latentDecode = sim.simulate(m2, deep, da.model(), da.choices()).decodeTokensPerSecond();
            assertTrue(legacyDecode < 0.8 * latentDecode, legacyDecode + " vs " + latentDecode);
        }
    }

    private static TensorSpec tensor(ModelArchitecture a, String name) {
        return a.linearTensors().stream().filter(t -> t.name().equals(name)).findFirst().orElseThrow(() -> new AssertionError(name));
    }
}
