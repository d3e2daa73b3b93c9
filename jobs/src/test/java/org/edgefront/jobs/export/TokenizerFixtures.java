package org.edgefront.jobs.export;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.edgefront.space.model.ArchitectureFamily;
import org.edgefront.space.synthetic.SyntheticLlama;

/**
 * Small Hugging Face {@code tokenizer.json} files of the two styles, built in code: a valid BPE vocabulary whose merges
 * spell a fixed word list left to right. Used by the GGUF export tests (and by the llama.cpp load tests).
 */
public final class TokenizerFixtures {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> WORDS = List.of("the", "and", "was", "she", "he", "it", "to", "a", "day", "said", "little", "play", "ing",
            "once", "upon", "time", "there", "girl", "named", "lily");

    private TokenizerFixtures() {}

    /** The Qwen2 split expression as Qwen2's tokenizer.json writes it. */
    public static final String QWEN2_SPLIT = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}"
            + "| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

    /** The Llama 3 split expression as Llama 3's tokenizer.json writes it. */
    public static final String LLAMA3_SPLIT = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}"
            + "| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

    /**
     * A Qwen2-style byte-level BPE tokenizer: the 256 byte characters (GPT-2's byte-to-unicode map) at ids 0..255,
     * merge results after them, then {@code <|endoftext|>} (special) and {@code <|im_start|>} (special).
     */
    public static Path writeByteLevel(Path file, String splitRegex) throws IOException {
        char[] byteChar = new char[256];
        int n = 0;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            byteChar[b] = printable ? (char) b : (char) (256 + n++);
        }
        Map<String, Integer> vocab = new LinkedHashMap<>();
        for (int b = 0; b < 256; b++) vocab.put(String.valueOf(byteChar[b]), b);
        List<String> merges = merges(vocab, String.valueOf(byteChar[' ']));
        ObjectNode root = JSON.createObjectNode();
        root.put("version", "1.0");
        ArrayNode added = root.putArray("added_tokens");
        for (String s : List.of("<|endoftext|>", "<|im_start|>")) {
            int id = vocab.size();
            vocab.put(s, id);
            added.addObject().put("id", id).put("content", s).put("special", true);
        }
        root.putObject("normalizer").put("type", "NFC");
        ObjectNode pre = root.putObject("pre_tokenizer");
        if (splitRegex == null) {
            pre.put("type", "ByteLevel").put("add_prefix_space", false).put("use_regex", true);
        } else {
            pre.put("type", "Sequence");
            ArrayNode steps = pre.putArray("pretokenizers");
            ObjectNode split = steps.addObject().put("type", "Split").put("behavior", "Isolated").put("invert", false);
            split.putObject("pattern").put("Regex", splitRegex);
            steps.addObject().put("type", "ByteLevel").put("add_prefix_space", false).put("trim_offsets", false).put("use_regex", false);
        }
        root.putObject("decoder").put("type", "ByteLevel");
        model(root, vocab, merges).put("byte_fallback", false);
        Files.writeString(file, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root));
        return file;
    }

    /**
     * A SentencePiece-style (Llama 2) tokenizer: {@code <unk> <s> </s>}, the byte tokens {@code <0x00>..<0xFF>} at
     * 3..258, single letters and U+2581, merge results; Prepend/Replace normalizer, byte fallback, a Strip decoder.
     */
    public static Path writeSentencePiece(Path file) throws IOException {
        Map<String, Integer> vocab = new LinkedHashMap<>();
        vocab.put("<unk>", 0);
        vocab.put("<s>", 1);
        vocab.put("</s>", 2);
        for (int b = 0; b < 256; b++) vocab.put(String.format(Locale.ROOT, "<0x%02X>", b), vocab.size());
        vocab.put("\u2581", vocab.size());
        for (char c = 'a'; c <= 'z'; c++) vocab.put(String.valueOf(c), vocab.size());
        merges(vocab, "\u2581");
        // as the tokenizers library's SentencePiece converter writes merges: every split of each piece into two
        // pieces, in the pieces' (score) order, so the file's BPE and SentencePiece's score-ordered merging agree
        List<String> merges = new ArrayList<>();
        for (String piece : vocab.keySet()) {
            if (piece.length() < 2 || piece.startsWith("<")) continue;
            for (int i = 1; i < piece.length(); i++) {
                if (vocab.containsKey(piece.substring(0, i)) && vocab.containsKey(piece.substring(i))) merges.add(piece.substring(0, i) + " " + piece.substring(i));
            }
        }
        ObjectNode root = JSON.createObjectNode();
        root.put("version", "1.0");
        ArrayNode added = root.putArray("added_tokens");
        for (int i = 0; i < 3; i++) added.addObject().put("id", i).put("content", i == 0 ? "<unk>" : i == 1 ? "<s>" : "</s>").put("special", true);
        ObjectNode norm = root.putObject("normalizer").put("type", "Sequence");
        ArrayNode ns = norm.putArray("normalizers");
        ns.addObject().put("type", "Prepend").put("prepend", "\u2581");
        ObjectNode rep = ns.addObject().put("type", "Replace");
        rep.putObject("pattern").put("String", " ");
        rep.put("content", "\u2581");
        root.putNull("pre_tokenizer");
        ObjectNode dec = root.putObject("decoder").put("type", "Sequence");
        ArrayNode ds = dec.putArray("decoders");
        ObjectNode drep = ds.addObject().put("type", "Replace");
        drep.putObject("pattern").put("String", "\u2581");
        drep.put("content", " ");
        ds.addObject().put("type", "ByteFallback");
        ds.addObject().put("type", "Fuse");
        ds.addObject().put("type", "Strip").put("content", " ").put("start", 1).put("stop", 0);
        model(root, vocab, merges).put("byte_fallback", true).put("unk_token", "<unk>").put("fuse_unk", true);
        Files.writeString(file, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root));
        return file;
    }

    /** Merges that build each word (with and without the space marker in front) left to right; adds their results. */
    private static List<String> merges(Map<String, Integer> vocab, String space) {
        List<String> merges = new ArrayList<>();
        for (String w : WORDS) {
            for (String word : List.of(space + w, w)) {
                String left = word.substring(0, 1);
                for (int i = 1; i < word.length(); i++) {
                    String right = word.substring(i, i + 1);
                    String m = left + " " + right;
                    if (!merges.contains(m) && !vocab.containsKey(left + right)) {
                        merges.add(m);
                        vocab.put(left + right, vocab.size());
                    }
                    left = left + right;
                }
            }
        }
        return merges;
    }

    private static ObjectNode model(ObjectNode root, Map<String, Integer> vocab, List<String> merges) {
        ObjectNode model = root.putObject("model").put("type", "BPE");
        ObjectNode v = model.putObject("vocab");
        vocab.forEach(v::put);
        ArrayNode m = model.putArray("merges");
        merges.forEach(m::add);
        return model;
    }

    /**
     * A synthetic model (dim 64, 2 layers, vocabulary 512) written as a Hugging Face directory with a tokenizer.json of
     * {@code style}: {@code spm} (SentencePiece-style), or the byte-level pre-tokenizer llama.cpp calls {@code gpt-2},
     * {@code llama-bpe}, {@code qwen2} or {@code smollm}.
     */
    public static Path huggingFaceDir(Path dir, ArchitectureFamily family, String style) throws Exception {
        try (SyntheticLlama s = SyntheticLlama.create(new SyntheticLlama.Shape(64, 176, 2, 8, 4, 512, 256, true), 11, family)) {
            SyntheticLlama.writeHuggingFace(s, dir.toString(), "F32", 1);
        }
        Path tok = dir.resolve("tokenizer.json");
        switch (style) {
            case "spm" -> writeSentencePiece(tok);
            case "gpt-2" -> writeByteLevel(tok, null);
            case "llama-bpe" -> writeByteLevel(tok, LLAMA3_SPLIT);
            case "qwen2" -> writeByteLevel(tok, QWEN2_SPLIT);
            case "smollm" -> {
                // SmolLM's and StarCoder's: each digit alone, then GPT-2's byte-level split
                writeByteLevel(tok, null);
                ObjectNode root = (ObjectNode) JSON.readTree(tok.toFile());
                ObjectNode pre = root.putObject("pre_tokenizer").put("type", "Sequence");
                ArrayNode steps = pre.putArray("pretokenizers");
                steps.addObject().put("type", "Digits").put("individual_digits", true);
                steps.addObject().put("type", "ByteLevel").put("add_prefix_space", false).put("trim_offsets", true).put("use_regex", true);
                Files.writeString(tok, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root));
            }
            default -> throw new IllegalArgumentException(style);
        }
        return dir;
    }

    /** How many entries a fixture's vocabulary has (model vocab plus added tokens). */
    public static int size(Path file) throws IOException {
        var root = JSON.readTree(file.toFile());
        int max = -1;
        for (var e : root.path("model").path("vocab")) max = Math.max(max, e.asInt());
        for (var a : root.path("added_tokens")) max = Math.max(max, a.path("id").asInt());
        return max + 1;
    }
}
