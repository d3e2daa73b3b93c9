package org.edgefront.search.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.edgefront.search.additive.AdditiveModel;
import org.edgefront.space.candidate.SearchSpace;
import org.edgefront.space.model.ModelArchitecture;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

class SearchBenchmarkTest {
    private static final int[] CHECKPOINTS = {300, 1000};

    private static ModelArchitecture small() {
        return ModelArchitecture.llama("small", 512, 1024, 4, 8, 2, 1000, 256, false, 1e-5, 10000, true);
    }

    @Test
    void llama3ShapedSpaceHas224SearchedTensorsOf27OptionsAndExactBytes() {
        SearchSpace space = SearchBenchmark.space(SearchBenchmark.llama3_8b());
        assertEquals(226, space.dimensions());
        long searched = java.util.stream.IntStream.range(0, space.dimensions()).filter(i -> space.optionCount(i) == 27).count();
        assertEquals(224, searched);
        double[][] bytes = AdditiveModel.weightBytes(space);
        int q0 = 1; // blk.0.attn_q (4096 x 4096); option 6 is Q4_0 dense: 18 bytes per 32 weights
        assertEquals("Q4_0", space.decisions().get(q0).options().get(6).label());
        assertEquals(4096.0 * (4096 / 32) * 18, bytes[q0][6]);
    }

    @Test
    void syntheticSensitivityIsSeededAndOrderedByPrecision() {
        SearchSpace space = SearchBenchmark.space(small());
        double[][] a = SyntheticSensitivity.proxyKl(space, 5), b = SyntheticSensitivity.proxyKl(space, 5);
        for (int i = 0; i < a.length; i++) assertArrayEquals(a[i], b[i]);
        int lowerLossAtMoreBits = 0, pairs = 0;
        for (int i = 1; i < a.length - 1; i++) {
            assertEquals(0.0, a[i][0], "dense F16 is lossless");
            for (int o = 0; o < 27; o++) assertTrue(a[i][o] >= 0);
            for (int o = 0; o + 1 < 9; o++) { pairs++; if (a[i][o] <= a[i][o + 1]) lowerLossAtMoreBits++; }
        }
        assertTrue(lowerLossAtMoreBits > 0.9 * pairs, lowerLossAtMoreBits + " of " + pairs);
    }

    /** Hypervolume ratios measured at 1000 evaluations on the small space, seed 3 (printed by the test). */
    private static final java.util.Map<String, Double> MEASURED_AT_1000 = java.util.Map.of(
            "random", 0.82028, "lhs", 0.81263, "nsga2", 0.98568, "evopress", 0.95566, "greedy", 0.99966, "dp", 0.99994);

    @Test
    void noStrategyExceedsTheExactFrontAndGreedyBeatsRandom() {
        SearchBenchmark.Setup s = SearchBenchmark.setup(small(), 3);
        double greedy = 0, random = 0;
        double[] randomAt = null;
        for (String name : List.of("random", "lhs", "nsga2", "evopress", "greedy", "dp")) {
            List<SearchBenchmark.Result> rows = SearchBenchmark.run(s, name, 3, CHECKPOINTS, 50, 30);
            assertEquals(2, rows.size());
            if (randomAt == null) randomAt = new double[] {rows.get(0).hvRatio(), rows.get(1).hvRatio()};
            for (int k = 0; k < rows.size(); k++) {
                SearchBenchmark.Result r = rows.get(k);
                assertTrue(r.hvRatio() <= 1 + 1e-9, name + " beat the exact front: " + r.hvRatio());
                // the sampling designs (random, Latin hypercube) are the baseline; every other strategy must
                // beat random search's hypervolume at the same number of evaluations
                if (!name.equals("random") && !name.equals("lhs")) {
                    assertTrue(r.hvRatio() > randomAt[k], name + " at " + CHECKPOINTS[k] + ": " + r.hvRatio() + " <= random " + randomAt[k]);
                }
                System.out.printf("search benchmark (small): %s at %d: hv ratio %.5f%n", name, CHECKPOINTS[k], r.hvRatio());
                // each strategy keeps the hypervolume it was measured to reach at 1000 evaluations (seeded), within
                // 0.005: nsga2 reduced to random variation still reaches 0.978 from its uniform anchors
                if (k == 1) {
                    assertTrue(r.hvRatio() >= MEASURED_AT_1000.get(name) - 0.005,
                            name + " at 1000: " + r.hvRatio() + " < measured " + MEASURED_AT_1000.get(name) + " - 0.005");
                }
            }
            assertTrue(rows.get(1).hvRatio() >= rows.get(0).hvRatio() - 1e-12, name + " lost hypervolume");
            if (name.equals("greedy")) greedy = rows.get(1).hvRatio();
            if (name.equals("random")) random = rows.get(1).hvRatio();
        }
        assertTrue(greedy > 0.99, "greedy " + greedy);
        assertTrue(greedy > random, "greedy " + greedy + " random " + random);
    }

    @Tag("slow")
    @Test
    void bestStrategyReachesTheIssueTargetOnTheLlama3ShapedSpace() {
        SearchBenchmark.Setup s = SearchBenchmark.setup(1);
        List<SearchBenchmark.Result> rows = SearchBenchmark.run(s, "greedy", 1, new int[] {5000}, 100, 100);
        assertTrue(rows.get(0).hvRatio() >= 0.995, "greedy hv ratio at 5000: " + rows.get(0).hvRatio());
    }
}
