package org.edgefront.search.strategy;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.edgefront.search.problem.EvaluatedCandidate;
import org.edgefront.space.candidate.Candidate;
import org.edgefront.space.candidate.SearchSpace;

/**
 * Uniform random sampling of the space, avoiding candidates already seen (a baseline). Ignores results.
 * Not thread-safe.
 */
public final class RandomSearch extends AskTellStrategy {
    public RandomSearch(SearchSpace space, long seed) { super(space, seed); }

    @Override
    public String name() { return "random"; }

    @Override
    protected List<Candidate> propose(int n) {
        List<Candidate> out = new ArrayList<>(n);
        Set<Candidate> batch = newBatchSet();
        for (int i = 0; i < n; i++) {
            Candidate c = freshRandom(batch);
            batch.add(c);
            out.add(c);
        }
        return out;
    }

    @Override
    protected void observe(List<EvaluatedCandidate> results) {}
}
