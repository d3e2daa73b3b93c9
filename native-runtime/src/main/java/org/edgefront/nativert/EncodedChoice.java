package org.edgefront.nativert;

import java.util.Objects;
import org.edgefront.space.compress.Sparsity;
import org.edgefront.space.compress.TensorChoice;
import org.edgefront.space.compress.WeightFormat;
import org.edgefront.space.format.SimulatorFormats;
import org.edgefront.space.model.TensorSpec;

/**
 * One tensor's choice as the C library sees it ({@code ef_tensor_choice}), including the shape kept by
 * structured pruning. Immutable and thread-safe. Values are not validated here: the C library validates
 * every field (so a bad value becomes a per-candidate failure with a message, never a crash).
 *
 * @param formatId       {@code ef_format} id of the format actually stored (after llama.cpp fallback)
 * @param sparsityKind   0 dense, 1 unstructured, 2 N:M
 * @param sparsityRatio  fraction of zero weights
 * @param rank           kept rank (full rank of the kept shape when not factorized; 0 when removed)
 * @param weightBytes    exact stored bytes of the kept shape ({@link TensorChoice#bytes(TensorSpec)}); 0 when removed
 * @param keptRows       output rows kept by structured pruning, 0..full rows (full rows when unpruned; 0 when removed)
 * @param keptCols       input columns kept, 0..full cols (0 exactly when {@code keptRows} is 0)
 */
public record EncodedChoice(int formatId, int sparsityKind, double sparsityRatio, int rank, long weightBytes,
                            int keptRows, int keptCols) implements java.io.Serializable {

    /** Encodes {@code choice} for the whole (unpruned) tensor {@code t}. */
    public static EncodedChoice encode(TensorSpec t, TensorChoice choice) {
        return encode(t, t, choice);
    }

    /**
     * Encodes {@code choice} for tensor {@code full} after structured pruning to {@code pruned}: format, bytes and
     * rank follow the pruned shape ({@code format.effectiveFor(pruned.cols())}, {@code choice.bytes(pruned)},
     * {@code choice.rank(pruned)}).
     *
     * @param full   the tensor as the architecture lists it
     * @param pruned the kept shape: same name, role and layer, rows &lt;= full rows, cols &lt;= full cols; or null when
     *               the tensor is removed entirely (then kept rows = cols = rank = bytes = 0)
     * @throws IllegalArgumentException when {@code pruned} is not a sub-shape of the same tensor
     */
    public static EncodedChoice encode(TensorSpec full, TensorSpec pruned, TensorChoice choice) {
        Objects.requireNonNull(full, "full");
        Objects.requireNonNull(choice, "choice");
        int kind = switch (choice.sparsity().kind()) {
            case NONE -> 0;
            case UNSTRUCTURED -> 1;
            case N_M -> 2;
        };
        Sparsity s = choice.sparsity();
        double ratio = s.kind() == Sparsity.Kind.NONE ? 0.0 : s.ratio();
        if (pruned == null) {
            return new EncodedChoice(formatId(choice.format().effectiveFor(full.cols())), kind, ratio, 0, 0L, 0, 0);
        }
        if (!pruned.name().equals(full.name()) || pruned.role() != full.role() || pruned.layer() != full.layer()) {
            throw new IllegalArgumentException("pruned shape " + pruned.name() + " (" + pruned.role() + ", layer " + pruned.layer()
                    + ") is not tensor " + full.name() + " (" + full.role() + ", layer " + full.layer() + ")");
        }
        if (pruned.rows() > full.rows() || pruned.cols() > full.cols()) {
            throw new IllegalArgumentException("pruned shape " + pruned.rows() + "x" + pruned.cols() + " of " + full.name()
                    + " exceeds its full shape " + full.rows() + "x" + full.cols());
        }
        WeightFormat f = choice.format().effectiveFor(pruned.cols());
        return new EncodedChoice(formatId(f), kind, ratio, choice.rank(pruned), choice.bytes(pruned), pruned.rows(), pruned.cols());
    }

    /** Writes this choice's ints ({@link WireLayout.Choice}) as choice {@code k} of the flat array {@code ints}. */
    void writeInts(int[] ints, int k) {
        ints[WireLayout.Choice.FORMAT.at(k)] = formatId;
        ints[WireLayout.Choice.SPARSITY_KIND.at(k)] = sparsityKind;
        ints[WireLayout.Choice.RANK.at(k)] = rank;
        ints[WireLayout.Choice.KEPT_ROWS.at(k)] = keptRows;
        ints[WireLayout.Choice.KEPT_COLS.at(k)] = keptCols;
    }

    /** Reads choice {@code k} back from the flat arrays ({@link #writeInts}). */
    static EncodedChoice read(int[] ints, double[] ratios, long[] weightBytes, int k) {
        return new EncodedChoice(ints[WireLayout.Choice.FORMAT.at(k)], ints[WireLayout.Choice.SPARSITY_KIND.at(k)], ratios[k],
                ints[WireLayout.Choice.RANK.at(k)], weightBytes[k], ints[WireLayout.Choice.KEPT_ROWS.at(k)],
                ints[WireLayout.Choice.KEPT_COLS.at(k)]);
    }

    /** True when structured pruning removed the tensor entirely (0 x 0). */
    public boolean removed() { return keptRows == 0; }

    /** The {@code ef_format} id of a format (the registry's, {@link WeightFormat#simulatorId()}). */
    public static int formatId(WeightFormat f) { return f.simulatorId(); }

    /** The kernel id of a format ({@code edgefront_kernels.h}): generic intN use the symmetric id plus an asymmetric flag. */
    static int kernelId(WeightFormat f) {
        return f.kind() == WeightFormat.Kind.INT_GROUP ? SimulatorFormats.intGroupId(f.bits(), false) : formatId(f);
    }
}
