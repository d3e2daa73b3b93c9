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
 * and so on. Each candidate's result is its highest-fidelity evaluation; {@link Metric#KL} holds the proxy or
 * the measured KL (nats/token) accordingly, so a consumer must read {@link Evaluation#fidelity()} before
 * comparing values across fidelities. Ties are broken by position in the batch, so the result depends only on
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
    public Set<Metric> provides() { return EnumSet.of(Metric.KL); }

    /** A single candidate is judged at the highest fidelity (it is the whole batch's best). */
    @Override
    public Evaluation evaluate(Candidate candidate) { return evaluateAll(List.of(candidate)).get(0); }

    @Override
    public List<Evaluation> evaluateAll(List<Candidate> batch) {
        int n = batch.size();
        Evaluation[] out = new Evaluation[n];
        double[] score = new double[n];
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
            out[i] = Evaluation.ok(c.id(), Measurements.EMPTY.with(Metric.KL, p), "proxy", VERSION);
            alive.add(i);
        }
        for (int s = 0; s < stages.size() && !alive.isEmpty(); s++) {
            alive.sort(Comparator.<Integer>comparingDouble(i -> score[i]).thenComparingInt(i -> i));
            int keep = Math.max(1, (int) Math.ceil(keepFractions[s] * alive.size()));
            List<Integer> next = new ArrayList<>();
            QualityEvaluator q = stages.get(s);
            for (int i : alive.subList(0, Math.min(keep, alive.size()))) {
                Evaluation e = q.evaluate(batch.get(i));
                if (!e.ok()) {
                    out[i] = Evaluation.failed(e.candidateId(), e.failureReason(), VERSION + "+" + q.version());
                    continue;
                }
                out[i] = new Evaluation(e.candidateId(), e.status(), e.measurements(), "", e.fidelity(), VERSION + "+" + q.version());
                score[i] = e.measurements().get(Metric.KL);
                next.add(i);
            }
            alive = next;
        }
        return List.of(out);
    }

    @Override
    public String version() { return VERSION; }

    @Override
    public void close() {
        // the stage evaluators belong to the caller
    }
}
