package org.edgefront.space.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.edgefront.space.io.GgufFile;
import org.junit.jupiter.api.Test;

/** WordPiece as llama.cpp's WPM session runs it (the real vocabulary against llama.cpp's vectors: VocabTestVectorsTest). */
class WordPieceTokenizerTest {
    private static final List<String> TOKENS = List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "\u2581hello", "\u2581world", "\u2581un",
            "want", "ed", "\u2581,", "\u2581\u4e2d", "\u2581\u6587", "\u2581h", "\u2581cafe");

    private static Tokenizer bert(Boolean lowercase, Boolean stripAccents) {
        return GgufTokenizers.of(new GgufFile.Vocabulary("test.gguf", "bert", "bert-bge", TOKENS, null, null, null, 2, -1, false, null,
                1, 3, lowercase, stripAccents));
    }

    @Test
    void wordsAreLowerCasedStrippedSplitAtPunctuationAndCutIntoTheLongestPieces() {
        Tokenizer t = bert(null, null);
        // "Héllo," -> hello , ; "unwanted" -> un want ed; CJK ideographs one word each
        assertArrayEquals(new int[] {4, 9, 5, 6, 7, 8, 10, 11}, t.encode("H\u00e9llo, WORLD unwanted \u4e2d\u6587", false, false));
        // a word some position of which no piece matches is one [UNK]; [CLS] and [SEP] around the text
        assertArrayEquals(new int[] {2, 1, 13, 3}, t.encode("hx caf\u00e9", true, true));
        assertTrue(t.addsBos());
        assertEquals(2, t.bosId());
    }

    @Test
    void aHangulSyllableBecomesItsFirstJamoAsLlamaCppsOneCodePointDecompositionMakesIt() {
        List<String> tokens = List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "\u2581\u1112", "\u2581\u1112\u1161\u11ab");
        Tokenizer t = GgufTokenizers.of(new GgufFile.Vocabulary("test.gguf", "bert", "bert-bge", tokens, null, null, null, 2, -1, false, null,
                1, 3, null, null));
        // 한 (U+D55C) decomposes to ᄒ ᅡ ᆫ; llama.cpp keeps only ᄒ, so the three-jamo piece is never reached
        assertArrayEquals(new int[] {4}, t.encode("\ud55c", false, false));
    }

    @Test
    void theFilesNormalizerKeysTurnLowerCasingAndAccentStrippingOff() {
        // cased, accents kept: "Hello" and "café" are no pieces of this vocabulary
        assertArrayEquals(new int[] {1, 1}, bert(false, null).encode("Hello caf\u00e9", false, false));
        // lower-cased but accents kept: "café" stays unknown
        assertArrayEquals(new int[] {4, 1}, bert(true, false).encode("Hello caf\u00e9", false, false));
    }
}
