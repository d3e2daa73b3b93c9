package org.edgefront.nativert;

/**
 * What a token reads of one linear tensor ({@code ef_tensor_shape}'s read fractions, {@code EF_WIRE_READS}). A mixture of
 * experts stacks its experts along one axis of a tensor (gate and up: rows, down: cols) and a token runs a few of them:
 * memory holds the whole tensor, a decode step runs and reads the slice {@code decodeRowsFraction x decodeColsFraction},
 * and each prefill micro-batch also reads {@code prefillExtraUnits} units (experts) beyond that slice, each costed as one
 * GEMV of a unit spanning {@code readUnitFraction} of the sliced axis (rows unless only the cols are sliced). A dense
 * tensor is {@link #DENSE}. The C library validates the values. Immutable and thread-safe.
 *
 * @param decodeRowsFraction share of the rows a decode token runs, (0, 1]
 * @param decodeColsFraction share of the cols a decode token runs, (0, 1]; rows or cols are sliced, not both
 * @param readUnitFraction   share of the sliced axis one unit (expert) spans, (0, 1]
 * @param prefillExtraUnits  units each prefill micro-batch reads beyond the decode slice, &gt;= 0
 */
public record TensorReads(double decodeRowsFraction, double decodeColsFraction, double readUnitFraction, double prefillExtraUnits)
        implements java.io.Serializable {
    /** A dense tensor: every token runs all of it and prefill reads nothing more. */
    public static final TensorReads DENSE = new TensorReads(1.0, 1.0, 1.0, 0.0);

    /** Share of the tensor's weight bytes a decode step reads. */
    public double decodeShare() { return decodeRowsFraction * decodeColsFraction; }
}
