package org.edgefront.jobs.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.edgefront.jobs.CliRun;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Ctrl-C and SIGTERM sent to a real {@code edgefront search} child process (this JVM's classpath and flags, the
 * CLI's real {@code main}) mid-run: one line "interrupted after generation N of M; rerun with --resume", exit 130 or
 * 143, no "internal error" or Spark exception, the checkpoint intact: {@code --resume} finishes with the front of an
 * uninterrupted run.
 */
@Tag("slow")
@Tag("spark")
class InterruptTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern LINE = Pattern.compile("search interrupted after generation (\\d+) of 24; rerun with --resume");

    @TempDir
    Path dir;

    private Path spec() throws IOException {
        return ChildSearch.spec(dir.resolve("long.yaml"), "long", 2, 16, 17, 6, 24);
    }

    /** Starts a run, waits for two checkpoints, sends the signal, and checks what the user sees. */
    private void interruptMidRun(String signal, int expectedExit, String master) throws Exception {
        Path spec = spec();
        Path out = dir.resolve("out-" + signal);
        Path log = dir.resolve(signal + ".log");
        Process p = ChildSearch.start(spec, out, master, log);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
        while (p.isAlive() && ChildSearch.checkpoints(out) < 2 && System.nanoTime() < deadline) Thread.sleep(1);
        assertTrue(p.isAlive(), "still running when signalled: " + Files.readString(log));
        Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(p.pid())).start();
        assertEquals(0, kill.waitFor());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "stopped after " + signal);
        String err = Files.readString(log);
        assertEquals(expectedExit, p.exitValue(), err);
        Matcher m = LINE.matcher(err);
        assertTrue(m.find(), "says how far it got and how to continue: " + err);
        assertFalse(err.contains("internal error") || err.contains("SparkException") || err.contains("\tat "), err);
        int generation = Integer.parseInt(m.group(1));
        assertFalse(err.substring(m.end()).contains("generation "), "nothing reports progress after the interrupt: " + err);
        assertTrue(ChildSearch.checkpoints(out) >= generation, "every finished generation is checkpointed");

        CliRun resumed = CliRun.of("search", spec.toString(), "--master", "sequential", "--out", out.toString(), "--resume");
        assertEquals(0, resumed.code(), resumed.err());
        assertTrue(resumed.err().contains("resuming "), resumed.err());
        Path refOut = dir.resolve("reference-" + signal);
        CliRun reference = CliRun.of("search", spec.toString(), "--master", "sequential", "--out", refOut.toString());
        assertEquals(0, reference.code(), reference.err());
        assertEquals(JSON.readTree(refOut.resolve("front.json").toFile()).get("points"),
                JSON.readTree(out.resolve("front.json").toFile()).get("points"), "resume gives the uninterrupted front");
    }

    @Test
    void ctrlCDuringASparkSearchStopsCleanlyWithExit130AndResumes() throws Exception {
        interruptMidRun("INT", 130, "local[2]");
    }

    @Test
    void sigtermStopsCleanlyWithExit143AndResumes() throws Exception {
        interruptMidRun("TERM", 143, "sequential");
    }
}
