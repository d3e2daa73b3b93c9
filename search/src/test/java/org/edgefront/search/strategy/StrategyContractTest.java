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

    /**
     * The share of random search's hypervolume gap to the exact front that this strategy must close at the same
     * budget (see {@link #beatsRandomSearchOnASpaceFarLargerThanTheBudget}); NaN for random search itself, the
     * baseline. A sampling design that does not optimize may state a negative share: how much worse than random
     * it may be.
     */
    protected double requiredGapClosedOverRandom() { return 0.3; }

    @Test
    void beatsRandomSearchOnASpaceFarLargerThanTheBudget() {
        double required = requiredGapClosedOverRandom();
        org.junit.jupiter.api.Assumptions.assumeFalse(Double.isNaN(required), "random search is the baseline");
        SearchSpace space = Toy.space(2, 6); // 15 decisions of 6 options: 6^15 (4.7e11) candidates for 600 evaluations
        AdditiveModel model = withExactBytes(space, Toy.model(space, 8));
        List<double[]> truth = org.edgefront.search.additive.ParetoDp.solve(model).points();
        double[] ref = referenceOfPoints(truth);
        double exactHv = Hypervolume.exact(truth, ref);
        double mine = 0, random = 0;
        for (long seed : new long[] {21, 22, 23}) {
            mine += Hypervolume.exact(Toy.run(create(space, model, seed), problem, model, 600, 20).objectiveVectors(), ref) / exactHv / 3;
            random += Hypervolume.exact(Toy.run(new RandomSearch(space, seed), problem, model, 600, 20).objectiveVectors(), ref) / exactHv / 3;
        }
        double closed = (mine - random) / (1 - random);
        System.out.printf("%s: hv ratio %.4f, random %.4f, gap closed %.3f (required %.2f)%n", getClass().getSimpleName(), mine, random, closed, required);
        assertTrue(mine <= 1 + 1e-9, "above the exact front: " + mine);
        assertTrue(closed >= required, String.format("hv ratio %.4f vs random search %.4f closes %.3f of the gap, required %.2f",
                mine, random, closed, required));
    }

    /**
     * The toy model's loss with the space's exact weight bytes as the bytes objective, so that strategies that
     * plan in stored bytes (EvoPress's budgets) and those that learn the objective face the same problem.
     */
    static AdditiveModel withExactBytes(SearchSpace space, AdditiveModel toy) {
        double[][] bytes = AdditiveModel.weightBytes(space);
        double[][][] c = new double[space.dimensions()][][];
        for (int i = 0; i < c.length; i++) {
            c[i] = new double[space.optionCount(i)][];
            for (int o = 0; o < c[i].length; o++) c[i][o] = new double[] {bytes[i][o], toy.cost(i, o, 1)};
        }
        return new AdditiveModel(c);
    }

    /** The exact front's nadir pushed out by a tenth of its range. */
    static double[] referenceOfPoints(List<double[]> points) {
        double[] ref = {Double.NEGATIVE_INFINITY, Double.NEGATIVE_INFINITY};
        double[] lo = {Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY};
        for (double[] p : points) {
            for (int j = 0; j < 2; j++) { ref[j] = Math.max(ref[j], p[j]); lo[j] = Math.min(lo[j], p[j]); }
        }
        for (int j = 0; j < 2; j++) ref[j] += 0.1 * (ref[j] - lo[j]) + 1e-9;
        return ref;
    }
}
