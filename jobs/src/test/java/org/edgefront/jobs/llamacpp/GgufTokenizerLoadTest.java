package org.edgefront.jobs.llamacpp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.edgefront.evaluators.ModelSource;
import org.edgefront.jobs.TestPaths;
import org.edgefront.jobs.export.GgufExport;
import org.edgefront.jobs.export.TokenizerFixtures;
import org.edgefront.space.compress.TensorChoice;
import org.edgefront.space.io.GgufFile;
import org.edgefront.space.model.ArchitectureFamily;
import org.edgefront.space.model.ModelWeights;
import org.edgefront.space.model.TensorSpec;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * llama.cpp loads and runs a GGUF that {@code export --to gguf} wrote from each kind of tokenizer: a llama2.c
 * tokenizer file, a GGUF's own keys, a SentencePiece-style tokenizer.json, and byte-level tokenizer.json files of the
 * three pre-tokenizers EdgeFront names (gpt-2, llama-bpe, and qwen2 on a Qwen2 model).
 */
@Tag("llamacpp")
class GgufTokenizerLoadTest {
    @TempDir
    static Path dir;
    static Path bin;

    @BeforeAll
    static void tools() {
        bin = LlamaCppTools.bin();
    }

    @ParameterizedTest
    @ValueSource(strings = {"llama2c", "gguf", "spm", "gpt-2", "llama-bpe", "qwen2"})
    void llamaCppLoadsAndRunsTheExportedFile(String kind) throws Exception {
        Path models = TestPaths.shared().resolve("models");
        String model;
        String tokenizer = null;
        switch (kind) {
            case "llama2c" -> {
                model = models.resolve("stories260K.bin").toString();
                tokenizer = models.resolve("tok512.bin").toString();
            }
            case "gguf" -> {
                Path gguf = LlamaCppTools.f32GgufFromLlama2c(models.resolve("stories260K.bin"), dir.resolve("stories260K-F32.gguf"));
                model = gguf.toString();
            }
            default -> model = TokenizerFixtures.huggingFaceDir(dir.resolve(kind), kind.equals("qwen2") ? ArchitectureFamily.QWEN2
                    : ArchitectureFamily.LLAMA, kind).toString();
        }
        Path out = dir.resolve(kind + "-edgefront.gguf");
        try (ModelWeights w = new ModelSource(model).open()) {
            Map<String, TensorChoice> choices = new LinkedHashMap<>();
            for (TensorSpec t : w.architecture().linearTensors()) choices.put(t.name(), TensorChoice.parse("Q8_0"));
            GgufExport.write(kind, w, choices, tokenizer, out.toString());
        }
        GgufFile.Vocabulary v = GgufFile.vocabulary(out.toString(), new Configuration());
        assertEquals(kind.equals("llama2c") || kind.equals("gguf") || kind.equals("spm") ? "llama" : "gpt2", v.model());
        if (v.model().equals("gpt2")) assertEquals(kind, v.pre());
        String log = LlamaCppTools.runOk(dir.resolve(kind + "-perplexity.log"), 300, List.of(bin.resolve("llama-perplexity").toString(), "-m",
                out.toString(), "-f", models.resolve("tinystories_val.txt").toString(), "-c", "64", "--chunks", "2", "-t", "2"));
        // loaded (tensors and vocabulary), tokenized the text and ran to a clean exit (runOk). llama.cpp's logger thread
        // may lose its last lines at exit (common/log.cpp leaks it on purpose), so the final estimate is checked only
        // when it was printed.
        String tail = log.substring(Math.max(0, log.length() - 2000));
        assertTrue(log.contains("calculating perplexity over"), tail);
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("Final estimate: PPL = (\\S+)").matcher(log);
        if (m.find()) assertTrue(Double.isFinite(Double.parseDouble(m.group(1))), tail);
    }
}
