package org.edgefront.space.compress;

import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How the weights of one tensor are stored, with exact sizes per block (never a float bits-per-weight).
 *
 * <p>Three kinds:
 * <ul>
 *   <li>{@link Kind#FLOAT}: F32 (4 bytes per weight), F16 and BF16 (2 bytes).</li>
 *   <li>{@link Kind#LLAMA_CPP}: llama.cpp block formats with their exact block sizes, e.g. Q4_0 = 18 bytes
 *       per 32 weights, Q4_K = 144 bytes per 256. A row whose length is not a multiple of the block
 *       cannot use the format; {@link #effectiveFor(int)} falls back as llama.cpp's quantizer does.</li>
 *   <li>{@link Kind#INT_GROUP}: generic {@code int{b}g{G}}: b-bit integers in groups of G weights along the
 *       input dimension with one fp16 scale per group (plus an fp16 zero point when asymmetric, suffix
 *       {@code a}); {@code gC} is one group per row (per channel). A ragged last group is stored with
 *       only the weights it has.</li>
 * </ul>
 * Immutable and thread-safe.
 *
 * @param name         canonical name (e.g. {@code Q4_0}, {@code int4g32}, {@code int3g128a}, {@code int8gC})
 * @param kind         storage kind
 * @param bits         nominal bits per quantized weight (32/16 for floats)
 * @param blockWeights weights per block; 1 for floats; 0 for per-channel groups (one group per row)
 * @param blockBytes   bytes per full block including scales (for floats, bytes per weight)
 * @param asymmetric   true when each group also stores a zero point/minimum
 */
public record WeightFormat(String name, Kind kind, int bits, int blockWeights, int blockBytes, boolean asymmetric)
        implements java.io.Serializable {

    /** Storage kinds. */
    public enum Kind { FLOAT, LLAMA_CPP, INT_GROUP }

    /** Bytes of one fp16 scale or zero point in generic groups. */
    public static final int SCALE_BYTES = 2;

    public static final WeightFormat F32 = new WeightFormat("F32", Kind.FLOAT, 32, 1, 4, false);
    public static final WeightFormat F16 = new WeightFormat("F16", Kind.FLOAT, 16, 1, 2, false);
    public static final WeightFormat BF16 = new WeightFormat("BF16", Kind.FLOAT, 16, 1, 2, false);
    public static final WeightFormat Q8_0 = new WeightFormat("Q8_0", Kind.LLAMA_CPP, 8, 32, 34, false);
    public static final WeightFormat Q4_0 = new WeightFormat("Q4_0", Kind.LLAMA_CPP, 4, 32, 18, false);
    public static final WeightFormat Q4_1 = new WeightFormat("Q4_1", Kind.LLAMA_CPP, 4, 32, 20, true);
    public static final WeightFormat Q5_0 = new WeightFormat("Q5_0", Kind.LLAMA_CPP, 5, 32, 22, false);
    public static final WeightFormat Q5_1 = new WeightFormat("Q5_1", Kind.LLAMA_CPP, 5, 32, 24, true);
    public static final WeightFormat Q2_K = new WeightFormat("Q2_K", Kind.LLAMA_CPP, 2, 256, 84, true);
    public static final WeightFormat Q3_K = new WeightFormat("Q3_K", Kind.LLAMA_CPP, 3, 256, 110, false);
    public static final WeightFormat Q4_K = new WeightFormat("Q4_K", Kind.LLAMA_CPP, 4, 256, 144, true);
    public static final WeightFormat Q5_K = new WeightFormat("Q5_K", Kind.LLAMA_CPP, 5, 256, 176, true);
    public static final WeightFormat Q6_K = new WeightFormat("Q6_K", Kind.LLAMA_CPP, 6, 256, 210, false);

    /** Every named (non-generic) format. */
    public static final List<WeightFormat> NAMED = List.of(F32, F16, BF16, Q8_0, Q4_0, Q4_1, Q5_0, Q5_1,
            Q2_K, Q3_K, Q4_K, Q5_K, Q6_K);

    private static final Pattern GENERIC = Pattern.compile("int(\\d+)g(\\d+|C)(a?)");

    public WeightFormat {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(kind, "kind");
        if (bits < 1 || bits > 32 || blockWeights < 0 || blockBytes < 1) {
            throw new IllegalArgumentException("bad weight format " + name);
        }
    }

    /**
     * A generic group format.
     *
     * @param bits       1..8
     * @param group      weights per group (>= 1), or 0 for one group per row
     * @param asymmetric also store a zero point per group
     */
    public static WeightFormat intGroup(int bits, int group, boolean asymmetric) {
        if (bits < 1 || bits > 8) throw new IllegalArgumentException("int bits must be 1..8, got " + bits);
        if (group < 0) throw new IllegalArgumentException("group size must be >= 0, got " + group);
        String name = "int" + bits + "g" + (group == 0 ? "C" : Integer.toString(group)) + (asymmetric ? "a" : "");
        int scales = SCALE_BYTES * (asymmetric ? 2 : 1);
        int blockBytes = group == 0 ? scales : ceilDiv((long) bits * group, 8) + scales;
        return new WeightFormat(name, Kind.INT_GROUP, bits, group, blockBytes, asymmetric);
    }

    /**
     * Parses a format name: a named llama.cpp/float format (case-insensitive) or {@code int{b}g{G|C}[a]}.
     *
     * @throws IllegalArgumentException with the list of known names when the name is unknown
     */
    public static WeightFormat parse(String text) {
        Objects.requireNonNull(text, "format");
        String t = text.trim();
        for (WeightFormat f : NAMED) if (f.name.equalsIgnoreCase(t)) return f;
        Matcher m = GENERIC.matcher(t.toLowerCase(Locale.ROOT).replace("gc", "gC"));
        if (m.matches()) {
            int bits = Integer.parseInt(m.group(1));
            int group = m.group(2).equals("C") ? 0 : Integer.parseInt(m.group(2));
            if (group == 0 && !m.group(2).equals("C")) throw new IllegalArgumentException("group size 0: write gC for per-channel");
            return intGroup(bits, group, !m.group(3).isEmpty());
        }
        throw new IllegalArgumentException("unknown weight format '" + text + "' (known: F32, F16, BF16, Q8_0, Q4_0, Q4_1, "
                + "Q5_0, Q5_1, Q2_K, Q3_K, Q4_K, Q5_K, Q6_K, int{bits}g{group}[a], int{bits}gC[a])");
    }

    /** True for formats that store floats unquantized. */
    public boolean isFloat() { return kind == Kind.FLOAT; }

    /** True when rows of length {@code cols} can be stored in this format without fallback. */
    public boolean appliesTo(int cols) {
        return kind != Kind.LLAMA_CPP || cols % blockWeights == 0;
    }

    /**
     * The format actually used for rows of length {@code cols}: this one when it applies, otherwise the
     * llama.cpp quantizer's fallback (Q2_K/Q3_K to a 4.5-bit 32-block format, Q4_K to Q5_0, Q5_K to Q5_1,
     * Q6_K to Q8_0), and F16 when no 32-block format fits either.
     */
    public WeightFormat effectiveFor(int cols) {
        if (appliesTo(cols)) return this;
        WeightFormat fallback = switch (name) {
            case "Q2_K", "Q3_K" -> Q4_0;
            case "Q4_K" -> Q5_0;
            case "Q5_K" -> Q5_1;
            case "Q6_K" -> Q8_0;
            default -> F16;
        };
        return fallback.appliesTo(cols) ? fallback : F16;
    }

    /**
     * Exact bytes of a {@code rows x cols} tensor in the effective format for its row length,
     * including every scale, minimum and zero point.
     */
    public long bytes(long rows, int cols) {
        if (rows < 0 || cols < 0) throw new IllegalArgumentException("negative shape");
        WeightFormat f = effectiveFor(Math.max(cols, 1));
        return rows * f.rowBytes(cols);
    }

    /** Exact bytes of one row of {@code cols} weights in this format (which must apply). */
    public long rowBytes(int cols) {
        switch (kind) {
            case FLOAT:
                return (long) cols * blockBytes;
            case LLAMA_CPP:
                if (cols % blockWeights != 0) throw new IllegalArgumentException(name + " does not apply to rows of " + cols);
                return (long) (cols / blockWeights) * blockBytes;
            case INT_GROUP:
            default:
                int scales = SCALE_BYTES * (asymmetric ? 2 : 1);
                if (blockWeights == 0) return cols == 0 ? 0 : ceilDiv((long) bits * cols, 8) + scales;
                long full = cols / blockWeights;
                int rest = cols % blockWeights;
                long b = full * blockBytes;
                if (rest > 0) b += ceilDiv((long) bits * rest, 8) + scales;
                return b;
        }
    }

    private static int ceilDiv(long a, int b) { return (int) ((a + b - 1) / b); }

    @Override
    public String toString() { return name; }
}
