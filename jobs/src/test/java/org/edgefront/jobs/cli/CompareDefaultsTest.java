package org.edgefront.jobs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import org.edgefront.jobs.CliRun;
import org.edgefront.jobs.TestPaths;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * {@code compare} with no tuning flags uses the best the tool has: on real text it calibrates GPTQ and searches the
 * GPTQ options with measured refinement, and it says where the gain comes from (GPTQ alone at the same bytes vs the
 * per-tensor mix); without calibration text it searches the plain options.
 */
@Tag("slow")
class CompareDefaultsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode compare(String... extra) throws Exception {
        Path models = TestPaths.shared().resolve("models");
        String[] base = {"compare", "--model", models.resolve("stories260K.bin").toString(), "--tokenizer", models.resolve("tok512.bin").toString(),
                "--text", models.resolve("tinystories_val.txt").toString(), "--paragraphs", "4", "--max-tokens", "64",
                "--bits-per-weight", "4.0", "--refine", "8", "--json"};
        String[] args = java.util.stream.Stream.concat(java.util.Arrays.stream(base), java.util.Arrays.stream(extra)).toArray(String[]::new);
        CliRun r = CliRun.of(args);
        assertEquals(0, r.code(), r.err());
        return JSON.readTree(r.out());
    }

    @Test
    void onRealTextTheDefaultsSearchGptqAndSplitTheGainIntoGptqAndMixing() throws Exception {
        JsonNode n = compare();
        String options = n.get("searched").get("options").asText();
        assertTrue(options.contains("int3g64a+gptq") && options.contains("Q4_0+gptq"), options);
        // a GPTQ level between 4.5 and 8.5 bits: without one a second real model lost to llama.cpp's Q5_0 and Q5_K_M at their bytes
        assertTrue(options.contains("int6g32+gptq") && options.contains("Q5_0+gptq") && options.contains("int5g32+gptq"), options);
        JsonNode gain = n.get("gain");
        double uniform = n.get("uniform").get("kl").asDouble();
        double gptq = gain.get("uniform_gptq_kl").asDouble();
        double searched = n.get("searched").get("kl").asDouble();
        // GPTQ of the uniform winner's own layout is one of the candidates at its bytes, and it beats round-to-nearest
        assertTrue(gain.get("uniform_gptq_weight_bytes").asLong() <= n.get("uniform").get("weight_bytes").asLong(), gain.toString());
        assertTrue(gptq < uniform, "GPTQ alone lowers KL at the same bytes: " + gptq + " vs " + uniform);
        // every GPTQ option applied uniformly is a measured anchor of the search, so mixing can only add to it
        assertTrue(searched <= gptq, "searched " + searched + " vs uniform GPTQ " + gptq);
        assertEquals(searched / uniform, gain.get("gptq_kl_ratio").asDouble() * gain.get("mixing_kl_ratio").asDouble(), 1e-12);
        // the equal-bytes verdict is exactly "the search at each mix's bytes is below that mix"
        boolean below = true;
        for (JsonNode m : n.get("searched_at_mix_bytes")) {
            assertTrue(m.get("searched_weight_bytes").asLong() <= m.get("mix_weight_bytes").asLong(), m.toString());
            if (!(m.get("searched_kl").asDouble() < m.get("mix_kl").asDouble())) below = false;
        }
        assertEquals(below, n.get("searched_below_every_mix_at_its_bytes").asBoolean(), n.get("searched_at_mix_bytes").toString());
    }

    @Test
    void withoutCalibrationTheDefaultsAreThePlainOptions() throws Exception {
        JsonNode n = compare("--calibration-paragraphs", "0");
        String options = n.get("searched").get("options").asText();
        assertFalse(options.contains("+gptq"), options);
        assertTrue(options.startsWith("F16,Q8_0,Q5_0,Q4_0,int4g32,int3g32,int2g32"), options);
        assertFalse(n.get("gain").has("uniform_gptq_kl"), n.get("gain").toString());
    }
}
