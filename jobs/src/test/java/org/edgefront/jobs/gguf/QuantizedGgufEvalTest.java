package org.edgefront.jobs.gguf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.edgefront.jobs.CliRun;
import org.edgefront.jobs.TestPaths;
import org.edgefront.jobs.llamacpp.LlamaCppTools;
import org.edgefront.space.io.GgufFile;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Evaluating a file llama.cpp quantized equals simulating it: stories260K is converted to GGUF and quantized by the
 * real {@code llama-quantize} (one type for every tensor, {@code --pure}); {@code eval} of that GGUF (with the
 * tokenizer it carries) must give the NLL that {@code eval --config} gives on the original llama2.c weights with each
 * tensor's stored type (llama.cpp's fallbacks included) as its choice. That holds only if both the GGUF decoders and
 * EdgeFront's quantizers are bit-exact with ggml.
 */
@Tag("llamacpp")
class QuantizedGgufEvalTest {

    @TempDir
    Path dir;

    private static Path bin() {
        String env = System.getenv("EDGEFRONT_LLAMA_CPP_BIN");
        Path b;
        if (env != null && !env.isBlank()) {
            b = Path.of(env);
        } else {
            String cache = System.getenv("EDGEFRONT_CACHE");
            Path root = cache != null && !cache.isBlank() ? Path.of(cache) : Path.of(System.getProperty("user.home"), ".cache", "edgefront");
            b = root.resolve("llama.cpp-3.22.1").resolve("bin");
        }
        for (String t : List.of("llama-quantize", "llama-convert-llama2c-to-ggml")) {
            if (!Files.isExecutable(b.resolve(t))) {
                String msg = t + " not found in " + b + " (run tools/llama-cpp/build.sh or set EDGEFRONT_LLAMA_CPP_BIN)";
                if ("true".equalsIgnoreCase(System.getenv("CI"))) fail(msg);
                Assumptions.abort(msg);
            }
        }
        return b;
    }

    private void run(String name, List<String> cmd) throws Exception {
        Path log = dir.resolve(name + ".log");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!p.waitFor(300, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail(cmd.get(0) + " timed out");
        }
        if (p.exitValue() != 0) fail(String.join(" ", cmd) + " exited " + p.exitValue() + ":\n" + Files.readString(log, StandardCharsets.UTF_8));
    }

    private static JsonNode eval(String... args) throws Exception {
        return LlamaCppTools.eval128(args);
    }

    @Test
    void evalOfALlamaQuantizeOutputEqualsEvalConfigOfItsStoredTypesOnTheOriginalWeights() throws Exception {
        Path b = bin();
        Path models = TestPaths.shared().resolve("models");
        Path f32 = dir.resolve("stories260K-f32.gguf");
        run("convert", List.of(b.resolve("llama-convert-llama2c-to-ggml").toString(), "--copy-vocab-from-model", models.resolve("tok512.bin").toString(),
                "--llama2c-model", models.resolve("stories260K.bin").toString(), "--llama2c-output-model", f32.toString()));
        JsonNode reference = eval("--model", models.resolve("stories260K.bin").toString(), "--tokenizer", models.resolve("tok512.bin").toString());
        JsonNode converted = eval("--model", f32.toString());
        assertEquals(reference.get("nll").asDouble(), converted.get("nll").asDouble(), 0.0, "the F32 GGUF with its own tokenizer is the same model");
        assertEquals(reference.get("tokens").asLong(), converted.get("tokens").asLong(), "the embedded tokenizer gives the same tokens");

        List<String> report = new ArrayList<>();
        for (String type : List.of("Q8_0", "Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q4_K", "Q5_K", "Q6_K")) {
            Path q = dir.resolve("stories260K-" + type + ".gguf");
            // --pure: every tensor gets the type, or llama.cpp's fallback where its rows do not fit the block
            run("quantize-" + type, List.of(b.resolve("llama-quantize").toString(), "--pure", f32.toString(), q.toString(), type, "1"));
            Map<String, String> stored = GgufFile.tensorTypes(q.toString(), new org.apache.hadoop.conf.Configuration());
            assertEquals(stored.get("token_embd.weight"), stored.get("output.weight"), "the tied original can simulate one type for both");
            StringBuilder yaml = new StringBuilder("schemaVersion: 1\ndefault: F32\ntensors:\n");
            for (Map.Entry<String, String> e : stored.entrySet()) {
                if (e.getKey().endsWith("_norm.weight") || e.getKey().equals("output.weight")) continue;
                yaml.append("  ").append(e.getKey()).append(": ").append(e.getValue()).append('\n');
            }
            Path config = Files.writeString(dir.resolve(type + ".yaml"), yaml.toString());
            JsonNode file = eval("--model", q.toString());
            JsonNode simulated = eval("--model", models.resolve("stories260K.bin").toString(), "--tokenizer", models.resolve("tok512.bin").toString(),
                    "--config", config.toString());
            report.add(type + " " + new java.util.TreeSet<>(stored.values()) + ": file " + file.get("nll").asDouble() + " simulated "
                    + simulated.get("nll").asDouble());
            assertEquals(simulated.get("nll").asDouble(), file.get("nll").asDouble(), 0.0, type + " (stored " + stored + ")");
            assertTrue(file.get("nll").asDouble() > reference.get("nll").asDouble() - 1e-3, type + " is a lossy copy");
        }
        System.out.println(String.join("\n", report));
    }

    @Test
    void aFileHoldingTypesEdgeFrontCannotQuantizeIsReadEvaluatedAndSimulatedButIsNoEvalConfig() throws Exception {
        Path b = bin();
        Path models = TestPaths.shared().resolve("models");
        // rows of 256 so that the 256-block types are really stored (stories260K's 64-wide rows would fall back)
        org.edgefront.space.synthetic.SyntheticLlama m = org.edgefront.space.synthetic.SyntheticLlama.create(
                new org.edgefront.space.synthetic.SyntheticLlama.Shape(256, 256, 2, 4, 4, 512, 128, false), 23);
        Path l2c = dir.resolve("w256.bin");
        org.edgefront.space.synthetic.SyntheticLlama.writeLlama2c(m, l2c.toString());
        Path f32 = dir.resolve("w256-f32.gguf");
        run("convert-w256", List.of(b.resolve("llama-convert-llama2c-to-ggml").toString(), "--copy-vocab-from-model", models.resolve("tok512.bin").toString(),
                "--llama2c-model", l2c.toString(), "--llama2c-output-model", f32.toString()));
        double f32Nll = eval("--model", f32.toString()).get("nll").asDouble();
        // no importance matrix needed for these three (the 1- and 2-bit lattice types need one)
        for (String type : List.of("IQ3_S", "TQ1_0", "TQ2_0")) {
            Path q = dir.resolve("w256-" + type + ".gguf");
            run("quantize-" + type, List.of(b.resolve("llama-quantize").toString(), "--pure", f32.toString(), q.toString(), type, "1"));
            Map<String, String> stored = GgufFile.tensorTypes(q.toString(), new org.apache.hadoop.conf.Configuration());
            assertEquals(type, stored.get("blk.1.ffn_down.weight").toUpperCase(java.util.Locale.ROOT), "stored as asked");
            double nll = eval("--model", q.toString()).get("nll").asDouble();
            assertTrue(Double.isFinite(nll) && nll != f32Nll, type + ": read as its own decoded weights, nll " + nll + " vs F32 " + f32Nll);
            CliRun sim = CliRun.of("simulate", "--model", q.toString(), "--device", TestPaths.device("samsung-galaxy-s23").toString(), "--format", type);
            assertEquals(0, sim.code(), sim.err());
        }
        Path config = Files.writeString(dir.resolve("tq.yaml"), "schemaVersion: 1\ndefault: TQ1_0\n");
        CliRun r = CliRun.of("eval", "--model", l2c.toString(), "--tokenizer", models.resolve("tok512.bin").toString(), "--config", config.toString(),
                "--paragraphs", "2", "--max-tokens", "16", "--text", models.resolve("tinystories_val.txt").toString());
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("TQ1_0 has no EdgeFront quantizer"), r.err());
    }
}
