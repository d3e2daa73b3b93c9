package org.edgefront.space.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.edgefront.space.input.InvalidInputException;

/**
 * The token windows of a llama-perplexity {@code --kl-divergence-base} file: the 8-byte magic {@code _logits_}, then
 * int32 n_ctx, n_vocab and n_chunk, then n_ctx x n_chunk int32 tokens (the text's token stream as llama-perplexity cut
 * it into chunks, each chunk's first token as in the text, not the BOS that llama-perplexity puts over it when it runs
 * the chunk), then the reference logits, which are not read here. llama-perplexity scores positions {@code n_ctx / 2 ..
 * n_ctx - 2} of each chunk, each predicting the next token; reading its windows lets EdgeFront score the very tokens
 * llama.cpp scored.
 *
 * <p>Lengths read from the file are checked against ranges and against the file's size before anything is allocated.
 * Immutable; the token arrays are owned by the record (do not modify).
 *
 * @param contextTokens n_ctx, tokens per chunk
 * @param vocabSize     n_vocab of the model that wrote the file
 * @param chunks        the chunks' tokens, {@code contextTokens} each
 */
public record LlamaKldBase(int contextTokens, int vocabSize, List<int[]> chunks) {
    private static final byte[] MAGIC = "_logits_".getBytes(StandardCharsets.US_ASCII);
    /** Bounds on the header's counts: far beyond any real file, low enough that no product overflows. */
    private static final int MAX_CONTEXT = 1 << 20;
    private static final int MAX_VOCAB = 1 << 24;
    private static final long MAX_TOKENS = 1L << 28;

    /** Position of a chunk's first scored prediction, as llama-perplexity's {@code first = n_ctx / 2}. */
    public int firstScoredPosition() { return contextTokens / 2; }

    /**
     * Reads the header and tokens of {@code uri}.
     *
     * @throws InvalidInputException naming the file and field when it is not such a file, its counts are out of range,
     *                               or it is shorter than its tokens
     */
    public static LlamaKldBase read(String uri, Configuration conf) throws IOException {
        try (RangeReader r = HadoopFiles.open(uri, conf)) {
            if (r.length() < 20) throw new InvalidInputException(uri, "header", r.length() + " bytes, shorter than the 20-byte header");
            byte[] magic = new byte[8];
            r.readFully(0, magic, 0, 8);
            if (!java.util.Arrays.equals(magic, MAGIC)) {
                throw new InvalidInputException(uri, "magic", "not a llama-perplexity --kl-divergence-base file (no '_logits_' at offset 0)");
            }
            ByteBuffer h = r.readLittleEndian(8, 12);
            int ctx = h.getInt();
            int vocab = h.getInt();
            int chunks = h.getInt();
            if (ctx < 4 || ctx > MAX_CONTEXT) throw new InvalidInputException(uri, "n_ctx (offset 8)", ctx + " is outside [4, " + MAX_CONTEXT + "]");
            if (vocab < 2 || vocab > MAX_VOCAB) throw new InvalidInputException(uri, "n_vocab (offset 12)", vocab + " is outside [2, " + MAX_VOCAB + "]");
            long tokens = (long) ctx * chunks;
            if (chunks < 1 || tokens > MAX_TOKENS) {
                throw new InvalidInputException(uri, "n_chunk (offset 16)", chunks + " chunks of " + ctx + " tokens is outside [1, " + MAX_TOKENS + "] tokens");
            }
            if (r.length() < 20 + 4 * tokens) {
                throw new InvalidInputException(uri, "tokens (offset 20)", "the file has " + r.length() + " bytes, fewer than the " + (20 + 4 * tokens)
                        + " its header's " + chunks + " chunks of " + ctx + " tokens need");
            }
            List<int[]> out = new ArrayList<>(chunks);
            for (int c = 0; c < chunks; c++) {
                ByteBuffer b = r.readLittleEndian(20 + 4L * ctx * c, 4 * ctx);
                int[] t = new int[ctx];
                for (int i = 0; i < ctx; i++) {
                    t[i] = b.getInt();
                    if (t[i] < 0 || t[i] >= vocab) {
                        throw new InvalidInputException(uri, "chunk " + c + " token " + i, t[i] + " is outside the vocabulary of " + vocab);
                    }
                }
                out.add(t);
            }
            return new LlamaKldBase(ctx, vocab, List.copyOf(out));
        }
    }

    /**
     * The chunks as llama-perplexity runs them: with {@code bos} over each chunk's first token when its tokenizer adds BOS
     * ({@code addBos}), else unchanged. New arrays.
     */
    public List<int[]> windows(boolean addBos, int bos) {
        List<int[]> w = new ArrayList<>(chunks.size());
        for (int[] c : chunks) {
            int[] s = c.clone();
            if (addBos) s[0] = bos;
            w.add(s);
        }
        return w;
    }
}
