package org.edgefront.jobs.llamacpp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.edgefront.evaluators.ModelSource;
import org.edgefront.evaluators.compress.CalibrationStats;
import org.edgefront.evaluators.compress.TensorCompressor;
import org.edgefront.evaluators.quality.ForwardPasses;
import org.edgefront.jobs.TestPaths;
import org.edgefront.jobs.export.LlamaCppExport;
import org.edgefront.space.compress.TensorChoice;
import org.edgefront.space.compress.WeightFormat;
import org.edgefront.space.io.ImatrixFile;
import org.edgefront.space.model.ModelArchitecture;
import org.edgefront.space.model.ModelWeights;
import org.edgefront.space.model.TensorSpec;
import org.edgefront.space.synthetic.SyntheticLlama;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * EdgeFront's importance-weighted quantizers ({@code +imatrix}) write what the real {@code llama-quantize --imatrix}
 * writes, tensor by tensor and byte for byte: EdgeFront computes the importance matrix (mean squared input activations
 * per column) from calibration sequences run through its forward pass, writes it in llama.cpp's GGUF imatrix format
 * ({@link ImatrixFile}), and quantizes with it; llama-quantize quantizes the F32 GGUF with that file. Every format with
 * a weighted quantizer: Q4_0, Q4_1, Q5_0, Q5_1, IQ4_NL, IQ4_XS and the K-quants Q2_K to Q6_K. On stories260K (real weights;
 * rows of 64 and 172, where IQ4_XS falls back to IQ4_NL, Q4_K to Q5_0, Q5_K to Q5_1, and 172 to F16) and on a synthetic model with rows of
 * 256 and 512. The test also asserts that the matrix changed the bytes of most quantized tensors, so it cannot pass with
 * the matrix ignored on both sides.
 */
@Tag("llamacpp")
class ImatrixLlamaQuantizeRoundTripTest {
    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0} on {1}")
    @CsvSource({"Q4_0, stories260K", "Q5_0, stories260K", "IQ4_NL, stories260K", "Q4_K, stories260K", "Q5_K, stories260K",
            "Q4_1, stories260K", "Q5_1, synthetic256", "IQ4_XS, synthetic256",
            "IQ4_NL, synthetic256", "Q4_0, synthetic256", "Q2_K, synthetic256", "Q3_K, synthetic256", "Q4_K, synthetic256",
            "Q5_K, synthetic256", "Q6_K, synthetic256"})
    void importanceWeightedQuantizationEqualsLlamaQuantizeWithTheSameMatrix(String format, String modelName) throws Exception {
        Path bin = LlamaCppTools.bin();
        Path model = TestPaths.shared().resolve("models/stories260K.bin");
        if (modelName.equals("synthetic256")) {
            model = dir.resolve("synthetic256.bin");
            try (SyntheticLlama m = SyntheticLlama.create(new SyntheticLlama.Shape(256, 512, 2, 4, 4, 512, 64, false), 13)) {
                SyntheticLlama.writeLlama2c(m, model.toString());
            }
        }
        Path base = LlamaCppTools.f32GgufFromLlama2c(model, dir.resolve(modelName + "-f32.gguf"));
        try (ModelWeights w = new ModelSource(model.toString()).open()) {
            ModelArchitecture arch = w.architecture();
            // calibration: seeded token sequences through EdgeFront's own pass
            SplittableRandom rnd = new SplittableRandom(7);
            List<int[]> calibration = new ArrayList<>();
            for (int s = 0; s < 4; s++) {
                int[] seq = new int[48];
                for (int i = 0; i < seq.length; i++) seq[i] = 1 + rnd.nextInt(arch.vocabSize() - 1);
                calibration.add(seq);
            }
            CalibrationStats stats = ForwardPasses.load(w).inputNorms(calibration);
            Map<String, float[]> importance = new LinkedHashMap<>();
            Map<String, String> labels = new LinkedHashMap<>();
            for (TensorSpec t : arch.linearTensors()) {
                labels.put(t.name(), format);
                float[] imp = stats.importanceFor(t.name());
                if (imp != null) importance.put(t.name(), imp);
            }
            Path imatrix = dir.resolve("imatrix.gguf");
            try (OutputStream os = Files.newOutputStream(imatrix)) {
                ImatrixFile.write(os, importance, calibration.size(), 48, "seeded tokens");
            }
            LlamaCppExport.Plan plan = LlamaCppExport.plan("uniform " + format, labels, arch, false);
            Path types = dir.resolve("types.txt");
            Files.writeString(types, plan.fileText());
            Path quantized = dir.resolve("llama-quantize.gguf");
            List<String> cmd = new ArrayList<>(Arrays.asList(LlamaCppExport.command(plan, types.toString(), format)
                    .replace(" MODEL-F16.gguf MODEL-" + format + ".gguf ", " " + base + " " + quantized + " ").split(" ")));
            cmd.set(0, bin.resolve("llama-quantize").toString());
            cmd.add(1, "--imatrix");
            cmd.add(2, imatrix.toString());
            String log = LlamaCppTools.runOk(dir.resolve("quantize.log"), 300, cmd);
            assertTrue(log.contains("loaded " + importance.size() + " importance matrix entries"), log);
            Map<String, GgufTensors.Tensor> theirs = GgufTensors.read(quantized);
            int weighted = 0;
            int changed = 0;
            for (TensorSpec t : arch.linearTensors()) {
                float[] imp = importance.get(t.name());
                if (imp == null) continue;
                TensorChoice c = TensorChoice.parse(format + "+imatrix");
                WeightFormat stored = c.format().effectiveFor(t.cols());
                float[] x = w.read(t.name());
                byte[] ours = new byte[Math.toIntExact(stored.bytes(t.rows(), t.cols()))];
                byte[] plain = new byte[ours.length];
                int rowBytes = Math.toIntExact(stored.rowBytes(t.cols()));
                for (int r = 0; r < t.rows(); r++) {
                    System.arraycopy(TensorCompressor.encodeRow(c.format(), stored, x, r * t.cols(), t.cols(), imp), 0, ours, r * rowBytes, rowBytes);
                    System.arraycopy(TensorCompressor.encodeRow(c.format(), stored, x, r * t.cols(), t.cols()), 0, plain, r * rowBytes, rowBytes);
                }
                GgufTensors.Tensor o = theirs.get(t.name());
                assertTrue(o != null, t.name());
                assertEquals(stored.named().ggmlName().toLowerCase(java.util.Locale.ROOT), GgufTensors.NAMES.get(o.type()), t.name());
                assertArrayEquals(o.data(), ours, t.name() + " (" + stored.name() + ") bytes differ");
                if (!stored.isFloat()) {
                    weighted++;
                    if (!Arrays.equals(ours, plain)) changed++;
                }
            }
            assertTrue(weighted > 0, "some tensors are quantized with the matrix");
            assertTrue(changed * 2 > weighted, changed + " of " + weighted + " quantized tensors changed with the matrix");
        }
    }
}
