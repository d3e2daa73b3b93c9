package org.edgefront.jobs;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import org.edgefront.jobs.cli.EdgeFrontCli;
import picocli.CommandLine;

/**
 * Exit code, stdout and stderr of one in-process CLI invocation through {@link EdgeFrontCli#commandLine()}
 * (so the real exit-code mapping and error printing apply). Swaps System.out/err while it runs: not thread-safe.
 */
public record CliRun(int code, String out, String err) {

    public static CliRun of(String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code;
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            CommandLine cl = EdgeFrontCli.commandLine();
            cl.setOut(new PrintWriter(System.out, true));
            cl.setErr(new PrintWriter(System.err, true));
            code = cl.execute(args);
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
        return new CliRun(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** True when stderr shows a Java stack trace (frames or an exception class dump). */
    public boolean hasStackTrace() {
        return err.contains("\tat ") || err.matches("(?s).*\\n\\s+at [a-z]+\\..*") || err.contains("Caused by:");
    }

    /**
     * A finished sequential random search of the synthetic model that may drop layers (options Q8_0 and Q4_0), in
     * {@code dir/run}; its spec is {@code dir/s.yaml}. The run must succeed.
     */
    public static java.nio.file.Path structureSearch(java.nio.file.Path dir, int populationSize, int generations)
            throws java.io.IOException {
        java.nio.file.Path spec = dir.resolve("s.yaml");
        java.nio.file.Files.writeString(spec, "schemaVersion: 1\nname: s\nmodel: {source: 'synthetic:tiny'}\n"
                + "device: '" + TestPaths.device("samsung-galaxy-s23") + "'\n"
                + "space: {options: [Q8_0, Q4_0], structure: {dropLayers: true}}\nquality: {sequences: 2, maxTokens: 16}\n"
                + "objectives: [kl, weight_bytes]\nbudgets: {kl: {atMost: 100}}\n"
                + "strategy: {name: random, seed: 4, populationSize: " + populationSize + ", generations: " + generations + "}\n");
        java.nio.file.Path out = dir.resolve("run");
        CliRun run = of("search", spec.toString(), "--master", "sequential", "--out", out.toString());
        if (run.code() != 0) throw new AssertionError("structure search failed (exit " + run.code() + "): " + run.err());
        return out;
    }
}
