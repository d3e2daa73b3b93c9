package org.edgefront.space.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.hadoop.conf.Configuration;
import org.edgefront.space.input.InvalidInputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Hand-built tokenizer.json files in the two supported styles; expected ids worked out by hand. */
public class HuggingFaceTokenizerTest {
    @TempDir
    Path dir;

    private static final Configuration CONF = new Configuration();

    public static final String SENTENCEPIECE = """
            {"added_tokens": [{"id": 0, "content": "<unk>", "special": true}, {"id": 1, "content": "<s>", "special": true},
                              {"id": 2, "content": "</s>", "special": true}],
             "normalizer": {"type": "Sequence", "normalizers": [{"type": "Prepend", "prepend": "\u2581"},
                            {"type": "Replace", "pattern": {"String": " "}, "content": "\u2581"}]},
             "pre_tokenizer": null,
             "decoder": {"type": "Sequence", "decoders": [{"type": "Replace", "pattern": {"String": "\u2581"}, "content": " "},
                         {"type": "ByteFallback"}, {"type": "Fuse"}, {"type": "Strip", "content": " ", "start": 1, "stop": 0}]},
             "model": {"type": "BPE", "unk_token": "<unk>", "byte_fallback": true, "fuse_unk": true,
               "vocab": {"<unk>": 0, "<s>": 1, "</s>": 2, "<0xC3>": 3, "<0xA9>": 4, "\u2581": 5, "h": 6, "e": 7, "l": 8,
                         "o": 9, "\u2581h": 10, "el": 11, "ll": 12, "lo": 13, "\u2581he": 14, "llo": 15, "\u2581hello": 16},
               "merges": ["\u2581 h", "l l", "\u2581h e", "ll o", "\u2581he llo", "e l"]}}
            """;

    public static final String BYTE_LEVEL = """
            {"added_tokens": [{"id": 17, "content": "<|endoftext|>", "special": true}],
             "normalizer": null,
             "pre_tokenizer": {"type": "Sequence", "pretokenizers": [{"type": "Digits", "individual_digits": true},
                               {"type": "ByteLevel", "add_prefix_space": false, "use_regex": true}]},
             "decoder": {"type": "ByteLevel"},
             "model": {"type": "BPE", "byte_fallback": false,
               "vocab": {"h": 0, "e": 1, "l": 2, "o": 3, "\u0120": 4, "w": 5, "r": 6, "d": 7, "\u0120w": 8, "or": 9, "ld": 10,
                         "\u0120wor": 11, "\u0120world": 12, "he": 13, "ll": 14, "hell": 15, "hello": 16,
                         "1": 18, "2": 19, "3": 20, "12": 21},
               "merges": ["h e", "l l", "he ll", "hell o", "\u0120 w", "o r", "\u0120w or", "l d", "\u0120wor ld", "1 2"]}}
            """;

    private HuggingFaceTokenizer load(String name, String json) throws Exception {
        Path p = dir.resolve(name);
        Files.writeString(p, json);
        return HuggingFaceTokenizer.load(p.toString(), null, null, CONF);
    }

    @Test
    void sentencePieceStyleMergesByRankAndFallsBackToBytes() throws Exception {
        HuggingFaceTokenizer t = load("sp.json", SENTENCEPIECE);
        // "▁hello▁é": ▁ h e l l o ▁ <0xC3> <0xA9>; merges by rank give ▁hello
        assertArrayEquals(new int[] {1, 16, 5, 3, 4, 2}, t.encode("hello é", true, true));
        assertEquals("hello é", t.decode(t.encode("hello é", true, true)));
        assertEquals("hello", t.decode(1, 16));
        assertEquals(" hello", t.decode(5, 16));
        // a character with no token and no byte token: one fused unknown
        assertArrayEquals(new int[] {10, 0}, t.encode("hxx", false, false));
    }

    @Test
    void byteLevelStyleSplitsWithTheGpt2RegexAndAddedTokens() throws Exception {
        HuggingFaceTokenizer t = load("bl.json", BYTE_LEVEL);
        assertArrayEquals(new int[] {16, 12, 17}, t.encode("hello world<|endoftext|>", false, false));
        assertEquals("hello world", t.decode(new int[] {16, 12, 17}));
        assertEquals(17, t.eosId());
        // Digits(individual_digits) keeps "1 2" from merging
        assertArrayEquals(new int[] {18, 19, 20}, t.encode("123", false, false));
    }

    @Test
    void withoutTheDigitsSplitTheMergeApplies() throws Exception {
        String json = BYTE_LEVEL.replace("{\"type\": \"Digits\", \"individual_digits\": true},", "");
        assertArrayEquals(new int[] {21, 20}, load("bl2.json", json).encode("123", false, false));
    }

    @Test
    void unsupportedModelTypeIsRejectedNamingTheField() throws Exception {
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> load("wp.json", SENTENCEPIECE.replace("\"type\": \"BPE\"", "\"type\": \"WordPiece\"")));
        assertEquals("model.type", e.field());
    }

    @Test
    void mergeOfUnknownTokensIsRejected() throws Exception {
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> load("merge.json", SENTENCEPIECE.replace("\"l l\"", "\"q q\"")));
        assertEquals("model.merges[1]", e.field());
    }

    @Test
    void unsupportedPreTokenizerIsRejected() throws Exception {
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> load("pt.json", BYTE_LEVEL.replace("\"type\": \"Digits\"", "\"type\": \"Punctuation\"")));
        assertEquals("pre_tokenizer.pretokenizers[0].type", e.field());
    }

    @Test
    void invalidJsonIsRejected() throws Exception {
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> load("bad.json", "{\"model\": "));
        assertEquals("(json)", e.field());
    }

    @Test
    void directoryLoadTakesBosAndEosFromConfig() throws Exception {
        Files.writeString(dir.resolve("tokenizer.json"), SENTENCEPIECE);
        Files.writeString(dir.resolve("config.json"), "{\"bos_token_id\": 1, \"eos_token_id\": 2}");
        HuggingFaceTokenizer t = HuggingFaceTokenizer.loadDirectory(dir.toString(), CONF);
        assertEquals(1, t.bosId());
        assertEquals(2, t.eosId());
        assertEquals(17, t.vocabSize());
    }
}
