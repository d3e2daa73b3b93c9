package org.edgefront.jobs.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.edgefront.jobs.TestPaths;
import org.edgefront.space.input.InvalidInputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SweepJobTest {
    @TempDir
    Path dir;

    private Path sweep(String devices) throws IOException {
        Path base = dir.resolve("base.yaml");
        Files.writeString(base, "schemaVersion: 1\nname: b\nmodel: {source: 'synthetic:tiny'}\ndevice: " + TestPaths.device("samsung-galaxy-s23")
                + "\nspace: {options: [F16, Q8_0, Q4_0, int2g32]}\nquality: {sequences: 2, maxTokens: 32}\n"
                + "objectives: [kl, weight_bytes]\nstrategy: {name: nsga2, seed: 3, populationSize: 6, generations: 2}\n");
        Path s = dir.resolve("sweep.yaml");
        Files.writeString(s, "schemaVersion: 1\nname: sw\nbase: base.yaml\nmodels: [{source: 'synthetic:tiny'}, {source: 'synthetic:tiny?seed=9'}]\n"
                + "devices: " + devices + "\nbudgets: [{}, {decode_tok_s: {atLeast: 1.0e9}}]\nstrategies: [nsga2, random]\n");
        return s;
    }

    @Test
    void everyCombinationBecomesAValidatedCell() throws IOException {
        var cells = SweepJob.cells(sweep("[" + TestPaths.device("samsung-galaxy-s23") + ", " + TestPaths.device("raspberry-pi-5") + "]").toString());
        assertEquals(2 * 2 * 2 * 2, cells.size());
        assertEquals(16, cells.stream().map(SweepJob.Cell::partition).distinct().count());
        assertTrue(cells.get(0).partition().startsWith("model=synthetic"));
    }

    @Test
    void aBadCellFailsTheWholeSweepBeforeAnyWork() throws IOException {
        Path s = sweep("[" + TestPaths.device("samsung-galaxy-s23") + ", missing.yaml]");
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> SweepJob.run(s.toString(), dir.resolve("out").toString(),
                false, false, "sequential", new PrintStream(new ByteArrayOutputStream()), null));
        assertTrue(e.getMessage().contains("missing.yaml"), e.getMessage());
        assertTrue(Files.notExists(dir.resolve("out")));
    }

    @Test
    void sweepWritesOnePartitionedTableAndResumesWithoutRedoingCells() throws IOException {
        Path s = sweep("[" + TestPaths.device("samsung-galaxy-s23") + "]");
        PrintStream quiet = new PrintStream(new ByteArrayOutputStream());
        SweepJob.Outcome o = SweepJob.run(s.toString(), dir.resolve("out").toString(), false, false, "sequential", quiet, null);
        assertEquals(8, o.cells().size());
        for (SweepJob.Cell c : o.cells()) {
            assertTrue(Files.exists(dir.resolve("out/results/" + c.partition() + "/evaluations.parquet")), c.partition());
        }
        // the impossible decode budget (budget 1) leaves no feasible point in any of its cells; the open budget
        // (budget 0) of the same model and strategy has feasible points, so the difference is the budget's
        int impossible = 0;
        for (int i = 0; i < o.cells().size(); i++) {
            SweepJob.Cell c = o.cells().get(i);
            long feasible = o.results().get(i).feasibleCount();
            if (c.budget() == 1) {
                impossible++;
                assertEquals(0, feasible, c.partition());
            } else {
                assertEquals(0, c.budget(), c.partition());
                assertTrue(feasible > 0, c.partition() + " has no feasible point");
            }
        }
        assertEquals(4, impossible, "2 models x 2 strategies under the impossible budget");
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        SweepJob.Outcome again = SweepJob.run(s.toString(), dir.resolve("out").toString(), true, false, "sequential", new PrintStream(log), null);
        assertTrue(again.results().stream().allMatch(r -> r == null), "finished cells are skipped on resume");
        assertTrue(log.toString().contains("skipped"));
    }
}
