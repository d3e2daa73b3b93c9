package org.edgefront.jobs.reliability;

import org.edgefront.jobs.CliRun;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.edgefront.jobs.TestPaths;
import org.edgefront.space.input.InvalidInputException;
import org.edgefront.space.io.ModelLoader;
import org.edgefront.space.io.SafetensorsFile;
import org.edgefront.space.model.ModelWeights;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/**
 * No allocation from a lie: headers that claim terabytes fail fast with {@link InvalidInputException}, and the
 * reading thread allocates far less than the claim (measured with the JVM's per-thread allocation counter).
 * The files are written here, a few hundred bytes each.
 */
class HeaderLiesTest {
    /** Bytes the reading thread may allocate while rejecting a lie (Hadoop setup included); every claim is far above. */
    private static final long BUDGET_BYTES = 48L << 20;

    @TempDir
    Path dir;

    @BeforeAll
    static void warmUp() throws IOException {
        // load Hadoop FileSystem and the loaders' classes once, so the measured calls see only their own work
        try (ModelWeights w = ModelLoader.open(TestPaths.shared().resolve("models/stories260K.bin").toString())) {
            assertTrue(w.architecture().dim() > 0);
        }
    }

    private static long allocated() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean()).getCurrentThreadAllocatedBytes();
    }

    /** Runs {@code open} in a fresh thread with a time limit; asserts it throws InvalidInputException within the allocation budget. */
    private static InvalidInputException rejectsCheaply(Executable open) {
        return assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
            long before = allocated();
            InvalidInputException e = assertThrows(InvalidInputException.class, open);
            long used = allocated() - before;
            assertTrue(used < BUDGET_BYTES, "allocated " + used + " bytes while rejecting: " + e.getMessage());
            System.out.printf("header lie rejected after allocating %,d bytes: %s%n", used, e.getMessage());
            return e;
        });
    }

    private static ByteBuffer le(int bytes) { return ByteBuffer.allocate(bytes).order(ByteOrder.LITTLE_ENDIAN); }

    private Path write(String name, byte[] bytes) throws IOException {
        Path p = dir.resolve(name);
        Files.write(p, bytes);
        return p;
    }

    @Test
    void llama2cHeaderClaimingHundredsOfTerabytesFailsFastWithoutAllocating() throws IOException {
        ByteBuffer b = le(28 + 1024);
        b.putInt(1 << 16).putInt(1 << 20).putInt(1 << 10).putInt(512).putInt(512).putInt(1 << 22).putInt(1 << 22);
        Path f = write("terabytes.bin", b.array());
        InvalidInputException e = rejectsCheaply(() -> ModelLoader.open(f.toString()).close());
        assertTrue(e.getMessage().contains("terabytes.bin"), e.getMessage());
        CliRun r = CliRun.of("inspect", f.toString());
        assertEquals(2, r.code(), r.err());
        assertFalse(r.hasStackTrace(), r.err());
    }

    @Test
    void sparseLlama2cFileOfConsistentSizeOpensWithoutReadingOrAllocatingItsWeights() throws IOException {
        // a Llama-2-70B-shaped header (f32: ~276 GB) and a sparse file of exactly that size: the header is true
        // about the file, so opening must succeed, and it must not read or allocate the weights
        int dim = 8192, hidden = 28672, layers = 80, heads = 64, kvHeads = 8, vocab = 32000, seq = 4096;
        long kvDim = (long) dim * kvHeads / heads, headSize = dim / heads;
        long floats = (long) vocab * dim + (long) layers * dim + (long) layers * dim * dim + 2L * layers * dim * kvDim
                + (long) layers * dim * dim + (long) layers * dim + 3L * layers * dim * hidden + dim + (long) seq * headSize;
        Path f = dir.resolve("sparse-70b.bin");
        ByteBuffer b = le(28);
        b.putInt(dim).putInt(hidden).putInt(layers).putInt(heads).putInt(kvHeads).putInt(vocab).putInt(seq);
        Files.write(f, b.array());
        try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "rw")) {
            raf.setLength(28 + 4 * floats);
        } catch (IOException e) {
            assumeTrue(false, "file system has no sparse files: " + e.getMessage());
        }
        assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
            long before = allocated();
            try (ModelWeights w = ModelLoader.open(f.toString())) {
                assertEquals(dim, w.architecture().dim());
                assertEquals(layers, w.architecture().layers());
                System.out.printf("sparse %,d-byte llama2.c file opened%n", 28 + 4 * floats);
            } catch (InvalidInputException rejected) {
                // also acceptable: a loader that refuses a model this large, as long as it says so cheaply
                assertTrue(rejected.getMessage().contains("sparse-70b.bin"), rejected.getMessage());
            }
            long used = allocated() - before;
            assertTrue(used < BUDGET_BYTES, "allocated " + used + " bytes for a " + (28 + 4 * floats) + "-byte file");
            System.out.printf("sparse file: %,d bytes allocated%n", used);
        });
    }

    @Test
    void safetensorsHeaderLengthOfOneTerabyteFailsFast() throws IOException {
        ByteBuffer b = le(8 + 64);
        b.putLong(1L << 40).put("{}".getBytes(StandardCharsets.US_ASCII));
        Path f = write("tb-header.safetensors", b.array());
        rejectsCheaply(() -> SafetensorsFile.open(f.toString()));
    }

    @Test
    void safetensorsHeaderLengthBelowTheLimitButBeyondTheFileFailsBeforeAllocatingIt() throws IOException {
        ByteBuffer b = le(8 + 64);
        b.putLong(90L << 20).put("{}".getBytes(StandardCharsets.US_ASCII));
        Path f = write("90mb-header.safetensors", b.array());
        rejectsCheaply(() -> SafetensorsFile.open(f.toString()));
    }

    @Test
    void safetensorsTensorClaimingFourTerabytesFailsFast() throws IOException {
        byte[] json = ("{\"w\":{\"dtype\":\"F32\",\"shape\":[1048576,1048576],\"data_offsets\":[0,4398046511104]}}")
                .getBytes(StandardCharsets.US_ASCII);
        ByteBuffer b = le(8 + json.length + 16);
        b.putLong(json.length).put(json);
        Path f = write("tb-tensor.safetensors", b.array());
        rejectsCheaply(() -> {
            try (SafetensorsFile s = SafetensorsFile.open(f.toString())) {
                s.read("w");
            }
        });
    }

    private static byte[] gguf(long tensors, long kvs, byte[] rest) {
        ByteBuffer b = le(24 + rest.length);
        b.putInt(0x46554747).putInt(3).putLong(tensors).putLong(kvs).put(rest);
        return b.array();
    }

    private static byte[] ggufString(String s) {
        byte[] t = s.getBytes(StandardCharsets.UTF_8);
        return le(8 + t.length).putLong(t.length).put(t).array();
    }

    @Test
    void ggufWithATrillionTensorsFailsFast() throws IOException {
        Path f = write("trillion-tensors.gguf", gguf(1L << 40, 0, new byte[64]));
        rejectsCheaply(() -> ModelLoader.open(f.toString()).close());
        assertEquals(2, CliRun.of("inspect", f.toString()).code());
    }

    @Test
    void ggufWithATrillionKeysFailsFast() throws IOException {
        Path f = write("trillion-keys.gguf", gguf(1, 1L << 40, new byte[64]));
        rejectsCheaply(() -> ModelLoader.open(f.toString()).close());
    }

    @Test
    void ggufKeyStringClaimingAPetabyteFailsFast() throws IOException {
        byte[] rest = le(8 + 32).putLong(1L << 50).array();
        Path f = write("petabyte-string.gguf", gguf(0, 1, rest));
        rejectsCheaply(() -> ModelLoader.open(f.toString()).close());
    }

    @Test
    void ggufTensorWithExabyteDimensionsFailsFast() throws IOException {
        ByteArrayOutputStream rest = new ByteArrayOutputStream();
        rest.writeBytes(ggufString("general.architecture"));
        rest.writeBytes(le(4).putInt(8).array()); // STRING
        rest.writeBytes(ggufString("llama"));
        rest.writeBytes(ggufString("token_embd.weight"));
        rest.writeBytes(le(4 + 16 + 4 + 8).putInt(2).putLong(1L << 30).putLong(1L << 30).putInt(0).putLong(0).array());
        rest.writeBytes(new byte[64]);
        Path f = write("exabyte-tensor.gguf", gguf(1, 1, rest.toByteArray()));
        rejectsCheaply(() -> ModelLoader.open(f.toString()).close());
        CliRun r = CliRun.of("inspect", f.toString());
        assertEquals(2, r.code(), r.err());
        assertFalse(r.hasStackTrace(), r.err());
    }
}
