package org.edgefront.space.compress;

import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Weight sparsity of one tensor and its storage cost.
 *
 * <ul>
 *   <li>{@link Kind#NONE}: dense.</li>
 *   <li>{@link Kind#UNSTRUCTURED}: a fraction {@code ratio} of each row is zero; stored as a 1-bit-per-weight
 *       bitmap plus the kept weights packed densely in the tensor's format. Label {@code s50} = 50%.</li>
 *   <li>{@link Kind#N_M}: in every group of {@code m} consecutive input weights only {@code n} are non-zero
 *       (2:4, 4:8); stored as the kept weights plus ceil(log2 m) bits of index per kept weight.</li>
 * </ul>
 * Immutable and thread-safe.
 */
public record Sparsity(Kind kind, double ratio, int n, int m) implements java.io.Serializable {

    /** Sparsity kinds. */
    public enum Kind { NONE, UNSTRUCTURED, N_M }

    public static final Sparsity NONE = new Sparsity(Kind.NONE, 0.0, 0, 0);

    private static final Pattern NM = Pattern.compile("(\\d+):(\\d+)");
    private static final Pattern UNSTRUCTURED_LABEL = Pattern.compile("s(\\d{1,2})");

    public Sparsity {
        Objects.requireNonNull(kind, "kind");
        switch (kind) {
            case NONE -> { if (ratio != 0.0) throw new IllegalArgumentException("dense sparsity must have ratio 0"); }
            case UNSTRUCTURED -> {
                if (!(ratio > 0.0 && ratio < 1.0)) throw new IllegalArgumentException("sparsity ratio must be in (0,1), got " + ratio);
            }
            case N_M -> {
                if (n < 1 || m < 2 || n >= m || m > 64) throw new IllegalArgumentException("bad N:M sparsity " + n + ":" + m);
            }
        }
    }

    /** Unstructured sparsity with the given zero fraction (0..1, exclusive), e.g. 0.5. */
    public static Sparsity unstructured(double ratio) { return new Sparsity(Kind.UNSTRUCTURED, ratio, 0, 0); }

    /** N:M semi-structured sparsity, e.g. 2:4. */
    public static Sparsity nOfM(int n, int m) { return new Sparsity(Kind.N_M, 1.0 - (double) n / m, n, m); }

    /** Parses {@code dense}, {@code s50} (50% unstructured) or {@code 2:4}. */
    public static Sparsity parse(String text) {
        String t = text.trim();
        if (t.isEmpty() || t.equalsIgnoreCase("dense") || t.equalsIgnoreCase("none")) return NONE;
        Matcher nm = NM.matcher(t);
        if (nm.matches()) return nOfM(Integer.parseInt(nm.group(1)), Integer.parseInt(nm.group(2)));
        Matcher u = UNSTRUCTURED_LABEL.matcher(t);
        if (u.matches()) return unstructured(Integer.parseInt(u.group(1)) / 100.0);
        throw new IllegalArgumentException("unknown sparsity '" + text + "' (use dense, s<percent> like s50, or N:M like 2:4)");
    }

    /** Weights kept per row of {@code cols}. */
    public int keptPerRow(int cols) {
        return switch (kind) {
            case NONE -> cols;
            case UNSTRUCTURED -> cols - (int) Math.floor(ratio * cols);
            case N_M -> (cols / m) * n + Math.min(cols % m, n);
        };
    }

    /** Metadata bytes (bitmap or N:M indices) for one row of {@code cols} weights. */
    public long metadataBytesPerRow(int cols) {
        return switch (kind) {
            case NONE -> 0;
            case UNSTRUCTURED -> (cols + 7) / 8;
            case N_M -> {
                int idxBits = 32 - Integer.numberOfLeadingZeros(m - 1);
                yield ((long) keptPerRow(cols) * idxBits + 7) / 8;
            }
        };
    }

    /** Short label used in choices: {@code dense}, {@code s50}, {@code 2:4}. */
    public String label() {
        return switch (kind) {
            case NONE -> "dense";
            case UNSTRUCTURED -> "s" + Math.round(ratio * 100);
            case N_M -> n + ":" + m;
        };
    }

    @Override
    public String toString() { return label(); }
}
