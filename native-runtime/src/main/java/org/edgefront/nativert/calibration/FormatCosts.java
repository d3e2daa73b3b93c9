package org.edgefront.nativert.calibration;

import java.util.Arrays;

/**
 * A backend's dequantization work per stored weight for each {@code ef_format} id (see {@code edgefront_sim.h}),
 * in ops; 0 means "the library's default table" ({@code ef_format_dequant_ops}). Since api 4 also the kernel terms
 * that one id cannot carry: the ops per stored fp16 scale or zero point of generic intN formats (so group size and
 * asymmetry are costed from the stored bytes), and the ops per stored weight of the unstructured and N:M sparse
 * kernels (0 = the api 3 model). Immutable and thread-safe.
 */
public final class FormatCosts implements java.io.Serializable {
    private static final long serialVersionUID = 1L;
    /** Number of format ids ({@code EF_FMT_COUNT}; 32 since api 4 added the asymmetric generic intN ids, 40 since api 7, 41 since api 10). */
    public static final int FORMATS = org.edgefront.space.format.SimulatorFormats.COUNT;

    /** Format ids before api 4: a table of this length is padded with zeros (defaults for the new ids). */
    public static final int FORMATS_API3 = 24;
    /** Format ids of api 4 to 6: a table of this length is padded with zeros too (defaults for the i-quant ids of api 7). */
    public static final int FORMATS_API6 = 32;
    /** Format ids of api 7 to 9: a table of this length is padded with zeros too (the default for MXFP4, api 10). */
    public static final int FORMATS_API9 = 40;
    /** All zeros: every format uses the library's default cost. */
    public static final FormatCosts DEFAULT = new FormatCosts(new double[FORMATS]);

    private final double[] opsPerWeight;
    private final double opsPerScale, unstructuredOpsPerStored, nmOpsPerStored;

    /**
     * @param opsPerWeight {@link #FORMATS} (or {@link #FORMATS_API3}, {@link #FORMATS_API6} or {@link #FORMATS_API9}, zero-padded) entries, each in [0, 1e4]; copied
     */
    public FormatCosts(double[] opsPerWeight) {
        this(opsPerWeight, 0, 0, 0);
    }

    /**
     * @param opsPerWeight             {@link #FORMATS} entries, each in [0, 1e4]; copied
     * @param opsPerScale              generic intN: ops per stored fp16 scale or zero point, [0, 1e4]
     * @param unstructuredOpsPerStored unstructured sparse kernel: ops per stored weight beyond its 2 flops, [0, 1e4]
     * @param nmOpsPerStored           N:M sparse kernel: ops per stored weight beyond its 2 flops, [0, 1e4]
     */
    public FormatCosts(double[] opsPerWeight, double opsPerScale, double unstructuredOpsPerStored, double nmOpsPerStored) {
        if (opsPerWeight.length != FORMATS && opsPerWeight.length != FORMATS_API3 && opsPerWeight.length != FORMATS_API6
                && opsPerWeight.length != FORMATS_API9) {
            throw new IllegalArgumentException("need " + FORMATS + " entries, got " + opsPerWeight.length);
        }
        for (double v : opsPerWeight) {
            if (!(v >= 0 && v <= 1e4)) throw new IllegalArgumentException("ops per weight must be in [0, 1e4], got " + v);
        }
        for (double v : new double[] {opsPerScale, unstructuredOpsPerStored, nmOpsPerStored}) {
            if (!(v >= 0 && v <= 1e4)) throw new IllegalArgumentException("kernel ops must be in [0, 1e4], got " + v);
        }
        this.opsPerWeight = Arrays.copyOf(opsPerWeight, FORMATS);
        this.opsPerScale = opsPerScale;
        this.unstructuredOpsPerStored = unstructuredOpsPerStored;
        this.nmOpsPerStored = nmOpsPerStored;
    }

    /** Generic intN: ops per stored fp16 scale or zero point; 0 = not modelled. */
    public double opsPerScale() { return opsPerScale; }

    /** Ops per stored weight (beyond 2 flops) of the sparse kernel of kind 1 (unstructured) or 2 (N:M); 0 = api 3 model. */
    public double sparseOpsPerStored(int sparsityKind) {
        return switch (sparsityKind) {
            case 1 -> unstructuredOpsPerStored;
            case 2 -> nmOpsPerStored;
            default -> throw new IllegalArgumentException("sparsity kind " + sparsityKind + " is not 1 or 2");
        };
    }

    /** Ops per weight of format id {@code formatId}; 0 = library default. */
    public double opsPerWeight(int formatId) { return opsPerWeight[formatId]; }

    /**
     * A copy where format {@code formatId} costs {@code multiplier} times the library's default dequantization ops
     * ({@link org.edgefront.space.format.SimulatorFormats.Row#dequantOps()}); how fitted kernel costs are expressed.
     */
    public FormatCosts withDefaultTimes(int formatId, double multiplier) {
        return with(formatId, org.edgefront.space.format.SimulatorFormats.row(formatId).dequantOps() * multiplier);
    }

    /** A copy with one entry replaced. */
    public FormatCosts with(int formatId, double ops) {
        double[] a = opsPerWeight.clone();
        a[formatId] = ops;
        return new FormatCosts(a, opsPerScale, unstructuredOpsPerStored, nmOpsPerStored);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FormatCosts f && Arrays.equals(opsPerWeight, f.opsPerWeight) && opsPerScale == f.opsPerScale
                && unstructuredOpsPerStored == f.unstructuredOpsPerStored && nmOpsPerStored == f.nmOpsPerStored;
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(opsPerWeight) + java.util.Objects.hash(opsPerScale, unstructuredOpsPerStored, nmOpsPerStored);
    }

    @Override
    public String toString() {
        return "FormatCosts" + Arrays.toString(opsPerWeight) + " perScale=" + opsPerScale + " unstructured=" + unstructuredOpsPerStored
                + " nm=" + nmOpsPerStored;
    }
}
