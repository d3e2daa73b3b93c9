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
 *       that {@code tokenizer.ggml.pre} names: the regular expressions llama.cpp's {@code llama-vocab.cpp} uses for it
 *       ({@link LlamaCppPreTokenizers}: gpt-2, llama-bpe, qwen2, gpt-4o, tekken, deepseek-v3 and 74 more), applied one
 *       after another as it does; control and user-defined tokens are matched whole, as added tokens;</li>
 *   <li>{@code gemma4}: Gemma 4's BPE over raw characters with {@code ▁} for a space and byte-token fallback;</li>
 *   <li>{@code bert}: WordPiece ({@link WordPieceTokenizer}).</li>
 * </ul>
 * Anything else is refused naming the key. Stateless.
 */
public final class GgufTokenizers {
    private static final int CONTROL = 3;
    private static final int USER_DEFINED = 4;

    private GgufTokenizers() { }

    /** The tokenizer of a GGUF file. */
    public static Tokenizer load(String uri, Configuration conf) throws IOException {
        return of(GgufFile.vocabulary(uri, conf));
    }

    /** The {@code tokenizer.ggml.pre} names of byte-level vocabularies this class tokenizes as llama.cpp does. */
    public static java.util.Set<String> preTokenizerNames() { return LlamaCppPreTokenizers.names(); }

    /** The tokenizer of a vocabulary read from a GGUF file. */
    static Tokenizer of(GgufFile.Vocabulary v) {
        Tokenizer t = switch (v.model()) {
            case "llama" -> sentencePiece(v);
            case "gpt2" -> byteLevel(v);
            case "gemma4" -> gemma4(v);
            case "bert" -> wordPiece(v);
            default -> throw new InvalidInputException(v.source(), "tokenizer.ggml.model", "tokenizer model '" + v.model()
                    + "' is not supported (llama, gpt2, gemma4 and bert are); pass --tokenizer");
        };
        boolean addsBos = addsBos(v);
        return addsBos == t.addsBos() ? t : new WithoutBos(t);
    }

    /**
     * Whether llama.cpp starts a text of this vocabulary with BOS ({@code llama_vocab::load}): always for Gemma 4; else
     * the file's {@code add_bos_token} when it has one; else yes for SentencePiece, for WordPiece ([CLS]) and for the
     * byte-level names whose llama.cpp type says so (the llama3 group, tekken), no for the other byte-level ones.
     */
    static boolean addsBos(GgufFile.Vocabulary v) {
        // llama.cpp starts every Gemma 4 text with BOS, overriding a file that says otherwise
        if (v.model().equals("gemma4")) return true;
        if (v.addBos() != null) return v.addBos();
        // SentencePiece texts start with BOS, WordPiece ones with [CLS]
        if (v.model().equals("llama") || v.model().equals("bert")) return true;
        LlamaCppPreTokenizers.Rule r = LlamaCppPreTokenizers.get(v.pre() == null ? "default" : v.pre());
        return r != null && r.addsBos();
    }

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

    /**
     * A WordPiece ({@code bert}) vocabulary as llama.cpp tokenizes it ({@link WordPieceTokenizer}): lower-cased and with
     * accents stripped unless the file's normalizer keys say otherwise (stripping follows lower-casing by default), its
     * own [UNK], [CLS] (BOS) and [SEP] (separator) ids or llama.cpp's defaults (100, 101, 102).
     */
    private static Tokenizer wordPiece(GgufFile.Vocabulary v) {
        int n = v.tokens().size();
        int unk = v.unkId() >= 0 ? v.unkId() : 100;
        int cls = v.bosId() >= 0 ? v.bosId() : 101;
        int sep = v.sepId() >= 0 ? v.sepId() : 102;
        if (unk >= n) throw new InvalidInputException(v.source(), "tokenizer.ggml.unknown_token_id", "missing, and llama.cpp's default 100 is outside the vocabulary of " + n);
        if (cls >= n) throw new InvalidInputException(v.source(), "tokenizer.ggml.bos_token_id", "missing, and llama.cpp's default [CLS] 101 is outside the vocabulary of " + n);
        if (sep >= n) throw new InvalidInputException(v.source(), "tokenizer.ggml.seperator_token_id", "missing, and llama.cpp's default [SEP] 102 is outside the vocabulary of " + n);
        boolean lowercase = v.lowercase() == null || v.lowercase();
        boolean strip = v.stripAccents() != null ? v.stripAccents() : lowercase;
        return new WordPieceTokenizer(v.tokens(), unk, cls, sep, lowercase, strip);
    }

    private static Tokenizer byteLevel(GgufFile.Vocabulary v) {
        String f = v.source();
        ObjectNode root = bpeTree(v, "gpt2 (byte-level BPE)");
        ObjectNode model = (ObjectNode) root.get("model");
        String pre = v.pre() == null ? "default" : v.pre();
        LlamaCppPreTokenizers.Rule rule = LlamaCppPreTokenizers.get(pre);
        if (rule == null) {
            throw new InvalidInputException(f, "tokenizer.ggml.pre", "pre-tokenizer '" + pre + "' is not supported (" + LlamaCppPreTokenizers.names().size()
                    + " of llama.cpp's names are, e.g. llama-bpe, qwen2, gpt-4o, tekken, deepseek-v3, smollm; for 'default' llama.cpp itself warns that"
                    + " it tokenizes wrongly); pass a tokenizer.json as --tokenizer");
        }
        // llama.cpp's expressions one after another, then the byte-level mapping (once, by a ByteLevel step that splits
        // by GPT-2's expression where the rule has it, else by a non-splitting one at the end)
        ObjectNode seq = root.putObject("pre_tokenizer").put("type", "Sequence");
        ArrayNode steps = seq.putArray("pretokenizers");
        boolean mapped = false;
        for (String regex : rule.regexes()) {
            if (regex == null) {
                steps.addObject().put("type", "ByteLevel").put("add_prefix_space", false).put("use_regex", true);
                mapped = true;
            } else {
                steps.addObject().put("type", "Split").put("behavior", "Isolated").put("invert", false).putObject("pattern").put("Regex", regex);
            }
        }
        if (!mapped) steps.addObject().put("type", "ByteLevel").put("add_prefix_space", false).put("use_regex", false);
        if (rule.ignoreMerges()) model.put("ignore_merges", true);
        return HuggingFaceTokenizer.of(f, root, v.bosId() >= 0 ? v.bosId() : null, v.eosId() >= 0 ? v.eosId() : null);
    }
}
