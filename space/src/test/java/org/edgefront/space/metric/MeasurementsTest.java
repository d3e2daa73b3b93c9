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

    @Test
    void ofHoldsExactlyTheGivenValuesAndFindReportsPresence() {
        Measurements m = Measurements.of(java.util.Map.of(Metric.KL, 1.5, Metric.MEMORY_BYTES, 7.0));
        assertEquals(1.5, m.get(Metric.KL));
        assertEquals(7.0, m.get(Metric.MEMORY_BYTES));
        assertFalse(m.has(Metric.DECODE_TOK_S));
        assertEquals(java.util.OptionalDouble.of(1.5), m.find(Metric.KL));
        assertEquals(java.util.OptionalDouble.empty(), m.find(Metric.DECODE_TOK_S));
        assertEquals(Measurements.EMPTY, Measurements.of(java.util.Map.of()));
    }

    @Test
    void asMapListsPresentValuesInMetricOrderAndCannotBeChanged() {
        Measurements m = Measurements.EMPTY.with(Metric.DECODE_TOK_S, 3).with(Metric.MEMORY_BYTES, 10).with(Metric.KL, 0.25);
        java.util.Map<Metric, Double> map = m.asMap();
        assertEquals(java.util.List.of(Metric.MEMORY_BYTES, Metric.KL, Metric.DECODE_TOK_S), java.util.List.copyOf(map.keySet()));
        assertEquals(java.util.List.of(10.0, 0.25, 3.0), java.util.List.copyOf(map.values()));
        assertThrows(UnsupportedOperationException.class, () -> map.put(Metric.KL, 1.0));
        assertEquals("{memory_bytes=10.0, kl=0.25, decode_tok_s=3.0}", m.toString());
        assertTrue(Measurements.EMPTY.asMap().isEmpty());
    }

    @Test
    void equalityAndHashFollowTheValues() {
        Measurements a = Measurements.EMPTY.with(Metric.KL, 1);
        Measurements b = Measurements.EMPTY.with(Metric.KL, 1);
        assertEquals(a, b);
        assertEquals(a.hashCode(), b.hashCode());
        assertFalse(a.equals(Measurements.EMPTY.with(Metric.KL, 2)));
        assertFalse(a.equals(Measurements.EMPTY.with(Metric.PROXY_KL, 1)));
        assertFalse(a.equals("kl=1"));
        assertTrue(a.hashCode() != Measurements.EMPTY.with(Metric.KL, 2).hashCode());
    }

    @Test
    void okAndFailedEvaluationsCarryTheirStatusAndTexts() {
        Evaluation ok = Evaluation.ok("c1", Measurements.EMPTY.with(Metric.KL, 0.5), "proxy", "v1");
        assertTrue(ok.ok());
        assertEquals(EvaluationStatus.OK, ok.status());
        assertEquals("", ok.failureReason());
        assertEquals("proxy", ok.fidelity());
        assertEquals("v1", ok.evaluatorVersion());
        assertEquals(0.5, ok.measurements().get(Metric.KL));
        Evaluation failed = Evaluation.failed("c2", "boom", "v2");
        assertFalse(failed.ok());
        assertEquals(EvaluationStatus.FAILED, failed.status());
        assertEquals(Measurements.EMPTY, failed.measurements());
        // absent texts become empty strings, never null
        Evaluation bare = new Evaluation("c3", EvaluationStatus.OK, Measurements.EMPTY, null, null, null);
        assertEquals("", bare.failureReason());
        assertEquals("", bare.fidelity());
        assertEquals("", bare.evaluatorVersion());
        assertThrows(NullPointerException.class, () -> new Evaluation(null, EvaluationStatus.OK, Measurements.EMPTY, "", "", ""));
        assertThrows(NullPointerException.class, () -> new Evaluation("c", null, Measurements.EMPTY, "", "", ""));
        assertThrows(NullPointerException.class, () -> new Evaluation("c", EvaluationStatus.OK, null, "", "", ""));
    }

    @Test
    void everyMetricRoundTripsThroughItsJsonNameAndStatesUnitAndDirection() {
        for (Metric m : Metric.values()) {
            assertEquals(m, Metric.fromJsonName(m.jsonName()));
            assertEquals(m, Metric.fromJsonName(m.name().toLowerCase(java.util.Locale.ROOT)));
            assertEquals(m.jsonName(), m.toString());
            assertTrue(m.jsonName().matches("[a-z0-9_]+"), m.jsonName());
        }
        assertEquals("memory_bytes", Metric.MEMORY_BYTES.jsonName());
        assertEquals("nats/token", Metric.KL.unit());
        assertEquals("", Metric.PERPLEXITY.unit());
        assertEquals(Metric.Direction.MINIMIZE, Metric.KL.better());
        assertEquals(Metric.Direction.MAXIMIZE, Metric.DECODE_TOK_S.better());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Metric.fromJsonName("speed"));
        assertTrue(e.getMessage().contains("decode_tok_s"), "lists the known names: " + e.getMessage());
    }
}
