package org.edgefront.evaluators;

import java.io.Serializable;

/**
 * Builds an {@link Evaluator} where it runs (on the driver, or on a Spark executor). Holds only
 * serializable configuration (URIs, numbers); native handles and loaded models never serialize.
 * The caller of {@link #create()} owns and closes the evaluator.
 */
@FunctionalInterface
public interface EvaluatorFactory extends Serializable {
    Evaluator create();

    /**
     * This factory with the evaluators it builds spreading their work over {@code threads} threads (a Spark executor's
     * cores, shared by its task slots), with the same results on any count; factories whose evaluators do not split
     * their work return themselves.
     *
     * @throws IllegalArgumentException for threads below 1
     */
    default EvaluatorFactory withThreads(int threads) {
        if (threads < 1) throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        return this;
    }
}
