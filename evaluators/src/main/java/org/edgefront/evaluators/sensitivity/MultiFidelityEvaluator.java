package org.edgefront.evaluators.sensitivity;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.edgefront.evaluators.Evaluator;
import org.edgefront.evaluators.quality.QualityEvaluator;
import org.edgefront.space.candidate.Candidate;
import org.edgefront.space.candidate.SearchSpace;
import org.edgefront.space.metric.Evaluation;
import org.edgefront.space.metric.Measurements;
import org.edgefront.space.metric.Metric;

/**
 * EvoPress-style staged evaluation of a batch: every candidate is first judged by the additive proxy of a
 * {@link SensitivityTable} (fidelity {@code "proxy"}); the best {@code keepFractions[0]} of the batch by proxy
 * are measured with the first (cheapest) quality evaluator (fidelity {@code "measured:<tokens>"}); the best
 * {@code keepFractions[1]} of those by that measurement are measured with the next evaluator on more tokens,
 * and so on. "Best" is multi-objective: candidates are ranked by non-dominated sorting on (quality score,
 * exact weight bytes), then by score, so compressed and uncompressed ends of the front are both promoted.
 * Each candidate's result is its highest-fidelity evaluation; {@link Metric#KL} holds the proxy or
 * the measured KL (nats/token) accordingly and {@link Metric#FIDELITY_STAGE} says which (0 = proxy, k = stage
 * k), so a search can require the final stage as a constraint rather than compare values across fidelities. Ties are broken by position in the batch, so the result depends only on
 * the batch (evaluate a whole batch in one call, not split across partitions, to keep it independent of
 * partitioning).
 *
 * <p>Ownership: borrows the stage evaluators (the caller closes them; {@link #close()} does nothing).
 * Thread-safety: not thread-safe.
 */
public final class MultiFidelityEvaluator implements Evaluator {
    /** Recorded with every evaluation (followed by the stage evaluator's version for measured ones). */
    public static final String VERSION = "multi-fidelity/1";

    private final SearchSpace space;
    private final SensitivityTable table;
    private final List<QualityEvaluator> stages;
    private final double[] keepFractions;

    /**
     * @param space         the searched space (the table must fit it)
     * @param table         sensitivity table of {@code space}
     * @param stages        quality evaluators on growing token counts (each must measure more tokens than the last)
     * @param keepFractions for each stage, the fraction in (0, 1] of the previous stage's candidates promoted to it
     *                      (at least one candidate is always promoted)
     */
    public MultiFidelityEvaluator(SearchSpace space, SensitivityTable table, List<QualityEvaluator> stages, double[] keepFractions) {
        this.space = Objects.requireNonNull(space, "space");
        this.table = Objects.requireNonNull(table, "table");
        this.stages = List.copyOf(stages);
        this.keepFractions = keepFractions.clone();
        if (!table.fits(space)) throw new IllegalArgumentException("sensitivity table does not fit the search space");
        if (this.stages.size() != this.keepFractions.length) {
            throw new IllegalArgumentException(this.stages.size() + " stages but " + this.keepFractions.length + " keep fractions");
        }
        for (int s = 0; s < this.keepFractions.length; s++) {
            double f = this.keepFractions[s];
            if (!(f > 0 && f <= 1)) throw new IllegalArgumentException("keep fraction " + s + " must be in (0, 1], got " + f);
            if (s > 0 && this.stages.get(s).tokens() <= this.stages.get(s - 1).tokens()) {
                throw new IllegalArgumentException("stage " + s + " measures " + this.stages.get(s).tokens() + " tokens, not more than stage " + (s - 1));
            }
        }
    }

    @Override
    public Set<Metric> provides() { return EnumSet.of(Metric.KL, Metric.FIDELITY_STAGE); }

    /** A single candidate is judged at the highest fidelity (it is the whole batch's best). */
    @Override
    public Evaluation evaluate(Candidate candidate) { return evaluateAll(List.of(candidate)).get(0); }

    @Override
    public List<Evaluation> evaluateAll(List<Candidate> batch) {
        int n = batch.size();
        Evaluation[] out = new Evaluation[n];
        double[] score = new double[n];
        double[] bytes = new double[n];
        List<Integer> alive = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Candidate c = batch.get(i);
            if (!space.contains(c)) {
                out[i] = Evaluation.failed(c.id(), "candidate is not in the search space", VERSION);
                continue;
            }
            double p = table.proxy(c);
            if (!Double.isFinite(p)) {
                out[i] = Evaluation.failed(c.id(), "proxy is infinite: a chosen option failed when profiled", VERSION);
                continue;
            }
            score[i] = p;
            bytes[i] = weightBytes(c);
            out[i] = Evaluation.ok(c.id(), Measurements.EMPTY.with(Metric.KL, p).with(Metric.FIDELITY_STAGE, 0), "proxy", VERSION);
            alive.add(i);
        }
        for (int s = 0; s < stages.size() && !alive.isEmpty(); s++) {
            int[] rank = paretoRanks(alive, score, bytes);
            java.util.Map<Integer, Integer> rankOf = new java.util.HashMap<>();
            for (int k = 0; k < alive.size(); k++) rankOf.put(alive.get(k), rank[k]);
            alive.sort(Comparator.<Integer>comparingInt(rankOf::get).thenComparingDouble(i -> score[i]).thenComparingInt(i -> i));
            int keep = Math.max(1, (int) Math.ceil(keepFractions[s] * alive.size()));
            List<Integer> next = new ArrayList<>();
            QualityEvaluator q = stages.get(s);
            for (int i : alive.subList(0, Math.min(keep, alive.size()))) {
                Evaluation e = q.evaluate(batch.get(i));
                if (!e.ok()) {
                    out[i] = Evaluation.failed(e.candidateId(), e.failureReason(), VERSION + "+" + q.version());
                    continue;
                }
                out[i] = new Evaluation(e.candidateId(), e.status(), e.measurements().with(Metric.FIDELITY_STAGE, s + 1), "",
                        e.fidelity(), VERSION + "+" + q.version());
                score[i] = e.measurements().get(Metric.KL);
                next.add(i);
            }
            alive = next;
        }
        return List.of(out);
    }

    /** Exact weight bytes of a candidate: from the table's entries, or at its pruned shapes when structure is searched. */
    private double weightBytes(Candidate c) {
        if (space.hasStructure()) return space.weightBytes(c);
        double b = 0;
        for (int i = 0; i < table.rows().size(); i++) b += table.rows().get(i).entries().get(c.gene(i)).weightBytes();
        return b;
    }

    /** Non-dominated sorting rank (0 = first front) of each alive candidate on (score, bytes), both minimized. */
    private static int[] paretoRanks(List<Integer> alive, double[] score, double[] bytes) {
        int m = alive.size();
        int[] rank = new int[m];
        java.util.Arrays.fill(rank, -1);
        int assigned = 0;
        for (int r = 0; assigned < m; r++) {
            List<Integer> layer = new ArrayList<>();
            for (int a = 0; a < m; a++) {
                if (rank[a] >= 0) continue;
                int ia = alive.get(a);
                boolean dominated = false;
                for (int b = 0; b < m && !dominated; b++) {
                    if (b == a || (rank[b] >= 0 && rank[b] < r)) continue;
                    if (rank[b] >= 0) continue;
                    int ib = alive.get(b);
                    dominated = score[ib] <= score[ia] && bytes[ib] <= bytes[ia] && (score[ib] < score[ia] || bytes[ib] < bytes[ia]);
                }
                if (!dominated) layer.add(a);
            }
            for (int a : layer) rank[a] = r;
            assigned += layer.size();
        }
        return rank;
    }

    @Override
    public String version() { return VERSION; }

    /**
     * Builds the stage evaluators and a multi-fidelity evaluator over them where it runs; the evaluator it
     * returns owns its stages and closes them. Holds only serializable configuration.
     *
     * @param space         the searched space
     * @param table         its sensitivity table
     * @param stages        quality evaluator factories on growing token counts
     * @param keepFractions fraction promoted to each stage
     */
    public record Factory(SearchSpace space, SensitivityTable table, List<QualityEvaluator.Factory> stages, List<Double> keepFractions)
            implements org.edgefront.evaluators.EvaluatorFactory {
        private static final long serialVersionUID = 1L;

        @Override
        public Evaluator create() {
            List<QualityEvaluator> built = new ArrayList<>();
            try {
                for (QualityEvaluator.Factory f : stages) built.add(f.create());
                return owning(built);
            } catch (RuntimeException e) {
                for (QualityEvaluator q : built) q.close();
                throw e;
            }
        }

        @Override
        public Factory withThreads(int threads) {
            List<QualityEvaluator.Factory> t = new ArrayList<>();
            for (QualityEvaluator.Factory f : stages) t.add(f.withThreads(threads));
            return new Factory(space, table, t, keepFractions);
        }

        /** A multi-fidelity evaluator that owns (and closes) its stages; its concurrent copies share theirs. */
        private Evaluator owning(List<QualityEvaluator> built) {
            double[] keep = keepFractions.stream().mapToDouble(Double::doubleValue).toArray();
            MultiFidelityEvaluator mf = new MultiFidelityEvaluator(space, table, built, keep);
            return new Evaluator() {
                @Override
                public Set<Metric> provides() { return mf.provides(); }

                @Override
                public Evaluation evaluate(Candidate c) { return mf.evaluate(c); }

                @Override
                public List<Evaluation> evaluateAll(List<Candidate> batch) { return mf.evaluateAll(batch); }

                @Override
                public String version() { return mf.version(); }

                @Override
                public void close() { for (QualityEvaluator q : built) q.close(); }

                @Override
                public Evaluator concurrentCopy() {
                    List<QualityEvaluator> copies = Evaluator.concurrentCopies(built, QualityEvaluator::concurrentCopy);
                    return copies == null ? null : owning(copies);
                }
            };
        }
    }

    @Override
    public void close() {
        // the stage evaluators belong to the caller
    }
}
