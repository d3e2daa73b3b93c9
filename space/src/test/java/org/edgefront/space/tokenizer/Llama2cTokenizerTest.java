package org.edgefront.space.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.edgefront.space.input.InvalidInputException;
import org.edgefront.space.io.SharedModels;
import org.edgefront.space.io.TextCorpus;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Llama2cTokenizerTest {
    private static Llama2cTokenizer tok;

    @TempDir
    Path dir;

    @BeforeAll
    static void load() throws Exception {
        tok = Llama2cTokenizer.load(SharedModels.file("tok512.bin"), 512);
    }

    @Test
    void specialAndByteTokensSitWhereTheFormatSays() {
        assertEquals(512, tok.vocabSize());
        assertEquals("<0x41>", new String(tok.piece('A' + 3)));
        assertEquals("A", tok.decode(0, 'A' + 3));
    }

    @Test
    void firstParagraphEncodesToTheReferenceIds() throws Exception {
        // ids from an independent Python transcription of llama2.c's encode
        String first = TextCorpus.paragraphs(SharedModels.file("tinystories_val.txt")).get(0);
        int[] ids = tok.encode(first, true, false);
        assertEquals(85, ids.length);
        assertArrayEquals(new int[] {1, 301, 427, 309, 426, 301, 427, 309, 394, 265, 262, 415, 271, 422, 280, 295,
                269, 336, 432, 313, 448, 327, 432, 410, 462, 362, 422, 432, 364, 420}, Arrays.copyOf(ids, 30));
    }

    @Test
    void nonAsciiFallsBackToBytesLikeTheReference() {
        assertArrayEquals(new int[] {1, 410, 469, 414, 198, 174, 468, 419, 280, 412, 431, 485, 410, 233, 154, 168, 233, 159, 175},
                tok.encode("Zoë’s café 日本", true, false));
    }

    @Test
    void decodeInvertsEncodeOnRealParagraphs() throws Exception {
        List<String> paragraphs = TextCorpus.paragraphs(SharedModels.file("tinystories_val.txt")).subList(0, 50);
        for (String p : paragraphs) {
            assertEquals(p, tok.decode(tok.encode(p, true, true)));
        }
        assertEquals("Zoë’s café 日本", tok.decode(tok.encode("Zoë’s café 日本", true, false)));
    }

    @Test
    void emptyTextIsJustTheRequestedSpecials() {
        assertArrayEquals(new int[] {1, 2}, tok.encode("", true, true));
        assertArrayEquals(new int[0], tok.encode("", false, false));
    }

    @Test
    void leadingSpaceIsDroppedOnlyAfterBos() {
        int[] ids = tok.encode("Once", false, false);
        String piece = tok.decode(5, ids[0]);
        assertTrue(piece.startsWith(" "), piece);
        assertEquals(piece.substring(1), tok.decode(Tokenizer.BOS, ids[0]));
    }

    @Test
    void truncatedTokenizerIsRejectedNamingTheToken() throws Exception {
        byte[] all = Files.readAllBytes(Path.of(SharedModels.file("tok512.bin")));
        Path p = dir.resolve("trunc.bin");
        Files.write(p, Arrays.copyOf(all, all.length - 10));
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> Llama2cTokenizer.load(p.toString(), 512));
        assertEquals(p.toString(), e.file());
        assertTrue(e.field().startsWith("token 5"), e.field());
    }

    @Test
    void tokenizerForAnotherVocabularySizeIsRejected() {
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> Llama2cTokenizer.load(SharedModels.file("tok512.bin"), 500));
        assertTrue(e.getMessage().contains("after the last of 500 tokens"), e.getMessage());
        assertThrows(InvalidInputException.class, () -> Llama2cTokenizer.load(SharedModels.file("tok512.bin"), 100_000));
    }

    @Test
    void impossibleTokenLengthIsRejectedBeforeAllocating() throws Exception {
        ByteBuffer b = ByteBuffer.allocate(4 + 8 * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(8);
        b.putFloat(0f).putInt(Integer.MAX_VALUE);
        Path p = dir.resolve("len.bin");
        Files.write(p, b.array());
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> Llama2cTokenizer.load(p.toString(), 4));
        assertEquals("token 0 length (offset 8)", e.field());
    }

    @Test
    void emptyTokenizerFileIsRejected() throws Exception {
        Path p = dir.resolve("empty.bin");
        Files.write(p, new byte[0]);
        assertTrue(assertThrows(InvalidInputException.class, () -> Llama2cTokenizer.load(p.toString(), 512))
                .getMessage().contains("empty"));
    }
}
