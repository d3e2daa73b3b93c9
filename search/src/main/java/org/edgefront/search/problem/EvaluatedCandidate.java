package org.edgefront.search.problem;

import java.util.Arrays;
import java.util.Objects;
import org.edgefront.space.candidate.Candidate;
import org.edgefront.space.metric.Evaluation;

/**
 * A candidate with its evaluation as judged by a {@link Problem}: objective values in minimization form
 * (in {@link Problem#objectives()} order) and the summed relative constraint violation (0 = feasible).
 * A failed one has no objective values, infinite violation, and never enters an archive.
 * Immutable (arrays are copied in and out) and thread-safe.
 */
public final class EvaluatedCandidate implements java.io.Serializable {
    private static final long serialVersionUID = 1L;
    private static final double[] NONE = new double[0];

    private final Candidate candidate;
    private final String id; // cached: Candidate.id() formats a new string on every call
    private final Evaluation evaluation;
    private final double[] objectives;
    private final double totalViolation;
    private final boolean failed;

    private EvaluatedCandidate(Candidate candidate, Evaluation evaluation, double[] objectives, double totalViolation,
                               boolean failed) {
        this.candidate = candidate;
        this.id = evaluation.candidateId(); // equal to candidate.id(), checked by the factories
        this.evaluation = evaluation;
        this.objectives = objectives;
        this.totalViolation = totalViolation;
        this.failed = failed;
    }

    /**
     * A result as {@link Problem#assess} builds it. For a FAILED evaluation pass an empty objective array and
     * any violation (it becomes +infinity); prefer {@link #of} / {@link #failed} which say which one is meant.
     *
     * @param objectives     minimization-form values, each finite (copied)
     * @param totalViolation summed relative violation, finite and >= 0
     * @throws IllegalArgumentException on non-finite values, a negative violation, objectives on a FAILED
     *                                  evaluation, or an evaluation of another candidate
     */
    public EvaluatedCandidate(Candidate candidate, Evaluation evaluation, double[] objectives, double totalViolation) {
        this(checked(candidate, evaluation, objectives, totalViolation));
    }

    private EvaluatedCandidate(EvaluatedCandidate v) {
        this(v.candidate, v.evaluation, v.objectives, v.totalViolation, v.failed);
    }

    private static EvaluatedCandidate checked(Candidate candidate, Evaluation evaluation, double[] objectives, double totalViolation) {
        Objects.requireNonNull(evaluation, "evaluation");
        Objects.requireNonNull(objectives, "objectives");
        if (!evaluation.ok()) {
            if (objectives.length != 0) throw new IllegalArgumentException("a FAILED evaluation has no objective values");
            return failed(candidate, evaluation);
        }
        return of(candidate, evaluation, objectives, totalViolation);
    }

    /**
     * A successfully assessed candidate.
     *
     * @param objectives     minimization-form values, each finite (copied)
     * @param totalViolation summed relative violation, finite and >= 0
     */
    public static EvaluatedCandidate of(Candidate candidate, Evaluation evaluation, double[] objectives, double totalViolation) {
        Objects.requireNonNull(candidate, "candidate");
        Objects.requireNonNull(evaluation, "evaluation");
        Objects.requireNonNull(objectives, "objectives");
        if (!evaluation.ok()) throw new IllegalArgumentException("use failed(...) for a FAILED evaluation");
        if (objectives.length == 0) throw new IllegalArgumentException("at least one objective is needed");
        for (int i = 0; i < objectives.length; i++) {
            if (!Double.isFinite(objectives[i])) throw new IllegalArgumentException("objective " + i + " is not finite: " + objectives[i]);
        }
        if (!(totalViolation >= 0) || Double.isInfinite(totalViolation)) {
            throw new IllegalArgumentException("total violation must be finite and >= 0, got " + totalViolation);
        }
        checkIds(candidate, evaluation);
        double[] f = objectives.clone();
        for (int i = 0; i < f.length; i++) f[i] += 0.0; // -0.0 becomes 0.0: one zero, so equal vectors compare equal
        return new EvaluatedCandidate(candidate, evaluation, f, totalViolation + 0.0, false);
    }

    /** A candidate whose evaluation failed (or could not be assessed); kept as data, out of every archive. */
    public static EvaluatedCandidate failed(Candidate candidate, Evaluation evaluation) {
        Objects.requireNonNull(candidate, "candidate");
        Objects.requireNonNull(evaluation, "evaluation");
        checkIds(candidate, evaluation);
        return new EvaluatedCandidate(candidate, evaluation, NONE, Double.POSITIVE_INFINITY, true);
    }

    private static void checkIds(Candidate c, Evaluation e) {
        if (!c.id().equals(e.candidateId())) {
            throw new IllegalArgumentException("evaluation of " + e.candidateId() + " does not belong to candidate " + c.id());
        }
    }

    public Candidate candidate() { return candidate; }

    public Evaluation evaluation() { return evaluation; }

    /** Minimization-form objective values (a copy); empty when failed. */
    public double[] objectives() { return objectives.clone(); }

    /** Objective {@code i} in minimization form, without copying. */
    public double objective(int i) { return objectives[i]; }

    /** Number of objective values (0 when failed). */
    public int objectiveCount() { return objectives.length; }

    /** Summed relative constraint violation: 0 when feasible, +infinity when failed. */
    public double totalViolation() { return totalViolation; }

    /** True when evaluated successfully and every constraint is satisfied. */
    public boolean feasible() { return !failed && totalViolation == 0.0; }

    /** True when the evaluation failed. */
    public boolean failed() { return failed; }

    /** Shorthand for {@code candidate().id()}. */
    public String id() { return id; }

    @Override
    public boolean equals(Object o) {
        return o instanceof EvaluatedCandidate e && e.failed == failed && e.candidate.equals(candidate)
                && e.evaluation.equals(evaluation) && Arrays.equals(e.objectives, objectives)
                && Double.compare(e.totalViolation, totalViolation) == 0;
    }

    @Override
    public int hashCode() { return Objects.hash(candidate, evaluation, Arrays.hashCode(objectives), totalViolation, failed); }

    @Override
    public String toString() {
        return failed ? "EvaluatedCandidate[" + id() + " FAILED: " + evaluation.failureReason() + "]"
                : "EvaluatedCandidate[" + id() + " " + Arrays.toString(objectives) + " violation=" + totalViolation + "]";
    }
}
