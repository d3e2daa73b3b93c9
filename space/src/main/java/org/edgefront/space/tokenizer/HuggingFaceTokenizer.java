package org.edgefront.space.tokenizer;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.hadoop.conf.Configuration;
import org.edgefront.space.input.InvalidInputException;
import org.edgefront.space.io.HadoopFiles;

/**
 * BPE tokenizers from Hugging Face {@code tokenizer.json} files, in the two styles Llama-family models use:
 * <ul>
 *   <li><b>byte-level</b> (GPT-2, SmolLM, Qwen2, Llama 3): a {@code ByteLevel} pre-tokenizer (optionally after
 *       {@code Split} regex and {@code Digits} pre-tokenizers), bytes mapped to printable characters, merges by rank;</li>
 *   <li><b>SentencePiece-style</b> (Llama 2, TinyLlama, Mistral): spaces replaced by {@code ▁} (a
 *       {@code Prepend}/{@code Replace} normalizer or a {@code Metaspace} pre-tokenizer), merges by rank,
 *       characters missing from the vocabulary as {@code <0xNN>} byte tokens when {@code byte_fallback} is set.</li>
 * </ul>
 * Added tokens are matched literally before anything else. Merging follows the tokenizers library: the
 * adjacent pair with the lowest merge rank (leftmost on ties) merges first; with {@code ignore_merges} a
 * word found whole in the vocabulary is emitted as is. Other normalizers, pre-tokenizers or models are
 * rejected naming the field, rather than tokenizing differently from the reference.
 *
 * <p>Checked against the tokenizers library ({@code edgefront tokenize} + {@code tools/check-hf-tokenizer.py}): ids
 * identical on 1,000 WikiText-2 lines for a real OpenLLaMA-style {@code tokenizer.json} (32,000 entries, byte
 * fallback) and for three files the library trained (GPT-2 byte-level; Llama-3-style split regex + byte-level with
 * NFC; SentencePiece-style with byte fallback). Check a new model family the same way before trusting its
 * perplexities.
 *
 * <p>Immutable and thread-safe.
 */
public final class HuggingFaceTokenizer implements Tokenizer {
    private static final long MAX_JSON_BYTES = 200L << 20;
    private static final String[] NO_STRINGS = {};
    private static final String GPT2_REGEX =
            "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";

    /** A pre-tokenization step: text pieces in, text pieces out. */
    private interface Step {
        List<String> apply(List<String> pieces, boolean firstSection);
    }

    private final String[] tokens;
    private final Map<String, Integer> vocab;
    /** (left id, right id) packed to {rank, merged id}. */
    private final Map<Long, int[]> merges;
    private final boolean byteLevel;
    private final boolean byteFallback;
    private final boolean fuseUnk;
    private final Integer unk;
    /** Added tokens by first character, longest first: matching looks only at those that can start here. */
    private final Map<Character, String[]> addedByFirst;
    private final Map<String, Integer> added;
    private final boolean[] special;
    private final List<Step> steps;
    private final List<Step> normalizers;
    private final boolean stripLeadingSpace;
    private final int bos;
    private final int eos;
    /** The file's {@code pre_tokenizer} (null when absent): what a GGUF names as {@code tokenizer.ggml.pre}. */
    private final JsonNode preTokenizerSpec;
    private final char[] byteToChar = new char[256];
    private final Map<Character, Integer> charToByte = new HashMap<>();

    /**
     * Words taken whole when the vocabulary has them, before any merge: every word under {@code ignore_merges}, else the
     * ones the caller names (Gemma 4's runs of newlines), else none.
     */
    private final java.util.function.Predicate<String> takenWhole;

    private HuggingFaceTokenizer(String f, JsonNode root, Integer bosId, Integer eosId) {
        this(f, root, bosId, eosId, w -> false);
    }

    private HuggingFaceTokenizer(String f, JsonNode root, Integer bosId, Integer eosId, java.util.function.Predicate<String> takenWhole) {
        JsonNode model = root.get("model");
        if (model == null || !model.isObject()) throw new InvalidInputException(f, "model", "missing or not an object");
        String type = model.path("type").asText("BPE");
        if (!type.equals("BPE")) throw new InvalidInputException(f, "model.type", "model type " + type + " is not supported (BPE is)");
        JsonNode v = model.get("vocab");
        if (v == null || !v.isObject() || v.isEmpty()) throw new InvalidInputException(f, "model.vocab", "missing, empty or not an object");
        vocab = new HashMap<>();
        int maxId = -1;
        for (Iterator<Map.Entry<String, JsonNode>> it = v.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getValue().canConvertToInt() || e.getValue().asInt() < 0 || e.getValue().asInt() > (1 << 22)) {
                throw new InvalidInputException(f, "model.vocab." + e.getKey(), "id " + e.getValue() + " is not in 0.." + (1 << 22));
            }
            vocab.put(e.getKey(), e.getValue().asInt());
            maxId = Math.max(maxId, e.getValue().asInt());
        }
        added = new HashMap<>();
        JsonNode addedTokens = root.get("added_tokens");
        List<Integer> specialIds = new ArrayList<>();
        if (addedTokens != null && addedTokens.isArray()) {
            for (JsonNode a : addedTokens) {
                if (!a.path("id").canConvertToInt() || !a.path("content").isTextual() || a.path("id").asInt() < 0 || a.path("id").asInt() > (1 << 22)) {
                    throw new InvalidInputException(f, "added_tokens", "entry " + a + " needs an id and a content");
                }
                added.put(a.get("content").asText(), a.get("id").asInt());
                maxId = Math.max(maxId, a.get("id").asInt());
                if (a.path("special").asBoolean(false)) specialIds.add(a.get("id").asInt());
            }
        }
        tokens = new String[maxId + 1];
        for (Map.Entry<String, Integer> e : vocab.entrySet()) tokens[e.getValue()] = e.getKey();
        for (Map.Entry<String, Integer> e : added.entrySet()) {
            tokens[e.getValue()] = e.getKey();
            vocab.putIfAbsent(e.getKey(), e.getValue());
        }
        special = new boolean[tokens.length];
        for (int id : specialIds) special[id] = true;
        addedByFirst = new HashMap<>();
        added.keySet().stream().filter(a -> !a.isEmpty()).sorted(Comparator.comparingInt(String::length).reversed())
                .collect(java.util.stream.Collectors.groupingBy(a -> a.charAt(0), java.util.LinkedHashMap::new, java.util.stream.Collectors.toList()))
                .forEach((c, l) -> addedByFirst.put(c, l.toArray(String[]::new)));

        merges = new HashMap<>();
        JsonNode m = model.get("merges");
        if (m == null || !m.isArray()) throw new InvalidInputException(f, "model.merges", "missing or not an array");
        int rank = 0;
        for (JsonNode e : m) {
            String a;
            String b;
            if (e.isTextual()) {
                String s = e.asText();
                int sp = s.indexOf(' ', 1);
                if (sp < 0) throw new InvalidInputException(f, "model.merges[" + rank + "]", "merge '" + s + "' is not two tokens");
                a = s.substring(0, sp);
                b = s.substring(sp + 1);
            } else if (e.isArray() && e.size() == 2) {
                a = e.get(0).asText();
                b = e.get(1).asText();
            } else {
                throw new InvalidInputException(f, "model.merges[" + rank + "]", "merge " + e + " is not two tokens");
            }
            Integer ia = vocab.get(a);
            Integer ib = vocab.get(b);
            Integer ab = vocab.get(a + b);
            if (ia == null || ib == null || ab == null) {
                throw new InvalidInputException(f, "model.merges[" + rank + "]", "merge '" + a + " " + b + "' uses or makes a token missing from the vocabulary");
            }
            merges.putIfAbsent(((long) ia << 32) | ib, new int[] {rank, ab});
            rank++;
        }
        for (String unsupported : new String[] {"continuing_subword_prefix", "end_of_word_suffix"}) {
            JsonNode u = model.get(unsupported);
            if (u != null && !u.isNull() && !u.asText().isEmpty()) {
                throw new InvalidInputException(f, "model." + unsupported, "is not supported");
            }
        }
        byteFallback = model.path("byte_fallback").asBoolean(false);
        fuseUnk = model.path("fuse_unk").asBoolean(false);
        this.takenWhole = model.path("ignore_merges").asBoolean(false) ? w -> true : takenWhole;
        JsonNode unkNode = model.get("unk_token");
        unk = unkNode != null && unkNode.isTextual() ? vocab.get(unkNode.asText()) : null;

        // bytes_to_unicode of GPT-2: printable bytes map to themselves, the rest to 256 + n
        int n = 0;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            byteToChar[b] = printable ? (char) b : (char) (256 + n++);
            charToByte.put(byteToChar[b], b);
        }

        normalizers = new ArrayList<>();
        parseNormalizer(f, "normalizer", root.get("normalizer"));
        steps = new ArrayList<>();
        boolean[] bl = {false};
        parsePreTokenizer(f, "pre_tokenizer", root.get("pre_tokenizer"), bl);
        byteLevel = bl[0];
        preTokenizerSpec = root.get("pre_tokenizer");
        stripLeadingSpace = stripsLeadingSpace(root.get("decoder"));
        bos = bosId != null ? bosId : firstPresent("<s>", "<|begin_of_text|>", "<|endoftext|>");
        eos = eosId != null ? eosId : firstPresent("</s>", "<|end_of_text|>", "<|endoftext|>", "<|im_end|>");
    }

    /** True when the decoder drops the first leading space (a Strip or Metaspace decoder, SentencePiece style). */
    private static boolean stripsLeadingSpace(JsonNode d) {
        if (d == null || d.isNull()) return false;
        String type = d.path("type").asText();
        if (type.equals("Sequence")) {
            for (JsonNode c : d.path("decoders")) if (stripsLeadingSpace(c)) return true;
            return false;
        }
        if (type.equals("Strip")) return d.path("start").asInt(0) > 0;
        if (type.equals("Metaspace")) return !"never".equals(d.path("prepend_scheme").asText("always")) && d.path("add_prefix_space").asBoolean(true);
        return false;
    }

    private int firstPresent(String... candidates) {
        for (String c : candidates) {
            Integer id = vocab.get(c);
            if (id != null) return id;
        }
        return -1;
    }

    private void parseNormalizer(String f, String field, JsonNode n) {
        if (n == null || n.isNull()) return;
        String type = n.path("type").asText();
        switch (type) {
            case "Sequence" -> {
                int i = 0;
                for (JsonNode c : n.path("normalizers")) parseNormalizer(f, field + ".normalizers[" + i++ + "]", c);
            }
            case "Prepend" -> {
                String p = n.path("prepend").asText();
                normalizers.add((pieces, first) -> map(pieces, s -> s.isEmpty() ? s : p + s));
            }
            case "Replace" -> {
                JsonNode pat = n.path("pattern");
                if (!pat.has("String")) throw new InvalidInputException(f, field + ".pattern", "only String patterns are supported");
                String from = pat.get("String").asText();
                String to = n.path("content").asText();
                normalizers.add((pieces, first) -> map(pieces, s -> s.replace(from, to)));
            }
            case "NFC" -> normalizers.add((pieces, first) -> map(pieces, s -> Normalizer.normalize(s, Normalizer.Form.NFC)));
            case "NFKC" -> normalizers.add((pieces, first) -> map(pieces, s -> Normalizer.normalize(s, Normalizer.Form.NFKC)));
            default -> throw new InvalidInputException(f, field + ".type", "normalizer " + type + " is not supported");
        }
    }

    private void parsePreTokenizer(String f, String field, JsonNode n, boolean[] byteLevelOut) {
        if (n == null || n.isNull()) return;
        String type = n.path("type").asText();
        switch (type) {
            case "Sequence" -> {
                int i = 0;
                for (JsonNode c : n.path("pretokenizers")) parsePreTokenizer(f, field + ".pretokenizers[" + i++ + "]", c, byteLevelOut);
            }
            case "ByteLevel" -> {
                byteLevelOut[0] = true;
                boolean prefix = n.path("add_prefix_space").asBoolean(false);
                boolean regex = n.path("use_regex").asBoolean(true);
                Pattern p = Pattern.compile(GPT2_REGEX, Pattern.UNICODE_CHARACTER_CLASS);
                steps.add((pieces, first) -> {
                    List<String> out = new ArrayList<>();
                    for (int i = 0; i < pieces.size(); i++) {
                        String s = pieces.get(i);
                        // as the tokenizers library does: every piece that reaches ByteLevel gets the prefix space
                        if (prefix && !s.startsWith(" ")) s = " " + s;
                        if (regex) out.addAll(isolate(p, s)); else out.add(s);
                    }
                    return out;
                });
            }
            case "Split" -> {
                JsonNode pat = n.path("pattern");
                Pattern p;
                if (pat.has("Regex")) {
                    try {
                        p = Pattern.compile(pat.get("Regex").asText(), Pattern.UNICODE_CHARACTER_CLASS);
                    } catch (java.util.regex.PatternSyntaxException e) {
                        throw new InvalidInputException(f, field + ".pattern.Regex", "not a regular expression Java accepts: " + e.getDescription(), e);
                    }
                } else if (pat.has("String")) {
                    p = Pattern.compile(Pattern.quote(pat.get("String").asText()));
                } else {
                    throw new InvalidInputException(f, field + ".pattern", "needs Regex or String");
                }
                String behavior = n.path("behavior").asText("Isolated");
                if (!behavior.equals("Isolated") || n.path("invert").asBoolean(false)) {
                    throw new InvalidInputException(f, field + ".behavior", "only Isolated, non-inverted splits are supported");
                }
                steps.add((pieces, first) -> flat(pieces, s -> isolate(p, s)));
            }
            case "Digits" -> {
                Pattern p = Pattern.compile(n.path("individual_digits").asBoolean(false) ? "\\p{N}" : "\\p{N}+", Pattern.UNICODE_CHARACTER_CLASS);
                steps.add((pieces, first) -> flat(pieces, s -> isolate(p, s)));
            }
            case "Metaspace" -> {
                String rep = n.path("replacement").asText("\u2581");
                String scheme = n.has("prepend_scheme") ? n.get("prepend_scheme").asText() : (n.path("add_prefix_space").asBoolean(true) ? "always" : "never");
                boolean split = n.path("split").asBoolean(true);
                steps.add((pieces, first) -> {
                    List<String> out = new ArrayList<>();
                    for (int i = 0; i < pieces.size(); i++) {
                        String s = pieces.get(i).replace(" ", rep);
                        boolean prepend = scheme.equals("always") || (scheme.equals("first") && first && i == 0);
                        if (prepend && !s.startsWith(rep)) s = rep + s;
                        if (!split) {
                            out.add(s);
                            continue;
                        }
                        int start = 0;
                        for (int j = 1; j <= s.length(); j++) {
                            if (j == s.length() || s.startsWith(rep, j)) {
                                if (j > start) out.add(s.substring(start, j));
                                start = j;
                            }
                        }
                    }
                    return out;
                });
            }
            default -> throw new InvalidInputException(f, field + ".type", "pre-tokenizer " + type + " is not supported");
        }
    }

    private static List<String> map(List<String> in, java.util.function.UnaryOperator<String> op) {
        List<String> out = new ArrayList<>(in.size());
        for (String s : in) out.add(op.apply(s));
        return out;
    }

    private static List<String> flat(List<String> in, java.util.function.Function<String, List<String>> op) {
        List<String> out = new ArrayList<>();
        for (String s : in) out.addAll(op.apply(s));
        return out;
    }

    /**
     * Splits into matches and the text between them, dropping nothing; an empty match (a lookahead alone) is a split
     * point, as llama.cpp's regex splitting makes it.
     */
    private static List<String> isolate(Pattern p, String s) {
        List<String> out = new ArrayList<>();
        Matcher m = p.matcher(s);
        int last = 0;
        while (m.find()) {
            if (m.start() > last) out.add(s.substring(last, m.start()));
            if (m.end() > m.start()) out.add(m.group());
            last = m.end();
        }
        if (last < s.length()) out.add(s.substring(last));
        return out;
    }

    /**
     * Loads {@code tokenizer.json} from a model directory, taking BOS/EOS ids from the directory's
     * {@code config.json} ({@code bos_token_id}, {@code eos_token_id}) when present.
     */
    public static HuggingFaceTokenizer loadDirectory(String dirUri, Configuration conf) throws IOException {
        String tok = HadoopFiles.child(dirUri, "tokenizer.json");
        String cfg = HadoopFiles.child(dirUri, "config.json");
        Integer bos = null;
        Integer eos = null;
        if (HadoopFiles.statusOrNull(cfg, conf) != null) {
            JsonNode c = json(cfg, conf);
            bos = c.path("bos_token_id").canConvertToInt() && c.path("bos_token_id").isIntegralNumber() ? c.get("bos_token_id").asInt() : null;
            eos = c.path("eos_token_id").canConvertToInt() && c.path("eos_token_id").isIntegralNumber() ? c.get("eos_token_id").asInt() : null;
        }
        return load(tok, bos, eos, conf);
    }

    /** Loads a {@code tokenizer.json} file with a default Hadoop configuration, guessing BOS/EOS from common names. */
    public static HuggingFaceTokenizer load(String uri) throws IOException {
        return load(uri, null, null, new Configuration());
    }

    /**
     * Loads a {@code tokenizer.json} file.
     *
     * @param bosId BOS id, or null to use the first of {@code <s>}, {@code <|begin_of_text|>}, {@code <|endoftext|>} present
     * @param eosId EOS id, or null to use the first of {@code </s>}, {@code <|end_of_text|>}, {@code <|endoftext|>}, {@code <|im_end|>} present
     * @throws InvalidInputException for malformed JSON or an unsupported tokenizer configuration
     */
    public static HuggingFaceTokenizer load(String uri, Integer bosId, Integer eosId, Configuration conf) throws IOException {
        JsonNode root = json(uri, conf);
        HuggingFaceTokenizer t = new HuggingFaceTokenizer(uri, root, bosId, eosId);
        if ((bosId != null && (bosId < 0 || bosId >= t.tokens.length)) || (eosId != null && (eosId < 0 || eosId >= t.tokens.length))) {
            throw new InvalidInputException(uri, "bos_token_id", "BOS/EOS id outside the vocabulary of " + t.tokens.length);
        }
        return t;
    }

    /** A tokenizer from a {@code tokenizer.json} tree already in memory ({@code source} names it in errors). */
    static HuggingFaceTokenizer of(String source, JsonNode root, Integer bosId, Integer eosId) {
        return new HuggingFaceTokenizer(source, root, bosId, eosId);
    }

    /**
     * As {@link #of(String, JsonNode, Integer, Integer)}, and a pre-tokenized word for which {@code takenWhole} holds is
     * one token when the vocabulary has it whole, merged otherwise (llama.cpp's rule for Gemma 4's runs of newlines).
     */
    static HuggingFaceTokenizer of(String source, JsonNode root, Integer bosId, Integer eosId, java.util.function.Predicate<String> takenWhole) {
        return new HuggingFaceTokenizer(source, root, bosId, eosId, takenWhole);
    }

    private static JsonNode json(String uri, Configuration conf) throws IOException {
        byte[] b = HadoopFiles.readAll(uri, MAX_JSON_BYTES, conf);
        try {
            ObjectMapper om = new ObjectMapper();
            om.enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
            JsonNode n = om.readTree(new String(b, StandardCharsets.UTF_8));
            if (n == null || !n.isObject()) throw new InvalidInputException(uri, "(root)", "not a JSON object");
            return n;
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new InvalidInputException(uri, "(json)", "invalid JSON: " + e.getOriginalMessage(), e);
        }
    }

    // What GgufTokenizerMetadata writes into a GGUF; package-private, read-only views.

    /** Token text by id; null where the file leaves an id unused. */
    String[] tokenTexts() { return tokens.clone(); }

    /** True for an added token marked {@code special}. */
    boolean isSpecial(int id) { return special[id]; }

    /** True for a token listed under {@code added_tokens}. */
    boolean isAdded(int id) { return tokens[id] != null && Integer.valueOf(id).equals(added.get(tokens[id])); }

    /** Merges as {@code "left right"} in rank order (first occurrence of a pair, as the encoder uses them). */
    List<String> mergesByRank() {
        List<int[]> byRank = new ArrayList<>();
        for (Map.Entry<Long, int[]> e : merges.entrySet()) byRank.add(new int[] {e.getValue()[0], (int) (e.getKey() >>> 32), (int) (long) e.getKey()});
        byRank.sort(Comparator.comparingInt(m -> m[0]));
        List<String> out = new ArrayList<>(byRank.size());
        for (int[] m : byRank) out.add(tokens[m[1]] + " " + tokens[m[2]]);
        return out;
    }

    /** Rank of the first merge that makes each token, or -1 for tokens no merge makes. */
    int[] mergeRankMaking() {
        int[] rank = new int[tokens.length];
        java.util.Arrays.fill(rank, -1);
        for (int[] m : merges.values()) if (rank[m[1]] < 0 || m[0] < rank[m[1]]) rank[m[1]] = m[0];
        return rank;
    }

    boolean byteLevel() { return byteLevel; }

    boolean byteFallback() { return byteFallback; }

    /** True when the text gets a leading space (SentencePiece's dummy prefix), as the decoder's strip shows. */
    boolean addsSpacePrefix() { return stripLeadingSpace; }

    /** The unknown token's id, or -1. */
    int unkId() { return unk == null ? -1 : unk; }

    /** BOS / EOS ids as resolved (config.json or common names), or -1 when unknown. */
    int bosOrNone() { return bos; }

    int eosOrNone() { return eos; }

    /** The {@code pre_tokenizer} node of the file, or null. */
    JsonNode preTokenizerSpec() { return preTokenizerSpec; }

    @Override
    public int vocabSize() { return tokens.length; }

    @Override
    public int bosId() {
        if (bos < 0) throw new IllegalStateException("this tokenizer has no known BOS token");
        return bos;
    }

    @Override
    public int eosId() {
        if (eos < 0) throw new IllegalStateException("this tokenizer has no known EOS token");
        return eos;
    }

    @Override
    public int[] encode(String text, boolean addBos, boolean addEos) {
        List<Integer> out = new ArrayList<>();
        if (addBos) out.add(bosId());
        boolean first = true;
        for (String section : splitAdded(text)) {
            Integer addedId = added.get(section);
            if (addedId != null) {
                out.add(addedId);
                first = false;
                continue;
            }
            List<String> pieces = List.of(section);
            for (Step n : normalizers) pieces = n.apply(pieces, first);
            for (Step s : steps) pieces = s.apply(pieces, first);
            for (String p : pieces) if (!p.isEmpty()) bpe(p, out);
            first = false;
        }
        if (addEos) out.add(eosId());
        int[] ids = new int[out.size()];
        for (int i = 0; i < ids.length; i++) ids[i] = out.get(i);
        return ids;
    }

    /** Text split around literal added tokens (longest first at each position). */
    private List<String> splitAdded(String text) {
        List<String> out = new ArrayList<>();
        if (addedByFirst.isEmpty()) {
            out.add(text);
            return out;
        }
        int start = 0;
        int i = 0;
        while (i < text.length()) {
            String hit = null;
            for (String a : addedByFirst.getOrDefault(text.charAt(i), NO_STRINGS)) {
                if (text.startsWith(a, i)) {
                    hit = a;
                    break;
                }
            }
            if (hit == null) {
                i++;
                continue;
            }
            if (i > start) out.add(text.substring(start, i));
            out.add(hit);
            i += hit.length();
            start = i;
        }
        if (start < text.length()) out.add(text.substring(start));
        return out;
    }

    private void bpe(String piece, List<Integer> out) {
        String word = piece;
        if (byteLevel) {
            byte[] b = piece.getBytes(StandardCharsets.UTF_8);
            StringBuilder sb = new StringBuilder(b.length);
            for (byte x : b) sb.append(byteToChar[x & 0xff]);
            word = sb.toString();
        }
        if (takenWhole.test(word)) {
            Integer whole = vocab.get(word);
            if (whole != null) {
                out.add(whole);
                return;
            }
        }
        int[] sym = new int[word.length() * 4];
        int n = 0;
        for (int i = 0; i < word.length(); ) {
            int cp = word.codePointAt(i);
            String ch = new String(Character.toChars(cp));
            i += ch.length();
            Integer id = vocab.get(ch);
            if (id != null) {
                sym[n++] = id;
                continue;
            }
            if (byteFallback) {
                // all of the character's byte tokens, or (like the tokenizers library) fall through to unknown
                byte[] utf8 = ch.getBytes(StandardCharsets.UTF_8);
                int[] ids = new int[utf8.length];
                boolean all = true;
                for (int k = 0; k < utf8.length && all; k++) {
                    Integer bid = vocab.get(String.format("<0x%02X>", utf8[k] & 0xff));
                    if (bid == null) all = false; else ids[k] = bid;
                }
                if (all) {
                    for (int bid : ids) sym[n++] = bid;
                    continue;
                }
            }
            if (unk != null && (!fuseUnk || n == 0 || sym[n - 1] != unk)) sym[n++] = unk;
        }
        n = BpeMerges.apply(sym, n, (x, y) -> {
            int[] m = merges.get(((long) x << 32) | y);
            return m == null ? BpeMerges.NONE : BpeMerges.rule(m[0], m[1]);
        });
        for (int i = 0; i < n; i++) out.add(sym[i]);
    }

    @Override
    public String decode(int prevToken, int token) {
        byte[] b = bytesOf(token);
        String s = new String(b, StandardCharsets.UTF_8);
        if (prevToken == bos && stripLeadingSpace && s.startsWith(" ")) s = s.substring(1);
        return s;
    }

    @Override
    public String decode(int[] ids) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int id : ids) {
            if (id >= 0 && id < special.length && special[id]) continue;
            out.writeBytes(bytesOf(id));
        }
        String s = out.toString(StandardCharsets.UTF_8);
        return stripLeadingSpace && s.startsWith(" ") ? s.substring(1) : s;
    }

    private byte[] bytesOf(int id) {
        if (id < 0 || id >= tokens.length || tokens[id] == null) throw new IllegalArgumentException("token " + id + " outside vocabulary");
        String t = tokens[id];
        if (added.containsKey(t)) return t.getBytes(StandardCharsets.UTF_8);
        if (byteLevel) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            for (int i = 0; i < t.length(); i++) {
                Integer b = charToByte.get(t.charAt(i));
                if (b != null) out.write(b); else out.writeBytes(String.valueOf(t.charAt(i)).getBytes(StandardCharsets.UTF_8));
            }
            return out.toByteArray();
        }
        if (t.length() == 6 && t.startsWith("<0x") && t.endsWith(">")) {
            try {
                return new byte[] {(byte) Integer.parseInt(t.substring(3, 5), 16)};
            } catch (NumberFormatException ignored) {
                // not a byte token
            }
        }
        return t.replace('\u2581', ' ').getBytes(StandardCharsets.UTF_8);
    }

    /** The token string as stored in tokenizer.json. */
    public String token(int id) { return tokens[id]; }
}
