package org.edgefront.jobs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.edgefront.jobs.CliRun;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** {@code simulate --model} with catalog names (no descriptor path, no weights), including a mixture of experts. */
@Tag("native")
class SimulateModelsCliTest {
    private static final String PI5 = "../configs/devices/raspberry-pi-5.yaml";

    @Test
    void aCatalogNameOfAMixtureOfExpertsSimulatesWithEveryExpertResident() throws Exception {
        CliRun r = CliRun.of("simulate", "--model", "OLMoE-1B-7B (MoE)", "--device", PI5, "--format", "Q4_0", "--json");
        assertEquals(0, r.code(), r.err());
        JsonNode n = new ObjectMapper().readTree(r.out());
        assertEquals("OLMoE-1B-7B", n.get("model").asText());
        assertEquals(64, n.get("experts").get("count").asInt());
        assertEquals(8, n.get("experts").get("active").asInt());
        // 6.9 B parameters at 4.5 bits are ~3.9 GB resident, while a decode step reads ~0.7 GB
        assertTrue(n.get("memory").get("weight_bytes").asLong() > 3.5e9, r.out());
        assertTrue(n.get("decode_tok_s").asDouble() > 0);
    }

    @Test
    void aLatentAttentionModelReportsItsLatentCache() throws Exception {
        // DeepSeek-V2-Lite at 4096 positions: 27 blocks x (512 latent + 64 rotary key) x 2 bytes per position
        CliRun r = CliRun.of("simulate", "--model", "DeepSeek-V2-Lite-Chat", "--device", PI5, "--format", "Q4_K_M", "--prompt", "128",
                "--context", "4096", "--json");
        assertEquals(0, r.code(), r.err());
        JsonNode n = new ObjectMapper().readTree(r.out());
        assertEquals("DeepSeek-V2-Lite", n.get("model").asText());
        assertEquals(576, n.get("latent_attention").get("cache_elements_per_position_per_layer").asInt());
        assertEquals(1, n.get("experts").get("leading_dense_layers").asInt());
        assertEquals(27L * 576 * 4096 * 2, n.get("memory").get("kv_cache_bytes").asLong(), r.out());
    }

    @Test
    void aSlidingWindowModelCachesTheWindowOnItsLocalLayers() throws Exception {
        // Gemma-3-1B at 8192 positions: 26 blocks of one K/V head of 256, 4 global (every sixth), 22 local within 512
        CliRun r = CliRun.of("simulate", "--model", "Gemma-3-1B", "--device", PI5, "--format", "Q4_0", "--prompt", "4096", "--context", "8192",
                "--json");
        assertEquals(0, r.code(), r.err());
        JsonNode n = new ObjectMapper().readTree(r.out());
        assertEquals(512, n.get("sliding_window").get("tokens").asInt());
        long perPosition = 2L * 256 * 2;
        long kv = n.get("memory").get("kv_cache_bytes").asLong();
        assertTrue(kv > 4L * 8192 * perPosition + 22L * 512 * perPosition && kv < 4L * 8192 * perPosition + 22L * 8192 * perPosition / 4, r.out());
    }

    @Test
    void theEngineNamesTheCalibrationAndAnEngineWithoutCpuKernelsIsBadInput() throws Exception {
        CliRun llama = CliRun.of("simulate", "--model", "Llama-3.2-1B", "--device", PI5, "--format", "Q4_0", "--json");
        assertEquals(0, llama.code(), llama.err());
        JsonNode n = new ObjectMapper().readTree(llama.out());
        assertEquals("llama.cpp", n.get("engine").asText());
        assertEquals("llama.cpp-cpu", n.get("calibration").asText(), "the fitted llama.cpp Arm CPU group, not the defaults");
        CliRun other = CliRun.of("simulate", "--model", "Llama-3.2-1B", "--device", PI5, "--format", "Q4_0", "--json",
                "--engine", "SomeNewEngine");
        assertEquals(0, other.code(), other.err());
        JsonNode o = new ObjectMapper().readTree(other.out());
        assertEquals("default-cpu", o.get("calibration").asText());
        assertTrue(o.get("decode_tok_s").asDouble() != n.get("decode_tok_s").asDouble(), "the engine changes the prediction");
        CliRun mlc = CliRun.of("simulate", "--model", "Llama-3.2-1B", "--device", PI5, "--engine", "MLC LLM");
        assertEquals(2, mlc.code(), mlc.err());
        assertTrue(mlc.err().contains("--engine") && mlc.err().contains("'MLC LLM'"), mlc.err());
    }

    @Test
    void aHybridModelReportsItsRecurrentStateBesideTheAttentionBlocksCache() throws Exception {
        CliRun r = CliRun.of("simulate", "--model", "Qwen3.5-0.8B", "--device", PI5, "--format", "Q4_0", "--json");
        assertEquals(0, r.code(), r.err());
        JsonNode n = new ObjectMapper().readTree(r.out());
        // 18 gated delta nets: 16 heads of 128 x 128 fp32 and a 3 x 6144 convolution window each
        assertEquals(18L * 4 * (16 * 128 * 128 + 3 * 6144), n.get("memory").get("state_bytes").asLong());
        boolean updatesState = false;
        for (JsonNode op : n.get("ops")) updatesState |= op.get("name").asText().equals("blk.0.ssm_state");
        assertTrue(updatesState, r.out());
    }

    @Test
    void aMalformedHybridConfigIsBadInputNamingFileAndField(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        java.nio.file.Path cfg = dir.resolve("config.json");
        java.nio.file.Files.writeString(cfg, "{\"model_type\":\"qwen3_5_text\",\"hidden_size\":1024,\"intermediate_size\":3584,"
                + "\"num_hidden_layers\":4,\"num_attention_heads\":8,\"num_key_value_heads\":2,\"head_dim\":256,\"vocab_size\":1000,"
                + "\"linear_num_key_heads\":16,\"linear_num_value_heads\":24,\"linear_key_head_dim\":128,\"linear_value_head_dim\":128,"
                + "\"linear_conv_kernel_dim\":4}");
        CliRun bad = CliRun.of("simulate", "--model", cfg.toString(), "--device", PI5);
        assertEquals(2, bad.code(), bad.err());
        assertTrue(bad.err().contains("config.json") && bad.err().contains("linear_num_value_heads"), bad.err());
    }

    @Test
    void anOllamaTagIsACatalogNameAndAnUnknownNameIsBadInput() {
        CliRun ok = CliRun.of("simulate", "--model", "qwen2.5:1.5b", "--device", PI5);
        assertEquals(0, ok.code(), ok.err());
        assertTrue(ok.out().startsWith("Qwen2.5-1.5B (Q4_0)"), ok.out());
        CliRun bad = CliRun.of("simulate", "--model", "No-Such-Model-9B", "--device", PI5);
        assertEquals(2, bad.code());
        assertTrue(bad.err().contains("--model"), bad.err());
    }

    @Test
    void thePeakIsPlacedAgainstTheAppsShareAndTheDevicesDramAndAModelThatCannotBeResidentIsSaidSo() throws Exception {
        String s23 = "../configs/devices/samsung-galaxy-s23.yaml";   // 8 GiB of DRAM, one app's share 10%
        JsonNode small = fit(CliRun.of("simulate", "--model", "Qwen2.5-0.5B-Instruct", "--device", s23, "--format", "Q4_0", "--json"));
        assertEquals(8L << 30, small.get("device_dram_bytes").asLong());
        assertEquals((long) Math.floor((8L << 30) * 0.10), small.get("app_budget_bytes").asLong());
        assertTrue(small.get("fits_app_budget").asBoolean() && small.get("fits_dram").asBoolean(), small.toString());

        JsonNode mid = fit(CliRun.of("simulate", "--model", "Llama-3.2-3B", "--device", s23, "--format", "Q4_0", "--json"));
        assertTrue(!mid.get("fits_app_budget").asBoolean() && mid.get("fits_dram").asBoolean(), mid.toString());

        CliRun big = CliRun.of("simulate", "--model", "Mixtral-8x7B", "--device", s23, "--format", "Q4_K_M", "--json");
        JsonNode bigFit = fit(big);
        assertTrue(!bigFit.get("fits_app_budget").asBoolean() && !bigFit.get("fits_dram").asBoolean(), bigFit.toString());
        assertTrue(big.err().contains("exceeds Samsung Galaxy S23's 8 GiB of DRAM"), big.err());
        CliRun bigText = CliRun.of("simulate", "--model", "Mixtral-8x7B", "--device", s23, "--format", "Q4_K_M");
        assertTrue(bigText.out().contains("does not fit: the device has 8 GiB of DRAM"), bigText.out());
        CliRun smallText = CliRun.of("simulate", "--model", "Qwen2.5-0.5B-Instruct", "--device", s23, "--format", "Q4_0");
        assertTrue(smallText.out().contains("within one app's share, 10% of DRAM") && !smallText.err().contains("exceeds"), smallText.out());
    }

    /** The memory section of a successful {@code simulate --json}, which holds the peak's fit. */
    private static JsonNode fit(CliRun r) throws Exception {
        assertEquals(0, r.code(), r.err());
        JsonNode mem = new ObjectMapper().readTree(r.out()).get("memory");
        long peak = new ObjectMapper().readTree(r.out()).get("memory_bytes").asLong();
        assertEquals(peak <= mem.get("app_budget_bytes").asLong(), mem.get("fits_app_budget").asBoolean(), mem.toString());
        return mem;
    }

    @Test
    void aMainsPoweredDeviceHasNoBatteryShareInsteadOfInfinity() throws Exception {
        CliRun json = CliRun.of("simulate", "--model", "Llama-3.2-1B", "--device", PI5, "--format", "Q4_0", "--json");
        assertEquals(0, json.code(), json.err());
        assertTrue(new ObjectMapper().readTree(json.out()).get("battery_percent_per_1000_tokens").isNull(), json.out());
        CliRun text = CliRun.of("simulate", "--model", "Llama-3.2-1B", "--device", PI5, "--format", "Q4_0");
        assertTrue(text.out().contains("mains powered") && !text.out().contains("Infinity"), text.out());
        CliRun phone = CliRun.of("simulate", "--model", "Llama-3.2-1B", "--device", "../configs/devices/samsung-galaxy-s23.yaml",
                "--format", "Q4_0", "--json");
        assertTrue(new ObjectMapper().readTree(phone.out()).get("battery_percent_per_1000_tokens").asDouble() > 0, phone.out());
    }

    @Test
    void aDeviceIsNamedByItsProfileNameOrByTheChipOfAnotherDevice() throws Exception {
        CliRun byPath = CliRun.of("simulate", "--model", "Llama-3.2-1B", "--device", "../configs/devices/samsung-galaxy-s23.yaml", "--json");
        CliRun byName = CliRun.of("simulate", "--model", "Llama-3.2-1B", "--device", "Samsung Galaxy S23", "--json");
        CliRun byChip = CliRun.of("simulate", "--model", "Llama-3.2-1B", "--device", "Xiaomi 13 (Snapdragon 8 Gen 2)", "--json");
        assertEquals(0, byName.code(), byName.err());
        assertEquals(0, byChip.code(), byChip.err());
        ObjectMapper om = new ObjectMapper();
        double expected = om.readTree(byPath.out()).get("decode_tok_s").asDouble();
        assertEquals(expected, om.readTree(byName.out()).get("decode_tok_s").asDouble());
        assertEquals(expected, om.readTree(byChip.out()).get("decode_tok_s").asDouble());
        assertTrue(byName.err().isBlank(), byName.err());
        assertTrue(byChip.err().contains("the same chip") && byChip.err().contains("Samsung Galaxy S23"), byChip.err());
        CliRun unknown = CliRun.of("simulate", "--model", "Llama-3.2-1B", "--device", "Nokia 3310");
        assertEquals(2, unknown.code());
        assertTrue(unknown.err().contains("--device") && unknown.err().contains("closest"), unknown.err());
    }
}
