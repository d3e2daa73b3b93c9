package org.edgefront.nativert;

import java.util.Map;
import java.util.Objects;
import org.edgefront.space.compress.Sparsity;
import org.edgefront.space.compress.TensorChoice;
import org.edgefront.space.compress.WeightFormat;
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

    private static final Map<String, Integer> NAMED_IDS = Map.ofEntries(
            Map.entry("F32", 0), Map.entry("F16", 1), Map.entry("BF16", 2), Map.entry("Q8_0", 3), Map.entry("Q4_0", 4),
            Map.entry("Q4_1", 5), Map.entry("Q5_0", 6), Map.entry("Q5_1", 7), Map.entry("Q2_K", 8), Map.entry("Q3_K", 9),
            Map.entry("Q4_K", 10), Map.entry("Q5_K", 11), Map.entry("Q6_K", 12));
    static final int INT_BASE = 16;
    /** {@code EF_FMT_INT_ASYM_BASE} (api 4): asymmetric generic intN ids. */
    static final int INT_ASYM_BASE = 24;

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

    /** True when structured pruning removed the tensor entirely (0 x 0). */
    public boolean removed() { return keptRows == 0; }

    /** The {@code ef_format} id of a format. */
    public static int formatId(WeightFormat f) {
        if (f.kind() == WeightFormat.Kind.INT_GROUP) return (f.asymmetric() ? INT_ASYM_BASE : INT_BASE) + f.bits() - 1;
        Integer id = NAMED_IDS.get(f.name());
        if (id == null) throw new IllegalArgumentException("format " + f.name() + " has no simulator id");
        return id;
    }

    /** True when the format runs on the int8 dot-product path (quantized), false for float formats. */
    public static boolean usesInt8(int formatId) { return formatId >= 3; }

    /** Dequantization ops per stored weight (mirror of {@code ef_format_dequant_ops}). */
    public static double dequantOps(int formatId) {
        return switch (formatId) {
            case 0 -> 0.0;
            case 1, 2 -> 0.5;
            case 3 -> 0.25;
            case 4 -> 1.0;
            case 5 -> 1.25;
            case 6 -> 2.0;
            case 7 -> 2.25;
            case 8 -> 2.5;
            case 9 -> 3.0;
            case 10 -> 1.5;
            case 11, 12 -> 2.5;
            default -> {
                boolean asym = formatId >= INT_ASYM_BASE;
                int bits = genericBits(formatId);
                if (bits < 1 || bits > 8) throw new IllegalArgumentException("unknown format id " + formatId);
                // a zero point adds 0.25, as Q4_1 over Q4_0
                yield (bits == 8 ? 0.25 : bits == 4 ? 1.0 : (bits <= 2 ? 1.5 : 2.5)) + (asym ? 0.25 : 0.0);
            }
        };
    }

    /** Code bits of a generic intN id (symmetric or asymmetric); 0 for other ids. */
    public static int genericBits(int formatId) {
        if (formatId >= INT_ASYM_BASE && formatId < INT_ASYM_BASE + 8) return formatId - INT_ASYM_BASE + 1;
        if (formatId >= INT_BASE && formatId < INT_BASE + 8) return formatId - INT_BASE + 1;
        return 0;
    }

    /** The kernel id of a format ({@code edgefront_kernels.h}): generic intN use the symmetric id plus an asymmetric flag. */
    static int kernelId(WeightFormat f) {
        return f.kind() == WeightFormat.Kind.INT_GROUP ? INT_BASE + f.bits() - 1 : formatId(f);
    }
}
