package org.edgefront.jobs.results;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.edgefront.jobs.spec.SearchSpec;
import org.edgefront.search.problem.Constraint;
import org.edgefront.search.problem.EvaluatedCandidate;
import org.edgefront.search.problem.Objective;
import org.edgefront.search.problem.Problem;
import org.edgefront.space.candidate.Candidate;
import org.edgefront.space.candidate.SearchSpace;
import org.edgefront.space.candidate.StructureDecision;
import org.edgefront.space.compress.TensorChoice;
import org.edgefront.space.metric.Evaluation;
import org.edgefront.space.metric.Measurements;
import org.edgefront.space.metric.Metric;
import org.edgefront.space.model.ModelArchitecture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the writers put in a run directory, the reader gives back: spec, front, evaluations and checkpoint. */
class RunDirectoryRoundTripTest {
    private static final ModelArchitecture ARCH = ModelArchitecture.llama("t", 64, 172, 2, 8, 4, 512, 512, false, 1e-5, 10000, true);
    private static final SearchSpace SPACE = SearchSpace.perTensor(ARCH, List.of(TensorChoice.parse("F16"), TensorChoice.parse("Q8_0"),
            TensorChoice.parse("Q4_0+2:4"))).withStructure(StructureDecision.forModel(ARCH, List.of(1.0, 0.5), List.of(1.0), false, List.of(1.0)));
    private static final Problem PROBLEM = new Problem(List.of(Objective.minimize(Metric.KL), Objective.minimize(Metric.MEMORY_BYTES)),
            List.of(Constraint.atMost(Metric.MEMORY_BYTES, 400_000)));

    private static EvaluatedCandidate ok(Candidate c, double kl, double bytes) {
        return PROBLEM.assess(c, Evaluation.ok(c.id(), Measurements.EMPTY.with(Metric.KL, kl).with(Metric.MEMORY_BYTES, bytes), "exact,measured:12", "v1"));
    }

    @Test
    void writtenRunDirectoryReadsBackAsWritten(@TempDir Path tmp) {
        org.apache.hadoop.fs.Path dir = new org.apache.hadoop.fs.Path(tmp.toUri());
        Candidate small = SPACE.with(SPACE.uniform(2), SPACE.decisions().size(), 1);   // Q4_0+2:4 everywhere, half the heads of layer 0
        Candidate exact = SPACE.uniform(0);
        Candidate over = SPACE.uniform(1);
        Candidate broken = SPACE.with(SPACE.uniform(0), 3, 2);
        EvaluatedCandidate a = ok(small, 0.25, 120_000);
        EvaluatedCandidate b = ok(exact, 0.0, 390_000);
        EvaluatedCandidate c = ok(over, 0.01, 450_000);   // over budget: infeasible
        EvaluatedCandidate d = PROBLEM.assess(broken, Evaluation.failed(broken.id(), "non-finite quality", "v1"));
        SearchResult result = new SearchResult(List.of(a, b, c, d), List.of(a, b), 2, 4, 1.5, "sequential");
        Map<String, SearchSpec.Bound> budgets = new LinkedHashMap<>();
        budgets.put("memory_bytes", new SearchSpec.Bound(400_000.0, null, null));
        SearchSpec spec = new SearchSpec(1, "round-trip", new SearchSpec.Model("synthetic:tiny", null, null), "dev.yaml", null, null, null,
                List.of("kl", "memory_bytes"), budgets, new SearchSpec.Strategy("nsga2", 7L, 4, 2), null);

        SearchOutputs.writeSpec(dir, spec);
        SearchOutputs.writeFront(dir, SPACE, result, new SearchOutputs.RunInfo("round-trip", "synthetic:tiny", ARCH.name(), true, "dev",
                "nsga2", 7, "sequential", "abc123", "v1"));
        SearchOutputs.writeParquet(dir, SPACE, result);
        EvaluationStore store = EvaluationStore.create(dir);
        store.append(0, List.of(small, exact, over, broken), List.of(a.evaluation(), b.evaluation(), c.evaluation(), d.evaluation()));

        SearchDirectory read = SearchDirectory.load(tmp.toString());
        assertEquals(spec, read.spec());
        assertEquals(new SearchDirectory.RunSummary("round-trip", "synthetic:tiny", ARCH.name(), true, "dev", "nsga2", 7, "sequential",
                "abc123", "v1", 4, 2, 1, 2), read.run());
        assertEquals(List.of(small.id(), exact.id()), read.front().stream().map(SearchDirectory.EvaluatedPoint::id).toList());
        assertEquals(List.of(small.id(), exact.id(), over.id(), broken.id()), read.evaluations().stream().map(SearchDirectory.EvaluatedPoint::id).toList());
        for (int i = 0; i < 4; i++) {
            EvaluatedCandidate w = result.evaluations().get(i);
            SearchDirectory.EvaluatedPoint r = read.evaluations().get(i);
            Map<String, String> labels = new LinkedHashMap<>();
            SPACE.choices(w.candidate()).forEach((t, ch) -> labels.put(t, ch.label()));
            assertEquals(labels, r.choices());
            assertEquals(SPACE.storedFormats(w.candidate()), r.stored());
            assertEquals(SPACE.structureLabels(w.candidate()), r.structure());
            assertEquals(w.evaluation().measurements().asMap(), r.metrics());
            assertEquals(w.feasible(), r.feasible());
            assertEquals(w.totalViolation(), r.violation());
            assertEquals(w.evaluation().fidelity(), r.fidelity());
            assertEquals(i < 2, r.onFront());
            assertEquals(w.failed(), r.failed());
            assertEquals(w.evaluation().failureReason(), r.reason());
        }
        assertEquals(read.evaluations().get(0), read.front().get(0));
        // rows of 172 are not whole Q8_0 blocks: llama.cpp stores ffn_down in F16, and the directory records it
        assertEquals("Q8_0", read.evaluations().get(2).stored().get("blk.0.attn_q.weight"));
        assertEquals("F16", read.evaluations().get(2).stored().get("blk.0.ffn_down.weight"));
        assertEquals(Map.of("blk.0.heads", "keep0.500"), read.front().get(0).pruning());
        assertEquals(List.of(new SearchDirectory.Budget(Metric.MEMORY_BYTES, true, 400_000, read.budgets().get(0).describe())), read.budgets());
        assertTrue(read.notes().isEmpty(), read.notes().toString());

        EvaluationStore resumed = EvaluationStore.resume(dir);
        assertEquals(4, resumed.size());
        assertEquals(1, resumed.generationsOnDisk());
        for (EvaluatedCandidate w : result.evaluations()) assertEquals(w.evaluation(), resumed.get(w.candidate()));
        assertFalse(read.front().get(1).failed());
    }
}
