package org.edgefront.jobs.reliability;

import org.edgefront.jobs.CliRun;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.edgefront.jobs.TestPaths;
import org.edgefront.jobs.io.AtomicFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An existing output directory is never silently overwritten; outputs are replaced atomically. */
class OutputDirectoryTest {
    @TempDir
    Path dir;

    private Path spec() throws IOException {
        Path p = dir.resolve("small.yaml");
        Files.writeString(p, "schemaVersion: 1\nname: small\nmodel: {source: 'synthetic:tiny'}\n"
                + "device: '" + TestPaths.device("samsung-galaxy-s23") + "'\n"
                + "space: {options: [Q8_0, Q4_0, int2g32]}\nquality: {sequences: 2, maxTokens: 16}\n"
                + "objectives: [kl, memory_bytes]\nstrategy: {name: nsga2, seed: 5, populationSize: 4, generations: 2}\n");
        return p;
    }

    /** Path -> content of every file under {@code root}. */
    private static Map<String, String> snapshot(Path root) throws IOException {
        Map<String, String> m = new TreeMap<>();
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.filter(Files::isRegularFile).toList()) {
                m.put(root.relativize(p).toString(), new String(Files.readAllBytes(p), StandardCharsets.ISO_8859_1));
            }
        }
        return m;
    }

    @Test
    void existingOutputDirectoryIsRefusedUnchangedThenForceReplacesAndResumeContinues() throws IOException {
        Path spec = spec();
        Path out = dir.resolve("out");
        CliRun first = CliRun.of("search", spec.toString(), "--master", "sequential", "--out", out.toString());
        assertEquals(0, first.code(), first.err());
        Files.writeString(out.resolve("notes.txt"), "a user's file");
        Map<String, String> before = snapshot(out);

        CliRun again = CliRun.of("search", spec.toString(), "--master", "sequential", "--out", out.toString());
        assertEquals(2, again.code(), again.err());
        assertTrue(again.err().contains("--out") && again.err().contains("already exists") && again.err().contains("--force"), again.err());
        assertFalse(again.hasStackTrace(), again.err());
        assertEquals(before, snapshot(out), "a refused run changes nothing");

        CliRun both = CliRun.of("search", spec.toString(), "--master", "sequential", "--out", out.toString(), "--resume", "--force");
        assertEquals(2, both.code(), both.err());
        assertEquals(before, snapshot(out));

        CliRun resumed = CliRun.of("search", spec.toString(), "--master", "sequential", "--out", out.toString(), "--resume");
        assertEquals(0, resumed.code(), resumed.err());
        assertTrue(resumed.err().contains("resuming"), resumed.err());
        assertEquals("a user's file", Files.readString(out.resolve("notes.txt")), "--resume keeps the directory");
        assertEquals(before.get("front.json"), snapshot(out).get("front.json"), "nothing left to do: same front");

        CliRun forced = CliRun.of("search", spec.toString(), "--master", "sequential", "--out", out.toString(), "--force");
        assertEquals(0, forced.code(), forced.err());
        assertFalse(Files.exists(out.resolve("notes.txt")), "--force replaces the directory");
        assertEquals(before.get("front.json"), snapshot(out).get("front.json"));
    }

    @Test
    void outputPathThatIsAFileIsRefusedAndKept() throws IOException {
        Path out = Files.writeString(dir.resolve("out"), "not a directory");
        CliRun r = CliRun.of("search", spec().toString(), "--master", "sequential", "--out", out.toString(), "--force");
        assertEquals(2, r.code(), r.err());
        assertEquals("not a directory", Files.readString(out));
    }

    @Test
    void resumeWithADifferentSpecIsRefusedAndChangesNothing() throws IOException {
        Path spec = spec();
        Path out = dir.resolve("out");
        assertEquals(0, CliRun.of("search", spec.toString(), "--master", "sequential", "--out", out.toString()).code());
        Map<String, String> before = snapshot(out);
        Files.writeString(spec, Files.readString(spec).replace("seed: 5", "seed: 6"));
        CliRun r = CliRun.of("search", spec.toString(), "--master", "sequential", "--out", out.toString(), "--resume");
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("different spec"), r.err());
        assertEquals(before, snapshot(out));
    }

    @Test
    void resumeAfterAKillWhileTheSpecWasBeingWrittenStartsTheRun() throws IOException {
        // what a kill -9 between creating the temporary spec.json and renaming it leaves behind
        Path out = Files.createDirectories(dir.resolve("out"));
        Files.writeString(out.resolve(".spec.json.tmp-4242"), "{\"schemaVersion\": 1, \"na");
        CliRun r = CliRun.of("search", spec().toString(), "--master", "sequential", "--out", out.toString(), "--resume");
        assertEquals(0, r.code(), r.err());
        assertTrue(Files.exists(out.resolve("front.json")));
    }

    @Test
    void atomicRewriteNeverLetsAReaderSeeAMissingOrPartialFile() throws Exception {
        Path target = dir.resolve("front.json");
        org.apache.hadoop.fs.Path t = AtomicFiles.path(target.toString());
        String a = "A".repeat(50_000);
        String b = "B".repeat(70_000);
        AtomicFiles.writeString(t, a);
        AtomicBoolean done = new AtomicBoolean();
        AtomicInteger reads = new AtomicInteger();
        List<String> bad = new ArrayList<>();
        Thread reader = new Thread(() -> {
            while (!done.get()) {
                try {
                    String s = Files.readString(target);
                    if (!s.equals(a) && !s.equals(b)) bad.add("partial read of " + s.length() + " chars");
                } catch (IOException e) {
                    bad.add(e.toString());
                }
                reads.incrementAndGet();
            }
        });
        reader.start();
        for (int i = 0; i < 400; i++) AtomicFiles.writeString(t, i % 2 == 0 ? b : a);
        done.set(true);
        reader.join();
        assertTrue(reads.get() > 100, "reader ran: " + reads.get());
        assertEquals(List.of(), bad.size() > 5 ? bad.subList(0, 5) : bad);
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(List.of("front.json"), s.map(p -> p.getFileName().toString()).toList(), "no temporaries left");
        }
    }
}
