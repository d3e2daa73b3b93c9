package org.edgefront.search.strategy;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.edgefront.search.problem.EvaluatedCandidate;
import org.edgefront.space.candidate.Candidate;
import org.edgefront.space.candidate.SearchSpace;

/**
 * Latin-hypercube designs over categorical decisions: in a design of {@code n} candidates every decision's
 * options each appear {@code floor(n/k)} or {@code ceil(n/k)} times ({@code k} options), with the columns
 * independently permuted, so small batches cover every option evenly (unlike uniform sampling). As a
 * strategy each ask is a fresh design; {@link #design} also seeds other strategies' initial populations.
 * Not thread-safe.
 */
public final class LatinHypercube extends AskTellStrategy {
    public LatinHypercube(SearchSpace space, long seed) { super(space, seed); }

    @Override
    public String name() { return "lhs"; }

    /** A design of {@code n} candidates drawn from {@code rng} (duplicates possible in tiny spaces). */
    public static List<Candidate> design(SearchSpace space, int n, SplittableRandom rng) {
        int d = space.dimensions();
        int[][] genes = new int[n][d];
        int[] perm = new int[n];
        for (int i = 0; i < d; i++) {
            int k = space.optionCount(i);
            for (int j = 0; j < n; j++) perm[j] = j;
            for (int j = n - 1; j > 0; j--) { // Fisher-Yates
                int r = rng.nextInt(j + 1);
                int t = perm[j]; perm[j] = perm[r]; perm[r] = t;
            }
            // stratum j of n maps to option floor(j*k/n); the random offset of the first stratum breaks the
            // bias towards low option indices when k does not divide n
            int offset = rng.nextInt(k);
            for (int j = 0; j < n; j++) genes[perm[j]][i] = (int) (((long) j * k / n + offset) % k);
        }
        List<Candidate> out = new ArrayList<>(n);
        for (int[] g : genes) out.add(space.candidate(g));
        return out;
    }

    @Override
    protected List<Candidate> propose(int n) {
        List<Candidate> design = design(space, n, rng);
        Set<Candidate> batch = newBatchSet();
        List<Candidate> out = new ArrayList<>(n);
        for (Candidate c : design) {
            if (!fresh(c, batch)) c = freshRandom(batch); // keep the batch free of repeats where possible
            batch.add(c);
            out.add(c);
        }
        return out;
    }

    @Override
    protected void observe(List<EvaluatedCandidate> results) {}
}
