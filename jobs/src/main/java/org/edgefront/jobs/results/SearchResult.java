package org.edgefront.jobs.results;

import java.util.List;
import org.edgefront.search.problem.EvaluatedCandidate;

/**
 * Outcome of a search run.
 *
 * @param evaluations every distinct candidate evaluated, in first-evaluation order (FAILED included)
 * @param front       the Pareto front (constrained dominance), in the archive's deterministic order
 * @param generations generations run
 * @param newlyEvaluated evaluations computed by this process (the rest came from the checkpoint)
 * @param elapsedSeconds wall time of this process's run, seconds
 * @param executor    where evaluations ran
 */
public record SearchResult(List<EvaluatedCandidate> evaluations, List<EvaluatedCandidate> front, int generations,
                           int newlyEvaluated, double elapsedSeconds, String executor) {
    public SearchResult {
        evaluations = List.copyOf(evaluations);
        front = List.copyOf(front);
    }

    /** Number of feasible (OK and within every budget) evaluations. */
    public long feasibleCount() { return evaluations.stream().filter(EvaluatedCandidate::feasible).count(); }

    /** Number of FAILED evaluations. */
    public long failedCount() { return evaluations.stream().filter(EvaluatedCandidate::failed).count(); }
}
