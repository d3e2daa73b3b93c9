package org.edgefront.nativert;

import java.util.Map;
import org.edgefront.space.compress.Sparsity;
import org.edgefront.space.compress.TensorChoice;
import org.edgefront.space.compress.WeightFormat;
import org.edgefront.space.model.TensorSpec;

/**
 * One tensor's choice as the C library sees it ({@code ef_tensor_choice}). Immutable.
 *
 * @param formatId       {@code ef_format} id of the format actually stored (after llama.cpp fallback)
 * @param sparsityKind   0 dense, 1 unstructured, 2 N:M
 * @param sparsityRatio  fraction of zero weights
 * @param rank           kept rank (full rank when not factorized)
 * @param weightBytes    exact stored bytes ({@link TensorChoice#bytes(TensorSpec)})
 */
public record EncodedChoice(int formatId, int sparsityKind, double sparsityRatio, int rank, long weightBytes)
        implements java.io.Serializable {

    private static final Map<String, Integer> NAMED_IDS = Map.ofEntries(
            Map.entry("F32", 0), Map.entry("F16", 1), Map.entry("BF16", 2), Map.entry("Q8_0", 3), Map.entry("Q4_0", 4),
            Map.entry("Q4_1", 5), Map.entry("Q5_0", 6), Map.entry("Q5_1", 7), Map.entry("Q2_K", 8), Map.entry("Q3_K", 9),
            Map.entry("Q4_K", 10), Map.entry("Q5_K", 11), Map.entry("Q6_K", 12));
    static final int INT_BASE = 16;

    /** Encodes {@code choice} for tensor {@code t}. */
    public static EncodedChoice encode(TensorSpec t, TensorChoice choice) {
        WeightFormat f = choice.format().effectiveFor(t.cols());
        int kind = switch (choice.sparsity().kind()) {
            case NONE -> 0;
            case UNSTRUCTURED -> 1;
            case N_M -> 2;
        };
        Sparsity s = choice.sparsity();
        return new EncodedChoice(formatId(f), kind, s.kind() == Sparsity.Kind.NONE ? 0.0 : s.ratio(), choice.rank(t), choice.bytes(t));
    }

    /** The {@code ef_format} id of a format. */
    public static int formatId(WeightFormat f) {
        if (f.kind() == WeightFormat.Kind.INT_GROUP) return INT_BASE + f.bits() - 1;
        Integer id = NAMED_IDS.get(f.name());
        if (id == null) throw new IllegalArgumentException("format " + f.name() + " has no simulator id");
        return id;
    }

    /** True when the format runs on the int8 dot-product path (quantized), false for float formats. */
    static boolean usesInt8(int formatId) { return formatId >= 3; }

    /** Dequantization ops per stored weight (mirror of {@code ef_format_dequant_ops}). */
    static double dequantOps(int formatId) {
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
                int bits = formatId - INT_BASE + 1;
                if (bits < 1 || bits > 8) throw new IllegalArgumentException("unknown format id " + formatId);
                yield bits == 8 ? 0.25 : bits == 4 ? 1.0 : (bits <= 2 ? 1.5 : 2.5);
            }
        };
    }
}
