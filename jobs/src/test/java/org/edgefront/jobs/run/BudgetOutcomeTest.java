package org.edgefront.jobs.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.edgefront.evaluators.Evaluator;
import org.edgefront.jobs.CliRun;
import org.edgefront.jobs.TestPaths;
import org.edgefront.jobs.spec.QualityFloor;
import org.edgefront.jobs.spec.ResolvedSearch;
import org.edgefront.jobs.spec.SearchSpecLoader;
import org.edgefront.search.problem.Constraint;
import org.edgefront.search.problem.EvaluatedCandidate;
import org.edgefront.space.candidate.Candidate;
import org.edgefront.space.candidate.StructureDecision;
import org.edgefront.space.metric.Metric;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a user is told about budgets: no feasible point is exit 3 with what each budget excluded, a budget that
 * excludes nothing is a warning, and a structure search keeps a usable model by default.
 */
class BudgetOutcomeTest {
    @TempDir
    Path dir;

    private Path spec(String budgets, String space) throws IOException {
        Path p = dir.resolve("b.yaml");
        Files.writeString(p, "schemaVersion: 1\nname: b\nmodel: {source: 'synthetic:tiny'}\n"
                + "device: '" + TestPaths.device("samsung-galaxy-s23") + "'\n"
                + "space: " + space + "\nquality: {sequences: 2, maxTokens: 16}\n"
                + "objectives: [kl, weight_bytes]\nbudgets: " + budgets + "\n"
                + "strategy: {name: random, seed: 9, populationSize: 6, generations: 1}\n");
        return p;
    }

    @Test
    void noFeasiblePointExitsThreeAndCountsWhatEachBudgetExcluded() throws IOException {
        Path spec = spec("{kl: {atMost: 1.0e-12}, memory_bytes: {shareOfDram: 0.1}}", "{options: [Q8_0, Q4_0, int2g32]}");
        CliRun r = CliRun.of("search", spec.toString(), "--master", "sequential", "--out", dir.resolve("out").toString());
        assertEquals(BudgetReport.EXIT_NO_FEASIBLE, r.code(), r.err());
        assertTrue(r.err().contains("no feasible point: none of 6 evaluated candidates met every budget"), r.err());
        assertTrue(r.err().matches("(?s).*kl <= 1\\.000e-12\\s+excluded 6 of 6.*"), r.err());
        assertTrue(r.err().matches("(?s).*memory_bytes <= \\S+\\s+excluded 0 of 6.*"), r.err());
        assertTrue(r.out().contains("feasible"), "the least-violating rows are still shown: " + r.out());
    }

    @Test
    void aBudgetThatExcludesNothingIsWarnedAbout() throws IOException {
        Path spec = spec("{memory_bytes: {shareOfDram: 0.1}}", "{options: [Q8_0, Q4_0]}");
        CliRun r = CliRun.of("search", spec.toString(), "--master", "sequential", "--out", dir.resolve("out").toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("warning: budget memory_bytes <= ") && r.err().contains("excluded none of 6 evaluated candidates"), r.err());
    }

    @Test
    void structureSearchGetsAKlFloorUnlessAQualityBudgetIsGiven() throws IOException {
        String structure = "{options: [Q8_0, Q4_0], structure: {dropLayers: true}}";
        ResolvedSearch floored = SearchSpecLoader.load(spec("{}", structure).toString(), SearchSpecLoader.Overrides.NONE);
        assertTrue(floored.problem().constraints().contains(Constraint.atMost(Metric.KL, QualityFloor.DEFAULT_MAX_KL_NATS)));
        assertTrue(floored.spec().budgets().containsKey("kl"), "the floor is saved with the run");
        ResolvedSearch chosen = SearchSpecLoader.load(spec("{top1_agreement: {atLeast: 0.1}}", structure).toString(), SearchSpecLoader.Overrides.NONE);
        assertFalse(chosen.problem().constraints().stream().anyMatch(c -> c.metric() == Metric.KL));
        ResolvedSearch plain = SearchSpecLoader.load(spec("{}", "{options: [Q8_0, Q4_0]}").toString(), SearchSpecLoader.Overrides.NONE);
        assertFalse(plain.problem().constraints().stream().anyMatch(c -> c.metric() == Metric.KL), "no floor without structure");
    }

    @Test
    void aSearchWithoutAMemoryBudgetStaysWithinTheDevicesDramQuietlyAndItsOwnBudgetReplacesThatBound() throws IOException {
        ResolvedSearch plain = SearchSpecLoader.load(spec("{kl: {atMost: 5.0}}", "{options: [Q8_0, Q4_0]}").toString(), SearchSpecLoader.Overrides.NONE);
        long dram = plain.device().dram().capacityBytes();
        assertTrue(plain.problem().constraints().contains(Constraint.atMost(Metric.MEMORY_BYTES, dram)), plain.problem().toString());
        assertEquals(1.0, plain.spec().budgets().get("memory_bytes").shareOfDram(), "the bound is saved with the run");
        ResolvedSearch own = SearchSpecLoader.load(spec("{memory_bytes: {atMost: 1.0e9}}", "{options: [Q8_0, Q4_0]}").toString(),
                SearchSpecLoader.Overrides.NONE);
        assertEquals(java.util.List.of(Constraint.atMost(Metric.MEMORY_BYTES, 1.0e9)), own.problem().constraints());

        CliRun r = CliRun.of("search", spec("{kl: {atMost: 5.0}}", "{options: [Q8_0, Q4_0]}").toString(), "--master", "sequential",
                "--out", dir.resolve("out").toString());
        assertEquals(0, r.code(), r.err());
        assertFalse(r.err().contains("warning: budget memory_bytes"), "the whole-DRAM bound never shapes this front, silently: " + r.err());
    }

    /** The S23's profile renamed, with 50 MB of DRAM: every candidate of the tiny model needs about 70 MB (runtime, KV cache). */
    private Path smallDevice() throws IOException {
        String s23 = Files.readString(TestPaths.device("samsung-galaxy-s23"));
        Path small = dir.resolve("small.yaml");
        Files.writeString(small, s23.replaceFirst("capacityBytes: *\\d+", "capacityBytes: 50000000")
                .replaceFirst("(?m)^name: .*$", "name: \"Small Test Phone\""));
        return small;
    }

    @Test
    void aSweepRunsTheDevicesAModelFitsAndNamesTheOnesItCannotBeResidentOn() throws IOException {
        Path small = smallDevice();
        spec("{}", "{options: [Q8_0, Q4_0]}");   // the sweep's base, b.yaml
        Path sweep = dir.resolve("sweep.yaml");
        Files.writeString(sweep, "schemaVersion: 1\nname: sw\nbase: b.yaml\nmodels: [{source: 'synthetic:tiny'}]\n"
                + "devices: [" + TestPaths.device("samsung-galaxy-s23") + ", " + small + "]\nstrategies: [random]\n");
        CliRun r = CliRun.of("sweep", sweep.toString(), "--master", "sequential", "--out", dir.resolve("sw").toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("sweep of 1 cells") && r.out().contains("samsung-galaxy-s23"), r.out());
        assertTrue(r.out().contains("not run: Small Test Phone has 50,000,000 bytes of DRAM"), r.out());
        assertTrue(Files.readString(dir.resolve("sw/sweep.json")).contains("Small Test Phone has 50,000,000 bytes"), "recorded with the sweep");

        Path none = dir.resolve("none.yaml");
        Files.writeString(none, "schemaVersion: 1\nname: sw\nbase: b.yaml\nmodels: [{source: 'synthetic:tiny'}]\n"
                + "devices: [" + small + "]\nstrategies: [random]\n");
        CliRun refused = CliRun.of("sweep", none.toString(), "--master", "sequential", "--out", dir.resolve("none").toString());
        assertEquals(2, refused.code(), refused.err());
        assertTrue(refused.err().contains("no model of the sweep can be resident on any of its devices"), refused.err());
        assertFalse(Files.exists(dir.resolve("none/sweep.json")), "nothing written");
    }

    @Test
    void aModelThatCannotBeResidentOnTheDeviceIsRefusedBeforeAnyWorkNamingTheDevice() throws IOException {
        Path small = smallDevice();
        Path spec = spec("{}", "{options: [Q8_0, Q4_0]}");
        Files.writeString(spec, Files.readString(spec).replace(TestPaths.device("samsung-galaxy-s23").toString(), small.toString()));
        Path out = dir.resolve("refused");
        CliRun r = CliRun.of("search", spec.toString(), "--master", "sequential", "--out", out.toString());
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("device") && r.err().contains("Small Test Phone has 50,000,000 bytes of DRAM")
                && r.err().contains("no configuration of this model can be resident on it"), r.err());
        assertFalse(Files.exists(out.resolve("front.json")), "nothing written");
    }

    @Test
    void aModelWithEveryLayerDroppedIsInfeasibleUnderTheDefaultFloor() throws IOException {
        ResolvedSearch r = SearchSpecLoader.load(spec("{}", "{options: [Q8_0], structure: {dropLayers: true}}").toString(),
                SearchSpecLoader.Overrides.NONE);
        int[] genes = new int[r.space().dimensions()];
        int tensors = r.space().decisions().size();
        for (int k = 0; k < r.space().structure().size(); k++) {
            assertEquals(StructureDecision.Kind.LAYER, r.space().structure().get(k).kind());
            genes[tensors + k] = 1; // drop
        }
        Candidate allDropped = new Candidate(genes);
        try (Evaluator e = SearchEvaluators.factory(r, true).create()) {
            EvaluatedCandidate ec = r.problem().assess(allDropped, e.evaluate(allDropped));
            assertFalse(ec.failed(), ec.toString());
            assertFalse(ec.feasible(), "every layer dropped is not a usable model: " + ec.evaluation().measurements());
            Candidate kept = new Candidate(new int[r.space().dimensions()]);
            assertTrue(r.problem().assess(kept, e.evaluate(kept)).feasible(), "the unpruned model meets the floor");
        }
    }
}
