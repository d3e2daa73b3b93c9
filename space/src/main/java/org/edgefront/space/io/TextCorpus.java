package org.edgefront.space.io;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;
import org.apache.hadoop.conf.Configuration;
import org.edgefront.space.input.InvalidInputException;
import org.edgefront.space.tokenizer.Tokenizer;

/**
 * Evaluation text as paragraphs, following the reference protocol in {@code shared/models/README.md}:
 * line endings normalized to {@code \n} (as Python's text mode does), split on the regex
 * {@code \n\s*\n}, each paragraph stripped, empty ones dropped. Whitespace means what Python's
 * {@code str.isspace} means, so the split matches the reference implementation character for character.
 *
 * <p>Files as users have them come in two {@link Layout layouts}: paragraphs separated by blank lines
 * (TinyStories), or one paragraph per line with no blank line anywhere (WikiText-2 as distributed with CRLF
 * endings). {@link Layout#AUTO}, the default, tells them apart: a text with at least one blank line is split on
 * blank lines, one without is split into lines. Stateless and thread-safe.
 */
public final class TextCorpus {
    /** Refuse text files larger than this (they are read whole). */
    public static final long MAX_TEXT_BYTES = 1L << 30;

    /** Python's Unicode whitespace (str.isspace), which {@code \s} and {@code strip()} use there. */
    private static final String PY_SPACE = "\\t\\n\\x0B\\f\\r\\x1C-\\x1F \\x85\\xA0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000";
    private static final Pattern SEPARATOR = Pattern.compile("\\n[" + PY_SPACE + "]*\\n");

    private TextCorpus() { }

    /** Where one paragraph ends and the next begins. */
    public enum Layout {
        /** {@link #BLANK_LINES} when the text has a blank line, else {@link #LINES}. */
        AUTO,
        /** Paragraphs separated by blank lines (the reference protocol); single line breaks stay inside. */
        BLANK_LINES,
        /** One paragraph per line (WikiText style); blank lines are dropped. */
        LINES
    }

    /** Paragraphs of a UTF-8 text file, layout detected, with a default Hadoop configuration. */
    public static List<String> paragraphs(String uri) throws IOException {
        return paragraphs(uri, new Configuration());
    }

    /** Paragraphs of a UTF-8 text file, layout detected (read whole; at most {@link #MAX_TEXT_BYTES}). */
    public static List<String> paragraphs(String uri, Configuration conf) throws IOException {
        return paragraphs(uri, Layout.AUTO, conf);
    }

    /** Paragraphs of a UTF-8 text file in the given layout (read whole; at most {@link #MAX_TEXT_BYTES}). */
    public static List<String> paragraphs(String uri, Layout layout, Configuration conf) throws IOException {
        List<String> p = split(HadoopFiles.readUtf8(uri, MAX_TEXT_BYTES, conf), layout);
        if (p.isEmpty()) throw new InvalidInputException(uri, "text", "no paragraphs (the file is empty or only whitespace)");
        return p;
    }

    /** Paragraphs of a text already in memory, layout detected (never empty paragraphs; possibly an empty list). */
    public static List<String> split(String text) {
        return split(text, Layout.AUTO);
    }

    /** Paragraphs of a text already in memory in the given layout (never empty paragraphs; possibly an empty list). */
    public static List<String> split(String text, Layout layout) {
        String t = text.replace("\r\n", "\n").replace('\r', '\n');
        Layout l = layout != Layout.AUTO ? layout : SEPARATOR.matcher(t).find() ? Layout.BLANK_LINES : Layout.LINES;
        List<String> out = new ArrayList<>();
        for (String part : l == Layout.LINES ? t.split("\n", -1) : SEPARATOR.split(t, -1)) {
            String s = pyStrip(part);
            if (!s.isEmpty()) out.add(s);
        }
        return out;
    }

    /**
     * Encodes paragraphs as evaluation sequences: BOS first when the vocabulary starts texts with it
     * ({@link Tokenizer#addsBos()}), then the paragraph's tokens (no EOS), cut to at most {@code maxTokens} tokens.
     */
    public static List<int[]> encode(Tokenizer tokenizer, List<String> paragraphs, int maxTokens) {
        if (maxTokens < 1) throw new IllegalArgumentException("maxTokens " + maxTokens + " < 1");
        List<int[]> out = new ArrayList<>(paragraphs.size());
        for (String p : paragraphs) {
            int[] ids = tokenizer.encode(p, tokenizer.addsBos(), false);
            out.add(ids.length > maxTokens ? Arrays.copyOf(ids, maxTokens) : ids);
        }
        return out;
    }

    static boolean pySpace(char c) {
        return (c >= '\t' && c <= '\r') || (c >= 0x1C && c <= 0x1F) || c == ' ' || c == 0x85 || c == 0xA0
                || c == 0x1680 || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F
                || c == 0x205F || c == 0x3000;
    }

    private static String pyStrip(String s) {
        int a = 0;
        int b = s.length();
        while (a < b && pySpace(s.charAt(a))) a++;
        while (b > a && pySpace(s.charAt(b - 1))) b--;
        return s.substring(a, b);
    }
}
