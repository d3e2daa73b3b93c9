package org.edgefront.space.metric;

import java.io.Serializable;
import java.util.Objects;

/**
 * The result of evaluating one candidate.
 *
 * @param candidateId      {@code Candidate.id()} of the evaluated candidate
 * @param status           OK or FAILED
 * @param measurements     values measured (may be partial for FAILED)
 * @param failureReason    why it failed; empty when OK
 * @param fidelity         how quality was judged, e.g. {@code measured:4096} (tokens) or {@code proxy}
 * @param evaluatorVersion versions of the evaluators and native library that produced it
 */
public record Evaluation(String candidateId, EvaluationStatus status, Measurements measurements,
                         String failureReason, String fidelity, String evaluatorVersion) implements Serializable {
    public Evaluation {
        Objects.requireNonNull(candidateId, "candidateId");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(measurements, "measurements");
        failureReason = failureReason == null ? "" : failureReason;
        fidelity = fidelity == null ? "" : fidelity;
        evaluatorVersion = evaluatorVersion == null ? "" : evaluatorVersion;
        if (status == EvaluationStatus.FAILED && failureReason.isEmpty()) {
            throw new IllegalArgumentException("a FAILED evaluation needs a reason");
        }
    }

    /** A successful evaluation. */
    public static Evaluation ok(String candidateId, Measurements m, String fidelity, String version) {
        return new Evaluation(candidateId, EvaluationStatus.OK, m, "", fidelity, version);
    }

    /** A failed evaluation with its reason. */
    public static Evaluation failed(String candidateId, String reason, String version) {
        return new Evaluation(candidateId, EvaluationStatus.FAILED, Measurements.EMPTY, reason, "", version);
    }

    public boolean ok() { return status == EvaluationStatus.OK; }
}
