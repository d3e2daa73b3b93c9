package org.edgefront.space.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.edgefront.space.input.InvalidInputException;
import org.edgefront.space.tokenizer.Llama2cTokenizer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TextCorpusTest {
    @TempDir
    Path dir;

    @Test
    void splitsOnBlankLinesStripsAndDropsEmpty() {
        assertEquals(List.of("a b", "c", "d\ne"), TextCorpus.split("  a b \n\n\n c\n \t \nd\ne\n\n   \n"));
    }

    @Test
    void sequencesStartWithBosOnlyWhenTheVocabularyStartsTextsWithIt() throws Exception {
        Llama2cTokenizer tok = Llama2cTokenizer.load(SharedModels.file("tok512.bin"), 512);
        int[] with = TextCorpus.encode(tok, List.of("Once upon a time"), 64).get(0);
        assertEquals(tok.bosId(), with[0]);
        org.edgefront.space.tokenizer.Tokenizer noBos = new org.edgefront.space.tokenizer.Tokenizer() {
            @Override public int[] encode(String text, boolean bos, boolean eos) { return tok.encode(text, bos, eos); }
            @Override public String decode(int prevToken, int token) { return tok.decode(prevToken, token); }
            @Override public String decode(int[] tokens) { return tok.decode(tokens); }
            @Override public int vocabSize() { return tok.vocabSize(); }
            @Override public boolean addsBos() { return false; }
        };
        int[] without = TextCorpus.encode(noBos, List.of("Once upon a time"), 64).get(0);
        assertEquals(java.util.Arrays.toString(java.util.Arrays.copyOfRange(with, 1, with.length)), java.util.Arrays.toString(without));
    }

    @Test
    void crlfTextSplitsLikeLf() {
        assertEquals(TextCorpus.split("one\ntwo\n\nthree\n"), TextCorpus.split("one\r\ntwo\r\n\r\nthree\r\n"));
        assertEquals(List.of("one\ntwo", "three"), TextCorpus.split("one\r\ntwo\r\n\r\nthree\r\n"));
    }

    @Test
    void tinyStoriesHas4302Paragraphs() throws Exception {
        // count from the reference Python split: re.split(r'\n\s*\n', text), strip, drop empty
        List<String> p = TextCorpus.paragraphs(SharedModels.file("tinystories_val.txt"));
        assertEquals(4302, p.size());
        assertTrue(p.get(0).startsWith("Spot. Spot saw the shiny car and said, \"Wow, Kitty,"));
    }

    @Test
    void first200ParagraphsGiveTheReferencePredictedTokenCount() throws Exception {
        // README: 19,380 predicted tokens for 200 paragraphs, BOS first, cut to 512
        Llama2cTokenizer tok = Llama2cTokenizer.load(SharedModels.file("tok512.bin"), 512);
        List<int[]> seqs = TextCorpus.encode(tok, TextCorpus.paragraphs(SharedModels.file("tinystories_val.txt")).subList(0, 200), 512);
        long predicted = 0;
        for (int[] s : seqs) {
            assertEquals(1, s[0]);
            assertTrue(s.length <= 512);
            predicted += s.length - 1;
        }
        assertEquals(19_380, predicted);
    }

    @Test
    void crlfWikiTextAsBlankLineParagraphsSplitsExactlyAsPythonDoes() throws Exception {
        // Python: open(..., encoding='utf-8').read() (universal newlines), re.split(r'\n\s*\n'), strip:
        // this copy has no blank lines, so one paragraph of 1,285,619 code points with 2,890 newlines
        List<String> p = TextCorpus.paragraphs(SharedModels.file("wiki.test.raw"), TextCorpus.Layout.BLANK_LINES, MalformedCorpusTest.CONF);
        assertEquals(1, p.size());
        String s = p.get(0);
        assertEquals(1_285_619, s.codePointCount(0, s.length()));
        assertEquals(2_890, s.chars().filter(c -> c == '\n').count());
        assertEquals(-1, s.indexOf('\r'));
        assertTrue(s.endsWith(" Taylor , Ed Parker , and Eddie Pelkey ."));
    }

    @Test
    void wikiTextWithoutBlankLinesIsDetectedAsOneParagraphPerLine() throws Exception {
        // Python: [l.strip() for l in text.split('\n') if l.strip()] gives 2,891 lines, the longest 2,584 characters
        List<String> p = TextCorpus.paragraphs(SharedModels.file("wiki.test.raw"));
        assertEquals(2_891, p.size());
        assertEquals("= Robert Boulter =", p.get(0));
        assertTrue(p.get(1).startsWith("Robert Boulter is an English film , television and"));
        assertEquals(2_584, p.stream().mapToInt(String::length).max().orElseThrow());
        assertEquals(p, TextCorpus.paragraphs(SharedModels.file("wiki.test.raw"), TextCorpus.Layout.LINES, MalformedCorpusTest.CONF));
    }

    @Test
    void explicitLinesLayoutSplitsEveryLineEvenWithBlankLines() {
        assertEquals(List.of("a", "b", "c"), TextCorpus.split("a\r\n b \r\n\r\nc", TextCorpus.Layout.LINES));
        assertEquals(List.of("a\n b", "c"), TextCorpus.split("a\r\n b \r\n\r\nc", TextCorpus.Layout.AUTO));
        assertEquals(List.of("a", "b"), TextCorpus.split("a\r\nb\r\n", TextCorpus.Layout.AUTO));
    }

    @Test
    void emptyTextFileIsInvalidInput() throws Exception {
        Path p = dir.resolve("blank.txt");
        Files.writeString(p, " \n\n \r\n");
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> TextCorpus.paragraphs(p.toString()));
        assertEquals(p.toString(), e.file());
    }
}
