package org.edgefront.search.problem;

import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.edgefront.space.candidate.Candidate;
import org.edgefront.space.metric.Evaluation;
import org.edgefront.space.metric.Measurements;
import org.edgefront.space.metric.Metric;

/**
 * Objectives and hard constraints of one search. {@link #assess} turns an {@link Evaluation} into an
 * {@link EvaluatedCandidate}. Immutable and thread-safe.
 *
 * @param objectives at least one, each metric at most once
 * @param constraints budgets (may be empty)
 */
public record Problem(List<Objective> objectives, List<Constraint> constraints) implements java.io.Serializable {
    public Problem {
        objectives = List.copyOf(Objects.requireNonNull(objectives, "objectives"));
        constraints = List.copyOf(Objects.requireNonNull(constraints, "constraints"));
        if (objectives.isEmpty()) throw new IllegalArgumentException("a problem needs at least one objective");
        Set<Metric> seen = new HashSet<>();
        for (Objective o : objectives) {
            if (!seen.add(o.metric())) throw new IllegalArgumentException("objective " + o.metric().jsonName() + " listed twice");
        }
    }

    /** Number of objectives. */
    public int objectiveCount() { return objectives.size(); }

    /** Every metric an evaluator must provide for this problem (validate this before any evaluation). */
    public Set<Metric> requiredMetrics() {
        EnumSet<Metric> m = EnumSet.noneOf(Metric.class);
        for (Objective o : objectives) m.add(o.metric());
        for (Constraint c : constraints) m.add(c.metric());
        return m;
    }

    /**
     * Checks, before any evaluation, that an evaluator provides every metric this problem needs.
     *
     * @param provided the metrics the evaluator measures (e.g. {@code Evaluator.provides()})
     * @throws IllegalArgumentException naming the missing metrics
     */
    public void requireProvided(Set<Metric> provided) {
        EnumSet<Metric> missing = EnumSet.copyOf(requiredMetrics());
        missing.removeAll(provided);
        if (!missing.isEmpty()) {
            StringBuilder b = new StringBuilder();
            for (Metric m : missing) b.append(b.length() == 0 ? "" : ", ").append(m.jsonName());
            throw new IllegalArgumentException("the evaluator does not measure " + b + " (objectives and constraints need it)");
        }
    }

    /**
     * Judges one evaluation. A FAILED evaluation gives a failed result. An OK evaluation whose objective
     * is infinite also gives a failed result (it cannot be ranked), with the reason recorded.
     *
     * @throws IllegalArgumentException when the evaluation belongs to another candidate
     * @throws IllegalStateException    when an OK evaluation lacks a metric this problem needs: the evaluator
     *                                  does not provide what the spec asks for, a configuration error
     */
    public EvaluatedCandidate assess(Candidate candidate, Evaluation evaluation) {
        Objects.requireNonNull(candidate, "candidate");
        Objects.requireNonNull(evaluation, "evaluation");
        if (!candidate.id().equals(evaluation.candidateId())) {
            throw new IllegalArgumentException("evaluation of " + evaluation.candidateId() + " does not belong to candidate " + candidate.id());
        }
        if (!evaluation.ok()) return EvaluatedCandidate.failed(candidate, evaluation);
        Measurements m = evaluation.measurements();
        double[] f = new double[objectives.size()];
        for (int i = 0; i < f.length; i++) {
            f[i] = objectives.get(i).minimizationValue(m);
            if (!Double.isFinite(f[i])) {
                Evaluation failed = Evaluation.failed(evaluation.candidateId(),
                        "objective " + objectives.get(i).metric().jsonName() + " is not finite (" + f[i] + ")",
                        evaluation.evaluatorVersion());
                return EvaluatedCandidate.failed(candidate, failed);
            }
        }
        double violation = 0;
        for (Constraint c : constraints) violation += c.violation(m);
        if (Double.isInfinite(violation)) {
            Evaluation failed = Evaluation.failed(evaluation.candidateId(), "constraint value is infinite",
                    evaluation.evaluatorVersion());
            return EvaluatedCandidate.failed(candidate, failed);
        }
        return EvaluatedCandidate.of(candidate, evaluation, f, violation);
    }
}
