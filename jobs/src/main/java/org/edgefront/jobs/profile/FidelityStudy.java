package org.edgefront.jobs.profile;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.commons.math3.random.RandomGenerator;
import org.apache.commons.math3.random.Well19937c;
import org.apache.commons.math3.stat.correlation.SpearmansCorrelation;
import org.edgefront.evaluators.quality.QualityEvaluator;
import org.edgefront.evaluators.sensitivity.SensitivityTable;
import org.edgefront.search.additive.AdditiveModel;
import org.edgefront.space.candidate.Candidate;
import org.edgefront.space.candidate.SearchSpace;
import org.edgefront.space.metric.Evaluation;
import org.edgefront.space.metric.Metric;

/**
 * How well the additive proxy predicts the measured KL: random candidates spanning light to heavy compression,
 * each with its proxy (sum of {@link SensitivityTable} entries) and its measured KL, and the Spearman rank
 * correlation of the two.
 *
 * <p>Sampling scheme ({@link #spanningSample}): each decision's options are ranked by their exact weight bytes,
 * largest first (rank 0 = lightest compression, rank K-1 = heaviest; ties keep option order). Per candidate a
 * compression level {@code L} is drawn uniformly from [0, K-1]; each decision then takes rank
 * {@code clamp(round(L + N(0, spread^2)), 0, K-1)} independently. Low levels give near-uncompressed candidates,
 * high levels nearly uniform heavy ones, and the per-decision noise mixes options within a candidate. Every draw
 * comes from one Well19937c seeded with the given seed. Structural decisions draw the same way over their options
 * in order (0 keeps everything). Stateless.
 */
public final class FidelityStudy {
    /** Default per-decision spread around the candidate's level, in option ranks. */
    public static final double DEFAULT_SPREAD = 1.0;

    private FidelityStudy() {}

    /** One candidate's proxy and measured KL (nats/token), with its exact weight bytes. */
    public record Pair(Candidate candidate, double proxy, double measuredKl, long weightBytes) {}

    /** All pairs and the Spearman rank correlation of proxy vs measured KL (NaN for fewer than 2 pairs). */
    public record Result(List<Pair> pairs, double spearman, int failed) {}

    /** {@code n} candidates spanning light to heavy compression (see the class comment). */
    public static List<Candidate> spanningSample(SearchSpace space, int n, long seed, double spread) {
        RandomGenerator rng = new Well19937c(seed);
        double[][] tensorBytes = AdditiveModel.weightBytes(space.withStructure(List.of()));
        int d = space.dimensions();
        int[][] byRank = new int[d][];
        int maxK = 1;
        for (int i = 0; i < d; i++) {
            // structural options are already ordered from keeping everything to pruning most
            final double[] b = i < tensorBytes.length ? tensorBytes[i] : java.util.stream.IntStream.range(0, space.optionCount(i)).mapToDouble(o -> -o).toArray();
            List<Integer> idx = new ArrayList<>();
            for (int o = 0; o < b.length; o++) idx.add(o);
            idx.sort(Comparator.<Integer>comparingDouble(o -> -b[o]).thenComparingInt(o -> o));
            byRank[i] = idx.stream().mapToInt(Integer::intValue).toArray();
            maxK = Math.max(maxK, b.length);
        }
        List<Candidate> out = new ArrayList<>(n);
        for (int k = 0; k < n; k++) {
            double level = rng.nextDouble() * (maxK - 1);
            int[] g = new int[d];
            for (int i = 0; i < d; i++) {
                int kk = byRank[i].length;
                // scale the level to this decision's option count so decisions with fewer options span too
                double l = maxK == 1 ? 0 : level * (kk - 1) / (maxK - 1);
                long r = Math.round(l + spread * rng.nextGaussian());
                g[i] = byRank[i][(int) Math.max(0, Math.min(kk - 1, r))];
            }
            out.add(space.candidate(g));
        }
        return out;
    }

    /** Measures each candidate with {@code evaluator} and pairs it with its proxy; failed measurements are counted and left out. */
    public static Result run(QualityEvaluator evaluator, SearchSpace space, SensitivityTable table, List<Candidate> candidates) {
        if (!table.fits(space)) throw new IllegalArgumentException("sensitivity table does not fit the search space");
        List<Pair> pairs = new ArrayList<>();
        int failed = 0;
        for (Candidate c : candidates) {
            Evaluation e = evaluator.evaluate(c);
            double proxy = table.proxy(c);
            if (!e.ok() || !Double.isFinite(proxy)) {
                failed++;
                continue;
            }
            pairs.add(new Pair(c, proxy, e.measurements().get(Metric.KL), space.weightBytes(c)));
        }
        return new Result(pairs, spearman(pairs), failed);
    }

    /** Spearman rank correlation of proxy vs measured KL (average ranks for ties); NaN below 2 pairs. */
    public static double spearman(List<Pair> pairs) {
        if (pairs.size() < 2) return Double.NaN;
        double[] x = new double[pairs.size()];
        double[] y = new double[pairs.size()];
        for (int i = 0; i < x.length; i++) {
            x[i] = pairs.get(i).proxy();
            y[i] = pairs.get(i).measuredKl();
        }
        return new SpearmansCorrelation().correlation(x, y);
    }
}
