package org.edgefront.nativert;

import org.edgefront.nativert.device.*;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Model names from published on-device benchmark rows that the catalog covers (each entry's numbers from the model's
 * public config.json), and the names that already resolved, which must still resolve to the same entry.
 */
class ModelCatalogPublishedModelsTest {
    private static final ModelCatalog CATALOG = ModelCatalog.load("../configs/models");

    private static ModelDescriptor find(String name) {
        ModelDescriptor d = CATALOG.find(name, Double.NaN);
        assertNotNull(d, name + " resolves to no catalog entry");
        return d;
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        // row name,                      entry,              layers, hidden, kv heads, head dim, tied
        "Qwen3-14B,                       Qwen3-14B,          40, 5120,  8, 128, false",
        "Qwen3-32B,                       Qwen3-32B,          64, 5120,  8, 128, false",
        "Qwen2.5-14B,                     DeepSeek-R1-Distill-Qwen-14B, 48, 5120, 8, 128, false",
        "Qwen2.5-14B-Instruct,            DeepSeek-R1-Distill-Qwen-14B, 48, 5120, 8, 128, false",
        "Qwen2.5-32B-Instruct,            Qwen2.5-32B,        64, 5120,  8, 128, false",
        "Gemma-3-270M,                    Gemma-3-270M,       18,  640,  1, 256, true",
        "gemma-3-270m-it,                 Gemma-3-270M,       18,  640,  1, 256, true",
        "Gemma-3-12B-it,                  Gemma-3-12B,        48, 3840,  8, 256, true",
        "Gemma-3-27B-it,                  Gemma-3-27B,        62, 5376, 16, 128, true",
        "Gemma-2-27B,                     Gemma-2-27B,        46, 4608, 16, 128, true",
        "Gemma-2B,                        Gemma-2B,           18, 2048,  1, 256, true",
        "gemma-2b-it,                     Gemma-2B,           18, 2048,  1, 256, true",
        "Gemma-7B,                        Gemma-7B,           28, 3072, 16, 256, true",
        "Mistral-Nemo-Instruct-2407,      Mistral-Nemo-12B,   40, 5120,  8, 128, false",
        "Ministral-8B-Instruct-2410,      Ministral-8B,       36, 4096,  8, 128, false",
        "Mistral-7B-Instruct-v0.2,        Mistral-7B-v0.1,    32, 4096,  8, 128, false",
        "Mistral-7B-v0.1,                 Mistral-7B-v0.1,    32, 4096,  8, 128, false",
        "Phi-4,                           Phi-4,              40, 5120, 10, 128, false",
        "Phi-3-medium-4k-instruct,        Phi-3-medium-4k,    40, 5120, 10, 128, false",
        "SmolLM3-3B,                      SmolLM3-3B,         36, 2048,  4, 128, true",
        "SmolLM-135M,                     SmolLM-135M,        30,  576,  3,  64, true",
        "SmolLM-360M-Instruct,            SmolLM-360M,        32,  960,  5,  64, true",
        "SmolLM-1.7B,                     SmolLM-1.7B,        24, 2048, 32,  64, true",
        "Llama-3.1-70B,                   Llama-3.1-70B,      80, 8192,  8, 128, false",
        "Llama-3.3-70B,                   Llama-3.1-70B,      80, 8192,  8, 128, false",
        "meta-llama/Llama-3.3-70B-Instruct, Llama-3.1-70B,    80, 8192,  8, 128, false",
        "MobileLLM-125M,                  MobileLLM-125M,     30,  576,  3,  64, true",
        "Qwen1.5-0.5B,                    Qwen1.5-0.5B,       24, 1024, 16,  64, true",
        "DeepSeek-R1-Distill-Llama-8B,    Llama-3.1-8B,       32, 4096,  8, 128, false",
        "DeepSeek-R1-Distill-Qwen-7B,     Qwen2.5-7B,         28, 3584,  4, 128, false",
        "Qwen2.5-Coder-0.5B,              Qwen2.5-0.5B,       24,  896,  2,  64, true",
        "Qwen2.5-Coder-1.5B-Instruct,     Qwen2.5-1.5B,       28, 1536,  2, 128, true",
        "Qwen2.5-Coder-3B-Instruct,       Qwen2.5-3B,         36, 2048,  2, 128, true",
        "Qwen2.5-Coder-7B-Instruct,       Qwen2.5-Coder-7B,   28, 3584,  4, 128, false",
        "Qwen2.5-Math-1.5B,               Qwen2.5-Math-1.5B,  28, 1536,  2, 128, true",
        "Qwen2.5-Math-7B-Instruct,        Qwen2.5-Math-7B,    28, 3584,  4, 128, false",
    })
    void publishedBenchmarkModelNamesResolveToAnEntryWithThatModelsShapes(String row, String entry, int layers, int hidden, int kv,
                                                                          int headDim, boolean tied) {
        ModelDescriptor d = find(row);
        assertEquals(entry, d.name(), row);
        assertEquals(layers, d.layers(), row + " layers");
        assertEquals(hidden, d.hiddenSize(), row + " hidden size");
        assertEquals(kv, d.kvHeads(), row + " KV heads");
        assertEquals(headDim, d.headDim(), row + " head dim");
        assertEquals(tied, d.tiedEmbeddings(), row + " tied embeddings");
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "Gemma-2-2B,                Gemma-2-2B",
        "gemma-2-2b-it,             Gemma-2-2B",
        "Gemma-2-9B,                Gemma-2-9B",
        "Phi-3.5-mini,              Phi-3.5-mini-instruct",
        "Phi-3-mini,                Phi-3-mini-4k",
        "Phi-4-mini-instruct,       Phi-4-mini",
        "Qwen2.5-1.5B-Instruct,     Qwen2.5-1.5B",
        "Qwen2.5-7B-Instruct,       Qwen2.5-7B",
        "qwen2.5:3b,                Qwen2.5-3B",
        "Qwen2-7B-Instruct,         Qwen2-7B",
        "Qwen3-1.7B,                Qwen3-1.7B",
        "Qwen3-8B,                  Qwen3-8B",
        "Mistral-7B-Instruct-v0.3,  Mistral-7B-v0.3",
        "Llama-3.1-8B-Instruct,     Llama-3.1-8B",
        "llama3.1:8b,               Llama-3.1-8B",
        "Llama-3-8B,                Llama-3-8B",
        "SmolLM2,                   SmolLM2-1.7B",
        "SmolLM2-135M,              SmolLM2-135M",
        "SmolLM2-360M-Instruct,     SmolLM2-360M",
        "SmolLM2-1.7B-Instruct,     SmolLM2-1.7B",
        "gemma-3-1b-it,             Gemma-3-1B",
        "Gemma-3-4B,                Gemma-3-4B",
        "deepseek-r1:14b,           DeepSeek-R1-Distill-Qwen-14B",
        "DeepSeek-R1-Distill-Qwen-1.5B, DeepSeek-R1-Distill-Qwen-1.5B",
        "Mixtral-8x7B-Instruct-v0.1, Mixtral-8x7B",
    })
    void namesThatResolvedBeforeStillResolveToTheSameEntry(String row, String entry) {
        assertEquals(entry, find(row).name(), row);
    }

    @Test
    void similarNamesOfDifferentModelsDoNotSwallowEachOther() {
        assertEquals("Gemma-2B", find("gemma-2b-it-GGUF").name(), "Gemma 1 2B is not Gemma-2-2B");
        assertEquals("Gemma-2-2B", find("gemma-2-2b-it-Q4_K_M").name());
        assertEquals("SmolLM-135M", find("SmolLM-135M-Instruct-GGUF").name(), "SmolLM v1 is not SmolLM2");
        assertEquals("SmolLM2-135M", find("SmolLM2-135M-Instruct").name());
        assertEquals("Llama-3.1-8B", find("Llama-3.1-8B-Instruct-GGUF").name(), "the 8B is not the 70B");
        assertEquals("Llama-3.1-70B", find("Llama-3.1-70B-Instruct-GGUF").name());
        assertEquals("Phi-4-mini", find("Phi-4-mini").name(), "Phi-4-mini is not Phi-4");
        assertEquals("Qwen2.5-1.5B", find("Qwen2.5-Coder-1.5B-Instruct-GGUF").name());
        assertEquals("Qwen2.5-Coder-7B", find("Qwen2.5-Coder-7B-Instruct-GGUF").name(), "the Coder 7B has its own 32K context");
        assertEquals("Mistral-7B-v0.3", find("Mistral-7B-Instruct-v0.3-GGUF").name(), "v0.3 (vocab 32768) stays apart from v0.1/v0.2");
        assertNull(CATALOG.find("Gemma", Double.NaN), "a family name without a size matches nothing");
        assertNull(CATALOG.find("SmolLM", Double.NaN));
    }

    @Test
    void contextAndVocabularyThatSeparateLookAlikeEntriesFollowTheirConfigs() {
        assertEquals(32000, find("Mistral-7B-Instruct-v0.2").vocabSize());
        assertEquals(32768, find("Mistral-7B-Instruct-v0.3").vocabSize());
        assertEquals(2048, find("SmolLM-135M").maxContextTokens());
        assertEquals(8192, find("SmolLM2-135M").maxContextTokens());
        assertEquals(32768, find("Qwen2.5-Coder-7B").maxContextTokens());
        assertEquals(131072, find("Qwen2.5-7B").maxContextTokens());
        assertEquals(4096, find("Qwen2.5-Math-7B").maxContextTokens());
        assertEquals(4096, find("Qwen2.5-Math-1.5B").maxContextTokens());
        assertEquals(152064, find("DeepSeek-R1-Distill-Qwen-7B").vocabSize());
        assertEquals(262208, find("Gemma-3-12B").vocabSize(), "multimodal text_config vocabulary");
        assertEquals(262144, find("Gemma-3-270M").vocabSize(), "text-only model");
        assertEquals(1024000, find("Mistral-Nemo").maxContextTokens());
    }

    @Test
    void newEntriesHaveTheirPublishedParameterCounts() {
        assertParams("Llama-3.1-70B", 70.6e9, 0.3e9);
        assertParams("Qwen3-14B", 14.8e9, 0.1e9);
        assertParams("Qwen3-32B", 32.8e9, 0.2e9);
        assertParams("Qwen2.5-32B", 32.8e9, 0.3e9);
        assertParams("Gemma-3-270M", 0.268e9, 0.005e9);
        assertParams("Mistral-Nemo-12B", 12.25e9, 0.1e9);
        assertParams("Ministral-8B", 8.02e9, 0.05e9);
        assertParams("Phi-4", 14.66e9, 0.1e9);
        assertParams("SmolLM3-3B", 3.08e9, 0.02e9);
        assertParams("MobileLLM-125M", 0.1246e9, 0.001e9);
        assertParams("Qwen1.5-0.5B", 0.464e9, 0.01e9);
        assertParams("Qwen-1.8B", 1.84e9, 0.01e9);
        // Gemma 3n / Gemma 4: stored weights include the per-layer input table, 262144 x (layers x 256)
        assertParams("Gemma-4-E2B", 2.3e9 + 262144L * 35 * 256, 0.05e9);
    }

    private static void assertParams(String name, double expected, double tolerance) {
        long n = find(name).storedArchitecture().parameterCount();
        assertEquals(expected, n, tolerance, name + ": " + n);
        assertTrue(n > 0);
    }
}
