package org.edgefront.jobs.llamacpp;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * The real llama.cpp tools that {@code tools/llama-cpp/build.sh} builds, for tests tagged {@code llamacpp}.
 *
 * <p>Found in {@code $EDGEFRONT_LLAMA_CPP_BIN} (set by {@code .ci/run}), else in the build script's default
 * cache ({@code ${EDGEFRONT_CACHE:-$HOME/.cache/edgefront}/llama.cpp-3.22.1/bin}). When they are missing a test
 * fails under CI ({@code CI=true}, where {@code .ci/run} has built them) and is skipped with a message
 * elsewhere. Stateless.
 */
public final class LlamaCppTools {
    /** The tools the build script builds. */
    public static final List<String> TOOLS = List.of("llama-quantize", "llama-perplexity", "llama-bench", "llama-convert-llama2c-to-ggml",
            "llama-tokenize", "llama-gguf-split");

    private LlamaCppTools() {}

    /** The directory holding the tools; fails (CI) or aborts the test (elsewhere) when they are missing. */
    public static Path bin() {
        Path dir = locate();
        List<String> missing = new ArrayList<>();
        for (String t : TOOLS) if (!Files.isExecutable(dir.resolve(t))) missing.add(t);
        if (!missing.isEmpty()) {
            String msg = "llama.cpp tools " + missing + " not found in " + dir + " (run tools/llama-cpp/build.sh, "
                    + "or set EDGEFRONT_LLAMA_CPP_BIN to the directory it prints)";
            if ("true".equalsIgnoreCase(System.getenv("CI"))) fail(msg);
            Assumptions.abort(msg);
        }
        return dir;
    }

    private static Path locate() {
        String env = System.getenv("EDGEFRONT_LLAMA_CPP_BIN");
        if (env != null && !env.isBlank()) return Path.of(env);
        String cache = System.getenv("EDGEFRONT_CACHE");
        Path root = cache != null && !cache.isBlank() ? Path.of(cache) : Path.of(System.getProperty("user.home"), ".cache", "edgefront");
        return root.resolve("llama.cpp-3.22.1").resolve("bin");
    }

    /** What a finished tool run printed. */
    public record Run(int exitCode, String output) {}

    /**
     * Runs a tool (stdout and stderr together into {@code log}), with at most {@code threads} threads where the
     * tool takes {@code -t}; the caller adds that flag. Fails the test after {@code timeoutSeconds}.
     */
    public static Run run(Path log, long timeoutSeconds, List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail(command.get(0) + " did not finish within " + timeoutSeconds + " s; log: " + log);
        }
        return new Run(p.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
    }

    /** Runs a tool and fails the test, quoting its output's tail, when it exits non-zero. */
    public static String runOk(Path log, long timeoutSeconds, List<String> command) throws IOException, InterruptedException {
        Run r = run(log, timeoutSeconds, command);
        if (r.exitCode() != 0) {
            String out = r.output();
            fail(String.join(" ", command) + " exited " + r.exitCode() + ":\n" + out.substring(Math.max(0, out.length() - 3000)));
        }
        return r.output();
    }

    /**
     * Converts a llama2.c checkpoint to an F32 GGUF at {@code out} with llama.cpp's own converter and the shared tok512
     * vocabulary (the converter's log goes beside it, as {@code <out>.convert.log}); returns {@code out}.
     */
    public static Path f32GgufFromLlama2c(Path llama2cModel, Path out) throws IOException, InterruptedException {
        Path tokenizer = org.edgefront.jobs.TestPaths.shared().resolve("models/tok512.bin");
        runOk(out.resolveSibling(out.getFileName() + ".convert.log"), 300, List.of(bin().resolve("llama-convert-llama2c-to-ggml").toString(),
                "--copy-vocab-from-model", tokenizer.toString(), "--llama2c-model", llama2cModel.toString(),
                "--llama2c-output-model", out.toString()));
        return out;
    }

    /**
     * {@code edgefront eval --json} on the first 20 paragraphs of the shared TinyStories text, cut at 128 tokens
     * (the context llama-convert-llama2c-to-ggml records), plus {@code args}; the run must succeed.
     */
    public static com.fasterxml.jackson.databind.JsonNode eval128(String... args) throws IOException {
        List<String> a = new ArrayList<>(List.of("eval", "--json", "--paragraphs", "20", "--max-tokens", "128", "--text",
                org.edgefront.jobs.TestPaths.shared().resolve("models/tinystories_val.txt").toString()));
        a.addAll(List.of(args));
        org.edgefront.jobs.CliRun r = org.edgefront.jobs.CliRun.of(a.toArray(String[]::new));
        org.junit.jupiter.api.Assertions.assertEquals(0, r.code(), r.err());
        return new com.fasterxml.jackson.databind.ObjectMapper().readTree(r.out());
    }
}
