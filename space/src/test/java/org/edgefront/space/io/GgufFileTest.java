package org.edgefront.space.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Map;
import org.edgefront.space.input.InvalidInputException;
import org.edgefront.space.model.ModelArchitecture;
import org.edgefront.space.model.ModelWeights;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The fixture was written by llama.cpp's gguf-py (see resources/gguf/make_fixture.py). */
class GgufFileTest {
    @TempDir
    Path dir;

    static Path fixture() throws Exception {
        return Path.of(GgufFileTest.class.getResource("/gguf/tiny-llama.gguf").toURI());
    }

    @Test
    void architectureComesFromTheMetadata() throws Exception {
        try (ModelWeights w = ModelLoader.open(fixture().toString())) {
            ModelArchitecture a = w.architecture();
            assertEquals("tiny-gguf", a.name());
            assertEquals(32, a.dim());
            assertEquals(64, a.hiddenDim());
            assertEquals(2, a.layers());
            assertEquals(4, a.heads());
            assertEquals(2, a.kvHeads());
            assertEquals(40, a.vocabSize());
            assertEquals(16, a.maxSeqLen());
            assertFalse(a.tiedEmbeddings());
            assertEquals(1e-5, a.normEps());
            assertEquals(10000.0, a.ropeTheta());
        }
    }

    @Test
    void everyTensorDequantizesLikeTheReferenceImplementation() throws Exception {
        assertMatchesExpected("tiny-llama");
    }

    @Test
    void qwen2QkRowsAndBiasesComeBackInInterleavedOrder() throws Exception {
        assertMatchesExpected("tiny-qwen2");
        try (ModelWeights w = ModelLoader.open(Path.of(GgufFileTest.class.getResource("/gguf/tiny-qwen2.gguf").toURI()).toString())) {
            ModelArchitecture a = w.architecture();
            assertEquals(org.edgefront.space.model.ArchitectureFamily.QWEN2, a.family());
            assertTrue(a.tiedEmbeddings());
            assertEquals(1e-6, a.normEps());
            assertEquals(1_000_000.0, a.ropeTheta());
            assertTrue(w.tensorNames().contains("blk.0.attn_k.bias"));
        }
    }

    private static void assertMatchesExpected(String stem) throws Exception {
        JsonNode expected = new ObjectMapper().readTree(GgufFileTest.class.getResource("/gguf/" + stem + ".expected.json"));
        try (ModelWeights w = GgufFile.open(Path.of(GgufFileTest.class.getResource("/gguf/" + stem + ".gguf").toURI()).toString())) {
            assertEquals(expected.size(), w.tensorNames().size());
            for (Iterator<Map.Entry<String, JsonNode>> it = expected.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                float[] v = w.read(e.getKey());
                JsonNode x = e.getValue();
                assertEquals(x.get("count").asInt(), v.length, e.getKey());
                double sum = 0;
                for (float f : v) sum += f;
                assertEquals(x.get("sum").asDouble(), sum, 1e-5, e.getKey() + " " + x.get("type"));
                for (int i = 0; i < 8; i++) assertEquals((float) x.get("first").get(i).asDouble(), v[i], e.getKey() + "[" + i + "]");
                assertEquals((float) x.get("at37").asDouble(), v[37 % v.length], e.getKey());
            }
        }
    }

    private static byte[] header(int magic, int version, long tensors, long kvs) {
        return ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN).putInt(magic).putInt(version).putLong(tensors).putLong(kvs).array();
    }

    private InvalidInputException rejects(String name, byte[] content) throws Exception {
        Path p = dir.resolve(name);
        Files.write(p, content);
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> GgufFile.open(p.toString()).close());
        assertEquals(p.toString(), e.file());
        return e;
    }

    @Test
    void badMagicAndVersionAreRejected() throws Exception {
        assertEquals("magic (offset 0)", rejects("magic.gguf", header(0x12345678, 3, 0, 0)).field());
        assertEquals("version (offset 4)", rejects("v1.gguf", header(GgufFile.MAGIC, 1, 0, 0)).field());
        assertTrue(rejects("be.gguf", header(GgufFile.MAGIC, 3 << 24, 0, 0)).getMessage().contains("big-endian"));
    }

    @Test
    void absurdCountsAreRejectedBeforeAllocating() throws Exception {
        assertEquals("tensor_count (offset 8)", rejects("tensors.gguf", header(GgufFile.MAGIC, 3, Long.MAX_VALUE, 0)).field());
        assertEquals("metadata_kv_count (offset 16)", rejects("kvs.gguf", header(GgufFile.MAGIC, 3, 0, 1L << 40)).field());
        // a count that fits the sane limit but not the bytes left
        assertEquals("tensor_count (offset 8)", rejects("few.gguf", header(GgufFile.MAGIC, 3, 1000, 0)).field());
    }

    @Test
    void absurdStringLengthIsRejected() throws Exception {
        byte[] h = header(GgufFile.MAGIC, 3, 0, 1);
        byte[] all = Arrays.copyOf(h, h.length + 8 + 13);
        ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN).putLong(24, 1L << 50);
        InvalidInputException e = rejects("string.gguf", all);
        assertEquals("metadata key 0 (offset 24)", e.field());
    }

    @Test
    void everyTruncationOfTheFixtureIsInvalidInput() throws Exception {
        byte[] all = Files.readAllBytes(fixture());
        for (int len = 0; len < all.length; len += 61) {
            byte[] cut = Arrays.copyOf(all, len);
            Path p = dir.resolve("cut.gguf");
            Files.write(p, cut);
            assertThrows(InvalidInputException.class, () -> GgufFile.open(p.toString(), MalformedCorpusTest.CONF).close(), "length " + len);
        }
    }

    @Test
    void unsupportedQuantTypeIsNamed() throws Exception {
        byte[] all = Files.readAllBytes(fixture());
        // find the tensor info of blk.0.attn_q.weight (Q8_0 = 8) and change its type to Q4_K (12)
        byte[] name = "blk.0.attn_q.weight".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        int at = indexOf(all, name, 0);
        int typeOffset = at + name.length + 4 + 2 * 8;
        ByteBuffer b = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(8, b.getInt(typeOffset));
        b.putInt(typeOffset, 12);
        InvalidInputException e = rejects("q4k.gguf", all);
        assertEquals("blk.0.attn_q.weight", e.field());
        assertTrue(e.getMessage().contains("Q4_K"), e.getMessage());
    }

    private static int indexOf(byte[] hay, byte[] needle, int from) {
        outer:
        for (int i = from; i <= hay.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) if (hay[i + j] != needle[j]) continue outer;
            return i;
        }
        return -1;
    }
}
