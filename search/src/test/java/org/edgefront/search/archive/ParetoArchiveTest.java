package org.edgefront.search.archive;

import static org.edgefront.search.archive.ArchiveFixtures.failed;
import static org.edgefront.search.archive.ArchiveFixtures.point;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.edgefront.search.problem.EvaluatedCandidate;
import org.junit.jupiter.api.Test;

class ParetoArchiveTest {
    @Test
    void dominatedPointIsRejectedAndDominatingPointEvictsMembers() {
        ParetoArchive a = new ParetoArchive();
        assertEquals(AddResult.ADDED, a.add(point(1, 0, 2, 2)));
        assertEquals(AddResult.DOMINATED, a.add(point(2, 0, 3, 2)));
        assertEquals(AddResult.ADDED, a.add(point(3, 0, 1, 3)));
        assertEquals(AddResult.ADDED, a.add(point(4, 0, 1, 1)));
        assertEquals(1, a.size());
        assertEquals(point(4, 0, 1, 1).id(), a.front().get(0).id());
    }

    @Test
    void sameCandidateIdIsDuplicate() {
        ParetoArchive a = new ParetoArchive();
        a.add(point(1, 0, 2, 2));
        assertEquals(AddResult.DUPLICATE, a.add(point(1, 0, 2, 2)));
        assertEquals(1, a.size());
    }

    @Test
    void identicalObjectiveVectorKeepsTheSmallestCandidateId() {
        EvaluatedCandidate x = point(10, 0, 1, 1), y = point(20, 0, 1, 1);
        EvaluatedCandidate first = x.id().compareTo(y.id()) < 0 ? x : y, second = first == x ? y : x;
        ParetoArchive a = new ParetoArchive();
        assertEquals(AddResult.ADDED, a.add(first));
        assertEquals(AddResult.DUPLICATE, a.add(second));
        ParetoArchive b = new ParetoArchive();
        assertEquals(AddResult.ADDED, b.add(second));
        assertEquals(AddResult.ADDED, b.add(first));
        assertEquals(a.front(), b.front());
        assertEquals(List.of(first), b.front());
    }

    @Test
    void feasiblePointBeatsEveryInfeasibleOne() {
        ParetoArchive a = new ParetoArchive();
        a.add(point(1, 0.5, 0, 0));
        assertFalse(a.hasFeasible());
        assertEquals(AddResult.ADDED, a.add(point(2, 0, 9, 9)));
        assertTrue(a.hasFeasible());
        assertEquals(AddResult.DOMINATED, a.add(point(3, 0.01, -5, -5)));
        assertEquals(1, a.size());
    }

    @Test
    void withoutFeasiblePointsTheFrontHoldsTheLeastViolatingPoints() {
        ParetoArchive a = new ParetoArchive();
        a.add(point(1, 0.5, 0, 0));
        a.add(point(2, 0.2, 9, 9));
        a.add(point(3, 0.2, 1, 10));
        a.add(point(4, 0.2, 10, 10));
        a.add(point(5, 0.3, -1, -1));
        assertEquals(0.2, a.violationLevel());
        assertEquals(2, a.size());
        assertEquals(List.of(point(3, 0.2, 1, 10).id(), point(2, 0.2, 9, 9).id()), a.front().stream().map(EvaluatedCandidate::id).toList());
    }

    @Test
    void failedResultNeverEnters() {
        ParetoArchive a = new ParetoArchive();
        assertEquals(AddResult.FAILED, a.add(failed(1)));
        assertTrue(a.isEmpty());
    }

    @Test
    void frontIsSortedByFirstObjectiveThenId() {
        ParetoArchive a = new ParetoArchive();
        a.add(point(1, 0, 3, 1));
        a.add(point(2, 0, 1, 3));
        a.add(point(3, 0, 2, 2));
        assertEquals(List.of(1.0, 2.0, 3.0), a.front().stream().map(e -> e.objective(0)).toList());
    }

    @Test
    void mismatchedObjectiveCountIsRejected() {
        ParetoArchive a = new ParetoArchive();
        a.add(point(1, 0, 3, 1));
        assertThrows(IllegalArgumentException.class, () -> a.add(point(2, 0, 1, 1, 1)));
    }
}
