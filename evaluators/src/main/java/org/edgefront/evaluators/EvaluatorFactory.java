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
}
