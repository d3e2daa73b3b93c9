package org.edgefront.jobs.llamacpp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.LinkedHashMap;
import org.edgefront.evaluators.ModelSource;
import org.edgefront.jobs.TestPaths;
import org.edgefront.jobs.export.Exporter;
import org.edgefront.jobs.export.GgufExport;
import org.edgefront.jobs.export.LlamaCppExport;
import org.edgefront.space.compress.TensorChoice;
import org.edgefront.space.model.ModelArchitecture;
import org.edgefront.space.model.ModelWeights;
import org.edgefront.space.model.TensorSpec;
import org.edgefront.jobs.spark.EvaluatorPool;
import org.edgefront.jobs.run.SearchJob;
import org.edgefront.jobs.spec.SearchSpecLoader;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real llama.cpp as the oracle: a real search on stories260K restricted to what llama.cpp stores
 * ({@code space.runtime: llama.cpp}), every front point exported and quantized by llama-quantize exactly as printed,
 * and by EdgeFront's own GGUF writer; both files read back tensor by tensor.
 */
@Tag("llamacpp")
@Tag("slow")
class LlamaCppRoundTripTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;
    static Path bin;
    static Path run;
    static Path baseGguf;
    static JsonNode points;

    @BeforeAll
    static void searchAndConvert() throws Exception {
        bin = LlamaCppTools.bin();
        Path models = TestPaths.shared().resolve("models");
        Path spec = dir.resolve("spec.yaml");
        // every llama.cpp block format, on a model whose 172-column FFN-down rows make llama.cpp fall back
        Files.writeString(spec, "schemaVersion: 1\nname: roundtrip\n"
                + "model: {source: '" + models.resolve("stories260K.bin") + "', tokenizer: '" + models.resolve("tok512.bin")
                + "', text: '" + models.resolve("tinystories_val.txt") + "'}\n"
                + "device: " + TestPaths.device("samsung-galaxy-s23") + "\n"
                + "space: {runtime: llama.cpp, options: [F16, Q8_0, Q6_K, Q5_K, Q5_1, Q5_0, Q4_K, Q4_1, Q4_0, Q3_K, Q2_K]}\n"
                + "quality: {paragraphs: 4, maxTokens: 64}\n"
                + "objectives: [kl, weight_bytes]\n"
                + "strategy: {name: nsga2, seed: 5, populationSize: 12, generations: 3}\n"
                + "execution: {master: sequential}\n");
        run = dir.resolve("run");
        SearchJob.run(new SearchJob.Options(spec.toString(), SearchSpecLoader.Overrides.NONE, run.toString(), false, false, "sequential"),
                new PrintStream(new ByteArrayOutputStream()), null);
        points = JSON.readTree(run.resolve("front.json").toFile()).get("points");
        assertTrue(points.size() >= 3, "a front of several points: " + points.size());

        baseGguf = LlamaCppTools.f32GgufFromLlama2c(models.resolve("stories260K.bin"), dir.resolve("stories260K-F32.gguf"));
    }

    @AfterAll
    static void closePools() {
        EvaluatorPool.closeAll();
    }

    /** Runs the printed command with only its two model file names replaced. */
    private static Path quantizeAsPrinted(String id) throws Exception {
        Path types = dir.resolve(id + ".tensor-types");
        Exporter.Result r = Exporter.export(run.toString(), id, Exporter.Target.LLAMA_CPP, types.toString(), false);
        Path out = dir.resolve(id + "-llama-quantize.gguf");
        String printed = r.command();
        assertTrue(printed.contains(" MODEL-F16.gguf MODEL-" + id + ".gguf "), printed);
        List<String> cmd = new ArrayList<>(Arrays.asList(printed.replace(" MODEL-F16.gguf MODEL-" + id + ".gguf ",
                " " + baseGguf + " " + out + " ").split(" ")));
        assertEquals("llama-quantize", cmd.get(0), printed);
        cmd.set(0, bin.resolve("llama-quantize").toString());
        LlamaCppTools.runOk(dir.resolve(id + "-quantize.log"), 300, cmd);
        return out;
    }

    @Test
    void everyFrontPointQuantizesAsPrintedToTheStoredTypesWithWeightBytesToTheByte() throws Exception {
        for (JsonNode p : points) {
            String id = p.get("id").asText();
            Map<String, GgufTensors.Tensor> written = GgufTensors.read(quantizeAsPrinted(id));
            Path types = dir.resolve(id + ".tensor-types");
            long bytes = 0;
            for (String line : Files.readAllLines(types)) {
                String tensor = line.substring(1, line.indexOf("$=")).replace("\\.", ".");
                String type = line.substring(line.indexOf("$=") + 2).toLowerCase(Locale.ROOT);
                GgufTensors.Tensor t = written.get(tensor);
                assertTrue(t != null, id + ": llama-quantize wrote no " + tensor);
                assertEquals(type, GgufTensors.NAMES.get(t.type()), id + " " + tensor);
                // a tied model's llama2.c conversion adds output.weight, a copy of the embedding: not in weight_bytes
                if (!tensor.equals("output.weight") || p.get("choices").has("output.weight")) bytes += t.data().length;
            }
            for (GgufTensors.Tensor t : written.values()) {
                if (t.matrix()) assertTrue(Files.readString(types).contains("^" + t.name().replace(".", "\\.") + "$="), id + ": " + t.name() + " not named");
            }
            assertEquals(p.get("metrics").get("weight_bytes").asLong(), bytes, id + ": weight_bytes vs the 2-D tensors llama-quantize wrote");
        }
    }

    @Test
    void everyFormatOnEveryTensorIncludingFallbacksEqualsLlamaQuantizeByteForByte() throws Exception {
        // stories260K's FFN-down rows have 172 weights: K-quants fall back (Q4_K -> Q5_0 -> F16 ...), 32-blocks to F16
        ModelArchitecture arch;
        String model = TestPaths.shared().resolve("models/stories260K.bin").toString();
        try (ModelWeights w = new ModelSource(model).open()) {
            arch = w.architecture();
            for (String format : List.of("F16", "Q8_0", "Q6_K", "Q5_K", "Q5_1", "Q5_0", "Q4_K", "Q4_1", "Q4_0", "Q3_K", "Q2_K")) {
                Map<String, TensorChoice> choices = new LinkedHashMap<>();
                Map<String, String> labels = new LinkedHashMap<>();
                for (TensorSpec t : arch.linearTensors()) {
                    choices.put(t.name(), TensorChoice.parse(format));
                    labels.put(t.name(), format);
                }
                LlamaCppExport.Plan plan = LlamaCppExport.plan("uniform " + format, labels, arch, false);
                Path types = dir.resolve("uniform-" + format + ".tensor-types");
                Files.writeString(types, plan.fileText());
                Path quantized = dir.resolve("uniform-" + format + "-llama-quantize.gguf");
                List<String> cmd = new ArrayList<>(Arrays.asList(LlamaCppExport.command(plan, types.toString(), format)
                        .replace(" MODEL-F16.gguf MODEL-" + format + ".gguf ", " " + baseGguf + " " + quantized + " ").split(" ")));
                cmd.set(0, bin.resolve("llama-quantize").toString());
                LlamaCppTools.runOk(dir.resolve("uniform-" + format + ".log"), 300, cmd);
                Path ours = dir.resolve("uniform-" + format + "-edgefront.gguf");
                GgufExport.Result r = GgufExport.write("uniform " + format, w, choices, TestPaths.shared().resolve("models/tok512.bin").toString(),
                        ours.toString());
                Map<String, GgufTensors.Tensor> theirs = GgufTensors.read(quantized);
                long bytes = 0;
                for (GgufTensors.Tensor t : GgufTensors.read(ours).values()) {
                    GgufTensors.Tensor o = theirs.get(t.name());
                    assertEquals(GgufTensors.NAMES.get(o.type()), GgufTensors.NAMES.get(t.type()), format + " " + t.name());
                    assertArrayEquals(o.data(), t.data(), format + " " + t.name() + " bytes differ");
                    if (t.matrix()) bytes += o.data().length;
                }
                assertEquals(plan.weightBytes(), bytes, format);
                assertEquals(r.weightBytes(), bytes, format);
                long counted = 0;
                for (TensorSpec t : arch.linearTensors()) counted += choices.get(t.name()).bytes(t);
                assertEquals(counted, bytes, format + ": the memory model's bytes");
            }
        }
    }

    @Test
    void ggufOutEqualsTheLlamaQuantizeRouteTensorByTensorAndLlamaCppLoadsIt() throws Exception {
        int compared = 0;
        for (JsonNode p : points) {
            String id = p.get("id").asText();
            Path ours = dir.resolve(id + "-edgefront.gguf");
            Exporter.export(run.toString(), id, Exporter.Target.GGUF, ours.toString(), false);
            Map<String, GgufTensors.Tensor> mine = GgufTensors.read(ours);
            Map<String, GgufTensors.Tensor> theirs = GgufTensors.read(quantizeAsPrinted(id));
            for (GgufTensors.Tensor t : mine.values()) {
                GgufTensors.Tensor o = theirs.get(t.name());
                assertTrue(o != null, t.name());
                assertEquals(GgufTensors.NAMES.get(o.type()), GgufTensors.NAMES.get(t.type()), id + " " + t.name());
                assertArrayEquals(o.dims(), t.dims(), t.name());
                assertArrayEquals(o.data(), t.data(), id + " " + t.name() + " (" + GgufTensors.NAMES.get(t.type()) + ") bytes differ");
                compared++;
            }
        }
        assertTrue(compared > 0);
        // llama.cpp loads and runs EdgeFront's file
        Path first = dir.resolve(points.get(0).get("id").asText() + "-edgefront.gguf");
        String log = LlamaCppTools.runOk(dir.resolve("perplexity.log"), 300, List.of(bin.resolve("llama-perplexity").toString(), "-m",
                first.toString(), "-f", TestPaths.shared().resolve("models/tinystories_val.txt").toString(), "-c", "128", "--chunks", "4", "-t", "2"));
        // ran its chunks to a clean exit (runOk); llama.cpp's logger thread may lose its last lines at exit (common/log.cpp
        // leaks it on purpose), so the final estimate is checked when printed, else the chunk perplexities it did print
        String tail = log.substring(Math.max(0, log.length() - 2000));
        assertTrue(log.contains("calculating perplexity over 4 chunks"), tail);
        java.util.regex.Matcher fin = java.util.regex.Pattern.compile("Final estimate: PPL = (\\S+)").matcher(log);
        java.util.regex.Matcher chunk = java.util.regex.Pattern.compile("\\[\\d+\\](\\d+\\.\\d+),").matcher(log);
        assertTrue(fin.find() ? Double.isFinite(Double.parseDouble(fin.group(1))) : chunk.find() && Double.isFinite(Double.parseDouble(chunk.group(1))), tail);
    }
}
