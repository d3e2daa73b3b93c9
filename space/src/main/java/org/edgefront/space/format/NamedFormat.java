package org.edgefront.space.format;

import java.util.Arrays;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.edgefront.space.ggml.GgmlType;

/**
 * The registry of named weight formats: one row per format, declaring everything the rest of EdgeFront asks about
 * it. Memory accounting, the simulator encoding, the quality pass, the report and the exporters all ask a row;
 * none of them keeps its own list. The C simulator's copy of the simulator columns lives in one header table
 * ({@code native-runtime/src/main/c/include/edgefront_formats.h}) and the native library checks at load that the
 * two agree ({@link SimulatorFormats}).
 *
 * <p>Columns: the {@link GgmlType} it is stored as (ggml id and name, weights and bytes per block, and the
 * decoder: declared there once, for every type a GGUF may hold); nominal bits per weight; whether a block stores a minimum (asymmetric); the sub-block {@link Grid} that GPTQ and the
 * GPTQ exporter approximate the format with (null when no integer grid fits, as for a codebook format); the
 * simulator's format id, its default dequantization ops per stored weight and whether its GEMV runs on the int8
 * dot-product path; the runtimes that store the format; llama.cpp's fallback for rows that are not whole blocks;
 * and the {@link FormatCodec} that quantizes it (round trip to floats and ggml's bytes), or null for a type EdgeFront
 * only reads, simulates and accounts (the lattice i-quants, TQ1_0/TQ2_0 and MXFP4): such a format is no search option
 * ({@link #quantizable()}).
 *
 * <p>Adding a ggml type: one row here (and its codec, if new; null when EdgeFront cannot quantize it), one row in
 * {@code edgefront_formats.h} with the same simulator id, block and bytes; nothing else names formats. Simulator
 * ids 0..15 and 32..{@link SimulatorFormats#COUNT}-1 are named formats, 16..31 the generic intN ids. Immutable and
 * thread-safe.
 */
public enum NamedFormat {
    //        ggml type        bits  min    grid (sub-block, offset, qmax, exact)   sim deq   int8   fallback  codec
    F32(      GgmlType.F32,    32, false, null,                                   0, 0.0,  false, null,     FloatCodecs.F32),
    F16(      GgmlType.F16,    16, false, null,                                   1, 0.5,  false, null,     FloatCodecs.F16),
    BF16(     GgmlType.BF16,   16, false, null,                                   2, 0.5,  false, null,     FloatCodecs.BF16),
    Q8_0(     GgmlType.Q8_0,   8,  false, new Grid(32, 0, 127, true),             3, 0.25, true,  null,     LlamaCppQuantizer.Q8_0),
    Q4_0(     GgmlType.Q4_0,   4,  false, new Grid(32, 8, 15, true),              4, 1.0,  true,  null,     LlamaCppQuantizer.Q4_0),
    Q4_1(     GgmlType.Q4_1,   4,  true,  new Grid(32, 0, 15, true),              5, 1.25, true,  null,     LlamaCppQuantizer.Q4_1),
    Q5_0(     GgmlType.Q5_0,   5,  false, new Grid(32, 16, 31, true),             6, 2.0,  true,  null,     LlamaCppQuantizer.Q5_0),
    Q5_1(     GgmlType.Q5_1,   5,  true,  new Grid(32, 0, 31, true),              7, 2.25, true,  null,     LlamaCppQuantizer.Q5_1),
    // K-quants fall back as llama-quantize's tensor_type_fallback does when a row is not a multiple of 256
    Q2_K(     GgmlType.Q2_K,   2,  true,  new Grid(16, 0, 3, false),              8, 2.5,  true,  "Q4_0",   LlamaCppQuantizer.Q2_K),
    Q3_K(     GgmlType.Q3_K,   3,  false, new Grid(16, 4, 7, false),              9, 3.0,  true,  "Q4_0",   LlamaCppQuantizer.Q3_K),
    Q4_K(     GgmlType.Q4_K,   4,  true,  new Grid(32, 0, 15, false),             10, 1.5, true,  "Q5_0",   LlamaCppQuantizer.Q4_K),
    Q5_K(     GgmlType.Q5_K,   5,  true,  new Grid(32, 0, 31, false),             11, 2.5, true,  "Q5_1",   LlamaCppQuantizer.Q5_K),
    Q6_K(     GgmlType.Q6_K,   6,  false, new Grid(16, 32, 63, false),            12, 2.5, true,  "Q8_0",   LlamaCppQuantizer.Q6_K),
    // non-linear 4-bit codebook: a nibble unpack and a table lookup per weight, as Q4_0's unpack and offset
    IQ4_NL(   GgmlType.IQ4_NL, 4,  false, null,                                   13, 1.0, true,  null,     Iq4Nl.CODEC),
    // IQ4_NL's codebook in 256-weight super-blocks with 6-bit sub-block scales: the lookup plus a two-level scale
    // (as Q4_K's over Q4_0's, without a minimum); rows not of 256 fall back to IQ4_NL as llama.cpp's quantizer does
    IQ4_XS(   GgmlType.IQ4_XS, 4,  false, null,                                   14, 1.25, true, "IQ4_NL", Iq4Nl.XS_CODEC),
    // Lattice i-quants and ternary types: stored, simulated, accounted and read from GGUF, but EdgeFront has no
    // quantizer for them (codec null: not a search option). Their int8 path is llama.cpp's CPU vec_dot against
    // Q8_K activations. The dequantization cost per weight is read off the kernel's work against Q4_0's 1.0 (a
    // nibble unpack and a scale): a grid lookup is a table load building several weights at once, signs are a
    // table lookup or explicit bits applied by a multiply, scales are per 16 or 32 weights. Rows that are not
    // whole 256-blocks fall back as llama-quantize's tensor_type_fallback does (i-quants: IQ4_NL; ternary: Q4_0).
    // IQ3_XXS: a 256-entry grid of 4 weights per byte (8 loads per 32), 7-bit ksigns index per 8, 4-bit scale per 32
    IQ3_XXS(  GgmlType.IQ3_XXS, 3, false, null,                                   15, 3.5, true,  "IQ4_NL", null),
    // IQ3_S: a 512-entry grid of 4 weights (9-bit index over qs and qh), explicit sign bits, 4-bit scale per 32
    IQ3_S(    GgmlType.IQ3_S,  3,  false, null,                                   32, 3.5, true,  "IQ4_NL", null),
    // IQ2_XXS: a 256-entry grid of 8 weights per byte, 7-bit ksigns index per 8, 4-bit scale per 32
    IQ2_XXS(  GgmlType.IQ2_XXS, 2, false, null,                                   33, 3.0, true,  "IQ4_NL", null),
    // IQ2_XS: a 512-entry grid of 8 (9-bit index in a uint16 with 7 sign-index bits), 4-bit scale per 16
    IQ2_XS(   GgmlType.IQ2_XS, 2,  false, null,                                   34, 3.25, true, "IQ4_NL", null),
    // IQ2_S: a 1024-entry grid of 8 (10-bit index over qs and qh), explicit sign bits, 4-bit scale per 16
    IQ2_S(    GgmlType.IQ2_S,  2,  false, null,                                   35, 3.0, true,  "IQ4_NL", null),
    // IQ1_S: a 2048-entry ternary grid of 8 (11-bit index), no signs; 3-bit scale and a shared delta per 32, the
    // delta applied once per 32 through the activations' sums
    IQ1_S(    GgmlType.IQ1_S,  1,  false, null,                                   36, 2.5, true,  "IQ4_NL", null),
    // IQ1_M: IQ1_S's grid with a delta per 8 and 3-bit scales per 16; the block scale is reassembled from four words
    IQ1_M(    GgmlType.IQ1_M,  1,  false, null,                                   37, 2.75, true, "IQ4_NL", null),
    // TQ1_0: ternary packed five trits per byte (base 3): a multiply by a power of 3, a shift and a subtract per weight
    TQ1_0(    GgmlType.TQ1_0,  1,  false, null,                                   38, 2.0, true,  "Q4_0",   null),
    // TQ2_0: ternary as 2-bit codes: a shift, a mask and a subtract of 1 per weight, one scale per 256 (Q4_0's work)
    TQ2_0(    GgmlType.TQ2_0,  2,  false, null,                                   39, 1.0, true,  "Q4_0",   null),
    // MXFP4 (OCP microscaling FP4, gpt-oss's expert weights): E2M1 nibbles looked up in a 16-entry table and one
    // power-of-two (E8M0) scale per 32, IQ4_NL's work; llama.cpp's CPU vec_dot runs it against Q8_0 activations. A
    // 32-block type: a row not of 32 is stored F16, as for the legacy types (no fallback). Read, simulated and
    // accounted; no quantizer (not a search option)
    MXFP4(    GgmlType.MXFP4,  4,  false, null,                                   40, 1.0, true,  null,     null);

    /**
     * A uniform integer grid on sub-blocks that approximates (or, when {@code exact}, equals) the format's values:
     * codes 0..qmax minus {@code offset} times a per-sub-block scale, plus a minimum when the format stores one.
     *
     * @param subBlockWeights weights sharing one scale (16 or 32)
     * @param offset          code offset of symmetric formats (Q4_0: 8); 0 for a signed code (Q8_0) or a minimum
     * @param qmax            largest code
     * @param exact           true when every value on the grid is exactly what the format stores (legacy formats)
     */
    public record Grid(int subBlockWeights, int offset, int qmax, boolean exact) {}

    /** Inference runtimes whose files store a format exactly. */
    public enum Runtime { LLAMA_CPP }

    private final GgmlType ggml;
    private final int bits;
    private final boolean asymmetric;
    private final Grid grid;
    private final int simulatorId;
    private final double dequantOps;
    private final boolean int8Path;
    private final String fallback;
    private final FormatCodec codec;

    NamedFormat(GgmlType ggml, int bits, boolean asymmetric, Grid grid, int simulatorId, double dequantOps, boolean int8Path,
                String fallback, FormatCodec codec) {
        this.ggml = ggml;
        this.bits = bits;
        this.asymmetric = asymmetric;
        this.grid = grid;
        this.simulatorId = simulatorId;
        this.dequantOps = dequantOps;
        this.int8Path = int8Path;
        this.fallback = fallback;
        this.codec = codec;
    }

    /** The ggml type this format is stored as: its id, block layout and decoder live there, once. */
    public GgmlType ggml() { return ggml; }

    /** ggml's {@code ggml_type} id (GGUF tensor type). */
    public int ggmlType() { return ggml.id(); }

    /** ggml's type name, as llama-quantize's {@code --tensor-type} takes it (e.g. {@code q4_K}). */
    public String ggmlName() { return ggml.ggmlName(); }

    /** Weights per block; 1 for floats. */
    public int blockWeights() { return ggml.blockValues(); }

    /** Bytes per block including scales and minima (floats: bytes per weight). */
    public int blockBytes() { return ggml.blockBytes(); }

    /** Nominal bits per quantized weight (32/16 for floats). */
    public int bits() { return bits; }

    /** True when each block (or sub-block) also stores a minimum. */
    public boolean asymmetric() { return asymmetric; }

    /** True for unquantized float formats. */
    public boolean isFloat() { return blockWeights() == 1; }

    /** The integer sub-block grid approximating the format, or null when none fits (a codebook format). */
    public Grid grid() { return grid; }

    /** The C simulator's {@code ef_format} id. */
    public int simulatorId() { return simulatorId; }

    /** The simulator's default dequantization ops per stored weight. */
    public double dequantOps() { return dequantOps; }

    /** True when the simulator runs this format's GEMV on the int8 dot-product path. */
    public boolean int8Path() { return int8Path; }

    /** Runtimes whose files store this format (every ggml type: llama.cpp). */
    public Set<Runtime> runtimes() { return Collections.unmodifiableSet(EnumSet.of(Runtime.LLAMA_CPP)); }

    /** The quantizer and dequantizer, or null when EdgeFront cannot quantize this format ({@link #quantizable()}). */
    public FormatCodec codec() { return codec; }

    /**
     * True when EdgeFront can quantize to this format, so that it can be a search, compare, profile or export option;
     * false for a format it only reads (GGUF), simulates and accounts.
     */
    public boolean quantizable() { return codec != null; }

    /** Stored bits per weight of whole blocks (e.g. Q4_0: 4.5). */
    public double bitsPerWeight() { return isFloat() ? bits : 8.0 * blockBytes() / blockWeights(); }

    /** True when rows of {@code cols} weights are whole blocks. */
    public boolean appliesTo(int cols) { return ggml.fits(cols); }

    /**
     * Decodes {@code n} weights stored in ggml's byte layout at {@code src[srcOff..]} into {@code out}, bit for bit as
     * ggml does ({@code n} must be whole blocks): the type's one decoder, shared with GGUF reading.
     */
    public void decode(byte[] src, int srcOff, int n, float[] out, int outOff) {
        if (!ggml.fits(n)) throw new IllegalArgumentException(name() + " needs rows of whole " + blockWeights() + "-weight blocks, got " + n);
        ggml.dequantizer().dequantize(src, srcOff, n / blockWeights(), out, outOff);
    }

    /**
     * The format llama.cpp actually stores for rows of {@code cols} weights: this one when the rows are whole blocks,
     * otherwise the declared fallback when that applies, otherwise F16. The one fallback rule of EdgeFront.
     */
    public NamedFormat storedFor(int cols) {
        if (appliesTo(cols)) return this;
        if (fallback != null) {
            NamedFormat f = valueOf(fallback);
            if (f.appliesTo(cols)) return f;
        }
        return F16;
    }

    /** The row named {@code label} (case-insensitive), or null. */
    public static NamedFormat byLabel(String label) {
        NamedFormat f = Labels.EXACT.get(label); // hot path: canonical labels
        if (f != null) return f;
        for (NamedFormat g : values()) if (g.name().equalsIgnoreCase(label.trim())) return g;
        return null;
    }

    /** Canonical labels, built after the constants exist. */
    private static final class Labels {
        static final Map<String, NamedFormat> EXACT = Arrays.stream(values()).collect(Collectors.toUnmodifiableMap(Enum::name, f -> f));
    }

    /** The row with ggml type id {@code ggmlType}, or null when the registry has no such type. */
    public static NamedFormat byGgmlType(long ggmlType) {
        for (NamedFormat f : values()) if (f.ggml.id() == ggmlType) return f;
        return null;
    }

    /** Every label, comma-separated, for error messages. */
    public static String labels() {
        return String.join(", ", Arrays.stream(values()).map(Enum::name).toArray(String[]::new));
    }

    @Override
    public String toString() { return name().toUpperCase(Locale.ROOT); }
}
