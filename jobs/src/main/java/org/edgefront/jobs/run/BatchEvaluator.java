package org.edgefront.jobs.run;

import java.util.List;
import org.edgefront.space.candidate.Candidate;
import org.edgefront.space.metric.Evaluation;

/**
 * Evaluates a batch of distinct candidates somewhere (this thread, or Spark tasks) and returns the
 * results in input order. Implementations differ only in where work runs, never in results.
 * Ownership: the creator closes it.
 */
public interface BatchEvaluator extends AutoCloseable {
    List<Evaluation> evaluate(List<Candidate> candidates);

    /** Where evaluations run, for logs and result metadata (e.g. {@code sequential}, {@code spark local[2]}). */
    String describe();

    @Override
    void close();
}
