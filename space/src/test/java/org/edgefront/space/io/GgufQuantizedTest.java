package org.edgefront.space.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.edgefront.space.ggml.GgmlType;
import org.edgefront.space.input.InvalidInputException;
import org.edgefront.space.model.ModelArchitecture;
import org.edgefront.space.model.ModelWeights;
import org.edgefront.space.tokenizer.Llama2cTokenizer;
import org.edgefront.space.tokenizer.Tokenizer;
import org.edgefront.space.tokenizer.Tokenizers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GgufQuantizedTest {
    private static final int DIM = 256;
    private static final int VOCAB = 40;

    @TempDir
    Path dir;

    /** Blocks of random quants whose fp16 scales (at the given byte offsets) are small and finite. */
    private static byte[] blocks(GgmlType t, long values, Random rng, int... halfOffsets) {
        byte[] b = new byte[(int) t.bytesFor(values)];
        rng.nextBytes(b);
        for (int k = 0; k < b.length; k += t.blockBytes()) {
            for (int h : halfOffsets) {
                b[k + h] = (byte) rng.nextInt(256);
                b[k + h + 1] = 0x20; // exponent bits keep it finite and small
            }
        }
        return b;
    }

    private static byte[] f32(int n, float v) {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(4 * n).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < n; i++) b.putFloat(v);
        return b.array();
    }

    private static TestGguf llama(String arch) {
        String p = arch + ".";
        return new TestGguf().string("general.architecture", arch).string("general.name", "quantized-test")
                .u32(p + "embedding_length", DIM).u32(p + "feed_forward_length", DIM).u32(p + "block_count", 1)
                .u32(p + "attention.head_count", 4).u32(p + "attention.head_count_kv", 4).u32(p + "context_length", 32)
                .f32(p + "attention.layer_norm_rms_epsilon", 1e-5f);
    }

    @Test
    void aQuantizedGgufOpensAndEachTensorReadsAsItsGgmlDecode() throws Exception {
        Random rng = new Random(5);
        byte[] q = blocks(GgmlType.Q4_K, DIM * DIM, rng, 0, 2);
        byte[] iq = blocks(GgmlType.IQ4_XS, DIM * DIM, rng, 0);
        byte[] emb = blocks(GgmlType.Q8_0, (long) DIM * VOCAB, rng, 0);
        TestGguf g = llama("llama").tensor("token_embd.weight", new long[] {DIM, VOCAB}, GgmlType.Q8_0.id(), emb)
                .tensor("output_norm.weight", new long[] {DIM}, 0, f32(DIM, 1f))
                .tensor("blk.0.attn_norm.weight", new long[] {DIM}, 0, f32(DIM, 1f))
                .tensor("blk.0.ffn_norm.weight", new long[] {DIM}, 0, f32(DIM, 1f));
        for (String t : List.of("attn_q", "attn_k", "attn_v", "attn_output", "ffn_gate", "ffn_up")) {
            g.tensor("blk.0." + t + ".weight", new long[] {DIM, DIM}, GgmlType.Q4_K.id(), q);
        }
        g.tensor("blk.0.ffn_down.weight", new long[] {DIM, DIM}, GgmlType.IQ4_XS.id(), iq);
        Path p = g.write(dir.resolve("q.gguf"));
        try (ModelWeights w = ModelLoader.open(p.toString())) {
            ModelArchitecture a = w.architecture();
            assertEquals(DIM, a.dim());
            assertTrue(a.tiedEmbeddings());
            float[] expected = new float[DIM * DIM];
            GgmlType.Q4_K.dequantizer().dequantize(q, 0, DIM * DIM / 256, expected, 0);
            assertArrayEquals(expected, w.read("blk.0.attn_v.weight"));
            GgmlType.IQ4_XS.dequantizer().dequantize(iq, 0, DIM * DIM / 256, expected, 0);
            assertArrayEquals(expected, w.read("blk.0.ffn_down.weight"));
            float[] e = new float[DIM * VOCAB];
            GgmlType.Q8_0.dequantizer().dequantize(emb, 0, DIM * VOCAB / 32, e, 0);
            assertArrayEquals(e, w.read("token_embd.weight"));
        }
    }

    @Test
    void anArchitectureWithoutAForwardPassIsRefusedByName() throws Exception {
        Path p = llama("mamba").write(dir.resolve("mamba.gguf"));
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> ModelLoader.open(p.toString()).close());
        assertEquals("general.architecture", e.field());
        assertTrue(e.getMessage().contains("unsupported architecture mamba"), e.getMessage());
    }

    @Test
    void aSentencePieceVocabularyInTheGgufEncodesLikeTheLlama2cTokenizerItCameFrom() throws Exception {
        Llama2cTokenizer ref = Llama2cTokenizer.load(SharedModels.file("tok512.bin"), 512);
        List<String> tokens = new ArrayList<>();
        float[] scores = new float[512];
        int[] types = new int[512];
        for (int i = 0; i < 512; i++) {
            tokens.add(new String(ref.piece(i), java.nio.charset.StandardCharsets.UTF_8).replace(' ', '\u2581'));
            scores[i] = ref.score(i);
            types[i] = i < 3 ? 3 : i < 259 ? 6 : 1;
        }
        Path p = llama("llama").string("tokenizer.ggml.model", "llama").strings("tokenizer.ggml.tokens", tokens)
                .f32s("tokenizer.ggml.scores", scores).i32s("tokenizer.ggml.token_type", types)
                .u32("tokenizer.ggml.bos_token_id", 1).u32("tokenizer.ggml.eos_token_id", 2).write(dir.resolve("spm.gguf"));
        Tokenizer t = Tokenizers.load(p.toString(), 512);
        assertEquals(512, t.vocabSize());
        for (String para : TextCorpus.paragraphs(SharedModels.file("tinystories_val.txt")).subList(0, 50)) {
            assertArrayEquals(ref.encode(para, true, false), t.encode(para, true, false));
        }
        assertArrayEquals(ref.encode("Zoë’s café 日本", true, true), t.encode("Zoë’s café 日本", true, true));
    }

    @Test
    void aGpt2VocabularyInTheGgufEncodesByteLevelWithItsMergesAndControlTokens() throws Exception {
        List<String> tokens = new ArrayList<>();
        for (int c = 0; c < 256; c++) {
            boolean printable = (c >= '!' && c <= '~') || (c >= 0xA1 && c <= 0xAC) || (c >= 0xAE && c <= 0xFF);
            if (printable) tokens.add(String.valueOf((char) c));
        }
        for (int c = 0, n = 0; c < 256; c++) {
            boolean printable = (c >= '!' && c <= '~') || (c >= 0xA1 && c <= 0xAC) || (c >= 0xAE && c <= 0xFF);
            if (!printable) tokens.add(String.valueOf((char) (256 + n++)));
        }
        int theWord = tokens.size();
        tokens.addAll(List.of("\u0120t", "he", "\u0120the", "<|endoftext|>"));
        int[] types = new int[tokens.size()];
        java.util.Arrays.fill(types, 1);
        types[tokens.size() - 1] = 3;
        Path p = llama("llama").string("tokenizer.ggml.model", "gpt2").string("tokenizer.ggml.pre", "gpt-2")
                .strings("tokenizer.ggml.tokens", tokens).i32s("tokenizer.ggml.token_type", types)
                .strings("tokenizer.ggml.merges", List.of("\u0120 t", "h e", "\u0120t he"))
                .u32("tokenizer.ggml.bos_token_id", tokens.size() - 1).u32("tokenizer.ggml.eos_token_id", tokens.size() - 1)
                .write(dir.resolve("bpe.gguf"));
        Tokenizer t = Tokenizers.load(p.toString(), tokens.size());
        int eot = tokens.size() - 1;
        int the = theWord + 2;
        assertArrayEquals(new int[] {eot, the, the, eot, the}, t.encode(" the the<|endoftext|> the", true, false));
        assertEquals(" the the the", t.decode(t.encode(" the the<|endoftext|> the", true, false)));
    }

    @Test
    void aGgufTokenizerWithAnUnknownPreTokenizerIsRefusedByName() throws Exception {
        Path p = llama("llama").string("tokenizer.ggml.model", "gpt2").string("tokenizer.ggml.pre", "kimi-k2")
                .strings("tokenizer.ggml.tokens", List.of("a", "b", "ab")).strings("tokenizer.ggml.merges", List.of("a b"))
                .write(dir.resolve("pre.gguf"));
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> Tokenizers.load(p.toString(), 3));
        assertEquals("tokenizer.ggml.pre", e.field());
        assertTrue(e.getMessage().contains("kimi-k2"));
    }
}
