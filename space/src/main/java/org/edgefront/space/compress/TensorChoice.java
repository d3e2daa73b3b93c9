package org.edgefront.space.compress;

import java.util.Objects;
import org.edgefront.space.model.TensorSpec;

/**
 * The compression chosen for one tensor: weight format, sparsity, optional low-rank factorization
 * W ~ A B with A {@code rows x k}, B {@code k x cols}, {@code k = max(1, round(rankRatio x min(rows, cols)))},
 * and optionally GPTQ-style error-compensating rounding instead of round-to-nearest (same storage, same bytes), or
 * llama.cpp's importance-weighted rounding from an importance matrix of calibration activations ({@code +imatrix}, as
 * {@code llama-quantize --imatrix} quantizes; same storage, same bytes).
 * Its label is the wire form used in YAML, JSON and Parquet: {@code Q4_0}, {@code int4g32+2:4},
 * {@code Q8_0+s50}, {@code F16+r0.25}, {@code int3g32+gptq}, {@code IQ4_XS+imatrix}. Immutable and thread-safe.
 *
 * @param format           storage format of the (kept) weights
 * @param sparsity         sparsity pattern
 * @param rankRatio        kept rank as a fraction of full rank, in (0, 1]; 1 means not factorized
 * @param errorCompensated quantize with GPTQ from calibration activations (dense, full-rank, quantized formats only)
 * @param importanceWeighted quantize as llama.cpp does with an importance matrix (dense, full-rank llama.cpp formats whose
 *                           quantizer takes one: {@link #importanceWeightable(WeightFormat)})
 */
public record TensorChoice(WeightFormat format, Sparsity sparsity, double rankRatio, boolean errorCompensated, boolean importanceWeighted)
        implements java.io.Serializable {

    public TensorChoice {
        Objects.requireNonNull(format, "format");
        Objects.requireNonNull(sparsity, "sparsity");
        if (!(rankRatio > 0.0 && rankRatio <= 1.0)) throw new IllegalArgumentException("rank ratio must be in (0,1], got " + rankRatio);
        if (rankRatio < 1.0 && sparsity.kind() != Sparsity.Kind.NONE) {
            throw new IllegalArgumentException("low rank and sparsity cannot be combined on one tensor");
        }
        if (errorCompensated && (format.isFloat() || rankRatio < 1.0 || sparsity.kind() != Sparsity.Kind.NONE)) {
            throw new IllegalArgumentException("+gptq applies to dense, full-rank, quantized formats only");
        }
        if (importanceWeighted && (errorCompensated || rankRatio < 1.0 || sparsity.kind() != Sparsity.Kind.NONE || !importanceWeightable(format))) {
            throw new IllegalArgumentException("+imatrix applies to dense, full-rank llama.cpp formats with an importance-weighted quantizer"
                    + " (Q4_0, Q4_1, Q5_0, Q5_1, Q2_K..Q6_K, IQ4_NL, IQ4_XS), without +gptq; not " + format.name());
        }
    }

    /** A choice without an importance matrix. */
    public TensorChoice(WeightFormat format, Sparsity sparsity, double rankRatio, boolean errorCompensated) {
        this(format, sparsity, rankRatio, errorCompensated, false);
    }

    /**
     * Whether EdgeFront quantizes {@code format} with an importance matrix as llama.cpp does (its codec has a
     * {@link org.edgefront.space.format.FormatCodec#weighted()} quantizer).
     */
    public static boolean importanceWeightable(WeightFormat format) {
        var named = format.named();
        return named != null && named.codec() != null && named.codec().weighted() != null;
    }

    /** A choice with round-to-nearest quantization. */
    public TensorChoice(WeightFormat format, Sparsity sparsity, double rankRatio) {
        this(format, sparsity, rankRatio, false);
    }

    /** A dense, full-rank choice in the given format. */
    public static TensorChoice of(WeightFormat format) { return new TensorChoice(format, Sparsity.NONE, 1.0); }

    /**
     * Parses a label such as {@code Q4_0}, {@code int4g32+2:4}, {@code Q8_0+s50}, {@code F16+r0.25}, {@code Q4_0+gptq},
     * {@code IQ4_XS+imatrix}.
     */
    public static TensorChoice parse(String label) {
        Objects.requireNonNull(label, "choice");
        String[] parts = label.trim().split("\\+");
        WeightFormat f = WeightFormat.parse(parts[0]);
        Sparsity s = Sparsity.NONE;
        double r = 1.0;
        boolean gptq = false;
        boolean imatrix = false;
        for (int i = 1; i < parts.length; i++) {
            String p = parts[i].trim();
            if (p.equals("gptq")) {
                gptq = true;
            } else if (p.equals("imatrix")) {
                imatrix = true;
            } else if (p.startsWith("r")) {
                try {
                    r = Double.parseDouble(p.substring(1));
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("bad rank ratio in '" + label + "'");
                }
            } else {
                s = Sparsity.parse(p);
            }
        }
        return new TensorChoice(f, s, r, gptq, imatrix);
    }

    /**
     * Parses an option of a search, comparison, profile or export: as {@link #parse}, and the format must be one
     * EdgeFront can quantize ({@link WeightFormat#quantizable()}).
     *
     * @throws IllegalArgumentException naming the label when it does not parse or names a format without a quantizer
     */
    public static TensorChoice parseOption(String label) {
        TensorChoice c = parse(label);
        c.requireQuantizable();
        return c;
    }

    /**
     * Fails when EdgeFront cannot quantize this choice's format, saying what the format can still be used for.
     *
     * @throws IllegalArgumentException naming the format
     */
    public void requireQuantizable() {
        if (!format.quantizable()) {
            throw new IllegalArgumentException(format.name() + " has no EdgeFront quantizer, so it is not a search, compare, profile or "
                    + "export option (simulate --format, memory accounting and reading a GGUF that holds it do take it)");
        }
    }

    /** Rank kept for a tensor of this shape (its full rank when not factorized). */
    public int rank(TensorSpec t) {
        int full = Math.min(t.rows(), t.cols());
        if (rankRatio >= 1.0) return full;
        return Math.max(1, (int) Math.round(rankRatio * full));
    }

    /** True when this choice stores the tensor as two low-rank factors. */
    public boolean isLowRank() { return rankRatio < 1.0; }

    /**
     * Exact bytes this choice needs to store tensor {@code t}: quantized blocks with their scales,
     * sparsity metadata, and both factors for low rank. The format falls back per
     * {@link WeightFormat#effectiveFor(int)} on the row length actually stored.
     */
    public long bytes(TensorSpec t) {
        if (isLowRank()) {
            int k = rank(t);
            return format.bytes(t.rows(), k) + format.bytes(k, t.cols());
        }
        int kept = sparsity.keptPerRow(t.cols());
        long values = sparsity.kind() == Sparsity.Kind.NONE
                ? format.bytes(t.rows(), t.cols())
                : (long) t.rows() * format.effectiveFor(Math.max(kept, 1)).rowBytes(kept);
        return values + (long) t.rows() * sparsity.metadataBytesPerRow(t.cols());
    }

    /** The wire label. */
    public String label() {
        StringBuilder b = new StringBuilder(format.name());
        if (sparsity.kind() != Sparsity.Kind.NONE) b.append('+').append(sparsity.label());
        if (isLowRank()) b.append("+r").append(stripZeros(rankRatio));
        if (errorCompensated) b.append("+gptq");
        if (importanceWeighted) b.append("+imatrix");
        return b.toString();
    }

    private static String stripZeros(double v) {
        String s = Double.toString(v);
        return s.contains(".") ? s.replaceAll("0+$", "").replaceAll("\\.$", "") : s;
    }

    @Override
    public String toString() { return label(); }
}
