package org.edgefront.nativert;

import org.edgefront.nativert.device.*;
import org.edgefront.nativert.calibration.*;
import org.edgefront.nativert.reference.*;
import org.edgefront.nativert.tools.*;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.nio.file.Path;
import org.edgefront.space.input.InvalidInputException;
import org.edgefront.space.model.ArchitectureFamily;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelCatalogTest {
    @TempDir
    Path dir;

    private static ModelCatalog catalog() { return ModelCatalog.load("../configs/models"); }

    @Test
    void measurementNamesFindTheirCatalogEntryThroughAliasesAndNormalization() {
        ModelCatalog c = catalog();
        assertEquals("Qwen2.5-1.5B", c.find("Qwen2.5-1.5B-Instruct", Double.NaN).name());
        assertEquals("Llama-3.2-1B", c.find("Llama-3.2-1B (SpinQuant)", Double.NaN).name());
        assertEquals("OLMoE-1B-7B", c.find("OLMoE-1B-7B (MoE)", Double.NaN).name());
        assertEquals("Qwen2.5-1.5B", c.find("qwen2.5:1.5b", Double.NaN).name());
        assertEquals("Llama-3.1-8B", c.find("meta-llama/Llama-3.1-8B-Instruct", Double.NaN).name());
        assertEquals("Qwen2.5-3B", c.find("Qwen2.5-3B-Instruct-GGUF", Double.NaN).name(), "suffixes beyond the size are ignored");
        assertEquals("Phi-2", c.find("phi-2", Double.NaN).name());
        assertEquals("Qwen2-0.5B", c.find("Qwen2-0.5B-Instruct", 0.5).name());
        assertNull(c.find("Qwen2.5", Double.NaN), "a family name without a size matches nothing");
        assertEquals("Gemma-4-E2B", c.find("Gemma 4 E2B", Double.NaN).name());
        assertEquals("Gemma-3n-E4B", c.find("google/gemma-3n-E4B-it", Double.NaN).name());
        assertNull(c.find("Gemma 5 E2B", Double.NaN), "no entry for a generation the catalog lacks");
    }

    @Test
    void normalizationUnifiesSeparatorsVersionsAndQualifiers() {
        assertEquals("llama-3.2-3b", ModelCatalog.normalize("llama3.2:3b"));
        assertEquals("llama-3.2-3b", ModelCatalog.normalize("Llama-3.2-3B-Instruct"));
        assertEquals("qwen-2.5-1.5b", ModelCatalog.normalize("Qwen/Qwen2.5-1.5B-Instruct"));
        assertEquals("gemma-2-2b", ModelCatalog.normalize("gemma-2-2b-it"));
        // file names: the extension and the weight-format tags they end with
        assertEquals("phi-3-mini", ModelCatalog.normalize("Phi-3-mini-4k-instruct-q4.gguf"), "a context length names a variant, not a model");
        assertEquals("phi-3-mini", ModelCatalog.normalize("Phi-3-mini-128k-instruct"));
        assertEquals("llama-3.1-8b", ModelCatalog.normalize("meta-llama/Meta-Llama-3.1-8B-Instruct"), "Meta's repository name");
        assertEquals("phi-4-mini", ModelCatalog.normalize("microsoft/Phi-4-mini-reasoning"));
        assertEquals("llama-2-7b", ModelCatalog.normalize("llama-2-7b-chat.Q4_0.gguf"));
        assertEquals("qwen-2.5-0.5b", ModelCatalog.normalize("qwen2.5-0.5b-instruct-q4_k_m.gguf"));
        assertEquals("smollm-2-135m", ModelCatalog.normalize("SmolLM2-135M-Instruct-IQ4_XS"));
        assertEquals("mistral-7b-v0.3", ModelCatalog.normalize("Mistral-7B-Instruct-v0.3"));
    }

    @Test
    void paramsCountDisambiguatesEntriesThatMatchEqually() {
        ModelDescriptor small = new ModelDescriptor("a", "Tiny-1B", ArchitectureFamily.LLAMA, 2048, 5632, 22, 32, 4, 64, 32000, 2048, false,
                java.util.List.of("Tiny"));
        ModelDescriptor big = new ModelDescriptor("b", "Tiny-7B", ArchitectureFamily.LLAMA, 4096, 11008, 32, 32, 32, 128, 32000, 4096, false,
                java.util.List.of("Tiny"));
        ModelCatalog c = new ModelCatalog(java.util.List.of(small, big));
        assertEquals("Tiny-7B", c.find("Tiny", 6.7).name());
        assertEquals("Tiny-1B", c.find("Tiny", 1.1).name());
    }

    @Test
    void theStandInForAMissingModelIsTheDenseEntryNearestItsSizeWithinTheBound() {
        ModelCatalog c = catalog();
        ModelDescriptor m = c.nearestDense(2.53, 1.15);
        assertNotNull(m);
        double ratio = m.storedArchitecture().parameterCount() / 2.53e9;
        assertTrue(ratio >= 1 / 1.15 && ratio <= 1.15, m.name() + " " + ratio);
        for (ModelDescriptor d : c.models()) {
            if (d.moe() || d.perLayer()) continue;
            assertTrue(Math.abs(Math.log(d.storedArchitecture().parameterCount() / 2.53e9)) >= Math.abs(Math.log(ratio)), "nearest: " + d.name());
        }
        // Mixtral's total is in the catalog, but as a mixture of experts it never stands in for a dense model
        assertNull(c.nearestDense(46.7, 1.05));
        assertNull(c.nearestDense(Double.NaN, 1.15));
        assertNull(c.nearestDense(1000, 1.15), "nothing within 15% of a 1000 B model");
    }

    @Test
    void mixtureOfExpertsCatalogEntriesHaveTheirPublishedTotalAndActiveParameters() {
        ModelCatalog c = catalog();
        ModelDescriptor olmoe = c.find("OLMoE-1B-7B", Double.NaN);
        // 6.9 B total, 1.3 B active (OLMoE paper); routers (64 x 2048 per layer) are outside the tensor list
        assertEquals(6.92e9, olmoe.storedArchitecture().parameterCount(), 0.03e9);
        assertEquals(1.28e9, olmoe.architecture().parameterCount(), 0.03e9);
        ModelDescriptor qwen = c.find("Qwen3-30B-A3B", Double.NaN);
        assertEquals(30.5e9, qwen.storedArchitecture().parameterCount(), 0.2e9);
        assertEquals(3.3e9, qwen.architecture().parameterCount(), 0.1e9);
        ModelDescriptor mixtral = c.find("Mixtral-8x7B-Instruct-v0.1", Double.NaN);
        assertEquals(46.7e9, mixtral.storedArchitecture().parameterCount(), 0.2e9);
        assertEquals(12.9e9, mixtral.architecture().parameterCount(), 0.2e9);
        // gpt-oss: llama-bench prints 20.91 B and 116.83 B for ggml-org's GGUFs (llama.cpp benches/mac-m2-ultra); OpenAI's
        // model card counts 3.6 B and 5.1 B active (without the input embedding); biases and attention sinks are outside
        // the tensor list
        ModelDescriptor oss20 = c.find("gpt-oss-20b", Double.NaN);
        assertEquals(20.91e9, oss20.storedArchitecture().parameterCount(), 0.05e9);
        assertEquals(3.6e9, ModelCatalog.activeParameters(oss20), 0.05e9);
        ModelDescriptor oss120 = c.find("openai/gpt-oss-120b", Double.NaN);
        assertEquals(116.83e9, oss120.storedArchitecture().parameterCount(), 0.2e9);
        assertEquals(5.1e9, ModelCatalog.activeParameters(oss120), 0.05e9);
    }

    @Test
    void aFineTuneNamedAfterItsBaseModelFindsTheBase() {
        ModelCatalog c = catalog();
        assertEquals("Qwen3-8B", c.find("DeepSeek-R1-0528-Qwen3-8B", Double.NaN).name());
        assertEquals("Llama-3.1-8B", c.find("Hermes-3-Llama-3.1-8B", Double.NaN).name());
        assertEquals("Llama-3.1-8B", c.find("Meta-Llama-3.1-8B-Instruct", Double.NaN).name());
        assertEquals("Phi-4-mini", c.find("Phi-4-mini-reasoning", Double.NaN).name());
        // a size must be part of the match: "Qwen2.5-VL-3B" does not hold "Qwen2.5-3B" word for word
        assertNull(c.find("Qwen2.5-VL-3B-Instruct", Double.NaN));
        assertNull(c.find("granite-3.1-3b-a800m", Double.NaN));
        assertEquals(0.8, ModelCatalog.activeInName("granite-3.1-3b-a800m"), 1e-12);
    }

    @Test
    void aModelTheCatalogLacksWhoseNameStatesAnActiveSizeStandsInOnlyAsAMixtureOfExpertsOfBothSizes() {
        ModelCatalog c = catalog();
        assertEquals(3, ModelCatalog.activeInName("Qwen3-30B-A3B"), 1e-12);
        assertEquals(2.75, ModelCatalog.activeInName("Ling-lite-1.5 (16.8B-A2.75B)"), 1e-12);
        assertEquals(3, ModelCatalog.activeInName("baidu/ERNIE-4.5-21B-A3B-PT"), 1e-12);
        assertTrue(Double.isNaN(ModelCatalog.activeInName("Llama-3.2-3B")));
        assertTrue(Double.isNaN(ModelCatalog.activeInName("Qwen2.5-Coder-7B")), "no active size");
        assertEquals("Qwen3-30B-A3B", c.nearestMoe(31, 3, 1.15, 1.25).name());
        assertEquals("gpt-oss-20b", c.nearestMoe(21.8, 3, 1.15, 1.25).name(), "3.6 B active is within 25% of 3");
        assertEquals("DeepSeek-V2-Lite", c.nearestMoe(16.8, 2.75, 1.15, 1.25).name(), "15.7 B total, 2.7 B active");
        assertNull(c.nearestMoe(12, 2.75, 1.15, 1.25), "no catalog mixture of experts near 12 B");
        assertNull(c.nearestMoe(30, 12, 1.15, 1.25), "Qwen3-30B-A3B is near in total, not in active size");
        assertNull(c.nearestMoe(Double.NaN, 3, 1.15, 1.25));
    }

    @Test
    void everyCatalogEntryBuildsAndDenseParameterCountsArePlausible() {
        for (ModelDescriptor d : catalog().models()) {
            long n = d.storedArchitecture().parameterCount();
            assertTrue(n > 1e7 && n < 2e11, d.name() + ": " + n); // llama2.c's stories15M .. gpt-oss-120b
        }
        // llama2.c's table calls them 15M, 42M and 110M
        assertEquals(15.19e6, catalog().find("stories15M", Double.NaN).architecture().parameterCount(), 0.01e6);
        assertEquals(41.7e6, catalog().find("stories42M.bin", Double.NaN).architecture().parameterCount(), 0.5e6);
        assertEquals(109.5e6, catalog().find("stories110M", Double.NaN).architecture().parameterCount(), 1e6);
        assertEquals(2.78e9, catalog().find("Phi-2", Double.NaN).architecture().parameterCount(), 0.03e9);
        assertEquals(0.49e9, catalog().find("Qwen2.5-0.5B", Double.NaN).architecture().parameterCount(), 0.01e9);
    }

    @Test
    void huggingFaceConfigOfAMixtureOfExpertsIsReadWithoutWeights() {
        String json = "{\"architectures\":[\"MixtralForCausalLM\"],\"model_type\":\"mixtral\",\"hidden_size\":4096,"
                + "\"intermediate_size\":14336,\"num_hidden_layers\":32,\"num_attention_heads\":32,\"num_key_value_heads\":8,"
                + "\"vocab_size\":32000,\"max_position_embeddings\":32768,\"num_local_experts\":8,\"num_experts_per_tok\":2,"
                + "\"tie_word_embeddings\":false,\"_name_or_path\":\"mistralai/Mixtral-8x7B-v0.1\"}";
        ModelDescriptor d = ModelCatalog.fromHuggingFaceConfig("config.json", json, "dir");
        assertEquals("Mixtral-8x7B-v0.1", d.name());
        assertEquals(new ExpertLayout(8, 2, 14336, 0), d.experts());
        assertEquals(128, d.headDim());
        ModelDescriptor fromCatalog = catalog().find("Mixtral-8x7B", Double.NaN);
        assertEquals(fromCatalog.storedArchitecture().parameterCount(), d.storedArchitecture().parameterCount());
    }

    @Test
    void multimodalGemmaConfigUsesItsTextConfigAndGemmaTiesEmbeddingsByDefault() {
        String json = "{\"model_type\":\"gemma3\",\"text_config\":{\"model_type\":\"gemma3_text\",\"hidden_size\":2560,"
                + "\"intermediate_size\":10240,\"num_hidden_layers\":34,\"num_attention_heads\":8,\"num_key_value_heads\":4,"
                + "\"head_dim\":256,\"vocab_size\":262208}}";
        ModelDescriptor d = ModelCatalog.fromHuggingFaceConfig("config.json", json, "gemma-3-4b-it");
        assertEquals("gemma-3-4b-it", d.name());
        assertTrue(d.tiedEmbeddings());
        assertEquals(2048, d.architecture().tensor("blk.0.attn_q.weight").rows(), "8 heads of 256");
        assertEquals(2048, d.maxContextTokens(), "no max_position_embeddings: the default");
    }

    @Test
    void phi3ConfigsAndGgufsAreThePhi3FamilyWithTheCatalogsShapes() {
        // Phi-3-mini-4k-instruct's config.json (fused tensors are split into Llama's roles, so shapes are Llama's)
        String json = "{\"architectures\":[\"Phi3ForCausalLM\"],\"model_type\":\"phi3\",\"hidden_size\":3072,"
                + "\"intermediate_size\":8192,\"num_hidden_layers\":32,\"num_attention_heads\":32,\"num_key_value_heads\":32,"
                + "\"vocab_size\":32064,\"max_position_embeddings\":4096,\"sliding_window\":2047,\"tie_word_embeddings\":false,"
                + "\"_name_or_path\":\"microsoft/Phi-3-mini-4k-instruct\"}";
        ModelDescriptor d = ModelCatalog.fromHuggingFaceConfig("config.json", json, "dir");
        assertEquals(ArchitectureFamily.PHI3, d.family());
        assertEquals(catalog().find("Phi-3-mini-4k", Double.NaN).architecture().parameterCount(), d.architecture().parameterCount());
        // Phi-3.5-MoE is another family (phimoe), read as Llama-like experts
        String moe = json.replace("\"phi3\"", "\"phimoe\"").replace("}", ",\"num_local_experts\":16,\"num_experts_per_tok\":2}");
        assertEquals(ArchitectureFamily.LLAMA, ModelCatalog.fromHuggingFaceConfig("config.json", moe, "dir").family());
        org.edgefront.space.io.GgufFile.HeaderSummary h = new org.edgefront.space.io.GgufFile.HeaderSummary("phi3.gguf", java.util.Map.of("phi3.embedding_length", 3072.0,
                "phi3.feed_forward_length", 8192.0, "phi3.block_count", 32.0, "phi3.attention.head_count", 32.0, "phi3.context_length", 4096.0),
                java.util.Map.of("general.architecture", "phi3"), java.util.Map.of("tokenizer.ggml.tokens", 32064L),
                java.util.Map.of("output.weight", java.util.List.of(3072L, 32064L)), java.util.Map.of());
        ModelDescriptor g = ModelCatalog.fromGguf(h);
        assertEquals(ArchitectureFamily.PHI3, g.family());
        assertEquals(d.architecture().parameterCount(), g.architecture().parameterCount());
    }

    @Test
    void badConfigNamesTheKey() {
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> ModelCatalog.fromHuggingFaceConfig("c.json", "{\"hidden_size\":-3}", "x"));
        assertEquals("hidden_size", e.field());
        assertEquals("num_hidden_layers", assertThrows(InvalidInputException.class,
                () -> ModelCatalog.fromHuggingFaceConfig("c.json", "{\"hidden_size\":64}", "x")).field());
    }

    @Test
    void resolveTakesACheckpointDirectoryAGgufFileOrACatalogName() throws Exception {
        ModelCatalog c = catalog();
        Path hf = Files.createDirectories(dir.resolve("olmoe"));
        Files.writeString(hf.resolve("config.json"), "{\"model_type\":\"olmoe\",\"hidden_size\":2048,\"intermediate_size\":1024,"
                + "\"num_hidden_layers\":16,\"num_attention_heads\":16,\"num_key_value_heads\":16,\"vocab_size\":50304,"
                + "\"max_position_embeddings\":4096,\"num_experts\":64,\"num_experts_per_tok\":8,\"tie_word_embeddings\":false}");
        ModelDescriptor fromDir = c.resolve(hf.toString());
        assertEquals("olmoe", fromDir.name());
        assertEquals(c.find("OLMoE-1B-7B", Double.NaN).storedArchitecture().parameterCount(), fromDir.storedArchitecture().parameterCount());

        Path gguf = dir.resolve("moe.gguf");
        Files.write(gguf, moeGguf());
        ModelDescriptor g = c.resolve(gguf.toString());
        assertEquals("tiny-moe", g.name());
        assertEquals(new ExpertLayout(4, 2, 96, 0), g.experts());
        assertEquals(64, g.hiddenSize());
        assertEquals(100, g.vocabSize());
        assertTrue(g.tiedEmbeddings(), "no output.weight");

        assertEquals("Qwen2.5-1.5B", c.resolve("Qwen2.5-1.5B-Instruct").name());
        assertEquals("Qwen2.5-3B", c.resolve("qwen2.5:3b").name(), "an Ollama tag is a name, not a URI scheme");
        assertEquals("--model", assertThrows(InvalidInputException.class, () -> c.resolve("No-Such-Model-9B")).field());
    }

    @Test
    void aGptOssGgufHeaderGivesTheCatalogsShapes() throws Exception {
        // the metadata keys llama.cpp's converter writes for gpt-oss (arch "gpt-oss"); the tensors only name the
        // vocabulary and the untied output
        Map<String, Long> u32 = new java.util.LinkedHashMap<>();
        u32.put("gpt-oss.embedding_length", 2880L);
        u32.put("gpt-oss.block_count", 24L);
        u32.put("gpt-oss.attention.head_count", 64L);
        u32.put("gpt-oss.attention.head_count_kv", 8L);
        u32.put("gpt-oss.attention.key_length", 64L);
        u32.put("gpt-oss.attention.value_length", 64L);
        u32.put("gpt-oss.attention.sliding_window", 128L);
        u32.put("gpt-oss.context_length", 131072L);
        u32.put("gpt-oss.expert_count", 32L);
        u32.put("gpt-oss.expert_used_count", 4L);
        u32.put("gpt-oss.expert_feed_forward_length", 2880L);
        u32.put("gpt-oss.feed_forward_length", 2880L);
        Map<String, String> strings = new java.util.LinkedHashMap<>();
        strings.put("general.architecture", "gpt-oss");
        strings.put("general.name", "Gpt Oss 20b");
        Path gguf = dir.resolve("gpt-oss-20b-mxfp4.gguf");
        Files.write(gguf, HeaderOnlyGguf.of(strings, u32, List.of(new HeaderOnlyGguf.Tensor("token_embd.weight", 2880, 201088),
                new HeaderOnlyGguf.Tensor("output.weight", 2880, 201088))));
        ModelDescriptor g = catalog().resolve(gguf.toString());
        ModelDescriptor m = catalog().find("gpt-oss-20b", Double.NaN);
        assertEquals(m.experts(), g.experts());
        assertEquals(m.storedArchitecture().linearTensors(), g.storedArchitecture().linearTensors());
        assertEquals(m.architecture().linearTensors(), g.architecture().linearTensors());
    }

    /** A GGUF v3 header (no tensor data) of a 2-layer MoE: 4 experts, 2 active, expert FFN 96. */
    private static byte[] moeGguf() {
        Map<String, Long> u32 = new java.util.LinkedHashMap<>();
        u32.put("qwen2moe.embedding_length", 64L);
        u32.put("qwen2moe.block_count", 2L);
        u32.put("qwen2moe.attention.head_count", 4L);
        u32.put("qwen2moe.attention.head_count_kv", 2L);
        u32.put("qwen2moe.context_length", 256L);
        u32.put("qwen2moe.expert_count", 4L);
        u32.put("qwen2moe.expert_used_count", 2L);
        u32.put("qwen2moe.expert_feed_forward_length", 96L);
        u32.put("qwen2moe.feed_forward_length", 256L);
        Map<String, String> strings = new java.util.LinkedHashMap<>();
        strings.put("general.architecture", "qwen2moe");
        strings.put("general.name", "tiny-moe");
        return HeaderOnlyGguf.of(strings, u32, List.of(new HeaderOnlyGguf.Tensor("token_embd.weight", 64, 100)));
    }

    /** Gemma 3n and Gemma 4 GGUFs: the per-block shapes come from the tensors, and give back the catalog's model. */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.CsvSource({"Gemma-4-E2B, gemma4", "Gemma-4-E4B, gemma4", "Gemma-3n-E2B, gemma3n", "Gemma-3n-E4B, gemma3n"})
    void perLayerGgufHeadersGiveTheCatalogsShapes(String model, String arch) throws Exception {
        ModelDescriptor m = catalog().find(model, Double.NaN);
        Path gguf = dir.resolve(model + ".gguf");
        Files.write(gguf, headerOnlyGguf(arch, m));
        ModelDescriptor g = catalog().resolve(gguf.toString());
        assertEquals(m.architecture().linearTensors(), g.architecture().linearTensors());
        assertEquals(m.geometry(), g.geometry());
        assertEquals(m.tiedEmbeddings(), g.tiedEmbeddings());
        // with a window (512 here, as Gemma 3n's config states): Gemma 3n's period is llama.cpp's default of 5, Gemma 4's the
        // one its wider global blocks give (every fifth block for E2B, every sixth for E4B)
        Path windowed = dir.resolve(model + "-swa.gguf");
        Files.write(windowed, headerOnlyGguf(arch, m, Map.of(arch + ".attention.sliding_window", 512L)));
        ModelDescriptor w = catalog().resolve(windowed.toString());
        int period = m.geometry().globalLayers().isEmpty() ? 5 : m.geometry().globalLayers().get(0) + 1;
        assertEquals(new org.edgefront.space.model.SlidingWindow(512, period, 10000.0), w.slidingWindow());
        for (int l = 0; l < m.layers(); l++) {
            boolean local = w.blockStates().get(l).windowTokens() > 0;
            assertEquals(l % period != period - 1, local, "block " + l);
            if (!m.geometry().globalLayers().isEmpty()) assertEquals(!m.geometry().globalLayers().contains(l), local, "block " + l);
        }
    }

    /** A GGUF v3 header (no tensor data) holding every linear tensor of {@code m} as llama.cpp names and shapes them. */
    private static byte[] headerOnlyGguf(String arch, ModelDescriptor m) {
        return headerOnlyGguf(arch, m, Map.of());
    }

    /** As above with the u32 keys {@code extra} added. */
    private static byte[] headerOnlyGguf(String arch, ModelDescriptor m, Map<String, Long> extra) {
        Map<String, Long> u32 = new java.util.LinkedHashMap<>();
        u32.put(arch + ".embedding_length", (long) m.hiddenSize());
        u32.put(arch + ".block_count", (long) m.layers());
        u32.put(arch + ".attention.head_count", (long) m.heads());
        u32.put(arch + ".context_length", (long) m.maxContextTokens());
        u32.putAll(extra);
        List<HeaderOnlyGguf.Tensor> tensors = new java.util.ArrayList<>();
        for (org.edgefront.space.model.TensorSpec t : m.architecture().linearTensors()) {
            // llama.cpp stores AltUp's projections as [n_embd, n_embd, n_altup - 1]
            tensors.add(t.name().startsWith("altup") ? new HeaderOnlyGguf.Tensor(t.name(), t.cols(), t.cols(), t.rows() / t.cols())
                    : new HeaderOnlyGguf.Tensor(t.name(), t.cols(), t.rows()));
        }
        return HeaderOnlyGguf.of(Map.of("general.architecture", arch), u32, tensors);
    }

    @Test
    void expectedDistinctExpertsGrowsFromActiveToAll() {
        ExpertLayout e = new ExpertLayout(64, 8, 1024, 0);
        assertEquals(8.0, e.expectedDistinctExperts(1), 1e-12);
        // two tokens: 64 (1 - (56/64)^2) = 15.0
        assertEquals(15.0, e.expectedDistinctExperts(2), 1e-9);
        assertEquals(64.0, e.expectedDistinctExperts(512), 1e-6);
    }

    /** Gemma 4 E2B's public text_config gives the catalog entry's tensors, shape for shape. */
    @Test
    void gemma4ConfigGivesTheCatalogsPerLayerShapes() {
        String types = String.join(",", java.util.Collections.nCopies(7, "\"sliding_attention\",\"sliding_attention\",\"sliding_attention\",\"sliding_attention\",\"full_attention\""));
        String json = "{\"model_type\":\"gemma4\",\"text_config\":{\"model_type\":\"gemma4_text\",\"hidden_size\":1536,\"num_hidden_layers\":35,"
                + "\"intermediate_size\":6144,\"num_attention_heads\":8,\"head_dim\":256,\"global_head_dim\":512,\"vocab_size\":262144,"
                + "\"num_key_value_heads\":1,\"num_kv_shared_layers\":20,\"hidden_size_per_layer_input\":256,\"vocab_size_per_layer_input\":262144,"
                + "\"max_position_embeddings\":131072,\"attention_k_eq_v\":false,\"use_double_wide_mlp\":true,\"enable_moe_block\":false,"
                + "\"tie_word_embeddings\":true,\"sliding_window\":512,\"layer_types\":[" + types + "]}}";
        ModelDescriptor fromConfig = ModelCatalog.fromHuggingFaceConfig("config.json", json, "gemma-4-E2B-it");
        // the local layers attend within sliding_window (512 here for the test); every fifth layer, the wider one, is global
        assertEquals(new org.edgefront.space.model.SlidingWindow(512, 5, 10000.0), fromConfig.slidingWindow());
        assertEquals(7, fromConfig.blockStates().stream().filter(b -> b.windowTokens() == 0).count());
        // a config that names sliding layers without their window is refused by name
        assertEquals("sliding_window", assertThrows(InvalidInputException.class, () -> ModelCatalog.fromHuggingFaceConfig("config.json",
                json.replace("\"sliding_window\":512,", ""), "x")).field());
        ModelDescriptor catalog = ModelCatalog.load("../configs/models").find("Gemma-4-E2B", Double.NaN);
        assertTrue(fromConfig.perLayer());
        assertEquals(catalog.architecture().linearTensors(), fromConfig.architecture().linearTensors());
        assertEquals(catalog.geometry().kvSharedLayers(), fromConfig.geometry().kvSharedLayers());
        // what the simulator cannot model is refused by name
        InvalidInputException kEqV = assertThrows(InvalidInputException.class, () -> ModelCatalog.fromHuggingFaceConfig("config.json",
                json.replace("\"attention_k_eq_v\":false", "\"attention_k_eq_v\":true"), "x"));
        assertEquals("attention_k_eq_v", kEqV.field());
    }

    /** Gemma 3n writes intermediate_size as a list, one width per block. */
    @Test
    void gemma3nConfigReadsAListOfWidths() {
        String json = "{\"model_type\":\"gemma3n\",\"text_config\":{\"model_type\":\"gemma3n_text\",\"hidden_size\":2048,\"num_hidden_layers\":30,"
                + "\"intermediate_size\":[" + String.join(",", java.util.Collections.nCopies(30, "8192")) + "],\"num_attention_heads\":8,"
                + "\"head_dim\":256,\"vocab_size\":262400,\"num_key_value_heads\":2,\"num_kv_shared_layers\":10,\"hidden_size_per_layer_input\":256,"
                + "\"vocab_size_per_layer_input\":262144,\"laurel_rank\":64,\"altup_num_inputs\":4,\"max_position_embeddings\":32768}}";
        ModelDescriptor d = ModelCatalog.fromHuggingFaceConfig("config.json", json, "gemma-3n-E2B-it");
        ModelDescriptor catalog = ModelCatalog.load("../configs/models").find("Gemma 3n E2B", Double.NaN);
        assertEquals(catalog.architecture().linearTensors(), d.architecture().linearTensors());
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> ModelCatalog.fromHuggingFaceConfig("config.json",
                json.replace("[8192,8192,", "[8192,0,"), "x"));
        assertEquals("intermediate_size[1]", e.field());
    }

    @org.junit.jupiter.api.Test
    void aSizeInTheNameIsReadButNotOneGluedToALetter() {
        assertEquals(0.95, ModelCatalog.sizeInName("MobileLLM-R1-950M"), 1e-12);
        assertEquals(1.1, ModelCatalog.sizeInName("OpenELM-1_1B"), 1e-12);
        assertEquals(1.8, ModelCatalog.sizeInName("Qwen1.5-1.8B-Chat"), 1e-12);
        assertEquals(1.8, ModelCatalog.sizeInName("internlm2_5-1_8b-chat"), 1e-12);
        assertEquals(30, ModelCatalog.sizeInName("Qwen3-30B-A3B"), 1e-12);
        assertTrue(Double.isNaN(ModelCatalog.sizeInName("granite-4.0-micro")));
        assertTrue(Double.isNaN(ModelCatalog.sizeInName("gemma-3n-E2B-it")), "E2B is Gemma 3n's effective size, not its parameter count");
        assertTrue(Double.isNaN(ModelCatalog.sizeInName("Mixtral-8x7B")), "8x7B is eight experts");
    }
}
