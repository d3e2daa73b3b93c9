package org.edgefront.jobs.llamacpp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.edgefront.jobs.TestPaths;
import org.edgefront.space.io.GgufFile;
import org.edgefront.space.synthetic.SyntheticLlama;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Evaluating a file llama.cpp quantized equals simulating it, for llama.cpp's super-block and i-quant file types as
 * users download them: stories260K, converted to an F32 GGUF, is quantized by the real {@code llama-quantize} to each
 * whole-model type with llama.cpp's own per-tensor mix (no {@code --pure}: Q4_K_M's Q6_K tensors, the output
 * tensor's type, and the per-shape fallbacks of stories260K's 64- and 172-weight rows, where every super-block type
 * falls back: Q2_K/Q3_K to Q4_0, Q4_K to Q5_0, Q5_K to Q5_1, Q6_K to Q8_0, IQ4_XS to IQ4_NL, and to F16 on rows
 * of 172). {@code eval} of that file must give the NLL that {@code eval --config} gives on the F32 GGUF (the original
 * weights, with the converter's separate output tensor) with each tensor's stored type as its choice. The same on a
 * synthetic model with 256-wide rows, where the K-quants and IQ4_XS are stored as themselves.
 */
@Tag("llamacpp")
@Tag("slow")
class SuperBlockEvalTest {

    @TempDir
    static Path dir;
    static Path bin;
    static Map<String, Path> f32 = new TreeMap<>();

    @BeforeAll
    static void convert() throws Exception {
        bin = LlamaCppTools.bin();
        Path models = TestPaths.shared().resolve("models");
        // beside stories260K, a model whose rows are 256 wide, so that the super-block types are stored as such
        Path synthetic = dir.resolve("synthetic256.bin");
        try (SyntheticLlama m = SyntheticLlama.create(new SyntheticLlama.Shape(256, 512, 2, 4, 4, 512, 128, false), 17)) {
            SyntheticLlama.writeLlama2c(m, synthetic.toString());
        }
        for (Map.Entry<String, Path> e : Map.of("stories260K", models.resolve("stories260K.bin"), "synthetic256", synthetic).entrySet()) {
            f32.put(e.getKey(), LlamaCppTools.f32GgufFromLlama2c(e.getValue(), dir.resolve(e.getKey() + "-f32.gguf")));
        }
    }

    private static JsonNode eval(String... args) throws Exception {
        return LlamaCppTools.eval128(args);
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({"Q2_K, stories260K", "Q3_K_S, stories260K", "Q4_K_S, stories260K", "Q5_K_S, stories260K", "Q6_K, stories260K",
        "IQ4_NL, stories260K", "IQ4_XS, stories260K", "Q4_K_M, stories260K",
        "Q2_K, synthetic256", "Q3_K_S, synthetic256", "Q4_K_S, synthetic256", "Q5_K_S, synthetic256", "Q6_K, synthetic256",
        "IQ4_NL, synthetic256", "IQ4_XS, synthetic256", "Q4_K_M, synthetic256"})
    void evalOfTheQuantizedFileEqualsEvalConfigOfItsStoredTypes(String fileType, String model) throws Exception {
        Path source = f32.get(model);
        Path q = dir.resolve(model + "-" + fileType + ".gguf");
        LlamaCppTools.runOk(dir.resolve(model + "-quantize-" + fileType + ".log"), 300, List.of(bin.resolve("llama-quantize").toString(),
                source.toString(), q.toString(), fileType, "1"));
        Map<String, String> stored = GgufFile.tensorTypes(q.toString(), new org.apache.hadoop.conf.Configuration());
        StringBuilder yaml = new StringBuilder("schemaVersion: 1\ndefault: F32\ntensors:\n");
        Map<String, Integer> counts = new TreeMap<>();
        for (Map.Entry<String, String> e : stored.entrySet()) {
            if (e.getKey().endsWith("_norm.weight")) continue;
            yaml.append("  ").append(e.getKey()).append(": ").append(e.getValue()).append('\n');
            counts.merge(e.getValue(), 1, Integer::sum);
        }
        assertTrue(counts.size() > 1 || !counts.containsKey("F32"), fileType + " quantized something: " + counts);
        Path config = Files.writeString(dir.resolve(model + "-" + fileType + ".yaml"), yaml.toString());
        JsonNode file = eval("--model", q.toString());
        JsonNode simulated = eval("--model", source.toString(), "--config", config.toString());
        JsonNode original = eval("--model", source.toString());
        System.out.printf("%s %s stored %s: eval %.9f, eval --config %.9f, F32 %.9f%n", model, fileType, counts, file.get("nll").asDouble(),
                simulated.get("nll").asDouble(), original.get("nll").asDouble());
        assertEquals(file.get("tokens").asLong(), simulated.get("tokens").asLong());
        // the same floats in the same forward pass: equal to the last bit of the double NLL
        assertEquals(simulated.get("nll").asDouble(), file.get("nll").asDouble(), 0.0, fileType + " (stored " + stored + ")");
        // a lossy copy: it moves the NLL (up for the trained model; either way for the synthetic one on real text)
        assertTrue(file.get("nll").asDouble() != original.get("nll").asDouble(), fileType + " changed the weights");
        if (model.equals("stories260K")) assertTrue(file.get("nll").asDouble() > original.get("nll").asDouble(), fileType + " costs the trained model");
    }
}
