package org.edgefront.search.strategy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.edgefront.search.problem.EvaluatedCandidate;
import org.edgefront.space.candidate.Candidate;

/**
 * What one strategy has been told: every result in tell order and a lookup by candidate. A strategy owns
 * and updates its own history; others see it read-only. Not thread-safe.
 */
public final class SearchHistory {
    private final List<EvaluatedCandidate> results = new ArrayList<>();
    private final List<EvaluatedCandidate> view = Collections.unmodifiableList(results);
    private final Map<Candidate, EvaluatedCandidate> byCandidate = new HashMap<>();
    private int failures;
    private int batches;

    SearchHistory() {}

    void record(List<EvaluatedCandidate> batch) {
        for (EvaluatedCandidate r : batch) {
            results.add(r);
            byCandidate.putIfAbsent(r.candidate(), r);
            if (r.failed()) failures++;
        }
        batches++;
    }

    /** Results told so far (including repeats of a candidate), in tell order. */
    public List<EvaluatedCandidate> results() { return view; }

    /** Number of results told. */
    public int evaluations() { return results.size(); }

    /** Number of failed results told. */
    public int failures() { return failures; }

    /** Number of tells. */
    public int batches() { return batches; }

    /** Distinct candidates told. */
    public int distinctCandidates() { return byCandidate.size(); }

    /** True when a result for this candidate was told. */
    public boolean seen(Candidate c) { return byCandidate.containsKey(c); }

    /** The first result told for this candidate. */
    public Optional<EvaluatedCandidate> result(Candidate c) { return Optional.ofNullable(byCandidate.get(c)); }
}
