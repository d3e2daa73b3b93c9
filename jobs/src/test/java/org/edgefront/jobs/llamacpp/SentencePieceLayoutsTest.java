package org.edgefront.jobs.llamacpp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.edgefront.jobs.TestPaths;
import org.edgefront.jobs.export.GgufExport;
import org.edgefront.space.compress.TensorChoice;
import org.edgefront.space.io.GgufWriter;
import org.edgefront.space.model.ArchitectureFamily;
import org.edgefront.space.model.ModelWeights;
import org.edgefront.space.model.TensorSpec;
import org.edgefront.space.synthetic.SyntheticLlama;
import org.edgefront.space.tokenizer.GgufTokenizers;
import org.edgefront.space.tokenizer.Llama2cTokenizer;
import org.edgefront.space.tokenizer.Tokenizer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SentencePiece vocabularies laid out as Gemma's are (special tokens first with {@code <bos>} at 2 and {@code <eos>} at 1,
 * the byte tokens at the end, no dummy-prefix space, user-defined tokens), tokenized by llama.cpp and by EdgeFront from
 * the same GGUF. The vocabulary is stories260K's tok512 rearranged into that layout, with the user-defined tokens "Once"
 * and "\n\n" (which llama.cpp matches in the raw text first, even without parsing specials); llama-perplexity tokenizes the
 * whole TinyStories file through a tiny model carrying it, and its {@code --kl-divergence-base} file holds the tokens.
 * Every token of the four chunks must equal EdgeFront's tokenization of the same text. No real Gemma vocabulary can be
 * brought here, so this checks the layout and the rules, not Gemma's pieces.
 */
@Tag("llamacpp")
class SentencePieceLayoutsTest {
    private static final int CTX = 128;
    private static final int CHUNKS = 4;

    @TempDir
    Path dir;

    @Test
    void aGemmaStyleSentencePieceVocabularyTokenizesAsLlamaCppDoes() throws Exception {
        Path models = TestPaths.shared().resolve("models");
        Llama2cTokenizer tok512 = Llama2cTokenizer.load(models.resolve("tok512.bin").toString(), 512);
        List<String> tokens = new ArrayList<>(List.of("<pad>", "<eos>", "<bos>", "<unk>", "Once", "\n\n"));
        List<Float> scores = new ArrayList<>(List.of(0f, 0f, 0f, 0f, 0f, 0f));
        List<Integer> types = new ArrayList<>(List.of(3, 3, 3, 2, 4, 4));
        for (int i = 259; i < 512; i++) {
            tokens.add(new String(tok512.piece(i), StandardCharsets.UTF_8).replace(' ', '\u2581'));
            scores.add(tok512.score(i));
            types.add(1);
        }
        for (int b = 0; b < 256; b++) {
            tokens.add(String.format("<0x%02X>", b));
            scores.add(0f);
            types.add(6);
        }
        Path vocab = dir.resolve("gemma-style-vocab.gguf");
        GgufWriter v = new GgufWriter();
        float[] sc = new float[scores.size()];
        int[] ty = new int[types.size()];
        for (int i = 0; i < sc.length; i++) {
            sc[i] = scores.get(i);
            ty[i] = types.get(i);
        }
        v.string("general.architecture", "llama").string("tokenizer.ggml.model", "llama").string("tokenizer.ggml.pre", "default")
                .strings("tokenizer.ggml.tokens", tokens).f32s("tokenizer.ggml.scores", sc).i32s("tokenizer.ggml.token_type", ty)
                .u32("tokenizer.ggml.bos_token_id", 2).u32("tokenizer.ggml.eos_token_id", 1).u32("tokenizer.ggml.unknown_token_id", 3)
                .u32("tokenizer.ggml.padding_token_id", 0).bool("tokenizer.ggml.add_bos_token", true).bool("tokenizer.ggml.add_eos_token", false)
                .bool("tokenizer.ggml.add_space_prefix", false);
        try (OutputStream os = Files.newOutputStream(vocab)) {
            v.writeTo(os, (name, s) -> { });
        }
        Path gguf = dir.resolve("gemma-style.gguf");
        try (ModelWeights w = SyntheticLlama.create(new SyntheticLlama.Shape(64, 128, 1, 4, 2, tokens.size(), 256, true), 5, ArchitectureFamily.LLAMA, 16)) {
            Map<String, TensorChoice> f32 = new LinkedHashMap<>();
            for (TensorSpec t : w.architecture().linearTensors()) f32.put(t.name(), TensorChoice.parse("F32"));
            GgufExport.write("gemma-style-vocab", w, f32, vocab.toString(), gguf.toString());
        }
        PerplexityOracle.Result r = PerplexityOracle.compare(dir, gguf, CTX, CHUNKS, a -> { });
        Tokenizer ours = GgufTokenizers.load(gguf.toString(), new Configuration());
        assertEquals(2, ours.bosId());
        String text = Files.readString(models.resolve("tinystories_val.txt"), StandardCharsets.UTF_8);
        int[] all = ours.encode(text, true, false);
        int userDefined = 0;
        for (int c = 0; c < r.sequences().size(); c++) {
            int[] theirs = r.sequences().get(c);
            int[] mine = Arrays.copyOfRange(all, c * CTX, (c + 1) * CTX);
            mine[0] = theirs[0]; // llama-perplexity puts BOS over each chunk's first token
            assertArrayEquals(theirs, mine, "chunk " + c);
            for (int t : theirs) if (t == 4 || t == 5) userDefined++;
        }
        System.out.printf("gemma-style SentencePiece layout: %d chunks of %d tokens equal llama.cpp's; %d user-defined tokens among them%n",
                r.sequences().size(), CTX, userDefined);
        assertTrue(userDefined > 0, "the user-defined tokens occur in the compared text");
    }
}
