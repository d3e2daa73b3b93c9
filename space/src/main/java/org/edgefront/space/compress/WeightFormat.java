package org.edgefront.space.compress;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.edgefront.space.format.NamedFormat;
import org.edgefront.space.format.SimulatorFormats;

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

    public static final WeightFormat F32 = of(NamedFormat.F32);
    public static final WeightFormat F16 = of(NamedFormat.F16);
    public static final WeightFormat BF16 = of(NamedFormat.BF16);
    public static final WeightFormat Q8_0 = of(NamedFormat.Q8_0);
    public static final WeightFormat Q4_0 = of(NamedFormat.Q4_0);
    public static final WeightFormat Q4_1 = of(NamedFormat.Q4_1);
    public static final WeightFormat Q5_0 = of(NamedFormat.Q5_0);
    public static final WeightFormat Q5_1 = of(NamedFormat.Q5_1);
    public static final WeightFormat Q2_K = of(NamedFormat.Q2_K);
    public static final WeightFormat Q3_K = of(NamedFormat.Q3_K);
    public static final WeightFormat Q4_K = of(NamedFormat.Q4_K);
    public static final WeightFormat Q5_K = of(NamedFormat.Q5_K);
    public static final WeightFormat Q6_K = of(NamedFormat.Q6_K);

    /** Every named (non-generic) format: one per {@link NamedFormat} row, in registry order. */
    public static final List<WeightFormat> NAMED = Arrays.stream(NamedFormat.values()).map(WeightFormat::of).toList();

    private static final Pattern GENERIC = Pattern.compile("int(\\d+)g(\\d+|C)(a?)");

    public WeightFormat {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(kind, "kind");
        if (bits < 1 || bits > 32 || blockWeights < 0 || blockBytes < 1) {
            throw new IllegalArgumentException("bad weight format " + name);
        }
    }

    /** The value of a registry row. */
    public static WeightFormat of(NamedFormat f) {
        return new WeightFormat(f.name(), f.isFloat() ? Kind.FLOAT : Kind.LLAMA_CPP, f.bits(), f.blockWeights(), f.blockBytes(),
                f.asymmetric());
    }

    /** The registry row of a named format, or null for a generic {@code int{b}g{G}} format. */
    public NamedFormat named() {
        return kind == Kind.INT_GROUP ? null : NamedFormat.byLabel(name);
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
        throw new IllegalArgumentException("unknown weight format '" + text + "' (known: " + NamedFormat.labels()
                + ", int{bits}g{group}[a], int{bits}gC[a])");
    }

    /**
     * True when EdgeFront can quantize to this format (every generic format and every named format with a codec); a
     * format it only reads, simulates and accounts (the lattice i-quants, TQ1_0/TQ2_0) is no search option.
     */
    public boolean quantizable() {
        NamedFormat n = named();
        return n == null || n.quantizable();
    }

    /** True for formats that store floats unquantized. */
    public boolean isFloat() { return kind == Kind.FLOAT; }

    /** True when rows of length {@code cols} can be stored in this format without fallback. */
    public boolean appliesTo(int cols) {
        return kind != Kind.LLAMA_CPP || cols % blockWeights == 0;
    }

    /**
     * The format actually stored for rows of length {@code cols}: for a named format the registry's one fallback
     * rule ({@link NamedFormat#storedFor(int)}: llama.cpp's quantizer falls back when a row is not whole blocks);
     * generic group formats store ragged last groups and always apply.
     */
    public WeightFormat effectiveFor(int cols) {
        NamedFormat n = named();
        if (n == null) return this;
        NamedFormat stored = n.storedFor(cols);
        return stored == n ? this : of(stored);
    }

    /** Stored bits per weight of whole blocks or groups (floats: their bits; per-channel groups: the code bits). */
    public double bitsPerWeight() {
        return kind == Kind.FLOAT || blockWeights == 0 ? bits : 8.0 * blockBytes / blockWeights;
    }

    /** The C simulator's {@code ef_format} id of this format (see {@link SimulatorFormats}). */
    public int simulatorId() {
        NamedFormat n = named();
        return n == null ? SimulatorFormats.intGroupId(bits, asymmetric) : n.simulatorId();
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
