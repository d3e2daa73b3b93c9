package org.edgefront.jobs.llamacpp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.apache.hadoop.conf.Configuration;
import org.edgefront.evaluators.compress.CalibrationStats;
import org.edgefront.evaluators.quality.ForwardPasses;
import org.edgefront.jobs.TestPaths;
import org.edgefront.space.compress.TensorChoice;
import org.edgefront.space.compress.WeightFormat;
import org.edgefront.space.io.GgufFile;
import org.edgefront.space.io.ImatrixFile;
import org.edgefront.space.model.ModelWeights;
import org.edgefront.space.model.TensorSpec;
import org.edgefront.space.synthetic.SyntheticLlama;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Evaluating a file quantized with an importance matrix = simulating it: the real llama-quantize writes a llama.cpp file
 * type with {@code --imatrix}, and {@code eval} of that file gives, to the last bit of the NLL, what {@code eval --config
 * --imatrix} gives on the F32 GGUF with the file's stored types as {@code +imatrix} choices (where the matrix has an entry
 * and llama.cpp rounds that type with it) and the same matrix file, read as llama-quantize reads it ({@link ImatrixFile}).
 * The matrix comes from seeded sequences through EdgeFront's pass; on stories260K (64- and 172-wide rows: fallbacks) and
 * on a synthetic Llama with 256-wide rows.
 */
@Tag("llamacpp")
class ImatrixEvalTest {
    @TempDir
    static Path dir;
    static Path bin;
    static final Map<String, Path> F32 = new TreeMap<>();
    static final Map<String, Path> IMATRIX = new TreeMap<>();

    @BeforeAll
    static void convert() throws Exception {
        bin = LlamaCppTools.bin();
        Path models = TestPaths.shared().resolve("models");
        Path synthetic = dir.resolve("synthetic256.bin");
        try (SyntheticLlama m = SyntheticLlama.create(new SyntheticLlama.Shape(256, 512, 2, 4, 4, 512, 128, false), 17)) {
            SyntheticLlama.writeLlama2c(m, synthetic.toString());
        }
        for (Map.Entry<String, Path> e : Map.of("stories260K", models.resolve("stories260K.bin"), "synthetic256", synthetic).entrySet()) {
            Path out = LlamaCppTools.f32GgufFromLlama2c(e.getValue(), dir.resolve(e.getKey() + "-f32.gguf"));
            F32.put(e.getKey(), out);
            try (ModelWeights w = GgufFile.open(out.toString())) {
                SplittableRandom rnd = new SplittableRandom(11);
                List<int[]> calibration = new ArrayList<>();
                for (int s = 0; s < 4; s++) {
                    int[] seq = new int[64];
                    for (int i = 0; i < seq.length; i++) seq[i] = 1 + rnd.nextInt(w.architecture().vocabSize() - 1);
                    calibration.add(seq);
                }
                CalibrationStats stats = ForwardPasses.load(w).inputNorms(calibration);
                Map<String, float[]> importance = new LinkedHashMap<>();
                for (TensorSpec t : w.architecture().linearTensors()) {
                    if (stats.importanceFor(t.name()) != null) importance.put(t.name(), stats.importanceFor(t.name()));
                }
                Path imatrix = dir.resolve(e.getKey() + ".imatrix.gguf");
                try (OutputStream os = Files.newOutputStream(imatrix)) {
                    ImatrixFile.write(os, importance, calibration.size(), 64, "seeded tokens");
                }
                // the file reads back as llama-quantize reads it: the same values
                Map<String, float[]> back = ImatrixFile.read(imatrix.toString(), new Configuration());
                assertEquals(importance.keySet(), back.keySet());
                for (String k : importance.keySet()) org.junit.jupiter.api.Assertions.assertArrayEquals(importance.get(k), back.get(k), k);
                IMATRIX.put(e.getKey(), imatrix);
            }
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({"Q4_K_M, stories260K", "Q5_K_S, stories260K", "IQ4_XS, stories260K", "Q4_1, stories260K",
        "Q4_K_M, synthetic256", "Q2_K, synthetic256", "Q3_K_M, synthetic256", "Q5_K_S, synthetic256", "Q6_K, synthetic256", "IQ4_XS, synthetic256"})
    void evalOfAFileQuantizedWithAnImportanceMatrixEqualsItsSimulation(String fileType, String model) throws Exception {
        Path source = F32.get(model);
        Path imatrix = IMATRIX.get(model);
        Path q = dir.resolve(model + "-" + fileType + "-imatrix.gguf");
        LlamaCppTools.runOk(dir.resolve(model + "-quantize-" + fileType + ".log"), 300, List.of(bin.resolve("llama-quantize").toString(),
                "--imatrix", imatrix.toString(), source.toString(), q.toString(), fileType, "1"));
        Map<String, float[]> importance = ImatrixFile.read(imatrix.toString(), new Configuration());
        Map<String, String> stored = GgufFile.tensorTypes(q.toString(), new Configuration());
        StringBuilder yaml = new StringBuilder("schemaVersion: 1\ndefault: F32\ntensors:\n");
        int weighted = 0;
        for (Map.Entry<String, String> e : stored.entrySet()) {
            if (e.getKey().endsWith("_norm.weight")) continue;
            WeightFormat f = WeightFormat.parse(e.getValue());
            boolean w = importance.containsKey(e.getKey()) && TensorChoice.importanceWeightable(f);
            if (w) weighted++;
            yaml.append("  ").append(e.getKey()).append(": ").append(e.getValue()).append(w ? "+imatrix" : "").append('\n');
        }
        assertTrue(weighted > 0, fileType + ": some tensor is rounded with the matrix");
        Path config = Files.writeString(dir.resolve(model + "-" + fileType + "-imatrix.yaml"), yaml.toString());
        JsonNode file = LlamaCppTools.eval128("--model", q.toString());
        JsonNode simulated = LlamaCppTools.eval128("--model", source.toString(), "--config", config.toString(), "--imatrix", imatrix.toString());
        Path plainConfig = Files.writeString(dir.resolve(model + "-" + fileType + "-plain.yaml"), yaml.toString().replace("+imatrix", ""));
        JsonNode plain = LlamaCppTools.eval128("--model", source.toString(), "--config", plainConfig.toString());
        System.out.printf("%s %s with an importance matrix (%d tensors weighted): eval %.9f, eval --config --imatrix %.9f, the same types rounded "
                + "to nearest %.9f%n", model, fileType, weighted, file.get("nll").asDouble(), simulated.get("nll").asDouble(), plain.get("nll").asDouble());
        assertEquals(simulated.get("nll").asDouble(), file.get("nll").asDouble(), 0.0, fileType + " (stored " + stored + ")");
        assertTrue(plain.get("nll").asDouble() != file.get("nll").asDouble(), fileType + ": the matrix changed the weights");
    }
}
