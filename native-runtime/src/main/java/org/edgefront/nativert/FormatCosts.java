package org.edgefront.nativert;

import java.util.Arrays;

/**
 * A backend's dequantization work per stored weight for each {@code ef_format} id (see {@code edgefront_sim.h}),
 * in ops; 0 means "the library's default table" ({@code ef_format_dequant_ops}). Immutable and thread-safe.
 */
public final class FormatCosts implements java.io.Serializable {
    private static final long serialVersionUID = 1L;
    /** Number of format ids ({@code EF_FMT_COUNT}). */
    public static final int FORMATS = 24;
    /** All zeros: every format uses the library's default cost. */
    public static final FormatCosts DEFAULT = new FormatCosts(new double[FORMATS]);

    private final double[] opsPerWeight;

    /**
     * @param opsPerWeight {@link #FORMATS} entries, each in [0, 1e4]; copied
     */
    public FormatCosts(double[] opsPerWeight) {
        if (opsPerWeight.length != FORMATS) throw new IllegalArgumentException("need " + FORMATS + " entries, got " + opsPerWeight.length);
        for (double v : opsPerWeight) {
            if (!(v >= 0 && v <= 1e4)) throw new IllegalArgumentException("ops per weight must be in [0, 1e4], got " + v);
        }
        this.opsPerWeight = opsPerWeight.clone();
    }

    /** Ops per weight of format id {@code formatId}; 0 = library default. */
    public double opsPerWeight(int formatId) { return opsPerWeight[formatId]; }

    /** A copy with one entry replaced. */
    public FormatCosts with(int formatId, double ops) {
        double[] a = opsPerWeight.clone();
        a[formatId] = ops;
        return new FormatCosts(a);
    }

    @Override
    public boolean equals(Object o) { return o instanceof FormatCosts f && Arrays.equals(opsPerWeight, f.opsPerWeight); }

    @Override
    public int hashCode() { return Arrays.hashCode(opsPerWeight); }

    @Override
    public String toString() { return "FormatCosts" + Arrays.toString(opsPerWeight); }
}
