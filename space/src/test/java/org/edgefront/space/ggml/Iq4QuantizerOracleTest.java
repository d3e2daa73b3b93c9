package org.edgefront.space.ggml;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.edgefront.space.format.NamedFormat;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * EdgeFront's IQ4_NL and IQ4_XS quantizers against llama.cpp's own: {@code tools/llama-cpp/quantize-golden.c}, linked
 * against the {@code libggml-base.a} that {@code tools/llama-cpp/build.sh} builds, quantizes the same seeded rows with
 * {@code ggml_quantize_chunk} (what llama-quantize runs); the stored bytes must be identical, and the round trip must
 * equal ggml's own dequantization of them, bit for bit.
 */
@Tag("llamacpp")
class Iq4QuantizerOracleTest {
    @TempDir
    Path dir;

    private static String run(List<String> cmd, Path log) throws Exception {
        return GgmlDecodersOracleTest.run(cmd, log);
    }

    /**
     * Seeded rows that reach every branch: Gaussian rows of different spreads, heavy outliers, an all-zero
     * sub-block, a row of tiny values near ggml's zero threshold, a row whose maximum is negative, and quantized
     * values that put weights exactly between codebook entries.
     */
    static float[] rows(long seed, int rows, int cols) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[rows * cols];
        for (int i = 0; i < rows; i++) {
            double spread = 0.01 * (1 + i % 5);
            for (int j = 0; j < cols; j++) {
                float v = (float) (r.nextGaussian() * spread);
                switch (i % 6) {
                    case 1 -> { if (r.nextInt(40) == 0) v *= 30; }
                    case 2 -> { if (j / 32 == 1) v = 0f; }
                    case 3 -> v *= 1e-14f;
                    case 4 -> v = -Math.abs(v);
                    case 5 -> v = Math.round(v * 400) / 400f;
                    default -> { }
                }
                x[i * cols + j] = v;
            }
        }
        return x;
    }

    @ParameterizedTest(name = "{0} {1}x{2}")
    @CsvSource({"IQ4_NL, 12, 256", "IQ4_NL, 6, 96", "IQ4_XS, 12, 256", "IQ4_XS, 6, 1024"})
    void storedBytesAndRoundTripEqualLlamaCppsQuantizer(String format, int rows, int cols) throws Exception {
        Path root = GgmlDecodersOracleTest.llamaCppRoot();
        Path lib = root.resolve("build/ggml/src/libggml-base.a");
        Path include = root.resolve("src/ggml/include");
        if (!Files.isRegularFile(lib) || !Files.isDirectory(include)) {
            String msg = "llama.cpp's libggml-base.a or headers not found under " + root + " (run tools/llama-cpp/build.sh)";
            if ("true".equalsIgnoreCase(System.getenv("CI"))) fail(msg);
            Assumptions.abort(msg);
        }
        Path src = Path.of(System.getProperty("edgefront.root", ".."), "tools/llama-cpp/quantize-golden.c");
        Path exe = dir.resolve("quantize-golden");
        run(List.of("cc", "-O1", "-I" + include, src.toString(), lib.toString(), "-fopenmp", "-lm", "-lpthread", "-lstdc++", "-o", exe.toString()),
                dir.resolve("cc.log"));

        NamedFormat f = NamedFormat.valueOf(format);
        float[] x = rows(cols * 31L + rows, rows, cols);
        ByteBuffer in = ByteBuffer.allocate(4 * x.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : x) in.putFloat(v);
        Files.write(dir.resolve("in.f32"), in.array());
        run(List.of(exe.toString(), f.ggmlName(), dir.resolve("in.f32").toString(), Integer.toString(rows), Integer.toString(cols),
                dir.resolve("ref").toString()), dir.resolve("run.log"));
        byte[] theirs = Files.readAllBytes(dir.resolve("ref.blocks"));
        ByteBuffer ggmlFloats = ByteBuffer.wrap(Files.readAllBytes(dir.resolve("ref.f32"))).order(ByteOrder.LITTLE_ENDIAN);

        int rowBytes = cols / f.blockWeights() * f.blockBytes();
        assertEquals(rows * rowBytes, theirs.length);
        byte[] ours = new byte[rowBytes];
        float[] trip = new float[cols];
        int differing = 0;
        for (int i = 0; i < rows; i++) {
            f.codec().encode(x, i * cols, cols, ours, 0);
            for (int k = 0; k < rowBytes; k++) {
                if (ours[k] != theirs[i * rowBytes + k]) {
                    if (differing++ < 5) System.err.printf("%s row %d byte %d: ours %02x, llama.cpp %02x%n", format, i, k, ours[k], theirs[i * rowBytes + k]);
                }
            }
            f.codec().roundTrip(x, i * cols, cols, trip, 0);
            for (int j = 0; j < cols; j++) {
                float want = ggmlFloats.getFloat(4 * (i * cols + j));
                assertTrue(Float.floatToIntBits(want) == Float.floatToIntBits(trip[j]) || want == trip[j],
                        format + " row " + i + " weight " + j + ": ours " + trip[j] + ", ggml " + want);
            }
        }
        assertEquals(0, differing, format + ": bytes that differ from llama.cpp's");
    }
}
