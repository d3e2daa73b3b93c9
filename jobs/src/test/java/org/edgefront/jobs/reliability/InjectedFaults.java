package org.edgefront.jobs.reliability;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.edgefront.evaluators.Evaluator;
import org.edgefront.evaluators.EvaluatorFactory;
import org.edgefront.space.candidate.Candidate;
import org.edgefront.space.metric.Evaluation;
import org.edgefront.space.metric.Measurements;
import org.edgefront.space.metric.Metric;

/** Test evaluators with injected faults. Cheap and deterministic: metrics are closed-form functions of the genes. */
final class InjectedFaults {
    private InjectedFaults() {}

    static final String VERSION = "injected-test-evaluator 1";

    /** True for about {@code percent}% of candidates, chosen by a hash of the id (deterministic, seed-free). */
    static boolean selected(Candidate c, int percent) {
        return Math.floorMod(c.id().hashCode() * 31 + 7, 100) < percent;
    }

    /** memory_bytes grows and kl falls with the option index: a real trade-off with a multi-point front. */
    static Evaluation measure(Candidate c) {
        double memory = 0;
        double kl = 0;
        for (int i = 0; i < c.size(); i++) {
            int g = c.gene(i);
            memory += (g + 1) * 1.0e6 * (1 + i % 3);
            kl += 1.0 / (g + 1) / (1 + i % 2);
        }
        return Evaluation.ok(c.id(), Measurements.EMPTY.with(Metric.MEMORY_BYTES, memory).with(Metric.KL, kl), "closed-form", VERSION);
    }

    /**
     * Evaluations fail (FAILED, with a reason) for the candidates {@link #selected selected} by {@code failPercent}.
     * Serializable configuration only.
     */
    record FailingFactory(int failPercent) implements EvaluatorFactory {
        private static final long serialVersionUID = 1L;

        @Override
        public Evaluator create() {
            return new Base() {
                @Override
                public Evaluation evaluate(Candidate c) {
                    return selected(c, failPercent) ? Evaluation.failed(c.id(), "injected failure: simulated NaN logits for " + c.id(), VERSION) : measure(c);
                }
            };
        }
    }

    /**
     * The evaluator throws on the first use of every Spark task attempt that sees a partition for the first
     * time (tracked with a marker file per partition's first candidate in {@code markerDir}), and works on the retry.
     */
    record ThrowOnceFactory(String markerDir) implements EvaluatorFactory {
        private static final long serialVersionUID = 1L;

        @Override
        public Evaluator create() {
            return new Base() {
                @Override
                public Evaluation evaluate(Candidate c) { return measure(c); }

                @Override
                public List<Evaluation> evaluateAll(List<Candidate> candidates) {
                    if (!candidates.isEmpty()) {
                        Path marker = Path.of(markerDir, candidates.get(0).id());
                        try {
                            Files.createFile(marker);
                            throw new IllegalStateException("injected task failure (first attempt) at " + candidates.get(0).id());
                        } catch (FileAlreadyExistsException retried) {
                            // second attempt: work normally
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                    }
                    List<Evaluation> out = new ArrayList<>();
                    for (Candidate c : candidates) out.add(evaluate(c));
                    return out;
                }
            };
        }
    }

    private abstract static class Base implements Evaluator {
        @Override
        public Set<Metric> provides() { return EnumSet.of(Metric.MEMORY_BYTES, Metric.KL); }

        @Override
        public String version() { return VERSION; }

        @Override
        public void close() {}
    }
}
