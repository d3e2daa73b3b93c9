package org.edgefront.jobs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.edgefront.jobs.CliRun;
import org.edgefront.jobs.TestPaths;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Long commands say on stderr how far they are (numbered steps or done/total, with an ETA), and keep stdout for
 * results; a sweep ends with a table on stdout whose budgets are labelled by value. Synthetic tiny model: seconds.
 */
class ProgressTest {
    @TempDir
    Path dir;

    @Test
    void profileCountsDecisionsOnStderr() {
        CliRun r = CliRun.of("profile", "--model", "synthetic:tiny", "--paragraphs", "2", "--max-tokens", "16", "--options", "Q8_0,Q4_0",
                "--master", "sequential", "--out", dir.resolve("p").toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().matches("(?s).*profile: (\\d+)/\\1 decisions, [0-9.]+ s elapsed.*"), r.err());
        assertFalse(r.out().contains("decisions,"), "progress stays off stdout: " + r.out());
    }

    @Test
    void compareAndFidelityNumberTheirStepsWithAnEta() {
        CliRun c = CliRun.of("compare", "--model", "synthetic:tiny", "--bits-per-weight", "4.0", "--paragraphs", "2", "--max-tokens", "16",
                "--options", "Q8_0,Q4_0,int3g32", "--uniform-formats", "Q8_0,Q4_0,int3g32", "--mixes", "Q4_K_M,Q8_0");
        assertEquals(0, c.code(), c.err());
        assertTrue(c.err().contains("compare [1/5] uniform formats") && c.err().contains("ETA"), c.err());
        assertTrue(c.err().contains("compare [5/5]"), c.err());
        assertTrue(c.out().contains("Q8_0") && c.out().contains("over the budget"), "a mix above the budget says so: " + c.out());

        CliRun f = CliRun.of("fidelity", "--model", "synthetic:tiny", "--samples", "3", "--seed", "2", "--paragraphs", "2", "--max-tokens", "16",
                "--options", "Q8_0,Q4_0");
        assertEquals(0, f.code(), f.err());
        assertTrue(f.err().contains("fidelity [1/2] sensitivity table") && f.err().contains("ETA"), f.err());
        assertTrue(f.err().contains("fidelity [2/2] measured candidates"), f.err());
    }

    @Test
    void sweepEndsWithATableOfCellsLabelledByBudgetValue() throws IOException {
        Path base = dir.resolve("base.yaml");
        Files.writeString(base, "schemaVersion: 1\nname: b\nmodel: {source: 'synthetic:tiny'}\ndevice: " + TestPaths.device("samsung-galaxy-s23")
                + "\nspace: {options: [F16, Q8_0, Q4_0, int2g32]}\nquality: {sequences: 2, maxTokens: 16}\n"
                + "objectives: [kl, weight_bytes]\nstrategy: {name: nsga2, seed: 3, populationSize: 6, generations: 2}\n");
        Path s = dir.resolve("sweep.yaml");
        Files.writeString(s, "schemaVersion: 1\nname: sw\nbase: base.yaml\nmodels: [{source: 'synthetic:tiny'}]\n"
                + "devices: [" + TestPaths.device("samsung-galaxy-s23") + "]\nbudgets: [{}, {memory_bytes: {shareOfDram: 0.5}}, {kl: {atMost: 0.5}}]\n"
                + "strategies: [nsga2]\n");
        CliRun r = CliRun.of("sweep", s.toString(), "--master", "sequential", "--out", dir.resolve("out").toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("sweep of 3 cells"), r.out());
        for (String label : new String[] {"none", "memory_bytes-shareOfDram-0.5", "kl-atMost-0.5"}) assertTrue(r.out().contains(label), label + ": " + r.out());
        assertFalse(r.out().contains("budget=0") || r.err().contains("budget=0"), "budgets are named by value");
        assertTrue(r.out().contains("note: budget memory_bytes-shareOfDram-0.5 left the front"), "a budget that changes nothing is noted: " + r.out());
        assertTrue(r.err().contains("cell 2/3") && r.err().contains("ETA"), r.err());
    }
}
