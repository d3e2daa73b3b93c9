package org.edgefront.space.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.edgefront.space.input.InvalidInputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LlamaKldBaseTest {
    @TempDir
    Path dir;

    /** A base file as llama-perplexity writes it: magic, n_ctx, n_vocab, n_chunk, tokens, then (here fake) logits. */
    private Path file(String magic, int ctx, int vocab, int chunks, int[] tokens, int trailingBytes) throws Exception {
        ByteBuffer b = ByteBuffer.allocate(20 + 4 * tokens.length + trailingBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.put(magic.getBytes(StandardCharsets.US_ASCII)).putInt(ctx).putInt(vocab).putInt(chunks);
        for (int t : tokens) b.putInt(t);
        Path p = dir.resolve("base-" + System.nanoTime() + ".kld");
        Files.write(p, b.array());
        return p;
    }

    private static int[] stream(int n) {
        int[] t = new int[n];
        for (int i = 0; i < n; i++) t[i] = (7 * i + 3) % 16;
        return t;
    }

    @Test
    void readsTheChunksAndRunsThemAsLlamaPerplexityDoes() throws Exception {
        int[] tokens = stream(16);
        LlamaKldBase k = LlamaKldBase.read(file("_logits_", 8, 16, 2, tokens, 64).toString(), new Configuration());
        assertEquals(8, k.contextTokens());
        assertEquals(16, k.vocabSize());
        assertEquals(4, k.firstScoredPosition());
        assertArrayEquals(java.util.Arrays.copyOfRange(tokens, 0, 8), k.chunks().get(0));
        assertArrayEquals(java.util.Arrays.copyOfRange(tokens, 8, 16), k.chunks().get(1));
        List<int[]> w = k.windows(true, 1);
        assertEquals(1, w.get(1)[0]);
        assertEquals(tokens[9], w.get(1)[1]);
        assertEquals(tokens[8], k.chunks().get(1)[0], "the windows are copies: the chunks keep the text's tokens");
        assertArrayEquals(k.chunks().get(0), k.windows(false, 1).get(0), "no BOS added when the tokenizer adds none");
    }

    @Test
    void aFileThatIsNotOneOrLiesAboutItsLengthIsRefusedByField() throws Exception {
        Configuration conf = new Configuration();
        assertField("magic", () -> LlamaKldBase.read(file("_logitz_", 8, 16, 2, stream(16), 0).toString(), conf));
        assertField("n_ctx", () -> LlamaKldBase.read(file("_logits_", 2, 16, 2, stream(16), 0).toString(), conf));
        assertField("n_vocab", () -> LlamaKldBase.read(file("_logits_", 8, -5, 2, stream(16), 0).toString(), conf));
        assertField("n_chunk", () -> LlamaKldBase.read(file("_logits_", 8, 16, 0, stream(16), 0).toString(), conf));
        // a header that claims more chunks than the file holds: refused before anything is allocated for them
        assertField("tokens", () -> LlamaKldBase.read(file("_logits_", 1 << 20, 16, 255, stream(16), 0).toString(), conf));
        int[] bad = stream(16);
        bad[11] = 16;
        assertField("chunk 1 token 3", () -> LlamaKldBase.read(file("_logits_", 8, 16, 2, bad, 0).toString(), conf));
        Path tiny = dir.resolve("tiny.kld");
        Files.write(tiny, new byte[7]);
        assertField("header", () -> LlamaKldBase.read(tiny.toString(), conf));
    }

    private static void assertField(String field, org.junit.jupiter.api.function.Executable read) {
        InvalidInputException e = assertThrows(InvalidInputException.class, read);
        assertTrue(e.getMessage().contains(field), e.getMessage());
    }
}
