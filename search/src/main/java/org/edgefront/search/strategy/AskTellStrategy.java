package org.edgefront.search.strategy;

import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.SplittableRandom;
import org.edgefront.search.problem.EvaluatedCandidate;
import org.edgefront.space.candidate.Candidate;
import org.edgefront.space.candidate.SearchSpace;

/**
 * Shared ask/tell bookkeeping: checks the protocol, records the history, owns the seeded generator.
 * Subclasses implement {@link #propose} and {@link #observe}.
 */
abstract class AskTellStrategy implements SearchStrategy {
    /** Retries before a strategy accepts a candidate it has seen before. */
    static final int FRESH_TRIES = 32;

    protected final SearchSpace space;
    protected final SplittableRandom rng;
    protected final SearchHistory history = new SearchHistory();
    private List<Candidate> pending;

    AskTellStrategy(SearchSpace space, long seed) {
        this.space = Objects.requireNonNull(space, "space");
        this.rng = new SplittableRandom(seed);
    }

    @Override
    public final List<Candidate> ask(int n) {
        if (n < 1) throw new IllegalArgumentException("batch size must be >= 1, got " + n);
        if (pending != null) throw new IllegalStateException(name() + ": tell the previous batch of " + pending.size() + " first");
        List<Candidate> out = List.copyOf(propose(n));
        if (out.size() != n) throw new IllegalStateException(name() + " proposed " + out.size() + " candidates, asked for " + n);
        pending = out;
        return out;
    }

    @Override
    public final void tell(List<EvaluatedCandidate> results) {
        Objects.requireNonNull(results, "results");
        if (pending == null) throw new IllegalStateException(name() + ": tell without a pending ask");
        if (results.size() != pending.size()) {
            throw new IllegalArgumentException(name() + ": asked " + pending.size() + " candidates, told " + results.size() + " results");
        }
        for (int i = 0; i < results.size(); i++) {
            if (!results.get(i).candidate().equals(pending.get(i))) {
                throw new IllegalArgumentException(name() + ": result " + i + " is for " + results.get(i).id()
                        + " but candidate " + pending.get(i).id() + " was asked there");
            }
        }
        pending = null;
        history.record(results);
        observe(results);
    }

    @Override
    public SearchHistory history() { return history; }

    /** Exactly {@code n} candidates of the space. */
    protected abstract List<Candidate> propose(int n);

    /** Learns from a told batch (already recorded in {@link #history}). */
    protected abstract void observe(List<EvaluatedCandidate> results);

    /** A uniformly random candidate. */
    protected Candidate randomCandidate() {
        int[] g = new int[space.dimensions()];
        for (int i = 0; i < g.length; i++) g[i] = rng.nextInt(space.optionCount(i));
        return space.candidate(g);
    }

    /** True when neither told before nor already in the batch being built. */
    protected boolean fresh(Candidate c, Set<Candidate> batch) {
        return !history.seen(c) && !batch.contains(c);
    }

    /** A random candidate not seen before, if one is found within {@link #FRESH_TRIES} draws. */
    protected Candidate freshRandom(Set<Candidate> batch) {
        Candidate c = randomCandidate();
        for (int t = 1; t < FRESH_TRIES && !fresh(c, batch); t++) c = randomCandidate();
        return c;
    }

    static Set<Candidate> newBatchSet() { return new HashSet<>(); }
}
