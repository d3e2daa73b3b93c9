package org.edgefront.search.problem;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.edgefront.space.metric.Measurements;
import org.edgefront.space.metric.Metric;
import org.junit.jupiter.api.Test;

class ObjectiveAndConstraintTest {
    private final Measurements m = Measurements.EMPTY.with(Metric.MEMORY_BYTES, 5e9).with(Metric.DECODE_TOK_S, 12.0);

    @Test
    void minimizationValueNegatesMaximizedMetric() {
        assertEquals(-12.0, Objective.maximize(Metric.DECODE_TOK_S).minimizationValue(m));
        assertEquals(5e9, Objective.minimize(Metric.MEMORY_BYTES).minimizationValue(m));
        assertEquals(12.0, Objective.maximize(Metric.DECODE_TOK_S).metricValue(-12.0));
    }

    @Test
    void objectiveOnMissingMetricThrowsInsteadOfGuessing() {
        assertThrows(IllegalStateException.class, () -> Objective.minimize(Metric.KL).minimizationValue(m));
    }

    @Test
    void violationIsZeroWhenSatisfiedAndRelativeToTheLimitOtherwise() {
        assertEquals(0.0, Constraint.atMost(Metric.MEMORY_BYTES, 6e9).violation(m));
        assertEquals(0.25, Constraint.atMost(Metric.MEMORY_BYTES, 4e9).violation(m), 1e-12);
        assertEquals(0.0, Constraint.atLeast(Metric.DECODE_TOK_S, 12.0).violation(m));
        assertEquals(0.5, Constraint.atLeast(Metric.DECODE_TOK_S, 24.0).violation(m), 1e-12);
        assertTrue(Constraint.atLeast(Metric.DECODE_TOK_S, 10).satisfied(m));
        assertFalse(Constraint.atMost(Metric.MEMORY_BYTES, 1).satisfied(m));
    }

    @Test
    void zeroLimitUsesAbsoluteExcess() {
        Measurements neg = Measurements.EMPTY.with(Metric.TTFT_S, 0.5);
        assertEquals(0.5, Constraint.atMost(Metric.TTFT_S, 0.0).violation(neg), 1e-12);
    }

    @Test
    void missingConstraintMetricIsAnErrorNeverFeasible() {
        assertThrows(IllegalStateException.class, () -> Constraint.atMost(Metric.KL, 1.0).violation(m));
    }

    @Test
    void nonFiniteLimitIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> Constraint.atMost(Metric.KL, Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> Constraint.atLeast(Metric.KL, Double.POSITIVE_INFINITY));
    }

    @Test
    void measuredNaNCannotEnterMeasurements() {
        // the space contract rejects NaN at the source, so a NaN can never look feasible here
        assertThrows(IllegalArgumentException.class, () -> Measurements.EMPTY.with(Metric.KL, Double.NaN));
    }
}
