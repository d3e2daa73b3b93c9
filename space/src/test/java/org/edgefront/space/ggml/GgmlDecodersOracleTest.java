package org.edgefront.space.ggml;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every decoder against ggml itself: {@code src/test/c/ggml_oracle.c}, linked against the {@code libggml-base.a}
 * that {@code tools/llama-cpp/build.sh} builds, quantizes seeded rows to each type with {@code ggml_quantize_chunk}
 * and decodes them with ggml's {@code to_float}; our decoders must give the same floats, bit for bit.
 */
@Tag("llamacpp")
class GgmlDecodersOracleTest {
    @TempDir
    Path dir;

    /** llama.cpp's source and build directory as the build script leaves them. */
    static Path llamaCppRoot() {
        String env = System.getenv("EDGEFRONT_LLAMA_CPP_ROOT");
        if (env != null && !env.isBlank()) return Path.of(env);
        String cache = System.getenv("EDGEFRONT_CACHE");
        Path root = cache != null && !cache.isBlank() ? Path.of(cache) : Path.of(System.getProperty("user.home"), ".cache", "edgefront");
        return root.resolve("llama.cpp-3.22.1");
    }

    private static String run(List<String> cmd, Path log) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!p.waitFor(300, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail(cmd.get(0) + " timed out");
        }
        String out = Files.readString(log, StandardCharsets.UTF_8);
        if (p.exitValue() != 0) fail(String.join(" ", cmd) + " exited " + p.exitValue() + ":\n" + out);
        return out;
    }

    @Test
    void everyTypeDecodesToGgmlsOwnFloatsBitForBit() throws Exception {
        Path root = llamaCppRoot();
        Path lib = root.resolve("build/ggml/src/libggml-base.a");
        Path include = root.resolve("src/ggml/include");
        if (!Files.isRegularFile(lib) || !Files.isDirectory(include)) {
            String msg = "llama.cpp's libggml-base.a or headers not found under " + root + " (run tools/llama-cpp/build.sh)";
            if ("true".equalsIgnoreCase(System.getenv("CI"))) fail(msg);
            Assumptions.abort(msg);
        }
        Path src = Path.of(System.getProperty("edgefront.root", ".."), "space/src/test/c/ggml_oracle.c");
        if (!Files.isRegularFile(src)) src = Path.of("src/test/c/ggml_oracle.c");
        Path exe = dir.resolve("ggml_oracle");
        run(List.of("cc", "-O1", "-I" + include, src.toString(), lib.toString(), "-fopenmp", "-lm", "-lpthread", "-lstdc++", "-o", exe.toString()),
                dir.resolve("cc.log"));
        int rows = 8;
        int cols = 1024;
        String out = run(List.of(exe.toString(), dir.toString(), Integer.toString(rows), Integer.toString(cols)), dir.resolve("oracle.log"));
        Set<String> checked = new TreeSet<>();
        List<String> wrong = new ArrayList<>();
        for (String line : out.strip().split("\n")) {
            String name = line.split(" ")[0];
            GgmlType type = GgmlType.byName(name);
            assertNotNull(type, "ggml type " + name + " has a decoder");
            byte[] blocks = Files.readAllBytes(dir.resolve(name + ".blocks"));
            ByteBuffer ref = ByteBuffer.wrap(Files.readAllBytes(dir.resolve(name + ".f32"))).order(ByteOrder.LITTLE_ENDIAN);
            int n = rows * cols;
            assertEquals(type.bytesFor(n), blocks.length, name + " bytes");
            float[] mine = new float[n];
            type.dequantizer().dequantize(blocks, 0, n / type.blockValues(), mine, 0);
            int bad = 0;
            int first = -1;
            for (int i = 0; i < n; i++) {
                if (Float.floatToRawIntBits(mine[i]) != Float.floatToRawIntBits(ref.getFloat(4 * i))) {
                    if (first < 0) first = i;
                    bad++;
                }
            }
            if (bad > 0) wrong.add(name + ": " + bad + " of " + n + " differ, first at " + first + " (" + mine[first] + " vs " + ref.getFloat(4 * first) + ")");
            checked.add(type.name());
        }
        assertEquals(List.of(), wrong);
        assertEquals(new TreeSet<>(List.of("F16", "BF16", "Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q8_0", "Q2_K", "Q3_K", "Q4_K", "Q5_K", "Q6_K",
                "IQ2_XXS", "IQ2_XS", "IQ3_XXS", "IQ1_S", "IQ4_NL", "IQ3_S", "IQ2_S", "IQ4_XS", "IQ1_M", "TQ1_0", "TQ2_0", "MXFP4")), checked);
    }
}
