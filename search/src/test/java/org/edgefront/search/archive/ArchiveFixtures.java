package org.edgefront.search.archive;

import org.edgefront.search.problem.EvaluatedCandidate;
import org.edgefront.space.candidate.Candidate;
import org.edgefront.space.metric.Evaluation;
import org.edgefront.space.metric.Measurements;

final class ArchiveFixtures {
    private ArchiveFixtures() {}

    static EvaluatedCandidate point(int gene, double violation, double... f) {
        Candidate c = new Candidate(new int[] {gene});
        return EvaluatedCandidate.of(c, Evaluation.ok(c.id(), Measurements.EMPTY, "", ""), f, violation);
    }

    static EvaluatedCandidate failed(int gene) {
        Candidate c = new Candidate(new int[] {gene});
        return EvaluatedCandidate.failed(c, Evaluation.failed(c.id(), "boom", ""));
    }
}
