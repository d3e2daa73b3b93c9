package org.edgefront.search.problem;

import java.util.Objects;
import org.edgefront.space.metric.Measurements;
import org.edgefront.space.metric.Metric;

/**
 * A hard budget on one metric, e.g. {@code memory_bytes <= 4e9} or {@code decode_tok_s >= 10}.
 * {@link #violation(Measurements)} is 0 when satisfied and otherwise the excess divided by
 * {@code |limit|} (or by 1 when the limit is 0), so violations of budgets in different units can be
 * summed and compared. A missing metric is an error, never "no violation" (MOEA Framework's NaN bug).
 * Immutable and thread-safe.
 *
 * @param metric the constrained metric (unit per {@link Metric#unit()})
 * @param bound  whether the value must stay at most or at least {@code limit}
 * @param limit  the budget, in the metric's unit; finite
 */
public record Constraint(Metric metric, Bound bound, double limit) implements java.io.Serializable {

    /** Which side of the limit is allowed. */
    public enum Bound { AT_MOST, AT_LEAST }

    public Constraint {
        Objects.requireNonNull(metric, "metric");
        Objects.requireNonNull(bound, "bound");
        if (!Double.isFinite(limit)) {
            throw new IllegalArgumentException("constraint on " + metric.jsonName() + ": limit must be finite, got " + limit);
        }
    }

    /** {@code metric <= limit}. */
    public static Constraint atMost(Metric metric, double limit) { return new Constraint(metric, Bound.AT_MOST, limit); }

    /** {@code metric >= limit}. */
    public static Constraint atLeast(Metric metric, double limit) { return new Constraint(metric, Bound.AT_LEAST, limit); }

    /**
     * Relative violation, >= 0; 0 means satisfied.
     *
     * @throws IllegalStateException when the metric is absent or NaN (an error, never feasible)
     */
    public double violation(Measurements measurements) {
        double v = measurements.get(metric); // absent (NaN) -> IllegalStateException
        if (Double.isNaN(v)) throw new IllegalStateException("constraint metric " + metric.jsonName() + " is NaN");
        double excess = bound == Bound.AT_MOST ? v - limit : limit - v;
        if (!(excess > 0)) return 0.0;
        double scale = limit == 0.0 ? 1.0 : Math.abs(limit); // relative, so bytes and tokens/s compare
        return excess / scale;
    }

    /** True when the value satisfies the budget (same rules as {@link #violation}). */
    public boolean satisfied(Measurements measurements) { return violation(measurements) == 0.0; }

    @Override
    public String toString() { return metric.jsonName() + (bound == Bound.AT_MOST ? " <= " : " >= ") + limit; }
}
