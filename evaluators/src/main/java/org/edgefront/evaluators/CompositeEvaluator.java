package org.edgefront.evaluators;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.StringJoiner;
import org.edgefront.space.candidate.Candidate;
import org.edgefront.space.metric.Evaluation;
import org.edgefront.space.metric.Measurements;
import org.edgefront.space.metric.Metric;

/**
 * Runs several evaluators on the same candidates and merges their measurements into one evaluation.
 * If any part fails, the merged evaluation is FAILED with every part's reason. Owns its parts and
 * closes them. Not thread-safe.
 */
public final class CompositeEvaluator implements Evaluator {
    private final List<Evaluator> parts;

    public CompositeEvaluator(List<Evaluator> parts) {
        if (parts.isEmpty()) throw new IllegalArgumentException("no evaluators");
        this.parts = List.copyOf(parts);
    }

    /** Builds every part where it runs; equal when the part factories are equal (so executors can pool it). */
    public record Factory(List<EvaluatorFactory> parts) implements EvaluatorFactory {
        private static final long serialVersionUID = 1L;

        public Factory {
            parts = List.copyOf(parts);
        }

        @Override
        public Evaluator create() {
            List<Evaluator> built = new ArrayList<>();
            try {
                for (EvaluatorFactory f : parts) built.add(f.create());
            } catch (RuntimeException e) {
                for (Evaluator b : built) b.close();
                throw e;
            }
            return new CompositeEvaluator(built);
        }

        @Override
        public Factory withThreads(int threads) {
            List<EvaluatorFactory> t = new ArrayList<>();
            for (EvaluatorFactory f : parts) t.add(f.withThreads(threads));
            return new Factory(t);
        }
    }

    /** A copy of every part for another thread (see {@link Evaluator#concurrentCopy}); null when a part has none. */
    @Override
    public Evaluator concurrentCopy() {
        List<Evaluator> copies = Evaluator.concurrentCopies(parts, Evaluator::concurrentCopy);
        return copies == null ? null : new CompositeEvaluator(copies);
    }

    @Override
    public Set<Metric> provides() {
        Set<Metric> s = EnumSet.noneOf(Metric.class);
        for (Evaluator e : parts) s.addAll(e.provides());
        return s;
    }

    @Override
    public Evaluation evaluate(Candidate candidate) {
        return evaluateAll(List.of(candidate)).get(0);
    }

    @Override
    public List<Evaluation> evaluateAll(List<Candidate> candidates) {
        List<List<Evaluation>> byPart = new ArrayList<>();
        for (Evaluator e : parts) {
            List<Evaluation> r = e.evaluateAll(candidates);
            if (r.size() != candidates.size()) throw new IllegalStateException(e.version() + " returned " + r.size() + " results for " + candidates.size());
            byPart.add(r);
        }
        List<Evaluation> out = new ArrayList<>(candidates.size());
        String version = version();
        for (int i = 0; i < candidates.size(); i++) {
            Measurements m = Measurements.EMPTY;
            StringJoiner reasons = new StringJoiner("; ");
            StringJoiner fidelity = new StringJoiner(",");
            for (List<Evaluation> r : byPart) {
                Evaluation e = r.get(i);
                if (!e.ok()) reasons.add(e.failureReason());
                m = m.merge(e.measurements());
                if (!e.fidelity().isEmpty()) fidelity.add(e.fidelity());
            }
            String id = candidates.get(i).id();
            out.add(reasons.length() > 0
                    ? new Evaluation(id, org.edgefront.space.metric.EvaluationStatus.FAILED, m, reasons.toString(), fidelity.toString(), version)
                    : Evaluation.ok(id, m, fidelity.toString(), version));
        }
        return out;
    }

    @Override
    public String version() {
        StringJoiner j = new StringJoiner("+");
        for (Evaluator e : parts) j.add(e.version());
        return j.toString();
    }

    @Override
    public void close() {
        RuntimeException first = null;
        for (Evaluator e : parts) {
            try {
                e.close();
            } catch (RuntimeException ex) {
                if (first == null) first = ex;
            }
        }
        if (first != null) throw first;
    }
}
