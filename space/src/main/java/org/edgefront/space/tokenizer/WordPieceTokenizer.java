package org.edgefront.space.tokenizer;

import java.text.Normalizer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A WordPiece vocabulary as a GGUF holds it ({@code tokenizer.ggml.model = bert}: word-initial pieces written with a
 * leading {@code ▁}, continuations without BERT's {@code ##}), tokenized as llama.cpp's WPM session does: each
 * character replaced by the first code point of its decomposition and combining marks dropped when accents are
 * stripped, lower-cased, control characters dropped,
 * split at whitespace, and every punctuation mark, ASCII symbol and CJK ideograph a word of its own; then each word,
 * prefixed with {@code ▁}, is the longest pieces from its start, or the unknown token when some position matches
 * none. Immutable and thread-safe.
 */
final class WordPieceTokenizer implements Tokenizer {
    private static final String WORD_START = "\u2581";

    private final List<String> tokens;
    private final Map<String, Integer> ids = new HashMap<>();
    private final int maxTokenChars;
    private final int unk;
    private final int bos;
    private final int eos;
    private final boolean lowercase;
    private final boolean stripAccents;

    /**
     * @param tokens       token texts by id
     * @param unk          the unknown token's id
     * @param bos          the classification token that starts a text ({@code [CLS]})
     * @param eos          the separator that ends one ({@code [SEP]})
     * @param lowercase    lower-case the text
     * @param stripAccents decompose the text and drop its combining marks
     */
    WordPieceTokenizer(List<String> tokens, int unk, int bos, int eos, boolean lowercase, boolean stripAccents) {
        this.tokens = List.copyOf(tokens);
        int max = 0;
        for (int i = 0; i < tokens.size(); i++) {
            ids.putIfAbsent(tokens.get(i), i);
            max = Math.max(max, tokens.get(i).length());
        }
        this.maxTokenChars = max;
        this.unk = unk;
        this.bos = bos;
        this.eos = eos;
        this.lowercase = lowercase;
        this.stripAccents = stripAccents;
    }

    @Override
    public int[] encode(String text, boolean addBos, boolean addEos) {
        List<Integer> out = new ArrayList<>();
        if (addBos) out.add(bos);
        for (String word : words(text)) {
            String w = WORD_START + word;
            int start = out.size();
            boolean whole = true;
            for (int i = 0; i < w.length() && whole; ) {
                whole = false;
                for (int j = Math.min(w.length(), i + maxTokenChars); j > i; j--) {
                    Integer id = ids.get(w.substring(i, j));
                    if (id != null) {
                        out.add(id);
                        i = j;
                        whole = true;
                        break;
                    }
                }
            }
            if (!whole) out.subList(start, out.size()).clear();
            if (out.size() == start) out.add(unk);
        }
        if (addEos) out.add(eos);
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    /** The words of llama.cpp's WPM pre-processing. */
    private List<String> words(String text) {
        List<String> words = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        for (int k = 0; k < text.length(); ) {
            int cp = text.codePointAt(k);
            k += Character.charCount(cp);
            if (stripAccents) cp = nfdFirst(cp);
            if (isWhitespace(cp)) {
                if (cur.length() > 0) {
                    words.add(cur.toString());
                    cur.setLength(0);
                }
                continue;
            }
            int type = Character.getType(cp);
            if (cp == 0 || cp == 0xFFFD || isControl(type)) continue;
            if (stripAccents && isMark(type)) continue;
            int c = lowercase ? Character.toLowerCase(cp) : cp;
            if (isPunctuation(type) || (cp < 0x7F && isSymbol(type)) || isChinese(cp)) {
                if (cur.length() > 0) {
                    words.add(cur.toString());
                    cur.setLength(0);
                }
                words.add(new String(Character.toChars(c)));
            } else {
                cur.appendCodePoint(c);
            }
        }
        if (cur.length() > 0) words.add(cur.toString());
        return words;
    }

    /**
     * The first code point of a code point's canonical decomposition: llama.cpp's "NFD" keeps one code point for each
     * (its table is Python's {@code unicodedata.normalize('NFD', c)[0]}), so a Hangul syllable becomes its first jamo
     * and an accented letter its base letter, where a full decomposition would keep every part.
     */
    private static int nfdFirst(int cp) {
        if (cp < 0xC0) return cp;
        String d = Normalizer.normalize(new String(Character.toChars(cp)), Normalizer.Form.NFD);
        return d.codePointAt(0);
    }

    /** White space as llama.cpp's tables have it: the space separators, tab to carriage return, and NEL. */
    private static boolean isWhitespace(int cp) {
        return (cp >= 0x09 && cp <= 0x0D) || cp == 0x85 || Character.isSpaceChar(cp);
    }

    private static boolean isControl(int type) {
        return type == Character.CONTROL || type == Character.FORMAT || type == Character.PRIVATE_USE || type == Character.SURROGATE
                || type == Character.UNASSIGNED;
    }

    private static boolean isMark(int type) {
        return type == Character.NON_SPACING_MARK || type == Character.ENCLOSING_MARK || type == Character.COMBINING_SPACING_MARK;
    }

    private static boolean isPunctuation(int type) {
        return type == Character.CONNECTOR_PUNCTUATION || type == Character.DASH_PUNCTUATION || type == Character.START_PUNCTUATION
                || type == Character.END_PUNCTUATION || type == Character.INITIAL_QUOTE_PUNCTUATION || type == Character.FINAL_QUOTE_PUNCTUATION
                || type == Character.OTHER_PUNCTUATION;
    }

    private static boolean isSymbol(int type) {
        return type == Character.MATH_SYMBOL || type == Character.CURRENCY_SYMBOL || type == Character.MODIFIER_SYMBOL || type == Character.OTHER_SYMBOL;
    }

    /** The CJK ideograph blocks llama.cpp (after Hugging Face's BERT) splits one by one. */
    private static boolean isChinese(int cp) {
        return (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF) || (cp >= 0x20000 && cp <= 0x2A6DF)
                || (cp >= 0x2A700 && cp <= 0x2B73F) || (cp >= 0x2B740 && cp <= 0x2B81F) || (cp >= 0x2B920 && cp <= 0x2CEAF)
                || (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0x2F800 && cp <= 0x2FA1F);
    }

    @Override
    public String decode(int prevToken, int token) {
        String s = tokens.get(token).replace(WORD_START, " ");
        return prevToken == bos && s.startsWith(" ") ? s.substring(1) : s;
    }

    @Override
    public String decode(int[] tokens) {
        StringBuilder sb = new StringBuilder();
        int prev = -1;
        for (int t : tokens) {
            if (t != bos && t != eos) sb.append(decode(prev, t));
            prev = t;
        }
        String s = sb.toString();
        return s.startsWith(" ") ? s.substring(1) : s;
    }

    @Override public int vocabSize() { return tokens.size(); }
    @Override public int bosId() { return bos; }
    @Override public int eosId() { return eos; }
}
