package org.edgefront.space.tokenizer;

/**
 * Text to token ids and back. Implementations are immutable and thread-safe.
 */
public interface Tokenizer {
    /** Id of the beginning-of-sequence token in llama2.c-style vocabularies. */
    int BOS = 1;
    /** Id of the end-of-sequence token in llama2.c-style vocabularies. */
    int EOS = 2;

    /**
     * Encodes text.
     *
     * @param bos prepend the beginning-of-sequence token
     * @param eos append the end-of-sequence token
     */
    int[] encode(String text, boolean bos, boolean eos);

    /**
     * The text of one token as it appears after {@code prevToken} (llama2.c's {@code decode}: a leading
     * space is dropped right after BOS). A byte-fallback token for a byte above 0x7F cannot be text on
     * its own and decodes to U+FFFD; use {@link #decode(int[])} for exact text.
     */
    String decode(int prevToken, int token);

    /**
     * Decodes a whole sequence to text, joining byte-fallback tokens into UTF-8 characters.
     * BOS and EOS produce no text; a leading space right after BOS is dropped.
     */
    String decode(int[] tokens);

    /** Number of tokens in the vocabulary. */
    int vocabSize();

    /** Id of this vocabulary's beginning-of-sequence token ({@link #BOS} unless overridden). */
    default int bosId() { return BOS; }

    /** Id of this vocabulary's end-of-sequence token ({@link #EOS} unless overridden). */
    default int eosId() { return EOS; }

    /**
     * Whether a text of this vocabulary begins with BOS when it is evaluated, as its runtime starts it: true unless a
     * GGUF says otherwise ({@code tokenizer.ggml.add_bos_token}, false for Qwen's vocabularies; llama.cpp's default by
     * tokenizer type when absent).
     */
    default boolean addsBos() { return true; }
}
