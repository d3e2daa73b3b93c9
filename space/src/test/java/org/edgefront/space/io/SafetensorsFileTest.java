package org.edgefront.space.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.edgefront.space.input.InvalidInputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsFileTest {
    @TempDir
    Path dir;

    /** A file with the given header length field, header text and data bytes. */
    static byte[] bytes(long headerLength, String header, byte[] data) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(headerLength).array());
        out.writeBytes(header.getBytes(StandardCharsets.UTF_8));
        out.writeBytes(data);
        return out.toByteArray();
    }

    static byte[] bytes(String header, byte[] data) {
        return bytes(header.getBytes(StandardCharsets.UTF_8).length, header, data);
    }

    private String write(String name, byte[] content) throws Exception {
        Path p = dir.resolve(name);
        Files.write(p, content);
        return p.toString();
    }

    private InvalidInputException rejects(String name, byte[] content) throws Exception {
        String p = write(name, content);
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> SafetensorsFile.open(p).close());
        assertEquals(p, e.file());
        return e;
    }

    @Test
    void decodesF32F16AndBf16Tensors() throws Exception {
        ByteBuffer d = ByteBuffer.allocate(16 + 4 + 4).order(ByteOrder.LITTLE_ENDIAN);
        d.putFloat(1.5f).putFloat(-2f).putFloat(0.25f).putFloat(3e-3f);
        d.putShort((short) 0x3C00).putShort((short) 0xC100);      // F16 1.0, -2.5
        d.putShort((short) 0x3FC0).putShort((short) 0xBF80);      // BF16 1.5, -1.0
        String h = "{\"__metadata__\":{\"format\":\"pt\"},"
                + "\"a\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,16]},"
                + "\"b\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[16,20]},"
                + "\"c\":{\"dtype\":\"BF16\",\"shape\":[2],\"data_offsets\":[20,24]}}";
        try (SafetensorsFile f = SafetensorsFile.open(write("ok.safetensors", bytes(h, d.array())))) {
            assertEquals(List.of("a", "b", "c"), List.copyOf(f.tensors().keySet()));
            assertEquals("pt", f.metadata().get("format"));
            assertEquals(List.of(2L, 2L), f.tensors().get("a").shape());
            assertArrayEquals(new float[] {1.5f, -2f, 0.25f, 3e-3f}, f.read("a"));
            assertArrayEquals(new float[] {1f, -2.5f}, f.read("b"));
            assertArrayEquals(new float[] {1.5f, -1f}, f.read("c"));
            assertThrows(IllegalArgumentException.class, () -> f.read("d"));
        }
    }

    @Test
    void otherDtypesAreListedButNotReadAsWeights() throws Exception {
        String h = "{\"ids\":{\"dtype\":\"I64\",\"shape\":[1],\"data_offsets\":[0,8]}}";
        try (SafetensorsFile f = SafetensorsFile.open(write("i64.safetensors", bytes(h, new byte[8])))) {
            InvalidInputException e = assertThrows(InvalidInputException.class, () -> f.read("ids"));
            assertEquals("ids.dtype", e.field());
        }
    }

    @Test
    void emptyFileIsRejected() throws Exception {
        assertEquals("header length (offset 0)", rejects("empty.safetensors", new byte[0]).field());
    }

    @Test
    void headerLengthBeyondTheFileIsRejected() throws Exception {
        InvalidInputException e = rejects("beyond.safetensors", bytes(1000, "{}", new byte[0]));
        assertEquals("header length (offset 0)", e.field());
        assertTrue(e.getMessage().contains("runs past the end"), e.getMessage());
    }

    @Test
    void absurdHeaderLengthIsRejectedWithoutAllocating() throws Exception {
        InvalidInputException e = rejects("absurd.safetensors", bytes(1L << 40, "{}", new byte[0]));
        assertTrue(e.getMessage().contains("out of range"), e.getMessage());
        assertEquals("header length (offset 0)", rejects("negative.safetensors", bytes(-5, "{}", new byte[0])).field());
    }

    @Test
    void invalidJsonIsRejected() throws Exception {
        InvalidInputException e = rejects("json.safetensors", bytes("{\"a\":{\"dtype\":", new byte[0]));
        assertEquals("header (offset 8)", e.field());
        assertTrue(e.getMessage().contains("invalid JSON"), e.getMessage());
    }

    @Test
    void duplicateTensorNamesAreRejected() throws Exception {
        String t = "{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}";
        InvalidInputException e = rejects("dup.safetensors", bytes("{\"a\":" + t + ",\"a\":" + t + "}", new byte[4]));
        assertTrue(e.getMessage().contains("invalid JSON"), e.getMessage());
    }

    @Test
    void offsetsBeyondTheFileAreRejected() throws Exception {
        InvalidInputException e = rejects("offsets.safetensors",
                bytes("{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}", new byte[8]));
        assertEquals("a.data_offsets", e.field());
        assertTrue(e.getMessage().contains("beyond"), e.getMessage());
    }

    @Test
    void overlappingTensorsAreRejected() throws Exception {
        String h = "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}";
        InvalidInputException e = rejects("overlap.safetensors", bytes(h, new byte[12]));
        assertEquals("b", e.field());
        assertTrue(e.getMessage().contains("overlap tensor a"), e.getMessage());
    }

    @Test
    void unknownDtypeIsRejected() throws Exception {
        InvalidInputException e = rejects("dtype.safetensors",
                bytes("{\"a\":{\"dtype\":\"Q4\",\"shape\":[2],\"data_offsets\":[0,8]}}", new byte[8]));
        assertEquals("a.dtype", e.field());
    }

    @Test
    void shapeThatDisagreesWithOffsetsIsRejected() throws Exception {
        InvalidInputException e = rejects("shape.safetensors",
                bytes("{\"a\":{\"dtype\":\"F16\",\"shape\":[3],\"data_offsets\":[0,8]}}", new byte[8]));
        assertEquals("a.data_offsets", e.field());
        assertTrue(e.getMessage().contains("needs 6 bytes"), e.getMessage());
    }

    @Test
    void negativeOrOverflowingShapesAreRejected() throws Exception {
        assertEquals("a.shape", rejects("neg.safetensors",
                bytes("{\"a\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}}", new byte[4])).field());
        assertEquals("a.shape", rejects("overflow.safetensors",
                bytes("{\"a\":{\"dtype\":\"F32\",\"shape\":[4294967296,4294967296],\"data_offsets\":[0,4]}}", new byte[4])).field());
    }

    @Test
    void headerThatIsNotAnObjectIsRejected() throws Exception {
        assertEquals("header (offset 8)", rejects("array.safetensors", bytes("[1,2]", new byte[0])).field());
        assertEquals("a", rejects("entry.safetensors", bytes("{\"a\":5}", new byte[0])).field());
    }

    @Test
    void halfConversionRoundTripsEveryHalfValue() {
        for (int bits = 0; bits < 0x10000; bits++) {
            float f = Half.toFloat((short) bits);
            if (Float.isNaN(f)) continue;
            assertEquals((short) bits, Half.fromFloat(f), "half bits " + Integer.toHexString(bits));
        }
        assertEquals((short) 0x3C00, Half.fromFloat(1.0004883f)); // exactly halfway to the next: ties to even
        assertEquals((short) 0x7C00, Half.fromFloat(1e6f));
        assertEquals(1.5f, Half.bf16ToFloat(Half.bf16FromFloat(1.5f)));
    }
}
