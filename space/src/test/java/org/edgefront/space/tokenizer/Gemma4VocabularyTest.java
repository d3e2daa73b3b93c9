package org.edgefront.space.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.edgefront.space.io.GgufFile;
import org.junit.jupiter.api.Test;

/**
 * Gemma 4's rules in llama.cpp's BPE session that its tokenizer test vectors do not tell apart (llama.cpp's own
 * vectors for the real vocabulary are checked in {@code VocabTestVectorsTest}): a run of newlines that is a token is
 * taken whole even where no merge builds it, spaces are {@code ▁}, and every text starts with BOS.
 */
class Gemma4VocabularyTest {
    private static final int NORMAL = 1;
    private static final int CONTROL = 3;
    private static final int BYTE = 6;

    private static Tokenizer tokenizer(boolean addBosKey) {
        List<String> tokens = List.of("<pad>", "<eos>", "<bos>", "<unk>", "\n", "\n\n", "a", "\u2581", "\u2581a", "<0xC3>", "<0xA9>");
        int[] types = {CONTROL, CONTROL, CONTROL, CONTROL, NORMAL, NORMAL, NORMAL, NORMAL, NORMAL, BYTE, BYTE};
        // no merge builds "\n\n": only the whole-run rule reaches it
        GgufFile.Vocabulary v = new GgufFile.Vocabulary("test.gguf", "gemma4", null, tokens, null, types, List.of("\u2581 a"),
                2, 1, false, addBosKey);
        return GgufTokenizers.of(v);
    }

    @Test
    void aRunOfNewlinesThatIsATokenIsTakenWholeAndSpacesAreMetaspaces() {
        Tokenizer t = tokenizer(true);
        assertArrayEquals(new int[] {6, 5, 6, 8}, t.encode("a\n\na a", false, false));
        // a run the vocabulary lacks is merged from its characters; a character it lacks is its UTF-8 byte tokens
        assertArrayEquals(new int[] {6, 4, 4, 4, 9, 10}, t.encode("a\n\n\n\u00e9", false, false));
    }

    @Test
    void everyTextStartsWithBosEvenWhenTheFileSaysOtherwise() {
        Tokenizer t = tokenizer(false);
        assertTrue(t.addsBos());
        assertArrayEquals(new int[] {2, 6}, t.encode("a", true, false));
    }
}
