package org.edgefront.jobs.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 at seeded random moments (before the first checkpoint, mid-generation, right after a checkpoint,
 * while the outputs are written), then {@code --resume} until the run finishes: front.json's points must
 * equal those of an uninterrupted run exactly. Runs the real CLI in child JVMs with this JVM's classpath and flags.
 * Writes a per-trial log to {@code target/reliability/kill-resume.txt}.
 */
@Tag("slow")
class KillResumeTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int TRIALS = Integer.getInteger("edgefront.killTrials", 6);
    private static final long SEED = Long.getLong("edgefront.killSeed", 424242L);
    /** Attempts per trial before it fails because no attempt's kills all landed mid-run. */
    private static final int MAX_ATTEMPTS = 3;

    @TempDir
    Path dir;

    enum Moment { BEFORE_FIRST_CHECKPOINT, MID_GENERATION, RIGHT_AFTER_CHECKPOINT, DURING_OUTPUT }

    private Path spec() throws IOException {
        return ChildSearch.spec(dir.resolve("kill.yaml"), "kill", 3, 48, 11, 8, 8);
    }

    private static Process start(Path spec, Path out, boolean resume, Path log) throws IOException {
        return resume ? ChildSearch.start(spec, out, "sequential", log, "--resume") : ChildSearch.start(spec, out, "sequential", log);
    }

    private static int checkpoints(Path out) throws IOException {
        return ChildSearch.checkpoints(out);
    }

    private static boolean writingOutputs(Path out) throws IOException {
        if (!Files.isDirectory(out)) return false;
        try (Stream<Path> s = Files.list(out)) {
            return s.anyMatch(p -> p.getFileName().toString().startsWith(".evaluations.parquet.tmp")
                    || p.getFileName().toString().startsWith(".front.json.tmp") || p.getFileName().toString().equals("front.json"));
        }
    }

    /** What one kill hit; {@code landed}: the child was still running and died of the SIGKILL (exit 137), mid-run. */
    record Kill(String description, boolean landed) {}

    /** Waits for the moment (polling every millisecond), kills with SIGKILL, and says what state the kill hit. */
    private Kill killAt(Process p, Moment m, Path out, SplittableRandom rnd) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        int target = 1 + rnd.nextInt(6);
        switch (m) {
            case BEFORE_FIRST_CHECKPOINT -> Thread.sleep(200 + rnd.nextInt(2500));
            case RIGHT_AFTER_CHECKPOINT, MID_GENERATION -> {
                int have = checkpoints(out);
                while (p.isAlive() && checkpoints(out) < Math.max(have + 1, target) && System.nanoTime() < deadline) Thread.sleep(1);
                if (m == Moment.MID_GENERATION) Thread.sleep(20 + rnd.nextInt(250));
            }
            case DURING_OUTPUT -> {
                while (p.isAlive() && !writingOutputs(out) && System.nanoTime() < deadline) Thread.sleep(1);
                Thread.sleep(rnd.nextInt(400));
            }
        }
        boolean alive = p.isAlive();
        int ck = checkpoints(out);
        boolean outputs = writingOutputs(out);
        p.destroyForcibly();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "killed child exits");
        // 128 + SIGKILL: the kill, not a normal exit, ended the run (a child that finished first exits 0)
        boolean landed = alive && p.exitValue() == 137;
        return new Kill(m + (landed ? "" : " (MISSED: process had already exited with " + p.exitValue() + ")") + " -> killed with " + ck
                + " checkpoints" + (outputs ? ", outputs being written" : ""), landed);
    }

    private static JsonNode points(Path out) throws IOException {
        return JSON.readTree(out.resolve("front.json").toFile()).get("points");
    }

    @Test
    void killNineAtRandomMomentsThenResumeGivesTheUninterruptedFront() throws Exception {
        Path spec = spec();
        Path log = dir.resolve("child.log");
        Path refOut = dir.resolve("reference");
        Process ref = start(spec, refOut, false, log);
        assertTrue(ref.waitFor(300, TimeUnit.SECONDS), "reference run finished");
        assertEquals(0, ref.exitValue(), Files.readString(log));
        JsonNode expected = points(refOut);
        assertTrue(expected.size() >= 2, "a front of several points");

        SplittableRandom rnd = new SplittableRandom(SEED);
        List<String> report = new ArrayList<>();
        int passed = 0;
        Moment[] moments = Moment.values();
        int missedAttempts = 0;
        for (int t = 0; t < TRIALS; t++) {
            Path out = null;
            Path trialLog = null;
            List<String> kills = new ArrayList<>();
            boolean allLanded = false;
            // a trial counts only when every kill landed mid-run; one whose child finished first is retried afresh
            for (int attempt = 0; attempt < MAX_ATTEMPTS && !allLanded; attempt++) {
                out = dir.resolve("trial-" + t + "-" + attempt);
                trialLog = dir.resolve("trial-" + t + "-" + attempt + ".log");
                kills = new ArrayList<>();
                allLanded = true;
                // first kill cycles through every kind of moment; a second (random kind) hits the resumed run
                Moment[] plan = {moments[t % moments.length], moments[rnd.nextInt(moments.length)]};
                for (int k = 0; k < plan.length; k++) {
                    Process p = start(spec, out, k > 0, trialLog);
                    Kill kill = killAt(p, plan[k], out, rnd);
                    kills.add(kill.description());
                    allLanded &= kill.landed();
                }
                if (!allLanded) missedAttempts++;
            }
            if (!allLanded) {
                report.add(String.format("trial %d: %s; no attempt of %d landed every kill mid-run", t, String.join("; ", kills), MAX_ATTEMPTS));
                continue;
            }
            int resumes = 0;
            int code = -1;
            while (code != 0 && resumes < 5) {
                Process p = start(spec, out, true, trialLog);
                assertTrue(p.waitFor(300, TimeUnit.SECONDS), "resume finished");
                code = p.exitValue();
                resumes++;
            }
            boolean same = code == 0 && expected.equals(points(out));
            if (same) passed++;
            String firstError = code == 0 ? "" : Files.readString(trialLog).lines()
                    .filter(l -> l.contains("error") || l.contains("Exception")).findFirst().map(l -> " (" + l + ")").orElse("");
            report.add(String.format("trial %d: %s; resumes to finish: %d, exit %d%s, front %s", t, String.join("; ", kills),
                    resumes, code, firstError, same ? "IDENTICAL" : "DIFFERENT"));
        }
        Path rep = Path.of("target", "reliability");
        Files.createDirectories(rep);
        Files.writeString(rep.resolve("kill-resume.txt"), String.format("seed %d, %d trials, %d passed (%d attempts retried: a kill missed), reference front %d points%n%s%n",
                SEED, TRIALS, passed, missedAttempts, expected.size(), String.join("\n", report)), StandardCharsets.UTF_8);
        assertEquals(TRIALS, passed, String.join("\n", report) + "\n" + tail(log));
    }

    private static String tail(Path log) throws IOException {
        String s = Files.readString(log);
        return s.substring(Math.max(0, s.length() - 4000));
    }
}
