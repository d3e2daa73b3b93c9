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
 * and the {@link FormatCodec} that quantizes it (round trip to floats and ggml's bytes).
 *
 * <p>Adding a ggml type: one row here (and its codec, if new), one row in {@code edgefront_formats.h} with the
 * same simulator id, block and bytes; nothing else names formats. Immutable and thread-safe.
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
    // K-quants fall back as llama.cpp's quantizer does when a row is not a multiple of 256 (llama.cpp now sends
    // Q2_K/Q3_K to IQ4_NL; EdgeFront keeps the 4.5-bit 32-block Q4_0 it used before IQ4_NL existed here)
    Q2_K(     GgmlType.Q2_K,   2,  true,  new Grid(16, 0, 3, false),              8, 2.5,  true,  "Q4_0",   LlamaCppQuantizer.Q2_K),
    Q3_K(     GgmlType.Q3_K,   3,  false, new Grid(16, 4, 7, false),              9, 3.0,  true,  "Q4_0",   LlamaCppQuantizer.Q3_K),
    Q4_K(     GgmlType.Q4_K,   4,  true,  new Grid(32, 0, 15, false),             10, 1.5, true,  "Q5_0",   LlamaCppQuantizer.Q4_K),
    Q5_K(     GgmlType.Q5_K,   5,  true,  new Grid(32, 0, 31, false),             11, 2.5, true,  "Q5_1",   LlamaCppQuantizer.Q5_K),
    Q6_K(     GgmlType.Q6_K,   6,  false, new Grid(16, 32, 63, false),            12, 2.5, true,  "Q8_0",   LlamaCppQuantizer.Q6_K),
    // non-linear 4-bit codebook: a nibble unpack and a table lookup per weight, as Q4_0's unpack and offset
    IQ4_NL(   GgmlType.IQ4_NL, 4,  false, null,                                   13, 1.0, true,  null,     Iq4Nl.CODEC),
    // IQ4_NL's codebook in 256-weight super-blocks with 6-bit sub-block scales: the lookup plus a two-level scale
    // (as Q4_K's over Q4_0's, without a minimum); rows not of 256 fall back to IQ4_NL as llama.cpp's quantizer does
    IQ4_XS(   GgmlType.IQ4_XS, 4,  false, null,                                   14, 1.25, true, "IQ4_NL", Iq4Nl.XS_CODEC);

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

    /** The quantizer and dequantizer. */
    public FormatCodec codec() { return codec; }

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
