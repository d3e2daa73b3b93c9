package org.edgefront.search.strategy;

import java.util.List;
import org.edgefront.search.problem.EvaluatedCandidate;
import org.edgefront.space.candidate.Candidate;

/**
 * Proposes candidates in batches (ask) and learns from their results (tell).
 *
 * <p>Protocol: {@code ask(n)} returns exactly {@code n} candidates of the search space; the caller evaluates
 * them and calls {@code tell} with exactly one result per asked candidate, in ask order, before the next
 * {@code ask}. Violations throw {@link IllegalStateException} / {@link IllegalArgumentException}.
 *
 * <p>Determinism: every random choice comes from the seed given at construction, and a strategy depends on
 * nothing but that seed and the sequence of tells, so replaying the same tells reproduces the same asks
 * (resume-by-replay; Spark evaluation gives the same front as a sequential run). A strategy avoids
 * re-proposing candidates it has seen but may do so (e.g. when the space is exhausted); the caller
 * evaluates duplicates once and returns the cached result.
 *
 * <p>Not thread-safe: one driver thread owns a strategy.
 */
public interface SearchStrategy {
    /** Stable short name, e.g. {@code nsga2}. */
    String name();

    /**
     * The next batch.
     *
     * @param n batch size, >= 1
     * @throws IllegalStateException when the previous batch has not been told
     */
    List<Candidate> ask(int n);

    /**
     * Results of the previous {@link #ask}, one per candidate, in ask order (failed ones included).
     *
     * @throws IllegalStateException    when nothing is pending
     * @throws IllegalArgumentException when the results do not match the asked candidates
     */
    void tell(List<EvaluatedCandidate> results);

    /** The read-only history this strategy has seen. */
    SearchHistory history();
}
