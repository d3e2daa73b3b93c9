package org.edgefront.search.additive;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import org.edgefront.search.Toy;
import org.edgefront.search.archive.ParetoArchive;
import org.edgefront.search.problem.EvaluatedCandidate;
import org.edgefront.search.problem.Problem;
import org.edgefront.space.candidate.Candidate;
import org.edgefront.space.candidate.SearchSpace;
import org.junit.jupiter.api.Test;

class ParetoDpTest {
    private final Problem problem = Toy.problem();

    @Test
    void dpFrontEqualsExhaustiveEnumerationOnRandomModels() {
        for (long seed = 0; seed < 12; seed++) {
            SearchSpace space = Toy.spaceWithDecisions(4 + (int) (seed % 3), 3 + (int) (seed % 3));
            AdditiveModel model = Toy.model(space, seed);
            ParetoArchive truth = new ParetoArchive();
            for (Candidate c : Toy.enumerate(space)) truth.add(Toy.evaluate(problem, model, c));
            ParetoDp.Front f = ParetoDp.solve(model);
            assertEquals(truth.size(), f.size(), "front size, seed " + seed);
            List<double[]> expected = truth.objectiveVectors();
            for (int p = 0; p < f.size(); p++) {
                assertArrayEquals(expected.get(p), new double[] {f.objective(p, 0), f.objective(p, 1)}, 1e-9, "seed " + seed + " point " + p);
            }
        }
    }

    @Test
    void rebuiltCandidatesHaveTheFrontsObjectiveValues() {
        SearchSpace space = Toy.space(3, 8);
        AdditiveModel model = Toy.model(space, 99);
        ParetoDp.Front f = ParetoDp.solve(model);
        assertTrue(f.size() > 50, "a 22-decision model should have a large front, got " + f.size());
        for (int p = 0; p < f.size(); p++) {
            double[] v = model.evaluate(space.candidate(f.genes(p)));
            assertEquals(f.objective(p, 0), v[0], 1e-6 * Math.abs(v[0]));
            assertEquals(f.objective(p, 1), v[1], 1e-9);
            if (p > 0) {
                assertTrue(f.objective(p, 0) > f.objective(p - 1, 0));
                assertTrue(f.objective(p, 1) < f.objective(p - 1, 1));
            }
        }
    }

    @Test
    void noSampledCandidateDominatesTheDpFront() {
        SearchSpace space = Toy.space(3, 8);
        AdditiveModel model = Toy.model(space, 5);
        ParetoDp.Front f = ParetoDp.solve(model);
        ParetoArchive a = new ParetoArchive();
        for (int p = 0; p < f.size(); p++) a.add(Toy.evaluate(problem, model, space.candidate(f.genes(p))));
        int frontSize = a.size();
        SplittableRandom r = new SplittableRandom(1);
        for (int i = 0; i < 20000; i++) {
            int[] g = new int[space.dimensions()];
            for (int j = 0; j < g.length; j++) g[j] = r.nextInt(space.optionCount(j));
            EvaluatedCandidate e = Toy.evaluate(problem, model, new Candidate(g));
            a.add(e);
        }
        // random candidates may only tie front points, never replace them
        assertEquals(frontSize, a.size());
    }

    @Test
    void dominatedAndIdenticalOptionsAreHandled() {
        double[][][] c = {
            {{1, 5}, {1, 5}, {2, 6}, {0, 9}}, // option 1 duplicates 0, option 2 is dominated
            {{3, 1}, {1, 3}},
        };
        ParetoDp.Front f = ParetoDp.solve(new AdditiveModel(c));
        // sums: (1,12) (3,10) (2,8) (4,6); (3,10) is dominated by (2,8)
        assertEquals(List.of(1.0, 2.0, 4.0), java.util.stream.IntStream.range(0, f.size()).mapToObj(p -> f.objective(p, 0)).toList());
        assertEquals(List.of(12.0, 8.0, 6.0), java.util.stream.IntStream.range(0, f.size()).mapToObj(p -> f.objective(p, 1)).toList());
        for (int p = 0; p < f.size(); p++) assertTrue(f.genes(p)[0] != 1 && f.genes(p)[0] != 2);
    }

    @Test
    void twoObjectiveSolverRejectsOtherObjectiveCounts() {
        assertThrows(IllegalArgumentException.class, () -> ParetoDp.solve(new AdditiveModel(new double[][][] {{{1, 2, 3}}})));
    }

    private static AdditiveModel randomModel(SplittableRandom r, int d, int k, int m, int grid) {
        double[][][] c = new double[d][k][m];
        for (double[][] dec : c) for (double[] o : dec) for (int j = 0; j < m; j++) o[j] = r.nextInt(grid);
        return new AdditiveModel(c);
    }

    @Test
    void generalDpEqualsEnumerationInThreeAndFourObjectives() {
        SplittableRandom r = new SplittableRandom(17);
        for (int trial = 0; trial < 30; trial++) {
            int m = 3 + trial % 2, d = 3 + r.nextInt(3), k = 2 + r.nextInt(3);
            AdditiveModel model = randomModel(r, d, k, m, trial % 3 == 0 ? 3 : 50); // small grids: many ties
            // enumerate every candidate: the maximal set of distinct vectors, sorted lexicographically
            SearchSpace space = Toy.spaceWithDecisions(d, k);
            java.util.TreeSet<List<Double>> truth = new java.util.TreeSet<>((a, b) -> {
                for (int j = 0; j < a.size(); j++) { int x = Double.compare(a.get(j), b.get(j)); if (x != 0) return x; }
                return 0;
            });
            List<double[]> all = Toy.enumerate(space).stream().map(model::evaluate).toList();
            for (double[] x : all) {
                boolean dominated = all.stream().anyMatch(y -> org.edgefront.search.archive.Dominance.paretoDominates(y, x));
                if (!dominated) truth.add(java.util.Arrays.stream(x).boxed().toList());
            }
            ParetoDp.Front f = ParetoDp.solveAny(model, 100_000);
            assertEquals(truth.size(), f.size(), "trial " + trial);
            int p = 0;
            for (List<Double> t : truth) {
                for (int j = 0; j < m; j++) assertEquals(t.get(j), f.objective(p, j), 1e-9, "trial " + trial);
                assertArrayEquals(f.points().get(p), model.evaluate(space.candidate(f.genes(p))), 1e-9);
                p++;
            }
        }
    }

    @Test
    void generalDpWithTwoObjectivesIsTheFastSolverAndCapsLargeFronts() {
        SearchSpace space = Toy.space(2, 6);
        AdditiveModel two = Toy.model(space, 3);
        assertEquals(ParetoDp.solve(two).points().size(), ParetoDp.solveAny(two, 10).size());
        AdditiveModel three = randomModel(new SplittableRandom(2), 12, 6, 3, 1000);
        assertThrows(IllegalStateException.class, () -> ParetoDp.solveAny(three, 50));
    }

    @Test
    void weightBytesAreExactPerTensorSums() {
        SearchSpace space = Toy.space(1, 3);
        double[][] b = AdditiveModel.weightBytes(space);
        // decision 1 is blk.0.attn_q (256x256): F16 = 2 B/weight, Q8_0 = 34 B per 32 weights
        assertEquals(256.0 * 256 * 2, b[1][0]);
        assertEquals(256.0 * (256 / 32) * 34, b[1][1]);
    }
}
