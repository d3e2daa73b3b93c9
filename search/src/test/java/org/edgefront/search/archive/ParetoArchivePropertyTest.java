package org.edgefront.search.archive;

import static org.edgefront.search.archive.ArchiveFixtures.failed;
import static org.edgefront.search.archive.ArchiveFixtures.point;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;
import org.edgefront.search.problem.EvaluatedCandidate;
import org.junit.jupiter.api.Test;

/** Seeded property loops over random result sets: many objective counts, ties, violations and failures. */
class ParetoArchivePropertyTest {

    private static List<EvaluatedCandidate> randomResults(SplittableRandom r, int n, int m) {
        List<EvaluatedCandidate> out = new ArrayList<>();
        boolean anyFeasible = r.nextBoolean();
        for (int i = 0; i < n; i++) {
            if (r.nextInt(15) == 0) { out.add(failed(i)); continue; }
            double[] f = new double[m];
            for (int j = 0; j < m; j++) f[j] = r.nextInt(6); // small grid: many ties and identical vectors
            double v = anyFeasible && r.nextBoolean() ? 0 : r.nextInt(3) * 0.5 + 0.25;
            out.add(point(i, v, f));
        }
        return out;
    }

    /** The maximal elements under constrained dominance, with identical twins reduced to the smallest id. */
    private static List<EvaluatedCandidate> bruteForce(List<EvaluatedCandidate> all) {
        List<EvaluatedCandidate> out = new ArrayList<>();
        for (EvaluatedCandidate x : all) {
            if (x.failed()) continue;
            boolean keep = true;
            for (EvaluatedCandidate y : all) {
                if (y.failed() || y == x) continue;
                if (Dominance.constrainedDominates(y, x)) keep = false;
                if (y.totalViolation() == x.totalViolation() && Dominance.sameObjectives(x, y) && y.id().compareTo(x.id()) < 0) keep = false;
            }
            if (keep) out.add(x);
        }
        out.sort(ParetoArchive.FRONT_ORDER);
        return out;
    }

    @Test
    void frontEqualsTheBruteForceMaximalSetAndIgnoresInsertionOrder() {
        SplittableRandom r = new SplittableRandom(42);
        for (int trial = 0; trial < 200; trial++) {
            int m = 1 + r.nextInt(4);
            List<EvaluatedCandidate> results = randomResults(r, 5 + r.nextInt(60), m);
            List<EvaluatedCandidate> expected = bruteForce(results);
            for (int perm = 0; perm < 5; perm++) {
                List<EvaluatedCandidate> shuffled = new ArrayList<>(results);
                Collections.shuffle(shuffled, new Random(trial * 31L + perm));
                ParetoArchive a = new ParetoArchive();
                a.addAll(shuffled);
                assertEquals(expected, a.front(), "trial " + trial + " permutation " + perm);
            }
        }
    }

    @Test
    void membersStayMutuallyNonDominatedAfterEveryAdd() {
        SplittableRandom r = new SplittableRandom(7);
        for (int trial = 0; trial < 100; trial++) {
            ParetoArchive a = new ParetoArchive();
            for (EvaluatedCandidate e : randomResults(r, 80, 2 + r.nextInt(2))) {
                AddResult res = a.add(e);
                if (res == AddResult.ADDED) assertTrue(a.contains(e.id()));
                List<EvaluatedCandidate> f = a.front();
                for (EvaluatedCandidate x : f) {
                    for (EvaluatedCandidate y : f) {
                        assertFalse(Dominance.constrainedDominates(x, y), "member dominates member");
                        if (x != y) assertFalse(Dominance.sameObjectives(x, y), "identical twins kept");
                    }
                }
            }
        }
    }

    @Test
    void rejectedPointsAreDominatedOrDuplicatedByAMember() {
        SplittableRandom r = new SplittableRandom(11);
        for (int trial = 0; trial < 100; trial++) {
            ParetoArchive a = new ParetoArchive();
            for (EvaluatedCandidate e : randomResults(r, 60, 3)) {
                AddResult res = a.add(e);
                if (res == AddResult.DOMINATED) {
                    assertTrue(a.front().stream().anyMatch(m -> Dominance.constrainedDominates(m, e)));
                } else if (res == AddResult.DUPLICATE) {
                    assertTrue(a.front().stream().anyMatch(m -> m.totalViolation() == e.totalViolation() && Dominance.sameObjectives(m, e)));
                }
            }
        }
    }
}
