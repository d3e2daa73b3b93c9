package org.edgefront.jobs.fidelity;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.edgefront.jobs.profile.FidelityStudy;
import org.edgefront.space.candidate.Candidate;
import org.edgefront.space.candidate.SearchSpace;

/**
 * Candidates of similar size, which is what a search has to rank: a Spearman over a sample spread from almost
 * uncompressed to heavily compressed mostly measures the spread, so the fidelity tests also check the
 * correlation within a narrow weight-bytes band.
 */
final class NarrowBand {
    private NarrowBand() {}

    /**
     * {@code n} distinct candidates whose exact weight bytes lie within {@code relHalfWidth} (e.g. 0.03 = 3%) of
     * the median of a seeded {@link FidelityStudy#spanningSample} of {@code pool} candidates, in sample order.
     *
     * @throws IllegalStateException when the pool holds fewer than {@code n} such candidates
     */
    static List<Candidate> aroundMedianBytes(SearchSpace space, int n, int pool, long seed, double relHalfWidth) {
        List<Candidate> all = FidelityStudy.spanningSample(space, pool, seed, FidelityStudy.DEFAULT_SPREAD);
        long[] bytes = all.stream().mapToLong(space::weightBytes).toArray();
        long[] sorted = bytes.clone();
        Arrays.sort(sorted);
        double median = sorted[sorted.length / 2];
        Set<Candidate> band = new LinkedHashSet<>();
        for (int i = 0; i < all.size() && band.size() < n; i++) {
            if (Math.abs(bytes[i] - median) <= relHalfWidth * median) band.add(all.get(i));
        }
        if (band.size() < n) throw new IllegalStateException("only " + band.size() + " of " + n + " candidates within the band");
        return new ArrayList<>(band);
    }

    /** Largest over smallest weight bytes of the pairs (1.0 = all the same size). */
    static double bytesSpread(List<FidelityStudy.Pair> pairs) {
        long lo = Long.MAX_VALUE, hi = 0;
        for (FidelityStudy.Pair p : pairs) {
            lo = Math.min(lo, p.weightBytes());
            hi = Math.max(hi, p.weightBytes());
        }
        return (double) hi / lo;
    }
}
