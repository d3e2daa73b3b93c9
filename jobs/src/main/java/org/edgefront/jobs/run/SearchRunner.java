package org.edgefront.jobs.run;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.edgefront.jobs.results.EvaluationStore;
import org.edgefront.jobs.results.SearchResult;
import org.edgefront.search.archive.ParetoArchive;
import org.edgefront.search.metrics.Hypervolume;
import org.edgefront.search.problem.EvaluatedCandidate;
import org.edgefront.search.problem.Problem;
import org.edgefront.search.strategy.SearchStrategy;
import org.edgefront.space.candidate.Candidate;
import org.edgefront.space.metric.Evaluation;

/**
 * The driver loop: {@code strategy.ask -> evaluate the batch -> strategy.tell}, one generation at a time.
 * Duplicate candidates are evaluated once; every generation's new evaluations are checkpointed before
 * the strategy sees them, so the loop can be replayed after a crash (see {@link EvaluationStore}).
 * Owns nothing it is given. Not thread-safe.
 */
public final class SearchRunner {
    private final Problem problem;
    private final BatchEvaluator evaluator;
    private final EvaluationStore store;
    private final ProgressListener progress;
    private final double maxFailureRate;

    public SearchRunner(Problem problem, BatchEvaluator evaluator, EvaluationStore store, ProgressListener progress,
                        double maxFailureRate) {
        this.problem = problem;
        this.evaluator = evaluator;
        this.store = store;
        this.progress = progress;
        this.maxFailureRate = maxFailureRate;
    }

    /** Thrown when more than the allowed share of evaluations failed; the checkpoint keeps what was done. */
    public static final class TooManyFailuresException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        TooManyFailuresException(String message) { super(message); }
    }

    /** Runs {@code generations} generations of {@code batchSize} candidates each. */
    public SearchResult run(SearchStrategy strategy, int generations, int batchSize) {
        long start = System.nanoTime();
        ParetoArchive archive = new ParetoArchive();
        Map<Candidate, EvaluatedCandidate> seen = new LinkedHashMap<>();
        int newly = 0;
        double[][] reference = null;
        for (int gen = 0; gen < generations; gen++) {
            List<Candidate> asked = strategy.ask(batchSize);
            List<Candidate> todo = new ArrayList<>();
            for (Candidate c : asked) if (!seen.containsKey(c) && store.get(c) == null && !todo.contains(c)) todo.add(c);
            if (!todo.isEmpty()) {
                List<Evaluation> results = evaluator.evaluate(todo);
                if (results.size() != todo.size()) throw new IllegalStateException("evaluator returned " + results.size() + " results for " + todo.size());
                for (int i = 0; i < todo.size(); i++) {
                    if (!results.get(i).candidateId().equals(todo.get(i).id())) throw new IllegalStateException("evaluation order mismatch");
                }
                store.append(gen, todo, results);
                newly += todo.size();
            }
            List<EvaluatedCandidate> told = new ArrayList<>(asked.size());
            for (Candidate c : asked) {
                EvaluatedCandidate ec = seen.get(c);
                if (ec == null) {
                    ec = problem.assess(c, store.get(c));
                    seen.put(c, ec);
                    archive.add(ec);
                }
                told.add(ec);
            }
            strategy.tell(told);

            long failed = seen.values().stream().filter(EvaluatedCandidate::failed).count();
            if (seen.size() >= 10 && failed > maxFailureRate * seen.size()) {
                throw new TooManyFailuresException(String.format("%d of %d evaluations failed (more than the allowed %.0f%%); first reason: %s",
                        failed, seen.size(), 100 * maxFailureRate, firstFailure(seen.values())));
            }
            // the box is fixed once every objective spans a range, so values stay comparable between generations
            if (reference == null || degenerate(reference)) reference = reference(seen.values());
            double elapsed = (System.nanoTime() - start) / 1e9;
            double eta = gen + 1 < generations ? elapsed / (gen + 1) * (generations - gen - 1) : 0;
            progress.generationDone(new ProgressListener.GenerationProgress(gen + 1, generations, seen.size(), todo.size(),
                    seen.values().stream().filter(EvaluatedCandidate::feasible).count(), failed, archive.front().size(),
                    hypervolume(archive.front(), reference), eta));
        }
        return new SearchResult(new ArrayList<>(seen.values()), archive.front(), generations, newly,
                (System.nanoTime() - start) / 1e9, evaluator.describe());
    }

    private static String firstFailure(Iterable<EvaluatedCandidate> all) {
        for (EvaluatedCandidate e : all) if (e.failed()) return e.evaluation().failureReason();
        return "";
    }

    /**
     * Normalization box for the progress hypervolume, fixed after the first generation that has feasible
     * points: per objective the best value and a reference 10% of the range beyond the worst.
     */
    private static double[][] reference(Iterable<EvaluatedCandidate> all) {
        double[] best = null;
        double[] worst = null;
        for (EvaluatedCandidate e : all) {
            if (!e.feasible()) continue;
            double[] o = e.objectives();
            if (best == null) {
                best = o.clone();
                worst = o.clone();
            }
            for (int i = 0; i < o.length; i++) {
                best[i] = Math.min(best[i], o[i]);
                worst[i] = Math.max(worst[i], o[i]);
            }
        }
        if (best == null) return null;
        for (int i = 0; i < worst.length; i++) worst[i] += 0.1 * (worst[i] - best[i]) + 1e-12 * (1 + Math.abs(worst[i]));
        return new double[][] {best, worst};
    }

    /** True when some objective had a single value when the box was drawn (too few feasible points yet). */
    private static boolean degenerate(double[][] box) {
        for (int i = 0; i < box[0].length; i++) if (box[1][i] - box[0][i] <= 1e-9 * (1 + Math.abs(box[0][i]))) return true;
        return false;
    }

    /** Hypervolume of the feasible front in the normalized box (unit-free, comparable between generations). */
    private static double hypervolume(List<EvaluatedCandidate> front, double[][] box) {
        if (box == null || box[0].length > 3) return Double.NaN;
        List<double[]> norm = new ArrayList<>();
        for (EvaluatedCandidate e : front) {
            if (!e.feasible()) continue;
            double[] p = e.objectives();
            double[] q = new double[p.length];
            // points better than the box's best (found after it was fixed) count as on its edge: the value stays in [0, 1]
            for (int i = 0; i < p.length; i++) q[i] = Math.max(0, (p[i] - box[0][i]) / (box[1][i] - box[0][i]));
            norm.add(q);
        }
        if (norm.isEmpty()) return Double.NaN;
        double[] ones = new double[box[0].length];
        java.util.Arrays.fill(ones, 1.0);
        return Hypervolume.exact(norm, ones);
    }
}
