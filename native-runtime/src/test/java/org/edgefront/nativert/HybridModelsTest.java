package org.edgefront.nativert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.edgefront.nativert.calibration.Calibrations;
import org.edgefront.nativert.calibration.EngineCalibrations;
import org.edgefront.nativert.calibration.EngineGroup;
import org.edgefront.nativert.device.Backend;
import org.edgefront.nativert.device.BlockKind;
import org.edgefront.nativert.device.LayerGeometry;
import org.edgefront.nativert.device.ModelDescriptor;
import org.edgefront.nativert.device.Workload;
import org.edgefront.nativert.reference.MemoryModel;
import org.edgefront.nativert.reference.ReferenceSimulator;
import org.edgefront.nativert.tools.FormatMixes;
import org.edgefront.space.compress.TensorChoice;
import org.edgefront.space.compress.WeightFormat;
import org.edgefront.space.input.InvalidInputException;
import org.edgefront.space.model.ModelArchitecture;
import org.edgefront.space.model.TensorSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Hybrid models: LFM2 / LFM2.5 (gated short convolutions + attention) and Qwen3.5 (gated delta nets + gated attention). */
class HybridModelsTest {
    private static final ModelCatalog CATALOG = ModelCatalog.load("../configs/models");
    private static final double MIB = 1024.0 * 1024.0;

    @TempDir
    Path dir;

    private static ModelDescriptor model(String name) { return CATALOG.find(name, Double.NaN); }

    /**
     * Q4_0 weights with llama.cpp's type rules, in MiB, plus one more copy of the tied token table: pocketpal-ai's llama.rn
     * "weights buffer" holds that table twice (checked on the tied catalog models: Qwen2.5-1.5B 1068.0 vs 1071 MiB
     * published, SmolLM2-1.7B 1021.5 vs 1024.88, Phi-4-mini 2689.6 vs 2696.38; the untied DeepSeek-R1-Distill-Qwen-1.5B
     * 1010.6 vs 1013.62 without the copy).
     */
    private static double q4BufferMiB(ModelArchitecture a) {
        Map<String, TensorChoice> c = FormatMixes.resolve(a, "Q4_0");
        TensorSpec table = a.tensor("token_embd.weight");
        return (MemoryModel.weightBytes(a, c) + (a.tiedEmbeddings() ? c.get(table.name()).bytes(table) : 0)) / MIB;
    }

    @Test
    void lfm25HasTheCardsParameterCountAndFillsThePublishedQ4_0WeightsBuffer() {
        ModelArchitecture a = model("LFM2.5-1.2B-Instruct").architecture();
        // 65536 x 2048 table + 16 FFNs of 3 x 2048 x 8192 + 10 convolution blocks (6144 x 2048 in, 2048 x 3 taps, 2048 x 2048
        // out) + 6 attention blocks (q, o 2048 x 2048; k, v 512 x 2048): the card's 1.17 B
        assertEquals(1_170_272_256L, a.linearParameterCount());
        assertEquals(1.17e9, a.linearParameterCount(), 0.005e9);
        assertEquals(16, a.linearTensors().stream().filter(t -> t.name().endsWith("ffn_down.weight")).count());
        assertEquals(6, a.linearTensors().stream().filter(t -> t.name().endsWith("attn_k.weight")).count());
        assertEquals(10, a.linearTensors().stream().filter(t -> t.name().endsWith("shortconv.in_proj.weight")).count());
        // published weights buffer 766.25 MiB (published-extra.csv, POCO X7 Pro row)
        assertEquals(766.25, q4BufferMiB(a), 0.001 * 766.25);
    }

    @Test
    void qwen35EntriesComeWithinTwoPercentOfThePublishedQ4_0WeightsBuffers() {
        ModelArchitecture small = model("Qwen3.5-0.8B").architecture();
        ModelArchitecture large = model("Qwen3.5-2B").architecture();
        // the language model alone: the published "0.8B" and "2B" count the vision tower too
        assertEquals(752_336_896L, small.linearParameterCount());
        assertEquals(1_881_718_784L, large.linearParameterCount());
        assertEquals(2 * 8 * 256, small.tensor("blk.3.attn_q.weight").rows() + small.tensor(LayerGeometry.outputGateName(3)).rows());
        assertEquals(16 * 128 * 3, small.tensor("blk.0.attn_qkv.weight").rows(), "q, k and v of 16 heads of 128");
        // published 678.28 and 1558.29 MiB: ours 666.5 and 1533.8 (-1.7%, -1.6%)
        assertEquals(678.28, q4BufferMiB(small), 0.02 * 678.28);
        assertEquals(1558.29, q4BufferMiB(large), 0.02 * 1558.29);
    }

    @Test
    void onlyAttentionBlocksHoldAKvCacheAndTheStateDoesNotGrowWithTheContext() {
        Calibrations cals = EngineCalibrations.fitted().forSimulator(EngineGroup.LLAMA_CPP_CPU);
        for (int ctx : new int[] {2048, 8192}) {
            Workload w = new Workload(256, 64, ctx, 16, 6, Backend.CPU);
            MemoryBreakdown lfm = simulate("LFM2.5-1.2B-Instruct", w, cals).memory();
            // 6 attention blocks x (K + V: 2 x 8 heads x 64) x ctx x 2 bytes; 10 convolution windows of 2 x 2048 fp32
            assertEquals(6L * 2 * 512 * ctx * 2, lfm.kvCacheBytes());
            assertEquals(10L * 2 * 2048 * 4, lfm.stateBytes());
            MemoryBreakdown qwen = simulate("Qwen3.5-0.8B", w, cals).memory();
            // 6 attention blocks x 2 x 2 heads x 256; 18 delta nets: 16 heads x 128 x 128 matrices + 3 x 6144 convolution inputs, fp32
            assertEquals(6L * 2 * 512 * ctx * 2, qwen.kvCacheBytes());
            assertEquals(18L * 4 * (16 * 128 * 128 + 3 * 6144), qwen.stateBytes());
            assertEquals(qwen.weightBytes() + qwen.kvCacheBytes() + qwen.stateBytes() + qwen.activationBytes() + qwen.runtimeBytes(),
                    qwen.totalBytes());
        }
    }

    @Test
    void nativeAndReferenceSimulatorsAgreeOnHybridModels() {
        Calibrations cals = EngineCalibrations.fitted().forSimulator(EngineGroup.LLAMA_CPP_CPU);
        ReferenceSimulator ref = new ReferenceSimulator(cals);
        try (NativeSimulator sim = new NativeSimulator(cals)) {
            for (String name : List.of("LFM2.5-1.2B-Instruct", "Qwen3.5-0.8B", "Qwen3.5-2B")) {
                for (Workload w : List.of(new Workload(256, 64, 2048, 16, 6, Backend.CPU), new Workload(1000, 16, 4096, 8, 1, Backend.CPU))) {
                    for (String format : List.of("Q4_0", "Q4_K_M")) {
                        ModelSimulation.Plan p = ModelSimulation.plan(model(name), format, w, cals);
                        SimulationResult r = sim.simulate(TestFixtures.s23(), w, p.model(), p.choices());
                        TestFixtures.assertSameResult(ref.simulate(TestFixtures.s23(), w, p.model(), p.choices()), r);
                    }
                }
            }
        }
    }

    @Test
    void aDecodeStepAttendsInTheAttentionBlocksAndUpdatesTheStateOfTheOthers() {
        Calibrations cals = EngineCalibrations.fitted().forSimulator(EngineGroup.LLAMA_CPP_CPU);
        Workload w = new Workload(256, 64, 2048, 16, 6, Backend.CPU);
        SimulationResult lfm = simulate("LFM2.5-1.2B-Instruct", w, cals);
        assertEquals(6, lfm.ops().stream().filter(o -> o.name().endsWith(".attn_kv")).count());
        assertEquals(10, lfm.ops().stream().filter(o -> o.name().endsWith(".shortconv_state")).count());
        OpCost conv = lfm.ops().stream().filter(o -> o.name().equals("blk.0.shortconv_state")).findFirst().orElseThrow();
        assertEquals(2.0 * 2 * 2048 * 4, conv.bytes(), "the window is read and written back");
        assertEquals(2.0 * 2048, conv.flops(), "the two gates");
        SimulationResult qwen = simulate("Qwen3.5-0.8B", w, cals);
        OpCost delta = qwen.ops().stream().filter(o -> o.name().equals("blk.0.ssm_state")).findFirst().orElseThrow();
        assertEquals(2.0 * 4 * (16 * 128 * 128 + 3 * 6144), delta.bytes());
        assertEquals(7.0 * 16 * 128 * 128, delta.flops());
        assertTrue(qwen.ops().stream().noneMatch(o -> o.name().equals("blk.0.attn_kv")), "a delta-net block does not attend");
        // every block's weights are read per token: the operators of the linear tensors move the weight bytes
        double tensorBytes = qwen.ops().stream().filter(o -> o.name().endsWith(".weight")).mapToDouble(OpCost::bytes).sum();
        assertTrue(tensorBytes > qwen.memory().weightBytes(), tensorBytes + " vs " + qwen.memory().weightBytes());
    }

    private static SimulationResult simulate(String name, Workload w, Calibrations cals) {
        try (NativeSimulator sim = new NativeSimulator(cals)) {
            return ModelSimulation.simulate(sim, TestFixtures.s23(), w, model(name), "Q4_0");
        }
    }

    // ---------------------------------------------------------------- Hugging Face config.json

    /** LiquidAI/LFM2-1.2B's config.json (the keys the simulator reads, verbatim). */
    private static final String LFM2_CONFIG = "{\"architectures\":[\"Lfm2ForCausalLM\"],\"block_auto_adjust_ff_dim\":true,\"block_dim\":2048,"
            + "\"block_ff_dim\":12288,\"block_ffn_dim_multiplier\":1.0,\"block_multiple_of\":256,\"conv_L_cache\":3,\"conv_bias\":false,"
            + "\"full_attn_idxs\":[2,5,8,10,12,14],\"hidden_size\":2048,\"max_position_embeddings\":128000,\"model_type\":\"lfm2\","
            + "\"num_attention_heads\":32,\"num_heads\":32,\"num_hidden_layers\":16,\"num_key_value_heads\":8,\"vocab_size\":65536,"
            + "\"tie_embedding\":true}";

    /** Qwen/Qwen3.5-0.8B's config.json (text_config's keys, verbatim). */
    private static final String QWEN35_CONFIG = "{\"architectures\":[\"Qwen3_5ForConditionalGeneration\"],\"model_type\":\"qwen3_5\","
            + "\"tie_word_embeddings\":true,\"text_config\":{\"model_type\":\"qwen3_5_text\",\"vocab_size\":248320,\"hidden_size\":1024,"
            + "\"intermediate_size\":3584,\"num_hidden_layers\":24,\"num_attention_heads\":8,\"num_key_value_heads\":2,\"head_dim\":256,"
            + "\"attn_output_gate\":true,\"linear_num_key_heads\":16,\"linear_num_value_heads\":16,\"linear_key_head_dim\":128,"
            + "\"linear_value_head_dim\":128,\"linear_conv_kernel_dim\":4,\"full_attention_interval\":4,\"max_position_embeddings\":262144,"
            + "\"tie_word_embeddings\":true,\"mtp_num_hidden_layers\":1,\"mlp_only_layers\":[]}}";

    @Test
    void lfm2ConfigGivesTheCatalogsBlocksAndFeedForwardWidth() {
        ModelDescriptor d = ModelCatalog.fromHuggingFaceConfig("config.json", LFM2_CONFIG, "LFM2-1.2B");
        ModelDescriptor catalog = model("LFM2-1.2B");
        assertEquals(catalog.architecture().linearTensors(), d.architecture().linearTensors());
        assertEquals(catalog.geometry(), d.geometry());
        assertEquals(8192, d.intermediateSize());
        assertTrue(d.tiedEmbeddings());
        // layer_types says the same as full_attn_idxs
        String types = "\"layer_types\":[\"conv\",\"conv\",\"full_attention\",\"conv\",\"conv\",\"full_attention\",\"conv\",\"conv\",\"full_attention\","
                + "\"conv\",\"full_attention\",\"conv\",\"full_attention\",\"conv\",\"full_attention\",\"conv\"]";
        ModelDescriptor byTypes = ModelCatalog.fromHuggingFaceConfig("config.json", LFM2_CONFIG.replace("\"full_attn_idxs\":[2,5,8,10,12,14]", types), "x");
        assertEquals(catalog.geometry(), byTypes.geometry());
    }

    @Test
    void lfm2FeedForwardWidthIsTransformersAutoAdjustment() {
        // LFM2-1.2B, -350M, -700M: block_ff_dim 12288, 6656, 10240 -> 8192, 4608, 6912 (llama.cpp's lfm2 loader names these widths)
        assertEquals(8192, ffn("\"block_ff_dim\":12288"));
        assertEquals(4608, ffn("\"block_ff_dim\":6656"));
        assertEquals(6912, ffn("\"block_ff_dim\":10240"));
        assertEquals(6656, ffn("\"block_ff_dim\":6656,\"block_auto_adjust_ff_dim\":false"));
        assertEquals(4437, ffn("\"block_ff_dim\":6656,\"block_ffn_dim_multiplier\":null"), "no multiplier: two thirds, not rounded");
        assertEquals(6656, ffn("\"block_ff_dim\":6656,\"block_ffn_dim_multiplier\":1.5"), "int(1.5 x 4437) = 6655, up to 6656");
    }

    private static int ffn(String keys) { return ModelCatalog.lfm2FeedForward("config.json", readTree("{" + keys + "}")); }

    private static com.fasterxml.jackson.databind.JsonNode readTree(String json) {
        try {
            return new com.fasterxml.jackson.databind.ObjectMapper().readTree(json);
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void qwen35ConfigGivesTheCatalogsBlocksStatesAndGatedAttention() {
        ModelDescriptor d = ModelCatalog.fromHuggingFaceConfig("config.json", QWEN35_CONFIG, "Qwen3.5-0.8B");
        ModelDescriptor catalog = model("Qwen3.5-0.8B");
        assertEquals(catalog.architecture().linearTensors(), d.architecture().linearTensors());
        assertEquals(catalog.geometry(), d.geometry());
        assertEquals(BlockKind.ATTENTION, d.geometry().blockKinds().get(3));
        assertEquals(BlockKind.LINEAR_ATTENTION, d.geometry().blockKinds().get(4));
        assertEquals(18, d.geometry().blockStates(1024).stream().filter(b -> b.kind() == BlockKind.LINEAR_ATTENTION).count());
    }

    @Test
    void malformedHybridConfigsAreRefusedNamingTheField() {
        assertField("layer_types", LFM2_CONFIG.replace("\"full_attn_idxs\":[2,5,8,10,12,14]", "\"layer_types\":[\"conv\",\"full_attention\"]"));
        assertField("layer_types[1]", LFM2_CONFIG.replace("\"full_attn_idxs\":[2,5,8,10,12,14]",
                "\"layer_types\":[\"conv\",\"mamba\"" + ",\"conv\"".repeat(14) + "]"));
        assertField("full_attn_idxs[1]", LFM2_CONFIG.replace("[2,5,8,10,12,14]", "[2,16]"));
        assertField("block_ffn_dim_multiplier", LFM2_CONFIG.replace("\"block_ffn_dim_multiplier\":1.0", "\"block_ffn_dim_multiplier\":\"1.0\""));
        assertField("conv_L_cache", LFM2_CONFIG.replace("\"conv_L_cache\":3", "\"conv_L_cache\":1"));
        assertField("model_type", LFM2_CONFIG.replace("\"model_type\":\"lfm2\"", "\"model_type\":\"lfm2_moe\""));
        assertField("linear_key_head_dim", QWEN35_CONFIG.replace("\"linear_key_head_dim\":128,", ""));
        assertField("linear_num_value_heads", QWEN35_CONFIG.replace("\"linear_num_value_heads\":16", "\"linear_num_value_heads\":24"));
        assertField("attn_output_gate", QWEN35_CONFIG.replace("\"attn_output_gate\":true", "\"attn_output_gate\":\"yes\""));
        assertField("num_experts", QWEN35_CONFIG.replace("\"model_type\":\"qwen3_5_text\"", "\"model_type\":\"qwen3_next\",\"num_experts\":512,"
                + "\"num_experts_per_tok\":10,\"moe_intermediate_size\":512"));
        // a convolution block in a model whose shapes the simulator does not know
        assertField("layer_types[0]", "{\"model_type\":\"llama\",\"hidden_size\":64,\"intermediate_size\":128,\"num_hidden_layers\":2,"
                + "\"num_attention_heads\":4,\"vocab_size\":100,\"layer_types\":[\"conv\",\"full_attention\"]}");
        assertField("layer_types[1]", "{\"model_type\":\"granitemoehybrid\",\"hidden_size\":64,\"intermediate_size\":128,\"num_hidden_layers\":2,"
                + "\"num_attention_heads\":4,\"vocab_size\":100,\"layer_types\":[\"attention\",\"mamba\"]}");
    }

    private static void assertField(String field, String json) {
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> ModelCatalog.fromHuggingFaceConfig("config.json", json, "x"));
        assertEquals(field, e.field(), e.getMessage());
        assertEquals("config.json", e.file());
    }

    // ---------------------------------------------------------------- GGUF

    @Test
    void hybridGgufHeadersGiveTheCatalogsShapes() throws Exception {
        for (String[] m : new String[][] {{"LFM2.5-1.2B-Instruct", "lfm2"}, {"Qwen3.5-0.8B", "qwen35"}, {"Qwen3.5-2B", "qwen35"}}) {
            ModelDescriptor catalog = model(m[0]);
            Path gguf = dir.resolve(m[0] + ".gguf");
            Files.write(gguf, hybridGguf(m[1], catalog, Map.of()));
            ModelDescriptor g = CATALOG.resolve(gguf.toString());
            assertEquals(catalog.architecture().linearTensors(), g.architecture().linearTensors(), m[0]);
            assertEquals(catalog.geometry(), g.geometry(), m[0]);
            assertEquals(catalog.tiedEmbeddings(), g.tiedEmbeddings());
        }
        // keys that disagree with the tensors, or blocks the simulator does not model, are refused by name
        ModelDescriptor q = model("Qwen3.5-0.8B");
        Path bad = dir.resolve("bad.gguf");
        Files.write(bad, hybridGguf("qwen35", q, Map.of("qwen35.ssm.inner_size", 3072L)));
        assertEquals("blk.0.ssm_conv1d.weight", assertThrows(InvalidInputException.class, () -> CATALOG.resolve(bad.toString())).field());
        Files.write(bad, hybridGguf("qwen35", q, Map.of("qwen35.nextn_predict_layers", 1L)));
        assertEquals("qwen35.nextn_predict_layers", assertThrows(InvalidInputException.class, () -> CATALOG.resolve(bad.toString())).field());
    }

    private static byte[] hybridGguf(String arch, ModelDescriptor m, Map<String, Long> override) {
        return HybridGgufs.header(arch, m, override);
    }

    // ---------------------------------------------------------------- llama.cpp's type rules

    @Test
    void llamaCppKeepsConvolutionKernelsInF32AndTypesTheHybridProjectionsByItsCategories() {
        ModelArchitecture lfm = model("LFM2.5-1.2B-Instruct").architecture();
        Map<String, TensorChoice> q4 = FormatMixes.resolve(lfm, "Q4_0");
        assertEquals(WeightFormat.parse("F32"), q4.get("blk.0.shortconv.conv.weight").format());
        assertEquals(WeightFormat.parse("Q4_0"), q4.get("blk.0.shortconv.in_proj.weight").format());
        assertEquals(WeightFormat.parse("F32"), FormatMixes.resolve(lfm, "int4g32").get("blk.1.shortconv.conv.weight").format());
        // Q4_K_M raises attn_v by llama.cpp's counter over the tensors that exist: the 6 attention blocks, counters 2 and 5
        // (blocks 8 and 14) get Q6_K; by layer index they would not
        Map<String, TensorChoice> km = FormatMixes.resolve(lfm, "Q4_K_M");
        assertEquals(WeightFormat.parse("Q6_K"), km.get("blk.8.attn_v.weight").format());
        assertEquals(WeightFormat.parse("Q6_K"), km.get("blk.14.attn_v.weight").format());
        assertEquals(WeightFormat.parse("Q4_K"), km.get("blk.2.attn_v.weight").format());
        // LFM2's GGUF has 0 K/V heads on block 0, a convolution, so llama.cpp's n_gqa() is 0: Q2_K's attn_v is Q3_K, not Q4_K
        assertEquals(WeightFormat.parse("Q3_K"), FormatMixes.resolve(lfm, "Q2_K").get("blk.2.attn_v.weight").format());
        // an "other" tensor keeps the file type's default where ffn_up would change
        assertEquals(WeightFormat.parse("IQ3_S"), FormatMixes.resolve(lfm, "IQ3_XS").get("blk.4.shortconv.in_proj.weight").format());

        ModelArchitecture qwen = model("Qwen3.5-0.8B").architecture();
        Map<String, TensorChoice> qm = FormatMixes.resolve(qwen, "Q4_K_M");
        assertEquals(WeightFormat.parse("F32"), qm.get("blk.0.ssm_conv1d.weight").format());
        // a delta net's attn_qkv is attn_v-like: with the 6 attn_v it counts 24, one per block, so block 0 takes Q6_K
        assertEquals(WeightFormat.parse("Q6_K"), qm.get("blk.0.attn_qkv.weight").format());
        assertEquals(WeightFormat.parse("Q4_K"), qm.get("blk.4.attn_qkv.weight").format());
        assertEquals(WeightFormat.parse("Q4_K"), qm.get("blk.0.ssm_out.weight").format());
        assertEquals(qm.get("blk.3.attn_q.weight"), qm.get(LayerGeometry.outputGateName(3)), "the gate is half of llama.cpp's attn_q");
    }

    @Test
    void catalogNamesOfTheUnsupportedRowsFindTheirEntries() {
        assertEquals("LFM2.5-1.2B-Instruct", CATALOG.find("LFM2.5-1.2B-Instruct", Double.NaN).name());
        assertEquals("Qwen3.5-0.8B", CATALOG.find("Qwen3.5-0.8B", Double.NaN).name());
        assertEquals("Qwen3.5-2B", CATALOG.find("Qwen3.5-2B", Double.NaN).name());
        assertEquals("LFM2-1.2B", CATALOG.find("LiquidAI/LFM2-1.2B", Double.NaN).name());
        assertEquals("Qwen3-0.6B", CATALOG.find("Qwen3-0.6B", Double.NaN).name(), "Qwen3.5 does not swallow Qwen3");
    }
}
