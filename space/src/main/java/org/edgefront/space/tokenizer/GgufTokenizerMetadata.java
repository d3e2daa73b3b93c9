package org.edgefront.space.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.edgefront.space.input.InvalidInputException;
import org.edgefront.space.io.GgufFile;
import org.edgefront.space.io.GgufWriter;
import org.edgefront.space.io.HadoopFiles;
import org.edgefront.space.model.ModelArchitecture;

/**
 * The {@code tokenizer.*} keys of a GGUF that EdgeFront writes, from whichever tokenizer the model comes with, so
 * llama.cpp's {@code llama_vocab::load} accepts the file:
 * <ul>
 *   <li>a GGUF: its {@code tokenizer.*} keys copied byte for byte (every array type, chat template included);</li>
 *   <li>a Hugging Face {@code tokenizer.json} (a file, or a model directory holding one, whose {@code config.json}
 *       names BOS/EOS): SentencePiece-style (Metaspace or Prepend/Replace, byte fallback) as {@code model = llama}
 *       with scores (minus the rank of the first merge that makes a token, so llama.cpp's highest-score-first
 *       merging follows the file's merge order; 0 for tokens no merge makes); byte-level BPE as {@code model = gpt2}
 *       with its merges and {@code pre} from the pre-tokenizer: a plain {@code ByteLevel} is {@code gpt-2}, a split
 *       by the Llama 3 or the Qwen2 expression then {@code ByteLevel} is {@code llama-bpe} or {@code qwen2}; any
 *       other is refused by name. Token types: special added tokens control, other added tokens user-defined,
 *       {@code <0xNN>} byte tokens byte (SentencePiece-style), the unknown token unknown, ids the file leaves
 *       unused (and ids up to the model's vocabulary) {@code [PADn]} unused;</li>
 *   <li>a llama2.c tokenizer file: SentencePiece-style as llama.cpp's llama2.c converter writes it (ids 0/1/2 are
 *       {@code <unk> <s> </s>}, {@code <0xXX>} pieces are byte tokens, spaces become U+2581);</li>
 *   <li>none, for a synthetic model only: a generated vocabulary of byte tokens and placeholders, so llama.cpp can
 *       load and time it.</li>
 * </ul>
 * Without a tokenizer argument the model's own is used (a GGUF's, a Hugging Face directory's); a llama2.c checkpoint
 * carries none, which is an error naming the model file. The token count must equal the model's vocabulary (the
 * embedding's rows, which llama.cpp checks), padded as above where the tokenizer is shorter. Everything is read and
 * checked before anything is added to the writer. Stateless.
 */
public final class GgufTokenizerMetadata {
    private static final int NORMAL = 1, UNKNOWN = 2, CONTROL = 3, USER_DEFINED = 4, UNUSED = 5, BYTE = 6;

    private GgufTokenizerMetadata() {}

    /** The GGUF tokenizer kinds, as {@code tokenizer.ggml.model} names them. */
    public enum Kind { LLAMA, GPT2, COPIED }

    /**
     * Adds the tokenizer keys to {@code w}.
     *
     * @param tokenizer   a tokenizer file or Hugging Face model directory (any Hadoop URI or local path), or null for
     *                    the model's own
     * @param modelSource where the weights came from ({@code ModelWeights.source()})
     * @return which kind was written
     * @throws InvalidInputException naming the file and field when no usable tokenizer is found
     */
    public static Kind write(GgufWriter w, ModelArchitecture a, String tokenizer, String modelSource, Configuration conf) throws IOException {
        if (tokenizer == null && a.synthetic() && !carriesTokenizer(modelSource, conf)) {
            synthetic(w, a.vocabSize());
            return Kind.LLAMA;
        }
        String uri = tokenizer != null ? tokenizer : modelSource;
        FileStatus st = HadoopFiles.statusOrNull(uri, conf);
        if (st == null) throw new InvalidInputException(uri, "(file)", "the tokenizer does not exist");
        if (st.isDirectory()) {
            if (HadoopFiles.statusOrNull(HadoopFiles.child(uri, "tokenizer.json"), conf) == null) {
                throw new InvalidInputException(HadoopFiles.child(uri, "tokenizer.json"), "(file)", "missing: a GGUF needs the model's tokenizer"
                        + " (pass --tokenizer)");
            }
            return huggingFace(w, a, HuggingFaceTokenizer.loadDirectory(uri, conf), HadoopFiles.child(uri, "tokenizer.json"));
        }
        if (uri.endsWith(".json")) return huggingFace(w, a, HuggingFaceTokenizer.load(uri, null, null, conf), uri);
        if (GgufFile.hasMagic(uri, conf)) {
            copy(w, a, uri, conf);
            return Kind.COPIED;
        }
        if (tokenizer == null) {
            throw new InvalidInputException(modelSource, "--tokenizer", "a llama2.c checkpoint carries no tokenizer; a GGUF needs one"
                    + " (pass its tokenizer.bin, a tokenizer.json or a GGUF)");
        }
        llama2c(w, a, tokenizer, conf);
        return Kind.LLAMA;
    }

    /** True when a model source holds its own tokenizer (a Hugging Face directory's tokenizer.json, a GGUF's keys). */
    private static boolean carriesTokenizer(String modelSource, Configuration conf) throws IOException {
        if (modelSource == null || modelSource.startsWith("synthetic:")) return false;
        FileStatus st = HadoopFiles.statusOrNull(modelSource, conf);
        if (st == null) return false;
        if (st.isDirectory()) return HadoopFiles.statusOrNull(HadoopFiles.child(modelSource, "tokenizer.json"), conf) != null;
        return GgufFile.hasMagic(modelSource, conf) && GgufFile.header(modelSource, conf).strings().containsKey("tokenizer.ggml.model");
    }

    private static void copy(GgufWriter w, ModelArchitecture a, String uri, Configuration conf) throws IOException {
        GgufFile.Vocabulary v = GgufFile.vocabulary(uri, conf); // checks that there is one, and its token count
        if (v.tokens().size() != a.vocabSize()) {
            throw new InvalidInputException(uri, "tokenizer.ggml.tokens", v.tokens().size() + " tokens, but the model's vocabulary is " + a.vocabSize());
        }
        Map<String, byte[]> raw = GgufFile.rawMetadata(uri, "tokenizer.", conf);
        raw.forEach(w::raw);
    }

    private static Kind huggingFace(GgufWriter w, ModelArchitecture a, HuggingFaceTokenizer t, String file) {
        String[] texts = t.tokenTexts();
        int n = a.vocabSize();
        if (texts.length > n) {
            throw new InvalidInputException(file, "model.vocab", texts.length + " tokens, more than the model's vocabulary of " + n);
        }
        List<String> tokens = new ArrayList<>(n);
        int[] types = new int[n];
        for (int i = 0; i < n; i++) {
            String s = i < texts.length ? texts[i] : null;
            if (s == null) {
                tokens.add("[PAD" + i + "]");
                types[i] = UNUSED;
            } else {
                tokens.add(s);
                types[i] = i == t.unkId() ? UNKNOWN : t.isAdded(i) ? (t.isSpecial(i) ? CONTROL : USER_DEFINED) : NORMAL;
            }
        }
        Kind kind;
        float[] scores = null;
        String pre = null;
        if (t.byteLevel()) {
            kind = Kind.GPT2;
            pre = preName(file, t.preTokenizerSpec());
        } else {
            kind = Kind.LLAMA;
            // llama.cpp's SPM tokenizer falls back to <0xNN> tokens for any character missing from the vocabulary
            if (!t.byteFallback()) {
                throw new InvalidInputException(file, "model.byte_fallback", "a SentencePiece-style tokenizer without byte fallback has no llama.cpp"
                        + " equivalent (its llama tokenizer always falls back to <0xNN> tokens)");
            }
            scores = new float[n];
            int[] rank = t.mergeRankMaking();
            for (int i = 0; i < n; i++) {
                scores[i] = i < rank.length && rank[i] >= 0 ? -rank[i] : 0f;
                if (types[i] == NORMAL && tokens.get(i).matches("<0x[0-9A-F]{2}>")) types[i] = BYTE;
            }
            java.util.Set<String> present = new java.util.HashSet<>(tokens);
            for (int b = 0; b < 256; b++) {
                if (!present.contains(String.format(Locale.ROOT, "<0x%02X>", b))) {
                    throw new InvalidInputException(file, "model.vocab", String.format(Locale.ROOT, "byte token <0x%02X> is missing (byte fallback needs all 256)", b));
                }
            }
        }
        unique(file, tokens);
        w.string("tokenizer.ggml.model", kind == Kind.GPT2 ? "gpt2" : "llama");
        if (pre != null) w.string("tokenizer.ggml.pre", pre);
        w.strings("tokenizer.ggml.tokens", tokens);
        if (scores != null) w.f32s("tokenizer.ggml.scores", scores);
        w.i32s("tokenizer.ggml.token_type", types);
        if (kind == Kind.GPT2) w.strings("tokenizer.ggml.merges", t.mergesByRank());
        else w.bool("tokenizer.ggml.add_space_prefix", t.addsSpacePrefix());
        if (t.bosOrNone() >= 0) w.u32("tokenizer.ggml.bos_token_id", t.bosOrNone());
        if (t.eosOrNone() >= 0) w.u32("tokenizer.ggml.eos_token_id", t.eosOrNone());
        if (t.unkId() >= 0) w.u32("tokenizer.ggml.unknown_token_id", t.unkId());
        return kind;
    }

    /**
     * llama.cpp's pre-tokenizer name for a byte-level {@code pre_tokenizer}: the regular expressions are the ones
     * {@link GgufTokenizers} runs for these names, so a file written here reads back the same.
     */
    static String preName(String file, JsonNode spec) {
        String field = "pre_tokenizer";
        if (spec != null && "ByteLevel".equals(spec.path("type").asText()) && spec.path("use_regex").asBoolean(true)) return "gpt-2";
        if (spec != null && "Sequence".equals(spec.path("type").asText())) {
            JsonNode steps = spec.path("pretokenizers");
            if (steps.size() == 2 && "Split".equals(steps.get(0).path("type").asText()) && "ByteLevel".equals(steps.get(1).path("type").asText())
                    && !steps.get(1).path("use_regex").asBoolean(true)) {
                String regex = steps.get(0).path("pattern").path("Regex").asText("");
                if (regex.equals(LlamaCppPreTokenizers.LLAMA3_REGEX)) return "llama-bpe";
                if (regex.equals(LlamaCppPreTokenizers.QWEN2_REGEX)) return "qwen2";
            }
            // SmolLM's and StarCoder's tokenizer.json: each digit alone, then GPT-2's split (llama.cpp's starcoder group)
            if (steps.size() == 2 && "Digits".equals(steps.get(0).path("type").asText()) && steps.get(0).path("individual_digits").asBoolean(false)
                    && "ByteLevel".equals(steps.get(1).path("type").asText()) && steps.get(1).path("use_regex").asBoolean(true)
                    && !steps.get(1).path("add_prefix_space").asBoolean(false)) {
                return "smollm";
            }
        }
        throw new InvalidInputException(file, field, "pre-tokenizer " + (spec == null ? "(none)" : spec.toString()) + " has no llama.cpp name"
                + " EdgeFront knows (a ByteLevel with its regex is gpt-2; a Split by the Llama 3 or Qwen2 expression then ByteLevel is"
                + " llama-bpe or qwen2; single Digits then a ByteLevel with its regex is smollm)");
    }

    private static void llama2c(GgufWriter w, ModelArchitecture a, String tokenizer, Configuration conf) throws IOException {
        int n = a.vocabSize();
        Llama2cTokenizer tok;
        try {
            tok = Llama2cTokenizer.load(tokenizer, n, conf);
        } catch (IOException e) {
            throw new InvalidInputException(tokenizer, "(file)", "cannot read: " + e.getMessage(), e);
        }
        List<String> tokens = new ArrayList<>(n);
        float[] scores = new float[n];
        int[] types = new int[n];
        for (int i = 0; i < n; i++) {
            String t = new String(tok.piece(i), StandardCharsets.UTF_8);
            int type = NORMAL;
            if (i == 0) {
                t = "<unk>";
                type = UNKNOWN;
            } else if (i == 1 || i == 2) {
                t = i == 1 ? "<s>" : "</s>";
                type = CONTROL;
            } else if (t.isEmpty()) {
                type = CONTROL;
            } else if (t.matches("<0x[0-9A-Fa-f]{2}>")) {
                type = BYTE;
            }
            tokens.add(t.replace(" ", "\u2581"));
            scores[i] = tok.score(i);
            types[i] = type;
        }
        spm(w, tokens, scores, types);
    }

    private static void synthetic(GgufWriter w, int n) {
        List<String> tokens = new ArrayList<>(n);
        float[] scores = new float[n];
        int[] types = new int[n];
        for (int i = 0; i < n; i++) {
            if (i < 3) {
                tokens.add(i == 0 ? "<unk>" : i == 1 ? "<s>" : "</s>");
                types[i] = i == 0 ? UNKNOWN : CONTROL;
            } else if (i < 3 + 256) {
                tokens.add(String.format(Locale.ROOT, "<0x%02X>", i - 3));
                types[i] = BYTE;
            } else {
                tokens.add("\u2581t" + i);
                types[i] = NORMAL;
            }
            scores[i] = -i;
        }
        spm(w, tokens, scores, types);
    }

    /** A SentencePiece-style vocabulary with llama.cpp's default ids (unk 0, BOS 1, EOS 2). */
    private static void spm(GgufWriter w, List<String> tokens, float[] scores, int[] types) {
        w.string("tokenizer.ggml.model", "llama").strings("tokenizer.ggml.tokens", tokens).f32s("tokenizer.ggml.scores", scores)
                .i32s("tokenizer.ggml.token_type", types).u32("tokenizer.ggml.unknown_token_id", 0).u32("tokenizer.ggml.bos_token_id", 1)
                .u32("tokenizer.ggml.eos_token_id", 2);
    }

    /** llama.cpp asserts that no two ids share a text. */
    private static void unique(String file, List<String> tokens) {
        java.util.Map<String, Integer> seen = new java.util.HashMap<>();
        for (int i = 0; i < tokens.size(); i++) {
            Integer prev = seen.putIfAbsent(tokens.get(i), i);
            if (prev != null) throw new InvalidInputException(file, "model.vocab", "ids " + prev + " and " + i + " share the text '" + tokens.get(i) + "'");
        }
    }
}
