package org.edgefront.jobs.run;

import java.util.List;
import org.edgefront.evaluators.Evaluator;
import org.edgefront.evaluators.EvaluatorFactory;
import org.edgefront.space.candidate.Candidate;
import org.edgefront.space.metric.Evaluation;

/**
 * Evaluates in the calling thread with one evaluator created up front (the reference that Spark
 * results must equal). Owns and closes that evaluator. Not thread-safe.
 */
public final class SequentialBatchEvaluator implements BatchEvaluator {
    private final Evaluator evaluator;

    public SequentialBatchEvaluator(EvaluatorFactory factory) {
        this.evaluator = factory.create();
    }

    @Override
    public List<Evaluation> evaluate(List<Candidate> candidates) {
        return evaluator.evaluateAll(candidates);
    }

    @Override
    public String describe() { return "sequential"; }

    @Override
    public void close() { evaluator.close(); }
}
