package org.edgefront.space.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.edgefront.space.input.InvalidInputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Llama2cMalformedTest {
    @TempDir
    Path dir;

    /** A header and, when {@code floats >= 0}, that many zero floats after it. */
    private String file(String name, int[] header, long extraBytes) throws Exception {
        ByteBuffer b = ByteBuffer.allocate(4 * header.length).order(ByteOrder.LITTLE_ENDIAN);
        for (int v : header) b.putInt(v);
        Path p = dir.resolve(name);
        byte[] body = new byte[(int) Math.max(0, extraBytes)];
        byte[] all = Arrays.copyOf(b.array(), b.array().length + body.length);
        Files.write(p, all);
        return p.toString();
    }

    private static long validFloats() {
        return new Llama2cCheckpoint.Header(8, 16, 2, 2, 1, 10, 4, true).floatCount();
    }

    private static InvalidInputException rejects(String path) {
        return assertThrows(InvalidInputException.class, () -> Llama2cCheckpoint.open(path).close());
    }

    @Test
    void wellFormedTinyFileOpens() throws Exception {
        String p = file("ok.bin", new int[] {8, 16, 2, 2, 1, 10, 4}, 4 * validFloats());
        try (var w = Llama2cCheckpoint.open(p)) {
            assertEquals(8, w.architecture().dim());
            assertEquals(8 * 16, w.read("blk.1.ffn_down.weight").length);
        }
    }

    @Test
    void emptyFileIsRejectedNamingTheFile() throws Exception {
        Path p = dir.resolve("empty.bin");
        Files.write(p, new byte[0]);
        InvalidInputException e = rejects(p.toString());
        assertEquals(p.toString(), e.file());
        assertTrue(e.getMessage().contains("empty"), e.getMessage());
    }

    @Test
    void shortHeaderIsRejected() throws Exception {
        InvalidInputException e = rejects(file("short.bin", new int[] {8, 16, 2}, 0));
        assertEquals("header", e.field());
    }

    @Test
    void truncatedBodyIsRejectedWithTheMissingByteCount() throws Exception {
        InvalidInputException e = rejects(file("trunc.bin", new int[] {8, 16, 2, 2, 1, 10, 4}, 4 * validFloats() - 3));
        assertEquals("length", e.field());
        assertTrue(e.getMessage().contains("truncated: 3 bytes missing"), e.getMessage());
    }

    @Test
    void oversizedFileIsRejected() throws Exception {
        InvalidInputException e = rejects(file("big.bin", new int[] {8, 16, 2, 2, 1, 10, 4}, 4 * validFloats() + 4));
        assertEquals("length", e.field());
        assertTrue(e.getMessage().contains("4 unexpected extra bytes"), e.getMessage());
    }

    @Test
    void zeroDimIsRejectedNamingTheField() throws Exception {
        InvalidInputException e = rejects(file("zero.bin", new int[] {0, 16, 2, 2, 1, 10, 4}, 64));
        assertEquals("dim (offset 0)", e.field());
    }

    @Test
    void negativeLayersAreRejected() throws Exception {
        InvalidInputException e = rejects(file("neg.bin", new int[] {8, 16, -2, 2, 1, 10, 4}, 64));
        assertEquals("n_layers (offset 8)", e.field());
    }

    @Test
    void zeroVocabularyIsRejected() throws Exception {
        InvalidInputException e = rejects(file("vocab.bin", new int[] {8, 16, 2, 2, 1, 0, 4}, 64));
        assertEquals("vocab_size (offset 20)", e.field());
    }

    @Test
    void headsThatDoNotDivideDimAreRejected() throws Exception {
        InvalidInputException e = rejects(file("heads.bin", new int[] {8, 16, 2, 3, 1, 10, 4}, 64));
        assertEquals("n_heads (offset 12)", e.field());
        assertTrue(e.getMessage().contains("does not divide dim"), e.getMessage());
    }

    @Test
    void kvHeadsThatDoNotDivideHeadsAreRejected() throws Exception {
        InvalidInputException e = rejects(file("kv.bin", new int[] {16, 16, 2, 4, 3, 10, 4}, 64));
        assertEquals("n_kv_heads (offset 16)", e.field());
    }

    @Test
    void headerClaimingTerabytesIsRejectedWithoutAllocating() throws Exception {
        // 65536 x 1M x 1024 layers would be petabytes; the length check fails before any tensor array exists
        InvalidInputException e = rejects(file("huge.bin", new int[] {65536, 1 << 20, 1024, 64, 64, 1 << 22, 1 << 22}, 64));
        assertEquals("length", e.field());
    }

    @Test
    void absurdSizesAreRejectedByRange() throws Exception {
        InvalidInputException e = rejects(file("absurd.bin", new int[] {Integer.MAX_VALUE, 16, 2, 2, 1, 10, 4}, 64));
        assertEquals("dim (offset 0)", e.field());
    }

    @Test
    void missingFileIsInvalidInput() {
        InvalidInputException e = rejects(dir.resolve("nope.bin").toString());
        assertEquals("path", e.field());
    }

    @Test
    void directoryIsInvalidInput() {
        assertEquals("path", rejects(dir.toString()).field());
    }

    @Test
    void untiedCheckpointReadsItsSeparateClassifier() throws Exception {
        Llama2cCheckpoint.Header h = new Llama2cCheckpoint.Header(8, 16, 2, 2, 1, 10, 4, false);
        ByteBuffer b = ByteBuffer.allocate((int) h.fileBytes()).order(ByteOrder.LITTLE_ENDIAN);
        h.writeTo(b);
        long n = h.floatCount();
        for (long i = 0; i < n; i++) b.putFloat(i < n - 80 ? 0f : 7f); // wcls is the last 10x8 floats
        Path p = dir.resolve("untied.bin");
        Files.write(p, b.array());
        try (var w = Llama2cCheckpoint.open(p.toString())) {
            assertTrue(!w.architecture().tiedEmbeddings());
            float[] cls = w.read("output.weight");
            assertEquals(80, cls.length);
            for (float v : cls) assertEquals(7f, v);
            for (float v : w.read("token_embd.weight")) assertEquals(0f, v);
        }
    }
}
