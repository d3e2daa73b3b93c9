package org.edgefront.search.strategy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.edgefront.search.Toy;
import org.edgefront.search.additive.AdditiveModel;
import org.edgefront.search.additive.ParetoDp;
import org.edgefront.search.archive.Dominance;
import org.edgefront.search.archive.ParetoArchive;
import org.edgefront.search.metrics.Hypervolume;
import org.edgefront.search.problem.EvaluatedCandidate;
import org.edgefront.search.problem.Problem;
import org.edgefront.space.candidate.Candidate;
import org.edgefront.space.candidate.SearchSpace;
import org.junit.jupiter.api.Test;

class StrategyBehaviourTest {
    private final Problem problem = Toy.problem();

    private static double hvRatio(ParetoArchive found, ParetoDp.Front truth) {
        List<double[]> t = truth.points();
        double[] ref = {Double.NEGATIVE_INFINITY, Double.NEGATIVE_INFINITY};
        double[] lo = {Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY};
        for (double[] p : t) for (int j = 0; j < 2; j++) { ref[j] = Math.max(ref[j], p[j]); lo[j] = Math.min(lo[j], p[j]); }
        for (int j = 0; j < 2; j++) ref[j] += 0.1 * (ref[j] - lo[j]);
        return Hypervolume.exact(found.objectiveVectors(), ref) / Hypervolume.exact(t, ref);
    }

    @Test
    void nsga2BeatsRandomSearchOnAMediumProblem() {
        SearchSpace space = Toy.space(4, 8); // 29 decisions, 8^29 candidates
        AdditiveModel model = Toy.model(space, 12);
        ParetoDp.Front truth = ParetoDp.solve(model);
        double nsga = hvRatio(Toy.run(new Nsga2(space, problem, 40, 1), problem, model, 3000, 40), truth);
        double rnd = hvRatio(Toy.run(new RandomSearch(space, 1), problem, model, 3000, 40), truth);
        assertTrue(nsga > rnd + 0.02, "nsga2 " + nsga + " vs random " + rnd);
        assertTrue(nsga > 0.85, "nsga2 hv ratio " + nsga);
    }

    @Test
    void greedyPathPointsLieOnTheExactFront() {
        SearchSpace space = Toy.space(3, 8);
        AdditiveModel model = Toy.model(space, 3);
        ParetoDp.Front truth = ParetoDp.solve(model);
        GreedyAllocation g = new GreedyAllocation(space, model, 1);
        List<Candidate> path = g.ask(g.planSize());
        ParetoArchive exact = new ParetoArchive();
        for (int p = 0; p < truth.size(); p++) exact.add(Toy.evaluate(problem, model, space.candidate(truth.genes(p))));
        for (Candidate c : path) {
            EvaluatedCandidate e = Toy.evaluate(problem, model, c);
            for (EvaluatedCandidate t : exact.front()) {
                assertTrue(!Dominance.paretoDominates(t, e) || Math.abs(t.objective(1) - e.objective(1)) < 1e-12,
                        "greedy point " + e + " dominated by front point " + t);
            }
        }
        assertTrue(path.size() > space.dimensions(), "path should step through every decision's hull");
    }

    @Test
    void dpStrategyReachesTheExactFrontWithinItsSize() {
        SearchSpace space = Toy.space(2, 6);
        AdditiveModel model = Toy.model(space, 4);
        ParetoDp.Front truth = ParetoDp.solve(model);
        DpSeeded s = new DpSeeded(space, model, 1);
        assertEquals(truth.size(), s.planSize());
        assertEquals(1.0, hvRatio(Toy.run(s, problem, model, truth.size(), 50), truth), 1e-12);
    }

    @Test
    void latinHypercubeBalancesEveryDecisionsOptions() {
        SearchSpace space = Toy.space(2, 6);
        List<Candidate> design = LatinHypercube.design(space, 60, new SplittableRandom(3));
        for (int i = 0; i < space.dimensions(); i++) {
            int[] count = new int[6];
            for (Candidate c : design) count[c.gene(i)]++;
            for (int o = 0; o < 6; o++) assertEquals(10, count[o], "decision " + i + " option " + o);
        }
    }

    @Test
    void evoPressOffspringKeepTheirBudget() {
        SearchSpace space = Toy.space(2, 8);
        AdditiveModel model = Toy.model(space, 2);
        EvoPress s = new EvoPress(space, problem, 5, 7);
        double[] budgets = s.budgets();
        double[][] bytes = AdditiveModel.weightBytes(space);
        int slot = 0;
        List<EvaluatedCandidate> all = new ArrayList<>();
        for (int r = 0; r < 20; r++) {
            List<Candidate> a = s.ask(10); // round-robin over 5 budgets
            List<EvaluatedCandidate> told = new ArrayList<>();
            for (Candidate c : a) {
                double w = 0;
                for (int i = 0; i < c.size(); i++) w += bytes[i][c.gene(i)];
                double cap = budgets[slot++ % budgets.length];
                // a random fallback is only used when the budget's neighbourhood is exhausted, not in 200 asks
                assertTrue(w <= cap, "candidate of " + w + " bytes over budget " + cap);
                told.add(Toy.evaluate(problem, model, c));
            }
            s.tell(told);
            all.addAll(told);
        }
        // each budget's parent is the best told result that fits it: lowest quality objective (proxy KL), ties by id
        List<Candidate> parents = s.parents();
        assertEquals(budgets.length, parents.size());
        for (int b = 0; b < budgets.length; b++) {
            EvaluatedCandidate best = null;
            for (EvaluatedCandidate e : all) {
                double w = 0;
                for (int i = 0; i < e.candidate().size(); i++) w += bytes[i][e.candidate().gene(i)];
                if (w > budgets[b]) continue;
                if (best == null || e.objective(1) < best.objective(1)
                        || (e.objective(1) == best.objective(1) && e.id().compareTo(best.id()) < 0)) best = e;
            }
            assertEquals(best.candidate(), parents.get(b), "parent of budget " + b + " (" + budgets[b] + " bytes)");
        }
    }

    @Test
    void factoryBuildsEveryNamedStrategyAndListsValidNamesOtherwise() {
        SearchSpace space = Toy.space(1, 4);
        AdditiveModel model = Toy.model(space, 1);
        for (String n : Strategies.NAMES) assertEquals(n, Strategies.create(n, space, problem, 1, 10).name());
        for (String n : Strategies.MODEL_NAMES) assertEquals(n, Strategies.create(n, space, problem, 1, 10, model).name());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Strategies.create("cma-es", space, problem, 1, 10));
        assertTrue(e.getMessage().contains("nsga2") && e.getMessage().contains("random"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Strategies.create("greedy", space, problem, 1, 10));
    }
}
