package org.edgefront.jobs.llamacpp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.edgefront.space.input.InvalidInputException;
import org.edgefront.space.tokenizer.GgufTokenizers;
import org.edgefront.space.tokenizer.Tokenizer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * llama.cpp's own tokenizer test vectors as the oracle of GGUF tokenizers: the vocabulary-only GGUFs in llama.cpp's
 * {@code models/} (from the source tree that {@code tools/llama-cpp/build.sh} unpacks) with their {@code .inp} texts and
 * the {@code .out} ids that llama.cpp's {@code test-tokenizer-0} expects (no BOS, special tokens not parsed). A vocabulary
 * EdgeFront supports must give every expected id sequence; one it does not support must be refused by name
 * ({@code tokenizer.ggml.model} or {@code tokenizer.ggml.pre}), never tokenized differently.
 */
@Tag("llamacpp")
class VocabTestVectorsTest {
    private static final String SEPARATOR = "\n__ggml_vocab_test__\n";

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"llama-spm", "phi-3", "llama-bpe", "qwen2", "qwen35", "gpt-2", "deepseek-coder", "deepseek-llm", "falcon", "mpt",
        "starcoder", "refact", "command-r", "gemma-4", "bert-bge"})
    void everySupportedVocabularyTokenizesAsLlamaCppAndTheOthersAreRefusedByName(String vocab) throws Exception {
        Path models = LlamaCppTools.bin().getParent().resolve("src").resolve("models");
        Path gguf = models.resolve("ggml-vocab-" + vocab + ".gguf");
        String[] inputs = (Files.readString(models.resolve("ggml-vocab-" + vocab + ".gguf.inp"), StandardCharsets.UTF_8)).split(SEPARATOR, -1);
        String[] outputs = Files.readString(models.resolve("ggml-vocab-" + vocab + ".gguf.out"), StandardCharsets.UTF_8).split("\n", -1);
        Tokenizer tok;
        try {
            tok = GgufTokenizers.load(gguf.toString(), new Configuration());
        } catch (InvalidInputException e) {
            System.out.printf("%s: refused (%s: %s)%n", vocab, e.field(), e.getMessage());
            assertTrue(e.field().startsWith("tokenizer.ggml"), e.getMessage());
            return;
        }
        int ok = 0;
        List<String> wrong = new ArrayList<>();
        for (int i = 0; i < inputs.length; i++) {
            String text = inputs[i];
            if (i == inputs.length - 1 && text.endsWith(SEPARATOR.stripTrailing())) text = text.substring(0, text.length() - SEPARATOR.stripTrailing().length());
            int[] expected = outputs[i].isBlank() ? new int[0] : Arrays.stream(outputs[i].trim().split(" ")).mapToInt(Integer::parseInt).toArray();
            int[] got = tok.encode(text, false, false);
            if (Arrays.equals(expected, got)) ok++;
            else wrong.add("'" + text.replace("\n", "\\n") + "': expected " + Arrays.toString(expected) + " got " + Arrays.toString(got));
        }
        System.out.printf("%s: %d of %d test strings tokenized as llama.cpp; texts start with BOS: %s%n", vocab, ok, inputs.length, tok.addsBos());
        // llama.cpp's add_bos (llama_vocab::load): the file's key when present, else yes for SentencePiece, WordPiece
        // ([CLS]) and the llama3 pre-tokenizer group, no for the other byte-level ones
        org.edgefront.space.io.GgufFile.HeaderSummary h = org.edgefront.space.io.GgufFile.header(gguf.toString(), new Configuration());
        Double key = h.numbers().get("tokenizer.ggml.add_bos_token");
        String model = h.strings().get("tokenizer.ggml.model");
        boolean expected = key != null ? key != 0 : "llama".equals(model) || "bert".equals(model)
                || "llama-bpe".equals(h.strings().get("tokenizer.ggml.pre"));
        assertEquals(expected, tok.addsBos(), vocab + ": starts texts with BOS (file key " + key + ")");
        assertEquals(List.of(), wrong, vocab);
    }
}
