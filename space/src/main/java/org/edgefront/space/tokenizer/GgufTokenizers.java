package org.edgefront.space.tokenizer;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.edgefront.space.input.InvalidInputException;
import org.edgefront.space.io.GgufFile;

/**
 * The tokenizer a GGUF file carries ({@code tokenizer.ggml.*}), in the two kinds llama.cpp writes for Llama-family
 * models:
 * <ul>
 *   <li>{@code llama}: SentencePiece-style pieces with scores ({@code ▁} for a space, {@code <0xNN>} byte tokens
 *       at ids 3..258): encoded by {@link Llama2cTokenizer}, whose merge-by-score with a dummy space prefix and byte
 *       fallback is llama.cpp's SPM algorithm (llama2.c's tokenizer.bin is the same vocabulary with {@code ▁}
 *       written as a space);</li>
 *   <li>{@code gpt2}: byte-level BPE with merges, encoded by {@link HuggingFaceTokenizer} with the pre-tokenizer
 *       that {@code tokenizer.ggml.pre} names ({@code gpt-2}, {@code phi-2}, {@code mpt}, {@code llama-bpe}, {@code qwen2},
 *       {@code qwen35}, {@code deepseek-llm}, {@code deepseek-coder}, {@code falcon}, the starcoder group: the regular
 *       expressions llama.cpp's {@code llama-vocab.cpp} uses for them, applied one after another as it does);
 *       control and user-defined tokens are matched whole, as added tokens;</li>
 *   <li>{@code gemma4}: Gemma 4's BPE over raw characters with {@code ▁} for a space and byte-token fallback.</li>
 * </ul>
 * Anything else is refused naming the key. Stateless.
 */
public final class GgufTokenizers {
    static final String LLAMA3_REGEX = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}"
            + "| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
    static final String QWEN2_REGEX = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}"
            + "| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
    /** Qwen3.5's: Qwen2's with combining marks ({@code \p{M}}) inside words (llama.cpp's LLAMA_VOCAB_PRE_TYPE_QWEN35). */
    static final String QWEN35_REGEX = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?[\\p{L}\\p{M}]+|\\p{N}"
            + "| ?[^\\s\\p{L}\\p{M}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
    /** llama.cpp's DEEPSEEK_LLM letter expression: an optional space, then a run of the letters it lists (ranges as written there). */
    private static final String DEEPSEEK_LLM_LETTERS = "\\s?[A-Za-z\u00b5\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u01ba\u01bc-\u01bf\u01c4-\u0293\u0295-\u02af\u0370-\u0373\u0376\u0377\u037b-\u037d\u037f\u0386\u0388-\u038a\u038c\u038e-\u03a1\u03a3-\u03f5\u03f7-\u0481\u048a-\u052f\u0531-\u0556\u10a0-\u10c5\u13a0-\u13f5\u13f8-\u13fd\u1c90-\u1cba\u1cbd-\u1cbf\u1d00-\u1d2b\u1d6b-\u1d77\u1d79-\u1d9a\u1e00-\u1f15\u1f18-\u1f1d\u1f20-\u1f45\u1f48-\u1f4d\u1f50-\u1f57\u1f59\u1f5b\u1f5d\u1f5f-\u1f7d\u1f80-\u1fb4\u1fb6-\u1fbc\u1fbe\u1fc2-\u1fc4\u1fc6-\u1fcc\u1fd0-\u1fd3\u1fd6-\u1fdb\u1fe0-\u1fec\u1ff2-\u1ff4\u1ff6-\u1ffc\u2102\u2107\u210a-\u2113\u2115\u2119-\u211d\u2124\u2126\u2128\u212a-\u212d\u212f-\u2134\u2139\u213c-\u213f\u2145-\u2149\u214e\u2183\u2184\u2c00-\u2c7b\u2c7e-\u2ce4\u2ceb-\u2cee\u2cf2\u2cf3\ua640-\ua66d\ua680-\ua69b\ua722-\ua76f\ua771-\ua787\ua78b-\ua78e\uab70-\uabbf\ufb00-\ufb06\ufb13-\ufb17\uff21-\uff3a\uff41-\uff5a\ud801\udc00-\ud801\udc4f\ud801\udcb0-\ud801\udcd3\ud801\udcd8-\ud801\udcfb\ud803\udc80-\ud803\udcb2\ud803\udcc0-\ud803\udcf2\ud806\udca0-\ud806\udcdf\ud83a\udd00-\ud83a\udd43]+";
    /**
     * The regular expressions llama.cpp's {@code llama-vocab.cpp} applies one after another (each splits the pieces of
     * the one before into its matches and the text between them) for the pre-tokenizer types that have no single
     * expression, keyed by {@code tokenizer.ggml.pre}; written for Java's {@code Pattern} with Unicode classes. A
     * {@code null} entry stands for GPT-2's expression (llama.cpp's own implementation of it, as for {@code gpt-2}).
     */
    private static final Map<String, List<String>> SPLIT_SEQUENCES = Map.of(
            // LLAMA_VOCAB_PRE_TYPE_DEEPSEEK_CODER
            "deepseek-coder", List.of("[\\r\\n]", "\\s?\\p{L}+", "\\s?\\p{P}+", "[\u4e00-\u9fa5\u0800-\u4e00\uac00-\ud7ff]+", "\\p{N}"),
            // LLAMA_VOCAB_PRE_TYPE_DEEPSEEK_LLM: its letter ranges as written there
            "deepseek-llm", List.of("[\\r\\n]", DEEPSEEK_LLM_LETTERS, "\\s?[!-/:-~\uff01-\uff0f\uff1a-\uff5e\u2018-\u201f\u3000-\u3002]+", "\\s+$",
                    "[\u4e00-\u9fa5\u0800-\u4e00\uac00-\ud7ff]+", "\\p{N}+"),
            // LLAMA_VOCAB_PRE_TYPE_FALCON: punctuation runs (with $+<=>^~|`), GPT-2's expression, then digits by three
            "falcon", java.util.Arrays.asList("[\\p{P}$+<=>^~|`]+", null, "[0-9][0-9][0-9]"));
    private static final int CONTROL = 3;
    private static final int USER_DEFINED = 4;

    private GgufTokenizers() { }

    /** The tokenizer of a GGUF file. */
    public static Tokenizer load(String uri, Configuration conf) throws IOException {
        return of(GgufFile.vocabulary(uri, conf));
    }

    /** The tokenizer of a vocabulary read from a GGUF file. */
    static Tokenizer of(GgufFile.Vocabulary v) {
        Tokenizer t = switch (v.model()) {
            case "llama" -> sentencePiece(v);
            case "gpt2" -> byteLevel(v);
            case "gemma4" -> gemma4(v);
            default -> throw new InvalidInputException(v.source(), "tokenizer.ggml.model", "tokenizer model '" + v.model()
                    + "' is not supported (llama, gpt2 and gemma4 are); pass --tokenizer");
        };
        boolean addsBos = addsBos(v);
        return addsBos == t.addsBos() ? t : new WithoutBos(t);
    }

    /**
     * Whether llama.cpp starts a text of this vocabulary with BOS ({@code llama_vocab::load}): the file's
     * {@code add_bos_token} when it has one; else yes for SentencePiece and for the byte-level pre-tokenizers of the
     * llama-bpe group, no for the other byte-level ones (gpt-2, qwen2, ...).
     */
    static boolean addsBos(GgufFile.Vocabulary v) {
        // llama.cpp starts every Gemma 4 text with BOS, overriding a file that says otherwise
        if (v.model().equals("gemma4")) return true;
        if (v.addBos() != null) return v.addBos();
        if (v.model().equals("llama")) return true;
        return LLAMA3_GROUP.contains(v.pre() == null ? "default" : v.pre());
    }

    /** The pre-tokenizer names llama.cpp maps to its llama3 type (which also starts texts with BOS). */
    private static final java.util.Set<String> LLAMA3_GROUP = java.util.Set.of("llama-bpe", "llama3", "llama-v3", "falcon3", "falcon-h1", "pixtral",
            "midm-2.0", "lfm2", "jina-v5-nano");
    /** The names llama.cpp maps to its gpt2 type, and those of its types with the same one expression (mpt, olmo). */
    private static final java.util.Set<String> GPT2_GROUP = java.util.Set.of("gpt-2", "phi-2", "mpt", "olmo");
    /** The names llama.cpp maps to its qwen2 type. */
    private static final java.util.Set<String> QWEN2_GROUP = java.util.Set.of("qwen2", "deepseek-r1-qwen", "kormo", "f2llmv2");
    /** The names llama.cpp maps to its starcoder type (digits split one by one). */
    private static final java.util.Set<String> STARCODER_GROUP = java.util.Set.of("starcoder", "refact", "command-r", "smollm", "codeshell", "exaone");

    /** A vocabulary whose texts start without BOS; everything else is the wrapped tokenizer's. */
    private record WithoutBos(Tokenizer t) implements Tokenizer {
        @Override public int[] encode(String text, boolean bos, boolean eos) { return t.encode(text, bos, eos); }
        @Override public String decode(int prevToken, int token) { return t.decode(prevToken, token); }
        @Override public String decode(int[] tokens) { return t.decode(tokens); }
        @Override public int vocabSize() { return t.vocabSize(); }
        @Override public int bosId() { return t.bosId(); }
        @Override public int eosId() { return t.eosId(); }
        @Override public boolean addsBos() { return false; }
    }

    /**
     * A {@code llama} (SentencePiece) vocabulary as llama.cpp tokenizes it: its own BOS and EOS ids, the dummy-prefix space
     * when {@code add_space_prefix} (Llama, Phi-3) or not (Gemma), byte fallbacks at its {@code <0xNN>} tokens wherever they
     * are, and its user-defined tokens matched in the raw text first.
     */
    private static Tokenizer sentencePiece(GgufFile.Vocabulary v) {
        String f = v.source();
        if (v.scores() == null) throw new InvalidInputException(f, "tokenizer.ggml.scores", "missing; a llama (SentencePiece) vocabulary needs scores");
        List<String> t = v.tokens();
        if (v.bosId() >= t.size()) throw new InvalidInputException(f, "tokenizer.ggml.bos_token_id", "BOS " + v.bosId() + " is outside the vocabulary");
        // Phi-3 ends sequences with its own <|endoftext|> (32000) where Llama's </s> is 2; Gemma's <bos> is 2 and <eos> 1
        if (v.eosId() >= t.size()) throw new InvalidInputException(f, "tokenizer.ggml.eos_token_id", "EOS " + v.eosId() + " is outside the vocabulary");
        int[] byteIds = new int[256];
        java.util.Arrays.fill(byteIds, -1);
        Map<String, Integer> userDefined = new java.util.LinkedHashMap<>();
        for (int i = 0; i < t.size(); i++) {
            String s = t.get(i);
            if (s.length() == 6 && s.startsWith("<0x") && s.endsWith(">")) {
                int b = Integer.parseInt(s.substring(3, 5), 16);
                if (byteIds[b] < 0) byteIds[b] = i;
            }
            if (v.tokenTypes() != null && v.tokenTypes()[i] == USER_DEFINED) userDefined.putIfAbsent(s, i);
        }
        for (int b = 0; b < 256; b++) {
            if (byteIds[b] < 0) throw new InvalidInputException(f, "tokenizer.ggml.tokens", "no byte token <0x" + String.format("%02X", b) + "> (SentencePiece byte fallback needs all 256)");
        }
        byte[][] pieces = new byte[t.size()][];
        for (int i = 0; i < pieces.length; i++) pieces[i] = t.get(i).replace('\u2581', ' ').getBytes(StandardCharsets.UTF_8);
        return Llama2cTokenizer.of(pieces, v.scores(), v.bosId() >= 0 ? v.bosId() : Tokenizer.BOS, v.eosId() >= 0 ? v.eosId() : Tokenizer.EOS,
                v.addSpacePrefix(), byteIds, 0, userDefined);
    }

    /**
     * A BPE vocabulary with merges as a tokenizer.json tree: control and user-defined tokens as added tokens (matched
     * whole), the rest as the model's vocabulary, the merges in rank order.
     */
    private static ObjectNode bpeTree(GgufFile.Vocabulary v, String kind) {
        if (v.merges() == null) throw new InvalidInputException(v.source(), "tokenizer.ggml.merges", "missing; a " + kind + " vocabulary needs merges");
        ObjectNode root = JsonNodeFactory.instance.objectNode();
        ObjectNode model = root.putObject("model");
        model.put("type", "BPE");
        ObjectNode vocab = model.putObject("vocab");
        ArrayNode added = root.putArray("added_tokens");
        List<String> t = v.tokens();
        for (int i = 0; i < t.size(); i++) {
            int type = v.tokenTypes() == null ? 1 : v.tokenTypes()[i];
            if (type == CONTROL || type == USER_DEFINED) {
                added.addObject().put("id", i).put("content", t.get(i)).put("special", type == CONTROL);
            } else {
                vocab.put(t.get(i), i);
            }
        }
        ArrayNode merges = model.putArray("merges");
        v.merges().forEach(merges::add);
        return root;
    }

    /**
     * Gemma 4's vocabulary ({@code tokenizer.ggml.model = gemma4}) as llama.cpp tokenizes it: spaces written as
     * {@code ▁}, the text split into runs of newlines and runs of everything else, BPE merges over the raw characters,
     * a character the vocabulary lacks as its {@code <0xNN>} byte tokens, and a run of newlines that is a token taken
     * whole.
     */
    private static Tokenizer gemma4(GgufFile.Vocabulary v) {
        ObjectNode root = bpeTree(v, "gemma4 (BPE)");
        ((ObjectNode) root.get("model")).put("byte_fallback", true);
        root.putObject("normalizer").put("type", "Replace").put("content", "\u2581").putObject("pattern").put("String", " ");
        root.putObject("pre_tokenizer").put("type", "Split").put("behavior", "Isolated").put("invert", false)
                .putObject("pattern").put("Regex", "[^\\n]+|[\\n]+");
        return HuggingFaceTokenizer.of(v.source(), root, v.bosId() >= 0 ? v.bosId() : null, v.eosId() >= 0 ? v.eosId() : null,
                w -> !w.isEmpty() && w.chars().allMatch(c -> c == '\n'));
    }

    private static Tokenizer byteLevel(GgufFile.Vocabulary v) {
        String f = v.source();
        JsonNodeFactory js = JsonNodeFactory.instance;
        ObjectNode root = bpeTree(v, "gpt2 (byte-level BPE)");
        ObjectNode model = (ObjectNode) root.get("model");
        String pre = v.pre() == null ? "default" : v.pre();
        ObjectNode byteLevel = js.objectNode().put("type", "ByteLevel").put("add_prefix_space", false);
        // the names llama.cpp's llama_vocab::load maps to one pre-tokenizer type share its rules here
        if (GPT2_GROUP.contains(pre)) {
            root.set("pre_tokenizer", byteLevel.put("use_regex", true));
        } else if (LLAMA3_GROUP.contains(pre) || QWEN2_GROUP.contains(pre) || pre.equals("qwen35")) {
            ObjectNode seq = root.putObject("pre_tokenizer").put("type", "Sequence");
            ArrayNode steps = seq.putArray("pretokenizers");
            ObjectNode split = steps.addObject().put("type", "Split").put("behavior", "Isolated").put("invert", false);
            split.putObject("pattern").put("Regex", LLAMA3_GROUP.contains(pre) ? LLAMA3_REGEX : pre.equals("qwen35") ? QWEN35_REGEX : QWEN2_REGEX);
            steps.add(byteLevel.put("use_regex", false));
            // llama.cpp (like Llama 3's tokenizer.json) takes a word found whole in the vocabulary as is
            if (LLAMA3_GROUP.contains(pre)) model.put("ignore_merges", true);
        } else if (SPLIT_SEQUENCES.containsKey(pre)) {
            ObjectNode seq = root.putObject("pre_tokenizer").put("type", "Sequence");
            ArrayNode steps = seq.putArray("pretokenizers");
            boolean gpt2 = false;
            for (String regex : SPLIT_SEQUENCES.get(pre)) {
                if (regex == null) {
                    steps.add(byteLevel.deepCopy().put("use_regex", true));
                    gpt2 = true;
                } else {
                    steps.addObject().put("type", "Split").put("behavior", "Isolated").put("invert", false).putObject("pattern").put("Regex", regex);
                }
            }
            // the byte-level mapping happens once whatever the order; a ByteLevel step already in the sequence did it
            if (!gpt2) steps.add(byteLevel.put("use_regex", false));
        } else if (STARCODER_GROUP.contains(pre)) {
            // each digit alone, then GPT-2's regex (llama.cpp's LLAMA_VOCAB_PRE_TYPE_STARCODER group; the Digits +
            // ByteLevel of SmolLM's and StarCoder's tokenizer.json)
            ObjectNode seq = root.putObject("pre_tokenizer").put("type", "Sequence");
            ArrayNode steps = seq.putArray("pretokenizers");
            steps.addObject().put("type", "Digits").put("individual_digits", true);
            steps.add(byteLevel.put("use_regex", true));
        } else {
            throw new InvalidInputException(f, "tokenizer.ggml.pre", "pre-tokenizer '" + pre + "' is not supported (gpt-2, phi-2, mpt, olmo,"
                    + " llama-bpe and its aliases (llama3, falcon3, lfm2, ...), qwen2, qwen35, deepseek-llm, deepseek-coder, falcon, and the starcoder"
                    + " group (starcoder, refact, command-r, smollm, codeshell, exaone) are; for 'default' llama.cpp itself warns that it tokenizes wrongly); pass a tokenizer.json as --tokenizer");
        }
        return HuggingFaceTokenizer.of(f, root, v.bosId() >= 0 ? v.bosId() : null, v.eosId() >= 0 ? v.eosId() : null);
    }
}
