package org.edgefront.jobs.llamacpp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.edgefront.jobs.CliRun;
import org.edgefront.jobs.TestPaths;
import org.edgefront.space.io.GgufFile;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * EdgeFront's KL of a quantized stories260K beside the real llama-perplexity's {@code --kl-divergence} on the same
 * tokens: llama-perplexity writes its base file from the F32 GGUF, and {@code eval --kld-base} scores that file's
 * windows as llama-perplexity does. The file llama-quantize wrote is bit-identical to EdgeFront's simulation of its
 * stored types ({@code QuantizedGgufEvalTest}), so what is left is arithmetic: the two KLs agree within a few percent
 * (EdgeFront / llama.cpp 0.994 for Q4_0 and 0.982 for Q5_1 here; scoring the windows from position 0 instead gives 1.069
 * for Q4_0, and the test fails).
 */
@Tag("llamacpp")
class KlAgreementOracleTest {
    @TempDir
    Path dir;

    @Test
    void edgefrontsKlOnLlamaPerplexitysOwnWindowsIsLlamaCppsKl() throws Exception {
        Path models = TestPaths.shared().resolve("models");
        Path f32 = LlamaCppTools.f32GgufFromLlama2c(models.resolve("stories260K.bin"), dir.resolve("f32.gguf"));
        Path text = models.resolve("tinystories_val.txt");
        Path base = dir.resolve("base.kld");
        String perplexity = LlamaCppTools.bin().resolve("llama-perplexity").toString();
        LlamaCppTools.runOk(dir.resolve("base.log"), 300, List.of(perplexity, "-m", f32.toString(), "-f", text.toString(), "-c", "128",
                "--chunks", "12", "-t", "2", "--kl-divergence-base", base.toString()));
        for (String type : List.of("Q4_0", "Q5_1")) {
            Path q = dir.resolve(type + ".gguf");
            LlamaCppTools.runOk(dir.resolve("quantize-" + type + ".log"), 300, List.of(LlamaCppTools.bin().resolve("llama-quantize").toString(),
                    "--pure", f32.toString(), q.toString(), type, "1"));
            StringBuilder yaml = new StringBuilder("schemaVersion: 1\ndefault: F32\ntensors:\n");
            for (Map.Entry<String, String> e : GgufFile.tensorTypes(q.toString(), new org.apache.hadoop.conf.Configuration()).entrySet()) {
                if (e.getKey().endsWith("_norm.weight") || e.getKey().equals("output.weight")) continue;
                yaml.append("  ").append(e.getKey()).append(": ").append(e.getValue()).append('\n');
            }
            Path config = Files.writeString(dir.resolve(type + ".yaml"), yaml.toString());
            // llama.cpp's logger thread may lose the last lines at exit: read the mean from what was printed, else run again
            double llama = Double.NaN;
            String log = "";
            for (int attempt = 0; attempt < 3 && Double.isNaN(llama); attempt++) {
                log = LlamaCppTools.runOk(dir.resolve("kld-" + type + ".log"), 300, List.of(perplexity, "-m", q.toString(), "-f", text.toString(),
                        "-c", "128", "--chunks", "12", "-t", "2", "--kl-divergence-base", base.toString(), "--kl-divergence"));
                llama = meanKld(log);
            }
            assertTrue(!Double.isNaN(llama), "no mean KLD in three runs:\n" + log);
            CliRun r = CliRun.of("eval", "--model", models.resolve("stories260K.bin").toString(), "--tokenizer", models.resolve("tok512.bin").toString(),
                    "--kld-base", base.toString(), "--config", config.toString(), "--json");
            assertEquals(0, r.code(), r.err());
            double ours = new com.fasterxml.jackson.databind.ObjectMapper().readTree(r.out()).get("kl").asDouble();
            assertTrue(llama > 1e-3, type + " KL large enough to compare: " + llama);
            assertEquals(1.0, ours / llama, 0.05, type + ": EdgeFront " + ours + " vs llama-perplexity " + llama);
        }
    }

    /** The mean KLD llama-perplexity printed: its summary line, or its last chunk row when the logger dropped the summary; NaN when neither. */
    private static double meanKld(String log) {
        Matcher m = Pattern.compile("(?m)^Mean +KLD: +(\\S+)").matcher(log);
        if (m.find()) return Double.parseDouble(m.group(1));
        Matcher total = Pattern.compile("computing over (\\d+) chunks").matcher(log);
        Matcher row = Pattern.compile("(?m)^ *(\\d+) +\\S+ ± +\\S+ +\\S+ ± +\\S+ +(\\S+) ± ").matcher(log);
        String last = null;
        int lastChunk = -1;
        while (row.find()) {
            lastChunk = Integer.parseInt(row.group(1));
            last = row.group(2);
        }
        return total.find() && last != null && lastChunk == Integer.parseInt(total.group(1)) ? Double.parseDouble(last) : Double.NaN;
    }
}
