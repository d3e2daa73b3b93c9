package org.edgefront.jobs.llamacpp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.edgefront.evaluators.ModelSource;
import org.edgefront.jobs.TestPaths;
import org.edgefront.jobs.export.GgufExport;
import org.edgefront.jobs.export.LlamaCppExport;
import org.edgefront.space.compress.TensorChoice;
import org.edgefront.space.model.ModelArchitecture;
import org.edgefront.space.model.ModelWeights;
import org.edgefront.space.model.TensorSpec;
import org.edgefront.space.synthetic.SyntheticLlama;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * IQ4_NL and IQ4_XS written by EdgeFront's GGUF export equal what the real llama-quantize writes from the same F32
 * GGUF, tensor by tensor and byte for byte: on a synthetic model whose rows are 256 wide (IQ4_XS stored as such) and
 * on stories260K (rows of 64: IQ4_XS falls back to IQ4_NL; rows of 172: both fall back to F16), as the plan's bytes
 * and the memory model count them.
 */
@Tag("llamacpp")
class Iq4LlamaQuantizeRoundTripTest {
    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0} on {1}")
    @CsvSource({"IQ4_XS, synthetic256", "IQ4_NL, synthetic256", "IQ4_XS, stories260K", "IQ4_NL, stories260K"})
    void exportEqualsLlamaQuantizeByteForByte(String format, String modelName) throws Exception {
        Path bin = LlamaCppTools.bin();
        Path tok = TestPaths.shared().resolve("models/tok512.bin");
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
            Map<String, TensorChoice> choices = new LinkedHashMap<>();
            Map<String, String> labels = new LinkedHashMap<>();
            for (TensorSpec t : arch.linearTensors()) {
                choices.put(t.name(), TensorChoice.parse(format));
                labels.put(t.name(), format);
            }
            LlamaCppExport.Plan plan = LlamaCppExport.plan("uniform " + format, labels, arch, false);
            Path types = dir.resolve("types.txt");
            Files.writeString(types, plan.fileText());
            Path quantized = dir.resolve("llama-quantize.gguf");
            List<String> cmd = new ArrayList<>(Arrays.asList(LlamaCppExport.command(plan, types.toString(), format)
                    .replace(" MODEL-F16.gguf MODEL-" + format + ".gguf ", " " + base + " " + quantized + " ").split(" ")));
            cmd.set(0, bin.resolve("llama-quantize").toString());
            LlamaCppTools.runOk(dir.resolve("quantize.log"), 300, cmd);
            Path ours = dir.resolve("edgefront.gguf");
            GgufExport.Result r = GgufExport.write("uniform " + format, w, choices, tok.toString(), ours.toString());
            Map<String, GgufTensors.Tensor> theirs = GgufTensors.read(quantized);
            long bytes = 0;
            int iq4 = 0;
            for (GgufTensors.Tensor t : GgufTensors.read(ours).values()) {
                GgufTensors.Tensor o = theirs.get(t.name());
                assertTrue(o != null, t.name());
                String type = GgufTensors.NAMES.get(t.type());
                assertEquals(GgufTensors.NAMES.get(o.type()), type, t.name());
                assertArrayEquals(o.data(), t.data(), t.name() + " (" + type + ") bytes differ");
                if (t.matrix()) bytes += o.data().length;
                if (type.startsWith("iq4")) iq4++;
            }
            assertTrue(iq4 > 0, "some tensors are stored as an IQ4 type");
            if (modelName.equals("synthetic256")) assertEquals(format.toLowerCase(java.util.Locale.ROOT), r.storedTypes().get("blk.0.attn_q.weight"));
            else assertEquals("iq4_nl", r.storedTypes().get("blk.0.attn_q.weight"), "rows of 64: IQ4_XS falls back to IQ4_NL");
            assertEquals(plan.weightBytes(), bytes);
            assertEquals(r.weightBytes(), bytes);
        }
    }
}
