package org.edgefront.space.metric;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class MeasurementsTest {
    @Test
    void absentMetricsAreAbsentNotZero() {
        Measurements m = Measurements.EMPTY.with(Metric.KL, 0.0);
        assertTrue(m.has(Metric.KL));
        assertFalse(m.has(Metric.MEMORY_BYTES));
        assertThrows(IllegalStateException.class, () -> m.get(Metric.MEMORY_BYTES));
    }

    @Test
    void nanIsRejectedBecauseAFailedMeasurementIsAFailedEvaluation() {
        assertThrows(IllegalArgumentException.class, () -> Measurements.EMPTY.with(Metric.KL, Double.NaN));
    }

    @Test
    void mergeOverridesWithPresentValues() {
        Measurements a = Measurements.EMPTY.with(Metric.KL, 1).with(Metric.MEMORY_BYTES, 10);
        Measurements b = Measurements.EMPTY.with(Metric.KL, 2);
        Measurements c = a.merge(b);
        assertEquals(2, c.get(Metric.KL));
        assertEquals(10, c.get(Metric.MEMORY_BYTES));
    }

    @Test
    void failedEvaluationNeedsAReason() {
        assertThrows(IllegalArgumentException.class,
                () -> new Evaluation("x", EvaluationStatus.FAILED, Measurements.EMPTY, "", "", ""));
        assertEquals("boom", Evaluation.failed("x", "boom", "v").failureReason());
    }

    @Test
    void metricsAreFoundByJsonName() {
        assertEquals(Metric.DECODE_TOK_S, Metric.fromJsonName("decode_tok_s"));
        assertThrows(IllegalArgumentException.class, () -> Metric.fromJsonName("speed"));
    }
}
