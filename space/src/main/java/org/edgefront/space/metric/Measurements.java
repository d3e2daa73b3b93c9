package org.edgefront.space.metric;

import java.io.Serializable;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * Values measured for one candidate, keyed by {@link Metric} (units per {@link Metric#unit()}).
 * Immutable and thread-safe; absent metrics are reported as absent, never as 0.
 */
public final class Measurements implements Serializable {
    private static final long serialVersionUID = 1L;
    private static final Metric[] METRICS = Metric.values();

    public static final Measurements EMPTY = new Measurements(new double[METRICS.length]);

    /** NaN marks "absent"; a measured NaN is not representable and is rejected by {@link #with}. */
    private final double[] values;

    private Measurements(double[] values) { this.values = values; }

    static {
        Arrays.fill(EMPTY.values, Double.NaN);
    }

    /** Measurements holding exactly the given values. */
    public static Measurements of(Map<Metric, Double> values) {
        Measurements m = EMPTY;
        for (Map.Entry<Metric, Double> e : values.entrySet()) m = m.with(e.getKey(), e.getValue());
        return m;
    }

    /**
     * A copy with {@code metric} set.
     *
     * @throws IllegalArgumentException when {@code value} is NaN (a failed measurement is a FAILED evaluation, not a value)
     */
    public Measurements with(Metric metric, double value) {
        if (Double.isNaN(value)) throw new IllegalArgumentException("metric " + metric.jsonName() + " is NaN");
        double[] v = values.clone();
        v[metric.ordinal()] = value;
        return new Measurements(v);
    }

    /** A copy holding this object's values overridden by every value present in {@code other}. */
    public Measurements merge(Measurements other) {
        double[] v = values.clone();
        for (int i = 0; i < v.length; i++) if (!Double.isNaN(other.values[i])) v[i] = other.values[i];
        return new Measurements(v);
    }

    /** True when {@code metric} was measured. */
    public boolean has(Metric metric) { return !Double.isNaN(values[metric.ordinal()]); }

    /** The value of {@code metric}, if measured. */
    public OptionalDouble find(Metric metric) {
        double v = values[metric.ordinal()];
        return Double.isNaN(v) ? OptionalDouble.empty() : OptionalDouble.of(v);
    }

    /**
     * The value of {@code metric}.
     *
     * @throws IllegalStateException when it was not measured
     */
    public double get(Metric metric) {
        double v = values[metric.ordinal()];
        if (Double.isNaN(v)) throw new IllegalStateException("metric " + metric.jsonName() + " was not measured");
        return v;
    }

    /** Present values in {@link Metric} order. */
    public Map<Metric, Double> asMap() {
        EnumMap<Metric, Double> m = new EnumMap<>(Metric.class);
        for (Metric k : METRICS) if (has(k)) m.put(k, values[k.ordinal()]);
        return Collections.unmodifiableMap(m);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Measurements m && Arrays.equals(m.values, values);
    }

    @Override
    public int hashCode() { return Arrays.hashCode(values); }

    @Override
    public String toString() { return asMap().toString(); }
}
