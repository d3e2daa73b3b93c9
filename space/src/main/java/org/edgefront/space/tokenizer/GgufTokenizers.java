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
 *       that {@code tokenizer.ggml.pre} names ({@code gpt-2}, {@code phi-2}, {@code llama-bpe}, {@code qwen2}: the
 *       regular expressions llama.cpp's {@code llama-vocab.cpp} uses for them);
 *       control and user-defined tokens are matched whole, as added tokens.</li>
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
    private static final int CONTROL = 3;
    private static final int USER_DEFINED = 4;

    private GgufTokenizers() { }

    /** The tokenizer of a GGUF file. */
    public static Tokenizer load(String uri, Configuration conf) throws IOException {
        GgufFile.Vocabulary v = GgufFile.vocabulary(uri, conf);
        Tokenizer t = switch (v.model()) {
            case "llama" -> sentencePiece(v);
            case "gpt2" -> byteLevel(v);
            default -> throw new InvalidInputException(v.source(), "tokenizer.ggml.model", "tokenizer model '" + v.model()
                    + "' is not supported (llama and gpt2 are); pass --tokenizer");
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
        if (v.addBos() != null) return v.addBos();
        if (v.model().equals("llama")) return true;
        return LLAMA3_GROUP.contains(v.pre() == null ? "default" : v.pre());
    }

    /** The pre-tokenizer names llama.cpp maps to its llama3 type (which also starts texts with BOS). */
    private static final java.util.Set<String> LLAMA3_GROUP = java.util.Set.of("llama-bpe", "llama3", "llama-v3", "falcon3", "falcon-h1", "pixtral",
            "midm-2.0", "lfm2", "jina-v5-nano");
    /** The names llama.cpp maps to its gpt2 type. */
    private static final java.util.Set<String> GPT2_GROUP = java.util.Set.of("gpt-2", "phi-2");
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

    private static Tokenizer byteLevel(GgufFile.Vocabulary v) {
        String f = v.source();
        if (v.merges() == null) throw new InvalidInputException(f, "tokenizer.ggml.merges", "missing; a gpt2 (byte-level BPE) vocabulary needs merges");
        JsonNodeFactory js = JsonNodeFactory.instance;
        ObjectNode root = js.objectNode();
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
        } else if (STARCODER_GROUP.contains(pre)) {
            // each digit alone, then GPT-2's regex (llama.cpp's LLAMA_VOCAB_PRE_TYPE_STARCODER group; the Digits +
            // ByteLevel of SmolLM's and StarCoder's tokenizer.json)
            ObjectNode seq = root.putObject("pre_tokenizer").put("type", "Sequence");
            ArrayNode steps = seq.putArray("pretokenizers");
            steps.addObject().put("type", "Digits").put("individual_digits", true);
            steps.add(byteLevel.put("use_regex", true));
        } else {
            throw new InvalidInputException(f, "tokenizer.ggml.pre", "pre-tokenizer '" + pre + "' is not supported (gpt-2, phi-2,"
                    + " llama-bpe and its aliases (llama3, falcon3, lfm2, ...), qwen2, qwen35, and the starcoder group (starcoder, refact, command-r,"
                    + " smollm, codeshell, exaone) are; for 'default' llama.cpp itself warns that it tokenizes wrongly); pass a tokenizer.json as --tokenizer");
        }
        return HuggingFaceTokenizer.of(f, root, v.bosId() >= 0 ? v.bosId() : null, v.eosId() >= 0 ? v.eosId() : null);
    }
}
