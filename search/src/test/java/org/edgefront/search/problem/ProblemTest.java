package org.edgefront.search.problem;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.EnumSet;
import java.util.List;
import org.edgefront.space.candidate.Candidate;
import org.edgefront.space.metric.Evaluation;
import org.edgefront.space.metric.Measurements;
import org.edgefront.space.metric.Metric;
import org.junit.jupiter.api.Test;

class ProblemTest {
    private final Problem problem = new Problem(
            List.of(Objective.minimize(Metric.KL), Objective.maximize(Metric.DECODE_TOK_S)),
            List.of(Constraint.atMost(Metric.MEMORY_BYTES, 1000), Constraint.atLeast(Metric.DECODE_TOK_S, 20)));
    private final Candidate c = new Candidate(new int[] {1, 2, 3});

    private Evaluation ok(double kl, double tps, double bytes) {
        return Evaluation.ok(c.id(), Measurements.EMPTY.with(Metric.KL, kl).with(Metric.DECODE_TOK_S, tps)
                .with(Metric.MEMORY_BYTES, bytes), "proxy", "t");
    }

    @Test
    void assessGivesMinimizationObjectivesAndSummedViolation() {
        EvaluatedCandidate e = problem.assess(c, ok(0.1, 10, 1500));
        assertArrayEquals(new double[] {0.1, -10}, e.objectives());
        assertEquals(0.5 + 0.5, e.totalViolation(), 1e-12);
        assertFalse(e.feasible());
        assertTrue(problem.assess(c, ok(0.1, 30, 900)).feasible());
    }

    @Test
    void failedEvaluationGivesFailedResultWithoutObjectives() {
        EvaluatedCandidate e = problem.assess(c, Evaluation.failed(c.id(), "native status 3", "t"));
        assertTrue(e.failed());
        assertFalse(e.feasible());
        assertEquals(0, e.objectiveCount());
        assertEquals(Double.POSITIVE_INFINITY, e.totalViolation());
    }

    @Test
    void infiniteObjectiveBecomesAFailedResultWithReason() {
        EvaluatedCandidate e = problem.assess(c, ok(Double.POSITIVE_INFINITY, 30, 900));
        assertTrue(e.failed());
        assertTrue(e.evaluation().failureReason().contains("kl"));
    }

    @Test
    void evaluationOfAnotherCandidateIsRejected() {
        Evaluation other = Evaluation.ok("0000000000000000", Measurements.EMPTY, "", "");
        assertThrows(IllegalArgumentException.class, () -> problem.assess(c, other));
    }

    @Test
    void missingMetricInOkEvaluationIsAConfigurationError() {
        Evaluation partial = Evaluation.ok(c.id(), Measurements.EMPTY.with(Metric.KL, 0.1), "", "");
        assertThrows(IllegalStateException.class, () -> problem.assess(c, partial));
    }

    @Test
    void requiredMetricsListObjectivesAndConstraints() {
        assertEquals(EnumSet.of(Metric.KL, Metric.DECODE_TOK_S, Metric.MEMORY_BYTES), problem.requiredMetrics());
    }

    @Test
    void requireProvidedNamesMissingMetrics() {
        problem.requireProvided(EnumSet.of(Metric.KL, Metric.DECODE_TOK_S, Metric.MEMORY_BYTES, Metric.TTFT_S));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> problem.requireProvided(EnumSet.of(Metric.KL)));
        assertTrue(e.getMessage().contains("decode_tok_s") && e.getMessage().contains("memory_bytes"), e.getMessage());
    }

    @Test
    void problemRejectsNoObjectivesAndRepeatedMetrics() {
        assertThrows(IllegalArgumentException.class, () -> new Problem(List.of(), List.of()));
        assertThrows(IllegalArgumentException.class, () -> new Problem(
                List.of(Objective.minimize(Metric.KL), Objective.maximize(Metric.KL)), List.of()));
    }

    @Test
    void publicConstructorValidatesLikeTheFactories() {
        assertTrue(new EvaluatedCandidate(c, Evaluation.failed(c.id(), "x", ""), new double[0], 0).failed());
        assertThrows(IllegalArgumentException.class, () -> new EvaluatedCandidate(c, Evaluation.failed(c.id(), "x", ""), new double[] {1}, 0));
        assertThrows(IllegalArgumentException.class, () -> new EvaluatedCandidate(c, ok(1, 2, 3), new double[] {Double.NaN}, 0));
        assertThrows(IllegalArgumentException.class, () -> new EvaluatedCandidate(c, ok(1, 2, 3), new double[] {1}, -1));
        assertThrows(IllegalArgumentException.class, () -> new EvaluatedCandidate(c, ok(1, 2, 3), new double[] {1}, Double.NaN));
        EvaluatedCandidate e = new EvaluatedCandidate(c, ok(1, 2, 3), new double[] {-0.0}, 0);
        assertEquals(0, Double.compare(0.0, e.objective(0)), "negative zero is canonicalized");
    }

    @Test
    void evaluatedCandidateCopiesItsArrays() {
        double[] f = {1, 2};
        EvaluatedCandidate e = EvaluatedCandidate.of(c, ok(1, 2, 3), f, 0);
        f[0] = 99;
        e.objectives()[1] = 99;
        assertArrayEquals(new double[] {1, 2}, e.objectives());
    }
}
