package org.edgefront.evaluators.sensitivity;

import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;
import org.edgefront.evaluators.Evaluator;
import org.edgefront.evaluators.EvaluatorFactory;
import org.edgefront.space.candidate.Candidate;
import org.edgefront.space.metric.Evaluation;
import org.edgefront.space.metric.Measurements;
import org.edgefront.space.metric.Metric;

/**
 * Quality from a sensitivity table: {@link Metric#PROXY_KL} = the additive proxy (sum of per-tensor KLs),
 * nats/token, in microseconds per candidate. Fidelity {@code proxy}. A candidate whose table entry failed
 * (infinite) is a FAILED evaluation. Holds no native resources; thread-safe (the table is immutable).
 */
public final class ProxyEvaluator implements Evaluator {
    private static final String VERSION = "proxy-table/1";
    private final SensitivityTable table;

    public ProxyEvaluator(SensitivityTable table) {
        this.table = Objects.requireNonNull(table, "table");
    }

    /** Serializable factory: the table travels with it. */
    public record Factory(SensitivityTable table) implements EvaluatorFactory {
        private static final long serialVersionUID = 1L;

        @Override
        public Evaluator create() { return new ProxyEvaluator(table); }
    }

    @Override
    public Set<Metric> provides() { return EnumSet.of(Metric.PROXY_KL); }

    @Override
    public Evaluation evaluate(Candidate candidate) {
        double p;
        try {
            p = table.proxy(candidate);
        } catch (IllegalArgumentException e) {
            return Evaluation.failed(candidate.id(), e.getMessage(), VERSION);
        }
        if (!Double.isFinite(p)) return Evaluation.failed(candidate.id(), "a chosen option's sensitivity measurement failed", VERSION);
        return Evaluation.ok(candidate.id(), Measurements.EMPTY.with(Metric.PROXY_KL, p), "proxy", VERSION);
    }

    @Override
    public String version() { return VERSION; }

    @Override
    public void close() {}

    /** Itself: immutable and without resources, so one instance serves every thread. */
    @Override
    public Evaluator concurrentCopy() { return this; }
}
