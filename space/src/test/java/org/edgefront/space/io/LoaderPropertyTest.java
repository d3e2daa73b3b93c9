package org.edgefront.space.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.edgefront.space.input.InvalidInputException;
import org.edgefront.space.model.ModelWeights;
import org.edgefront.space.tokenizer.Llama2cTokenizer;

/**
 * Property-based fuzzing (jqwik, fixed seeds) of every loader: whatever the bytes, a loader either
 * returns a model or rejects the file with {@link InvalidInputException} naming it; nothing else escapes
 * (no OutOfMemoryError from a lying header, no IndexOutOfBounds, no NegativeArraySize).
 */
class LoaderPropertyTest {

    private static Path temp(String suffix, byte[] bytes) throws IOException {
        Path p = Files.createTempFile("edgefront-fuzz", suffix);
        Files.write(p, bytes);
        return p;
    }

    /** Opens and reads every tensor, so lazily read ranges are exercised too. */
    private static void openFully(Path p) throws IOException {
        try (ModelWeights w = ModelLoader.open(p.toString())) {
            for (String t : w.tensorNames()) w.read(t);
        } catch (InvalidInputException e) {
            if (!e.getMessage().contains(p.getFileName().toString())) throw new AssertionError("message does not name the file: " + e.getMessage());
        } finally {
            Files.deleteIfExists(p);
        }
    }

    @Property(tries = 400, seed = "20261121")
    void arbitraryBytesAreLoadedOrRejectedAsInvalidInput(@ForAll @Size(max = 2048) byte[] bytes) throws IOException {
        openFully(temp(".bin", bytes));
    }

    @Property(tries = 300, seed = "7")
    void llama2cHeadersWithAnyValuesNeverEscapeAsOtherErrors(
            @ForAll @IntRange(min = -4, max = 1 << 20) int dim, @ForAll @IntRange(min = -4, max = 1 << 20) int hidden,
            @ForAll @IntRange(min = -2, max = 4096) int layers, @ForAll @IntRange(min = -2, max = 512) int heads,
            @ForAll @IntRange(min = -2, max = 512) int kvHeads, @ForAll @IntRange(min = -70000, max = 70000) int vocab,
            @ForAll @IntRange(min = -2, max = 1 << 20) int seqLen, @ForAll @Size(max = 512) byte[] tail) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(28 + tail.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(dim).putInt(hidden).putInt(layers).putInt(heads).putInt(kvHeads).putInt(vocab).putInt(seqLen).put(tail);
        openFully(temp(".bin", b.array()));
    }

    @Property(tries = 300, seed = "11")
    void safetensorsHeadersWithAnyLengthNeverEscapeAsOtherErrors(@ForAll long headerLength, @ForAll @Size(max = 512) byte[] rest)
            throws IOException {
        Path dir = Files.createTempDirectory("edgefront-fuzz-st");
        try {
            ByteBuffer b = ByteBuffer.allocate(8 + rest.length).order(ByteOrder.LITTLE_ENDIAN);
            b.putLong(headerLength).put(rest);
            Path f = dir.resolve("model.safetensors");
            Files.write(f, b.array());
            try (SafetensorsFile s = SafetensorsFile.open(f.toString())) {
                for (String t : s.tensors().keySet()) s.read(t);
            } catch (InvalidInputException expected) {
                // rejected with a message: fine
            }
        } finally {
            try (var files = Files.list(dir)) {
                for (Path f : files.toList()) Files.delete(f);
            }
            Files.delete(dir);
        }
    }

    @Property(tries = 300, seed = "13")
    void tokenizerFilesOfAnyContentNeverEscapeAsOtherErrors(@ForAll @Size(max = 1024) byte[] bytes,
                                                            @ForAll @IntRange(min = 1, max = 4096) int vocab) throws IOException {
        Path p = temp(".tok", bytes);
        try {
            Llama2cTokenizer.load(p.toString(), vocab);
        } catch (InvalidInputException expected) {
            // rejected with a message: fine
        } finally {
            Files.deleteIfExists(p);
        }
    }
}
