package org.edgefront.search.problem;

import java.util.Objects;
import org.edgefront.space.metric.Measurements;
import org.edgefront.space.metric.Metric;

/**
 * One objective: a metric and the direction in which it is better. Internally every objective is
 * minimized; a maximized metric is negated by {@link #minimizationValue(Measurements)}, so its
 * minimization value is in the metric's unit with the sign flipped. Immutable and thread-safe.
 *
 * @param metric    what is measured (unit per {@link Metric#unit()})
 * @param direction whether smaller or larger values are better
 */
public record Objective(Metric metric, Metric.Direction direction) implements java.io.Serializable {
    public Objective {
        Objects.requireNonNull(metric, "metric");
        Objects.requireNonNull(direction, "direction");
    }

    /** Smaller values of {@code metric} are better. */
    public static Objective minimize(Metric metric) { return new Objective(metric, Metric.Direction.MINIMIZE); }

    /** Larger values of {@code metric} are better. */
    public static Objective maximize(Metric metric) { return new Objective(metric, Metric.Direction.MAXIMIZE); }

    /**
     * The value to minimize: the measured value, negated for a maximized metric.
     *
     * @throws IllegalStateException when the metric was not measured (absent values are never guessed)
     */
    public double minimizationValue(Measurements measurements) {
        double v = measurements.get(metric); // throws IllegalStateException when absent (NaN is absent)
        if (Double.isNaN(v)) throw new IllegalStateException("objective " + metric.jsonName() + " is NaN");
        return direction == Metric.Direction.MAXIMIZE ? -v : v;
    }

    /** Converts a minimization value back to the metric's own value and sign. */
    public double metricValue(double minimizationValue) {
        return direction == Metric.Direction.MAXIMIZE ? -minimizationValue : minimizationValue;
    }

    @Override
    public String toString() { return (direction == Metric.Direction.MAXIMIZE ? "maximize " : "minimize ") + metric.jsonName(); }
}
