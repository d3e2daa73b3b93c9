package org.edgefront.jobs.llamacpp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.edgefront.jobs.TestPaths;
import org.edgefront.jobs.export.Exporter;
import org.edgefront.jobs.export.LlamaCppExport;
import org.edgefront.jobs.run.SearchJob;
import org.edgefront.jobs.spark.EvaluatorPool;
import org.edgefront.jobs.spec.SearchSpecLoader;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A search whose options include llama.cpp's importance-weighted quantizers ({@code Q4_0+imatrix}, {@code IQ4_NL+imatrix})
 * on stories260K with calibration text, and its front exported both ways: {@code export --to llama-cpp} writes the
 * tensor-type file and the importance matrix (entries for the +imatrix tensors only) and prints a
 * {@code llama-quantize --imatrix} command, which the real llama-quantize runs as printed; {@code export --to gguf}
 * writes the GGUF itself. Both files hold the same bytes, tensor by tensor, and weight_bytes counts them to the byte.
 */
@Tag("llamacpp")
@Tag("slow")
class ImatrixExportRoundTripTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;

    @AfterAll
    static void closePools() {
        EvaluatorPool.closeAll();
    }

    @Test
    void imatrixFrontPointsQuantizeAsPrintedAndEqualTheGgufExportByteForByte() throws Exception {
        Path bin = LlamaCppTools.bin();
        Path models = TestPaths.shared().resolve("models");
        Path spec = dir.resolve("spec.yaml");
        Files.writeString(spec, "schemaVersion: 1\nname: imatrix-roundtrip\n"
                + "model: {source: '" + models.resolve("stories260K.bin") + "', tokenizer: '" + models.resolve("tok512.bin")
                + "', text: '" + models.resolve("tinystories_val.txt") + "'}\n"
                + "device: " + TestPaths.device("samsung-galaxy-s23") + "\n"
                + "space: {runtime: llama.cpp, options: [Q8_0, Q5_0, Q4_0, Q4_0+imatrix, IQ4_NL+imatrix]}\n"
                + "quality: {paragraphs: 4, maxTokens: 64, calibrationParagraphs: 8}\n"
                + "objectives: [kl, weight_bytes]\n"
                + "strategy: {name: nsga2, seed: 5, populationSize: 12, generations: 3}\n"
                + "execution: {master: sequential}\n");
        Path run = dir.resolve("run");
        SearchJob.run(new SearchJob.Options(spec.toString(), SearchSpecLoader.Overrides.NONE, run.toString(), false, false, "sequential"),
                new PrintStream(new ByteArrayOutputStream()), null);
        JsonNode points = JSON.readTree(run.resolve("front.json").toFile()).get("points");
        Path base = LlamaCppTools.f32GgufFromLlama2c(models.resolve("stories260K.bin"), dir.resolve("stories260K-F32.gguf"));
        int withImatrix = 0;
        for (JsonNode p : points) {
            String id = p.get("id").asText();
            boolean weighted = false;
            for (Iterator<JsonNode> it = p.get("choices").elements(); it.hasNext(); ) weighted |= it.next().asText().endsWith("+imatrix");
            if (!weighted) continue;
            withImatrix++;
            Path types = dir.resolve(id + ".tensor-types");
            Exporter.Result r = Exporter.export(run.toString(), id, Exporter.Target.LLAMA_CPP, types.toString(), false);
            String printed = r.command();
            assertTrue(printed.startsWith("llama-quantize --imatrix " + types + LlamaCppExport.IMATRIX_SUFFIX + " "), printed);
            assertTrue(Files.exists(Path.of(types + LlamaCppExport.IMATRIX_SUFFIX)), "the importance matrix is written beside the types");
            Path quantized = dir.resolve(id + "-llama-quantize.gguf");
            List<String> cmd = new ArrayList<>(Arrays.asList(printed.replace(" MODEL-F16.gguf MODEL-" + id + ".gguf ", " " + base + " " + quantized + " ").split(" ")));
            cmd.set(0, bin.resolve("llama-quantize").toString());
            LlamaCppTools.runOk(dir.resolve(id + "-quantize.log"), 300, cmd);
            Path ours = dir.resolve(id + "-edgefront.gguf");
            Exporter.export(run.toString(), id, Exporter.Target.GGUF, ours.toString(), false);
            Map<String, GgufTensors.Tensor> theirs = GgufTensors.read(quantized);
            long bytes = 0;
            for (GgufTensors.Tensor t : GgufTensors.read(ours).values()) {
                GgufTensors.Tensor o = theirs.get(t.name());
                assertTrue(o != null, t.name());
                assertEquals(GgufTensors.NAMES.get(o.type()), GgufTensors.NAMES.get(t.type()), id + " " + t.name());
                assertArrayEquals(o.data(), t.data(), id + " " + t.name() + " (" + p.get("choices").path(t.name()).asText() + ") bytes differ");
                if (t.matrix()) bytes += t.data().length;
            }
            assertEquals(p.get("metrics").get("weight_bytes").asLong(), bytes, id + ": weight_bytes");
        }
        assertTrue(withImatrix > 0, "some front point chose an +imatrix option: " + points);
    }
}
