package org.edgefront.space.ggml;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
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
import org.edgefront.space.model.ModelArchitecture;
import org.edgefront.space.synthetic.SyntheticLlama;
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

    /** Runs a tool to completion (5 min at most), its output in {@code log}; fails the test naming the command otherwise. */
    static String run(List<String> cmd, Path log) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!p.waitFor(300, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail(cmd.get(0) + " timed out");
        }
        String out = Files.readString(log, StandardCharsets.UTF_8);
        if (p.exitValue() != 0) fail(String.join(" ", cmd) + " exited " + p.exitValue() + ":\n" + out);
        return out;
    }

    private static void abort(String msg) {
        if ("true".equalsIgnoreCase(System.getenv("CI"))) fail(msg);
        Assumptions.abort(msg);
    }

    /** Compiles the oracle against llama.cpp's libggml-base.a (aborts the test when llama.cpp is not built). */
    private Path oracle() throws Exception {
        Path root = llamaCppRoot();
        Path lib = root.resolve("build/ggml/src/libggml-base.a");
        Path include = root.resolve("src/ggml/include");
        if (!Files.isRegularFile(lib) || !Files.isDirectory(include)) {
            abort("llama.cpp's libggml-base.a or headers not found under " + root + " (run tools/llama-cpp/build.sh)");
        }
        Path src = Path.of(System.getProperty("edgefront.root", ".."), "space/src/test/c/ggml_oracle.c");
        if (!Files.isRegularFile(src)) src = Path.of("src/test/c/ggml_oracle.c");
        Path exe = dir.resolve("ggml_oracle");
        run(List.of("cc", "-O1", "-I" + include, src.toString(), lib.toString(), "-fopenmp", "-lm", "-lpthread", "-lstdc++", "-o", exe.toString()),
                dir.resolve("cc.log"));
        return exe;
    }

    /** A legacy llama.cpp importance matrix (.dat) of seeded positive weights for every 2-D tensor. */
    private static void writeImatrix(Path p, ModelArchitecture a) throws Exception {
        java.io.ByteArrayOutputStream o = new java.io.ByteArrayOutputStream();
        ByteBuffer b = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
        java.util.function.IntConsumer i32 = v -> o.writeBytes(b.clear().putInt(v).array());
        java.util.Random rng = new java.util.Random(3);
        List<org.edgefront.space.model.TensorSpec> ts = new ArrayList<>(a.linearTensors());
        i32.accept(ts.size() + 1);
        List<String> names = new ArrayList<>();
        List<Integer> cols = new ArrayList<>();
        for (org.edgefront.space.model.TensorSpec t : ts) {
            names.add(t.name());
            cols.add(t.cols());
        }
        names.add("output.weight");
        cols.add(a.dim());
        for (int k = 0; k < names.size(); k++) {
            byte[] n = names.get(k).getBytes(StandardCharsets.UTF_8);
            i32.accept(n.length);
            o.writeBytes(n);
            i32.accept(1);
            i32.accept(cols.get(k));
            for (int c = 0; c < cols.get(k); c++) o.writeBytes(b.clear().putFloat(0.5f + rng.nextFloat()).array());
        }
        Files.write(p, o.toByteArray());
    }

    @Test
    void filesTheRealLlamaQuantizeWroteDecodeToGgmlsFloatsForEveryType() throws Exception {
        Path bin = llamaCppRoot().resolve("bin");
        String env = System.getenv("EDGEFRONT_LLAMA_CPP_BIN");
        if (env != null && !env.isBlank()) bin = Path.of(env);
        for (String t : List.of("llama-quantize", "llama-convert-llama2c-to-ggml")) {
            if (!Files.isExecutable(bin.resolve(t))) abort(t + " not found in " + bin + " (run tools/llama-cpp/build.sh)");
        }
        Path exe = oracle();
        // a model whose every matrix has rows of 256 (K- and i-quant super-blocks), written as llama2.c and converted
        SyntheticLlama m = SyntheticLlama.create(new SyntheticLlama.Shape(256, 512, 1, 4, 4, 512, 64, false), 11);
        Path l2c = dir.resolve("synthetic.bin");
        SyntheticLlama.writeLlama2c(m, l2c.toString());
        Path tok = Path.of(System.getProperty("edgefront.shared", "../../shared"), "models/tok512.bin");
        Path f32 = dir.resolve("synthetic-f32.gguf");
        run(List.of(bin.resolve("llama-convert-llama2c-to-ggml").toString(), "--copy-vocab-from-model", tok.toString(), "--llama2c-model", l2c.toString(),
                "--llama2c-output-model", f32.toString()), dir.resolve("convert.log"));
        Path imatrix = dir.resolve("imatrix.dat");
        writeImatrix(imatrix, m.architecture());
        List<String> wrong = new ArrayList<>();
        Set<String> stored = new TreeSet<>();
        for (GgmlType type : GgmlType.values()) {
            if (type == GgmlType.F32 || type == GgmlType.Q8_K || type == GgmlType.MXFP4) continue; // not a llama-quantize file type
            Path q = dir.resolve(type + ".gguf");
            run(List.of(bin.resolve("llama-quantize").toString(), "--pure", "--imatrix", imatrix.toString(), f32.toString(), q.toString(),
                    type == GgmlType.IQ2_S ? "IQ2_M" : type.name(), "1"), // llama-quantize's file type IQ2_S stores IQ2_XS; IQ2_M stores IQ2_S
                    dir.resolve("quantize-" + type + ".log"));
            Path out = Files.createDirectories(dir.resolve("ref-" + type));
            String listing = run(List.of(exe.toString(), "--gguf", q.toString(), out.toString()), dir.resolve("dump-" + type + ".log"));
            try (org.edgefront.space.model.ModelWeights w = org.edgefront.space.io.GgufFile.open(q.toString())) {
                for (String line : listing.strip().split("\n")) {
                    String name = line.split(" ")[0];
                    String ggml = line.split(" ")[1];
                    if (name.endsWith("_norm.weight") && !w.tensorNames().contains(name)) continue;
                    if (!w.tensorNames().contains(name)) continue;
                    stored.add(ggml.toUpperCase(java.util.Locale.ROOT));
                    float[] mine = w.read(name);
                    ByteBuffer ref = ByteBuffer.wrap(Files.readAllBytes(out.resolve(name + ".f32"))).order(ByteOrder.LITTLE_ENDIAN);
                    int bad = 0;
                    for (int i = 0; i < mine.length; i++) if (Float.floatToRawIntBits(mine[i]) != Float.floatToRawIntBits(ref.getFloat(4 * i))) bad++;
                    if (bad > 0 || mine.length * 4 != ref.capacity()) wrong.add(type + " " + name + " (" + ggml + "): " + bad + " of " + mine.length + " differ");
                }
            }
        }
        assertEquals(List.of(), wrong);
        // every requested type really was stored (no fallback on 256-wide rows)
        for (GgmlType type : GgmlType.values()) {
            if (type != GgmlType.Q8_K && type != GgmlType.MXFP4) assertTrue(stored.contains(type.name()), type + " stored; saw " + stored);
        }
    }

    @Test
    void everyTypeDecodesToGgmlsOwnFloatsBitForBit() throws Exception {
        Path exe = oracle();
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
