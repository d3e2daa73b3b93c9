package org.edgefront.search.strategy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import org.edgefront.search.Toy;
import org.edgefront.search.additive.AdditiveModel;
import org.edgefront.search.archive.ParetoArchive;
import org.edgefront.search.metrics.Hypervolume;
import org.edgefront.search.problem.EvaluatedCandidate;
import org.edgefront.search.problem.Problem;
import org.edgefront.space.candidate.Candidate;
import org.edgefront.space.candidate.SearchSpace;
import org.edgefront.space.metric.Evaluation;
import org.junit.jupiter.api.Test;

/** The ask/tell contract every strategy must keep. Subclasses say how to build theirs. */
abstract class StrategyContractTest {
    protected final Problem problem = Toy.problem();

    /** A strategy for {@code space} whose model (when it uses one) is {@code model}. */
    protected abstract SearchStrategy create(SearchSpace space, AdditiveModel model, long seed);

    private List<List<Candidate>> trace(SearchSpace space, AdditiveModel model, long seed, int rounds) {
        SearchStrategy s = create(space, model, seed);
        List<List<Candidate>> asks = new ArrayList<>();
        for (int r = 0; r < rounds; r++) {
            List<Candidate> a = s.ask(7 + r % 5); // uneven batch sizes
            asks.add(a);
            List<EvaluatedCandidate> told = new ArrayList<>();
            for (Candidate c : a) told.add(Toy.evaluate(problem, model, c));
            s.tell(told);
        }
        return asks;
    }

    @Test
    void asksAreExactlyTheRequestedNumberOfCandidatesInTheSpace() {
        SearchSpace space = Toy.space(2, 6);
        AdditiveModel model = Toy.model(space, 1);
        for (List<Candidate> batch : trace(space, model, 3, 30)) {
            for (Candidate c : batch) assertTrue(space.contains(c), c + " is outside the space");
        }
        List<List<Candidate>> t = trace(space, model, 3, 5);
        for (int r = 0; r < 5; r++) assertEquals(7 + r % 5, t.get(r).size());
    }

    @Test
    void sameSeedAndSameTellsGiveSameAsks() {
        SearchSpace space = Toy.space(2, 6);
        AdditiveModel model = Toy.model(space, 2);
        assertEquals(trace(space, model, 17, 40), trace(space, model, 17, 40));
    }

    @Test
    void replayingRecordedResultsReproducesTheRunAndItsContinuation() {
        // resume-by-replay: a fresh strategy told the recorded results asks exactly what the original asked
        SearchSpace space = Toy.space(2, 6);
        AdditiveModel model = Toy.model(space, 9);
        SearchStrategy original = create(space, model, 33);
        List<List<EvaluatedCandidate>> recorded = new ArrayList<>();
        for (int r = 0; r < 12; r++) {
            List<EvaluatedCandidate> told = new ArrayList<>();
            for (Candidate c : original.ask(9)) told.add(Toy.evaluate(problem, model, c));
            original.tell(told);
            recorded.add(told);
        }
        SearchStrategy resumed = create(space, model, 33);
        for (List<EvaluatedCandidate> told : recorded) {
            assertEquals(told.stream().map(EvaluatedCandidate::candidate).toList(), resumed.ask(told.size()));
            resumed.tell(told);
        }
        assertEquals(original.ask(13), resumed.ask(13));
    }

    @Test
    void exhaustedSpaceIsAskedAgainInsteadOfHanging() {
        SearchSpace space = Toy.spaceWithDecisions(2, 1); // exactly one candidate
        AdditiveModel model = Toy.model(space, 1);
        SearchStrategy s = create(space, model, 4);
        Candidate only = space.candidate(new int[] {0, 0});
        for (int r = 0; r < 3; r++) {
            List<Candidate> a = s.ask(5);
            assertEquals(java.util.Collections.nCopies(5, only), a);
            List<EvaluatedCandidate> told = new ArrayList<>();
            for (Candidate c : a) told.add(Toy.evaluate(problem, model, c));
            s.tell(told);
        }
        assertEquals(1, s.history().distinctCandidates());
    }

    @Test
    void asksAvoidRepeatsWhileTheSpaceHasRoom() {
        SearchSpace space = Toy.space(2, 6); // 6^15 candidates
        AdditiveModel model = Toy.model(space, 4);
        List<Candidate> all = new ArrayList<>();
        for (List<Candidate> b : trace(space, model, 5, 30)) all.addAll(b);
        assertEquals(all.size(), new HashSet<>(all).size(), "repeated candidates in " + all.size() + " asks");
    }

    @Test
    void protocolViolationsAreRejected() {
        SearchSpace space = Toy.space(1, 4);
        AdditiveModel model = Toy.model(space, 1);
        SearchStrategy s = create(space, model, 1);
        assertThrows(IllegalStateException.class, () -> s.tell(List.of()));
        assertThrows(IllegalArgumentException.class, () -> s.ask(0));
        List<Candidate> a = s.ask(3);
        assertThrows(IllegalStateException.class, () -> s.ask(3));
        List<EvaluatedCandidate> told = new ArrayList<>();
        for (Candidate c : a) told.add(Toy.evaluate(problem, model, c));
        assertThrows(IllegalArgumentException.class, () -> s.tell(told.subList(0, 2)));
        List<EvaluatedCandidate> reversed = new ArrayList<>(told);
        java.util.Collections.reverse(reversed);
        if (!reversed.equals(told)) assertThrows(IllegalArgumentException.class, () -> s.tell(reversed));
        s.tell(told);
        assertEquals(3, s.history().evaluations());
        assertFalse(s.name().isBlank());
    }

    @Test
    void failedEvaluationsAreToleratedAndRecorded() {
        SearchSpace space = Toy.space(1, 4);
        AdditiveModel model = Toy.model(space, 6);
        SearchStrategy s = create(space, model, 2);
        for (int r = 0; r < 20; r++) {
            List<Candidate> a = s.ask(10);
            List<EvaluatedCandidate> told = new ArrayList<>();
            for (int i = 0; i < a.size(); i++) {
                Candidate c = a.get(i);
                told.add(i % 3 == 0
                        ? problem.assess(c, Evaluation.failed(c.id(), "simulated crash", "t"))
                        : Toy.evaluate(problem, model, c));
            }
            s.tell(told);
        }
        assertTrue(s.history().failures() >= 20 * 4 - 1);
        assertEquals(200, s.history().evaluations());
    }

    @Test
    void findsTheKnownFrontOfASmallToyProblem() {
        SearchSpace space = Toy.spaceWithDecisions(5, 3); // 243 candidates
        AdditiveModel model = Toy.model(space, 8);
        ParetoArchive truth = new ParetoArchive();
        for (Candidate c : Toy.enumerate(space)) truth.add(Toy.evaluate(problem, model, c));
        SearchStrategy s = create(space, model, 21);
        ParetoArchive found = Toy.run(s, problem, model, 600, 20);
        double[] ref = referenceOf(truth);
        double ratio = Hypervolume.exact(found.objectiveVectors(), ref) / Hypervolume.exact(truth.objectiveVectors(), ref);
        assertEquals(1.0, ratio, 1e-9, s.name() + " hv ratio");
    }

    static double[] referenceOf(ParetoArchive a) {
        double[] ref = {Double.NEGATIVE_INFINITY, Double.NEGATIVE_INFINITY};
        double[] lo = {Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY};
        for (double[] p : a.objectiveVectors()) {
            for (int j = 0; j < 2; j++) { ref[j] = Math.max(ref[j], p[j]); lo[j] = Math.min(lo[j], p[j]); }
        }
        for (int j = 0; j < 2; j++) ref[j] += 0.1 * (ref[j] - lo[j]) + 1e-9;
        return ref;
    }
}
