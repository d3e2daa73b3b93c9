package org.edgefront.space.ggml;

import java.util.Locale;

/**
 * The ggml tensor types a GGUF file may hold, keyed by ggml's type id ({@code enum ggml_type} in {@code ggml.h}),
 * each with its exact block size and a {@link GgmlDequantizer} that decodes it as ggml's {@code dequantize_row_*}
 * does, bit for bit (see {@link GgmlDecoders}). Block layouts follow {@code ggml-common.h}; K- and i-quant
 * super-blocks hold 256 values. Immutable and thread-safe.
 */
public enum GgmlType {
    F32(0, 1, 4, GgmlDecoders::f32),
    F16(1, 1, 2, GgmlDecoders::f16),
    Q4_0(2, 32, 18, GgmlDecoders::q4_0),
    Q4_1(3, 32, 20, GgmlDecoders::q4_1),
    Q5_0(6, 32, 22, GgmlDecoders::q5_0),
    Q5_1(7, 32, 24, GgmlDecoders::q5_1),
    Q8_0(8, 32, 34, GgmlDecoders::q8_0),
    Q2_K(10, 256, 84, GgmlDecoders::q2_K),
    Q3_K(11, 256, 110, GgmlDecoders::q3_K),
    Q4_K(12, 256, 144, GgmlDecoders::q4_K),
    Q5_K(13, 256, 176, GgmlDecoders::q5_K),
    Q6_K(14, 256, 210, GgmlDecoders::q6_K),
    Q8_K(15, 256, 292, GgmlDecoders::q8_K),
    IQ2_XXS(16, 256, 66, GgmlDecoders::iq2_xxs),
    IQ2_XS(17, 256, 74, GgmlDecoders::iq2_xs),
    IQ3_XXS(18, 256, 98, GgmlDecoders::iq3_xxs),
    IQ1_S(19, 256, 50, GgmlDecoders::iq1_s),
    IQ4_NL(20, 32, 18, GgmlDecoders::iq4_nl),
    IQ3_S(21, 256, 110, GgmlDecoders::iq3_s),
    IQ2_S(22, 256, 82, GgmlDecoders::iq2_s),
    IQ4_XS(23, 256, 136, GgmlDecoders::iq4_xs),
    IQ1_M(29, 256, 56, GgmlDecoders::iq1_m),
    BF16(30, 1, 2, GgmlDecoders::bf16),
    TQ1_0(34, 256, 54, GgmlDecoders::tq1_0),
    TQ2_0(35, 256, 66, GgmlDecoders::tq2_0),
    MXFP4(39, 32, 17, GgmlDecoders::mxfp4);

    private static final GgmlType[] BY_ID = new GgmlType[64];

    static {
        for (GgmlType t : values()) BY_ID[t.id] = t;
    }

    private final int id;
    private final int blockValues;
    private final int blockBytes;
    private final GgmlDequantizer dequantizer;

    GgmlType(int id, int blockValues, int blockBytes, GgmlDequantizer dequantizer) {
        this.id = id;
        this.blockValues = blockValues;
        this.blockBytes = blockBytes;
        this.dequantizer = dequantizer;
    }

    /** The type with this ggml id, or null when EdgeFront cannot decode it (or the id is not a ggml type). */
    public static GgmlType byId(long id) {
        return id >= 0 && id < BY_ID.length ? BY_ID[(int) id] : null;
    }

    /** The type of this name (case-insensitive, as ggml and GGUF tools print it), or null. */
    public static GgmlType byName(String name) {
        for (GgmlType t : values()) if (t.name().equalsIgnoreCase(name.strip())) return t;
        return null;
    }

    /** A name for any ggml type id, also those EdgeFront cannot decode (e.g. {@code Q4_0_4_4} is #31). */
    public static String nameOf(long id) {
        GgmlType t = byId(id);
        if (t != null) return t.name();
        String[] others = {"", "", "", "", "Q4_2", "Q4_3", "", "", "", "Q8_1", "", "", "", "", "", "", "", "", "", "", "", "", "",
            "", "I8", "I16", "I32", "I64", "F64", "", "", "Q4_0_4_4", "Q4_0_4_8", "Q4_0_8_8", "", "", "IQ4_NL_4_4", "IQ4_NL_4_8",
            "IQ4_NL_8_8", "", "NVFP4", "Q1_0", "Q2_0"};
        return id >= 0 && id < others.length && !others[(int) id].isEmpty() ? others[(int) id] : "#" + id;
    }

    /** ggml's type id. */
    public int id() { return id; }

    /** Values per block (1 for F32, F16, BF16). */
    public int blockValues() { return blockValues; }

    /** Bytes per block, scales included. */
    public int blockBytes() { return blockBytes; }

    /** The decoder of this type. */
    public GgmlDequantizer dequantizer() { return dequantizer; }

    /** True when {@code count} values fill whole blocks. */
    public boolean fits(long count) { return count % blockValues == 0; }

    /** Bytes of {@code count} values ({@code count} must fill whole blocks); -1 on overflow. */
    public long bytesFor(long count) {
        if (!fits(count)) throw new IllegalArgumentException(count + " values do not fill whole " + this + " blocks");
        long blocks = count / blockValues;
        return blocks > Long.MAX_VALUE / blockBytes ? -1 : blocks * blockBytes;
    }

    /**
     * ggml's own name of the type ({@code ggml_type_name}: lower case but for the K of K-quants, e.g. {@code q4_K},
     * {@code iq4_nl}), as GGUF tools print it and llama-quantize's {@code --tensor-type} takes it.
     */
    public String ggmlName() {
        String lower = name().toLowerCase(Locale.ROOT);
        return lower.endsWith("_k") ? lower.substring(0, lower.length() - 1) + "K" : lower;
    }
}
