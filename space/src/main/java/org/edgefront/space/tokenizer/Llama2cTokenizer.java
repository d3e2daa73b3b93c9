package org.edgefront.space.tokenizer;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.edgefront.space.input.InvalidInputException;
import org.edgefront.space.io.HadoopFiles;
import org.edgefront.space.io.RangeReader;

/**
 * llama2.c's BPE tokenizer. File format: int32 {@code max_token_length}, then for each of
 * {@code vocabSize} tokens a float32 score, an int32 byte length and the bytes (all little-endian).
 * Ids 0, 1, 2 are unknown, BOS and EOS; ids 3..258 are byte fallbacks {@code <0xNN>}.
 *
 * <p>{@link #encode} follows llama2.c's {@code encode} exactly: a dummy-prefix token for {@code " "}
 * first when the text is non-empty; each UTF-8 code point looked up whole, or else emitted as byte
 * fallbacks (id = byte + 3); then the adjacent pair whose concatenation is a vocabulary entry with the
 * highest score is merged, repeatedly (first pair wins ties), until no pair merges ({@link BpeMerges}: in
 * O(n log n) rather than llama2.c's quadratic rescans, with the same result).
 *
 * <p>Immutable and thread-safe.
 */
public final class Llama2cTokenizer implements Tokenizer {
    private static final int MAX_TOKEN_BYTES = 1 << 16;

    private final byte[][] pieces;
    private final float[] scores;
    /** Token bytes as ISO-8859-1 strings (one char per byte, lossless) to id. */
    private final Map<String, Integer> ids;
    private final String[] latin1;
    /** (left id, right id) packed in a long to the id of their concatenation, for every such pair. */
    private final Map<Long, Integer> pairs;
    /** Lowest id with the same piece as each id: pairs are keyed by these, since merging looks at strings. */
    private final int[] canonical;
    /** The end-of-sequence id: {@link #EOS} in llama2.c files; a GGUF may name another (Phi-3's {@code <|endoftext|>}, 32000). */
    private final int eosId;
    /** The beginning-of-sequence id: {@link #BOS} in llama2.c files; a GGUF may name another (Gemma's {@code <bos>}, 2). */
    private final int bosId;
    /** Whether text gets the dummy-prefix space (llama2.c and Llama: yes; Gemma: {@code add_space_prefix} false). */
    private final boolean spacePrefix;
    /** The id of each byte's fallback token {@code <0xNN>}, or the unknown token's where the vocabulary has none. */
    private final int[] byteIds;
    /**
     * Tokens matched in the raw text before the merges and emitted whole (llama.cpp's user-defined tokens, which it
     * partitions the text on even without parsing specials), longest first; empty for llama2.c files.
     */
    private final String[] userDefined;
    private final int[] userDefinedIds;

    private Llama2cTokenizer(byte[][] pieces, float[] scores) {
        this(pieces, scores, BOS, EOS, true, null, 0, new String[0], new int[0]);
    }

    private Llama2cTokenizer(byte[][] pieces, float[] scores, int bosId, int eosId, boolean spacePrefix, int[] byteIds, int unknownId,
                             String[] userDefined, int[] userDefinedIds) {
        this.eosId = eosId;
        this.bosId = bosId;
        this.spacePrefix = spacePrefix;
        this.userDefined = userDefined;
        this.userDefinedIds = userDefinedIds;
        this.byteIds = new int[256];
        for (int b = 0; b < 256; b++) {
            this.byteIds[b] = byteIds != null ? byteIds[b] : b + 3 < pieces.length ? b + 3 : unknownId;
        }
        this.pieces = pieces;
        this.scores = scores;
        this.latin1 = new String[pieces.length];
        this.ids = new HashMap<>(pieces.length * 2);
        for (int i = 0; i < pieces.length; i++) {
            latin1[i] = new String(pieces[i], StandardCharsets.ISO_8859_1);
            ids.putIfAbsent(latin1[i], i); // duplicates: the lowest id wins
        }
        this.canonical = new int[pieces.length];
        for (int i = 0; i < pieces.length; i++) canonical[i] = ids.get(latin1[i]);
        this.pairs = new HashMap<>();
        for (int i = 0; i < pieces.length; i++) {
            String s = latin1[i];
            Integer merged = ids.get(s);
            for (int cut = 1; cut < s.length(); cut++) {
                Integer a = ids.get(s.substring(0, cut));
                Integer b = ids.get(s.substring(cut));
                if (a != null && b != null) {
                    pairs.put(((long) a << 32) | b, merged);
                }
            }
        }
    }

    /**
     * A tokenizer over pieces and scores already in memory (a GGUF file's SentencePiece vocabulary with {@code ▁} turned
     * back into spaces, as llama2.c's exporter does; the arrays are copied), run as llama.cpp's {@code llm_tokenizer_spm} runs it (a GGUF's {@code llama} model): special
     * ids where the file puts them, the dummy-prefix space only when {@code spacePrefix}, byte fallbacks at the ids of
     * their {@code <0xNN>} tokens, and user-defined tokens matched in the raw text first, each emitted whole, with the text
     * after one taking the dummy prefix again (llama.cpp's {@code tokenizer_st_partition} then {@code is_prev_special}).
     *
     * @param byteIds     per byte value, the id of its {@code <0xNN>} token (256 entries), or null for llama2.c's ids 3..258
     * @param userDefined user-defined token texts (as the file stores them) to their ids
     */
    static Llama2cTokenizer of(byte[][] pieces, float[] scores, int bosId, int eosId, boolean spacePrefix, int[] byteIds, int unknownId,
                               Map<String, Integer> userDefined) {
        if (pieces.length != scores.length) throw new IllegalArgumentException(pieces.length + " pieces but " + scores.length + " scores");
        if (eosId < 0 || eosId >= pieces.length) throw new IllegalArgumentException("EOS id " + eosId + " outside a vocabulary of " + pieces.length);
        if (bosId < 0 || bosId >= pieces.length) throw new IllegalArgumentException("BOS id " + bosId + " outside a vocabulary of " + pieces.length);
        if (byteIds != null && byteIds.length != 256) throw new IllegalArgumentException(byteIds.length + " byte ids");
        byte[][] p = new byte[pieces.length][];
        for (int i = 0; i < p.length; i++) p[i] = pieces[i].clone();
        // llama.cpp tries the longest user-defined token first (its special-token cache is sorted by text length)
        java.util.List<Map.Entry<String, Integer>> u = new java.util.ArrayList<>(userDefined.entrySet());
        u.removeIf(e -> e.getKey().isEmpty());
        u.sort(java.util.Comparator.<Map.Entry<String, Integer>>comparingInt(e -> -e.getKey().length()).thenComparingInt(Map.Entry::getValue));
        String[] texts = u.stream().map(Map.Entry::getKey).toArray(String[]::new);
        int[] tids = u.stream().mapToInt(Map.Entry::getValue).toArray();
        return new Llama2cTokenizer(p, scores.clone(), bosId, eosId, spacePrefix, byteIds == null ? null : byteIds.clone(), unknownId, texts, tids);
    }

    /** Loads a tokenizer with a default Hadoop configuration. */
    public static Llama2cTokenizer load(String uri, int vocabSize) throws IOException {
        return load(uri, vocabSize, new Configuration());
    }

    /**
     * Loads a tokenizer file holding exactly {@code vocabSize} tokens (the model's vocabulary size).
     *
     * @throws InvalidInputException when the file is empty, truncated, has impossible lengths or has
     *                               bytes beyond the last token
     */
    public static Llama2cTokenizer load(String uri, int vocabSize, Configuration conf) throws IOException {
        if (vocabSize < 1) throw new InvalidInputException(uri, "vocab_size", "vocabulary size " + vocabSize + " is not positive");
        try (RangeReader r = HadoopFiles.open(uri, conf)) {
            long len = r.length();
            if (len == 0) throw new InvalidInputException(uri, "max_token_length (offset 0)", "file is empty");
            // each token needs at least 8 bytes (score and length): check before allocating per-token arrays
            if (len < 4 + 8L * vocabSize) {
                throw new InvalidInputException(uri, "length", "file has " + len + " bytes, too few for " + vocabSize
                        + " tokens (truncated, or the tokenizer belongs to a smaller model)");
            }
            if (len > Integer.MAX_VALUE - 8) throw new InvalidInputException(uri, "length", "file of " + len + " bytes is too large for a tokenizer");
            ByteBuffer b = r.readLittleEndian(0, (int) len);
            int maxLen = b.getInt(0);
            if (maxLen < 1 || maxLen > MAX_TOKEN_BYTES) {
                throw new InvalidInputException(uri, "max_token_length (offset 0)", "value " + maxLen + " is out of range 1.." + MAX_TOKEN_BYTES);
            }
            byte[][] pieces = new byte[vocabSize][];
            float[] scores = new float[vocabSize];
            int pos = 4;
            for (int i = 0; i < vocabSize; i++) {
                if (pos + 8 > len) {
                    throw new InvalidInputException(uri, "token " + i + " (offset " + pos + ")", "file ends before token " + i + " of " + vocabSize + " (truncated?)");
                }
                scores[i] = b.getFloat(pos);
                int n = b.getInt(pos + 4);
                if (n < 0 || n > maxLen) {
                    throw new InvalidInputException(uri, "token " + i + " length (offset " + (pos + 4) + ")", "length " + n + " is out of range 0.." + maxLen);
                }
                pos += 8;
                if (pos + (long) n > len) {
                    throw new InvalidInputException(uri, "token " + i + " (offset " + pos + ")", "token bytes run past the end of the file (truncated?)");
                }
                pieces[i] = new byte[n];
                b.get(pos, pieces[i]);
                pos += n;
            }
            if (pos != len) {
                throw new InvalidInputException(uri, "offset " + pos, (len - pos) + " bytes after the last of " + vocabSize
                        + " tokens; does the tokenizer belong to a model with this vocabulary size?");
            }
            return new Llama2cTokenizer(pieces, scores);
        }
    }

    @Override
    public int vocabSize() { return pieces.length; }

    @Override
    public int eosId() { return eosId; }

    @Override
    public int bosId() { return bosId; }

    /** The raw bytes of a token's piece. */
    public byte[] piece(int token) { return pieces[token].clone(); }

    /** The merge score of a token. */
    public float score(int token) { return scores[token]; }

    @Override
    public int[] encode(String text, boolean bos, boolean eos) {
        java.util.List<Object> fragments = partition(text);
        int[] out = new int[16];
        int n = 0;
        if (bos) out[n++] = bosId;
        boolean prevSpecial = true;
        for (Object f : fragments) {
            int[] part = f instanceof Integer id ? new int[] {id} : encodeRaw((String) f, spacePrefix && prevSpecial);
            prevSpecial = f instanceof Integer;
            if (n + part.length + 1 > out.length) out = java.util.Arrays.copyOf(out, Math.max(2 * out.length, n + part.length + 1));
            System.arraycopy(part, 0, out, n, part.length);
            n += part.length;
        }
        if (eos) out[n++] = eosId;
        return java.util.Arrays.copyOf(out, n);
    }

    /** The text split at every user-defined token (longest first, leftmost): raw strings and token ids, in order. */
    private java.util.List<Object> partition(String text) {
        java.util.List<Object> parts = new java.util.ArrayList<>();
        parts.add(text);
        for (int k = 0; k < userDefined.length; k++) {
            java.util.List<Object> next = new java.util.ArrayList<>();
            for (Object p : parts) {
                if (!(p instanceof String raw)) {
                    next.add(p);
                    continue;
                }
                int from = 0;
                int at;
                while ((at = raw.indexOf(userDefined[k], from)) >= 0) {
                    if (at > from) next.add(raw.substring(from, at));
                    next.add(userDefinedIds[k]);
                    from = at + userDefined[k].length();
                }
                if (from < raw.length()) next.add(raw.substring(from));
            }
            parts = next;
        }
        return parts;
    }

    /** One raw fragment: llama2.c's encode, with or without the dummy-prefix space. */
    private int[] encodeRaw(String text, boolean prefix) {
        byte[] t = text.getBytes(StandardCharsets.UTF_8);
        int[] tokens = new int[t.length + 3];
        int n = 0;
        if (t.length > 0 && prefix) {
            Integer space = ids.get(" ");
            // llama2.c assumes " " is in the vocabulary; fall back to its byte token otherwise
            tokens[n++] = space != null ? space : byteIds[' '];
        }
        StringBuilder cp = new StringBuilder(4);
        for (int i = 0; i < t.length; i++) {
            int c = t[i] & 0xff;
            if ((c & 0xC0) != 0x80) cp.setLength(0);
            cp.append((char) c);
            if (i + 1 < t.length && (t[i + 1] & 0xC0) == 0x80 && cp.length() < 4) continue;
            Integer id = ids.get(cp.toString());
            if (id != null) {
                tokens[n++] = id;
            } else {
                // byte fallback; a vocabulary too small to hold byte tokens gets the unknown token
                for (int j = 0; j < cp.length(); j++) tokens[n++] = byteIds[cp.charAt(j)];
            }
            cp.setLength(0);
        }
        n = merge(tokens, n);
        return java.util.Arrays.copyOf(tokens, n);
    }

    private int merge(int[] tokens, int n) {
        return BpeMerges.apply(tokens, n, (a, b) -> {
            int id = pairToken(a, b);
            // llama2.c starts its search for the best score at -1e10, so pairs scoring no higher never merge
            return id < 0 || !(scores[id] > -1e10f) ? BpeMerges.NONE : BpeMerges.rule(BpeMerges.descendingKey(scores[id]), id);
        });
    }

    private int pairToken(int a, int b) {
        Integer id = pairs.get(((long) canonical[a] << 32) | canonical[b]);
        return id == null ? -1 : id;
    }

    @Override
    public String decode(int prevToken, int token) {
        byte[] b = pieceBytes(prevToken, token);
        return new String(b, StandardCharsets.UTF_8);
    }

    @Override
    public String decode(int[] tokens) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int prev = -1;
        for (int t : tokens) {
            if (t != BOS && t != EOS && t != eosId && t != bosId) out.writeBytes(pieceBytes(prev, t));
            prev = t;
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    private byte[] pieceBytes(int prevToken, int token) {
        if (token < 0 || token >= pieces.length) {
            throw new IllegalArgumentException("token " + token + " outside vocabulary of " + pieces.length);
        }
        byte[] p = pieces[token];
        if (prevToken == bosId && spacePrefix && p.length > 0 && p[0] == ' ') p = java.util.Arrays.copyOfRange(p, 1, p.length);
        int raw = byteFallback(p);
        return raw >= 0 ? new byte[] {(byte) raw} : p;
    }

    /** The byte of a {@code <0xNN>} piece, or -1. */
    private static int byteFallback(byte[] p) {
        if (p.length != 6 || p[0] != '<' || p[1] != '0' || p[2] != 'x' || p[5] != '>') return -1;
        int hi = Character.digit(p[3], 16);
        int lo = Character.digit(p[4], 16);
        return hi < 0 || lo < 0 ? -1 : hi * 16 + lo;
    }
}
