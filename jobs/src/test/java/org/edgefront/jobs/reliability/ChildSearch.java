package org.edgefront.jobs.reliability;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.edgefront.jobs.TestPaths;

/**
 * A real {@code edgefront search} in a child JVM (this JVM's classpath and flags, the CLI's real {@code main}) on a
 * small synthetic spec, for the tests that signal or kill it mid-run. Stateless; every method is thread-safe.
 */
final class ChildSearch {
    private ChildSearch() {}

    /**
     * Writes a synthetic-model NSGA-II spec to {@code file}: long enough to be interrupted, small enough to finish.
     *
     * @param sequences quality sequences per evaluation
     * @param maxTokens tokens per quality sequence
     */
    static Path spec(Path file, String name, int sequences, int maxTokens, long seed, int populationSize, int generations)
            throws IOException {
        Files.writeString(file, "schemaVersion: 1\nname: " + name + "\nmodel: {source: 'synthetic:tiny'}\n"
                + "device: '" + TestPaths.device("samsung-galaxy-s23") + "'\n"
                + "space: {options: [F16, Q8_0, Q4_0, int3g32, int2g32]}\n"
                + "quality: {sequences: " + sequences + ", maxTokens: " + maxTokens + "}\n"
                + "objectives: [kl, memory_bytes]\n"
                + "strategy: {name: nsga2, seed: " + seed + ", populationSize: " + populationSize + ", generations: " + generations + "}\n");
        return file;
    }

    /** Starts {@code search SPEC --master MASTER --out OUT [extra...]}, stdout and stderr appended to {@code log}. */
    static Process start(Path spec, Path out, String master, Path log, String... extra) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (!a.startsWith("-javaagent") && !a.contains("jdwp")) cmd.add(a);
        }
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "org.edgefront.jobs.cli.EdgeFrontCli",
                "search", spec.toString(), "--master", master, "--out", out.toString()));
        cmd.addAll(List.of(extra));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        // Spark runs one task per core, so native math libraries get one thread each (as bin/edgefront sets)
        pb.environment().put("OMP_NUM_THREADS", "1");
        return pb.start();
    }

    /** Number of finished generation checkpoints ({@code state/gen-NNNNNN.json}) under {@code out}. */
    static int checkpoints(Path out) throws IOException {
        Path state = out.resolve("state");
        if (!Files.isDirectory(state)) return 0;
        try (Stream<Path> s = Files.list(state)) {
            return (int) s.filter(p -> p.getFileName().toString().matches("gen-\\d{6}\\.json")).count();
        }
    }
}
