package org.edgefront.evaluators;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.edgefront.space.candidate.Candidate;
import org.edgefront.space.metric.Evaluation;
import org.edgefront.space.metric.Metric;

/**
 * Measures candidates of one search space. An evaluator never throws for a candidate it cannot
 * measure: it returns a FAILED {@link Evaluation} with the reason (native status, NaN, ...).
 * Exceptions are reserved for bugs and for bad configuration detected at construction.
 *
 * <p>Ownership: the code that creates an evaluator (usually via {@link EvaluatorFactory}) closes it;
 * closing releases native handles and model memory. Thread-safety: not thread-safe unless an
 * implementation says so; Spark creates one per task or per executor.
 */
public interface Evaluator extends AutoCloseable {

    /** The metrics every OK evaluation from this evaluator contains. */
    Set<Metric> provides();

    /** Evaluates one candidate (never null; FAILED with a reason instead of throwing). */
    Evaluation evaluate(Candidate candidate);

    /** Evaluates a batch; implementations may vectorize (e.g. one JNI call per batch). Same order as input. */
    default List<Evaluation> evaluateAll(List<Candidate> candidates) {
        List<Evaluation> out = new ArrayList<>(candidates.size());
        for (Candidate c : candidates) out.add(evaluate(c));
        return out;
    }

    /**
     * A second evaluator of the same configuration for another thread, sharing this one's read-only state (a loaded
     * model, reference distributions, caches that are safe to share) instead of building it again; or null when
     * this evaluator has nothing worth sharing, or is closed. Results equal those of a fresh evaluator from the same
     * factory. The caller owns the copy and closes it; closing either one leaves the other usable (shared state goes
     * with the last of them). Safe to call while this evaluator is in use on another thread.
     */
    default Evaluator concurrentCopy() { return null; }

    /**
     * {@code copy} of every evaluator in order (for evaluators built from parts), or null when one of them gives none;
     * the copies already made are then closed.
     */
    static <E extends Evaluator> List<E> concurrentCopies(List<E> evaluators, java.util.function.UnaryOperator<E> copy) {
        List<E> copies = new ArrayList<>();
        for (E e : evaluators) {
            E c = copy.apply(e);
            if (c == null) {
                for (E made : copies) made.close();
                return null;
            }
            copies.add(c);
        }
        return copies;
    }

    /** A short version string recorded with every evaluation (implementation + native library version). */
    String version();

    @Override
    void close();
}
