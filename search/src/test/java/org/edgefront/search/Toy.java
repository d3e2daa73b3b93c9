package org.edgefront.search;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.edgefront.search.additive.AdditiveModel;
import org.edgefront.search.archive.ParetoArchive;
import org.edgefront.search.problem.EvaluatedCandidate;
import org.edgefront.search.problem.Objective;
import org.edgefront.search.problem.Problem;
import org.edgefront.search.strategy.SearchStrategy;
import org.edgefront.space.candidate.Candidate;
import org.edgefront.space.candidate.Decision;
import org.edgefront.space.candidate.SearchSpace;
import org.edgefront.space.compress.TensorChoice;
import org.edgefront.space.metric.Evaluation;
import org.edgefront.space.metric.Measurements;
import org.edgefront.space.metric.Metric;
import org.edgefront.space.model.ModelArchitecture;
import org.edgefront.space.model.TensorSpec;

/** Small seeded spaces, additive toy problems and an ask/tell driver shared by the tests. */
public final class Toy {
    public static final List<String> LABELS = List.of("F16", "Q8_0", "Q6_K", "Q5_K", "Q4_K", "Q4_0", "Q3_K", "Q2_K");

    private Toy() {}

    /** A tiny Llama (tied embeddings) with one decision per linear tensor, each over the first {@code options} labels. */
    public static SearchSpace space(int layers, int options) {
        ModelArchitecture arch = ModelArchitecture.llama("toy", 256, 512, layers, 4, 2, 256, 64, true, 1e-5, 10000, true);
        List<TensorChoice> opts = new ArrayList<>();
        for (int i = 0; i < options; i++) opts.add(TensorChoice.parse(LABELS.get(i)));
        return SearchSpace.perTensor(arch, opts);
    }

    /** A space with exactly {@code decisions} decisions (tensors grouped round-robin), {@code options} options each. */
    public static SearchSpace spaceWithDecisions(int decisions, int options) {
        SearchSpace base = space(Math.max(1, decisions), options);
        List<TensorSpec> tensors = base.architecture().linearTensors();
        List<List<String>> groups = new ArrayList<>();
        for (int i = 0; i < decisions; i++) groups.add(new ArrayList<>());
        for (int t = 0; t < tensors.size(); t++) groups.get(t % decisions).add(tensors.get(t).name());
        List<Decision> ds = new ArrayList<>();
        for (int i = 0; i < decisions; i++) ds.add(new Decision("d" + i, groups.get(i), base.decisions().get(0).options()));
        return new SearchSpace(base.architecture(), ds);
    }

    /** Random additive (bytes, loss) model with a convex-ish trade-off per decision. */
    public static AdditiveModel model(SearchSpace space, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        double[][][] c = new double[space.dimensions()][][];
        for (int i = 0; i < c.length; i++) {
            int k = space.optionCount(i);
            double size = 1 + r.nextInt(8);
            double sens = 0.2 + r.nextDouble() * 2;
            c[i] = new double[k][2];
            for (int o = 0; o < k; o++) {
                double bits = 16.0 - o * (14.0 / Math.max(1, k - 1)) + r.nextDouble() * 0.5;
                c[i][o][0] = Math.round(size * bits * 100);
                c[i][o][1] = sens * Math.pow(2, -bits / 2) * (1 + 0.3 * r.nextDouble());
            }
        }
        return new AdditiveModel(c);
    }

    /** Objectives memory_bytes and proxy_kl, no constraints. */
    public static Problem problem() {
        return new Problem(List.of(Objective.minimize(Metric.MEMORY_BYTES), Objective.minimize(Metric.PROXY_KL)), List.of());
    }

    /** Evaluates a candidate with the additive model as its measured metrics. */
    public static EvaluatedCandidate evaluate(Problem problem, AdditiveModel model, Candidate c) {
        double[] f = model.evaluate(c);
        Measurements m = Measurements.EMPTY.with(Metric.MEMORY_BYTES, f[0]).with(Metric.PROXY_KL, f[1]);
        return problem.assess(c, Evaluation.ok(c.id(), m, "proxy", "toy"));
    }

    /** Runs ask/tell for {@code evaluations} (batches of {@code batch}) and returns the archive of all results. */
    public static ParetoArchive run(SearchStrategy s, Problem problem, AdditiveModel model, int evaluations, int batch) {
        ParetoArchive a = new ParetoArchive();
        int done = 0;
        while (done < evaluations) {
            int n = Math.min(batch, evaluations - done);
            List<Candidate> asked = s.ask(n);
            List<EvaluatedCandidate> told = new ArrayList<>(n);
            for (Candidate c : asked) told.add(evaluate(problem, model, c));
            s.tell(told);
            a.addAll(told);
            done += n;
        }
        return a;
    }

    /** Every candidate of a small space. */
    public static List<Candidate> enumerate(SearchSpace space) {
        List<Candidate> out = new ArrayList<>();
        int d = space.dimensions();
        int[] g = new int[d];
        while (true) {
            out.add(space.candidate(g));
            int i = 0;
            while (i < d && ++g[i] == space.optionCount(i)) g[i++] = 0;
            if (i == d) return out;
        }
    }
}
