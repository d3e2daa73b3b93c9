package org.edgefront.space.format;

import java.util.ArrayList;
import java.util.List;

/**
 * The simulator's format ids as Java sees them: one {@link Row} per {@code ef_format} id, the named rows taken from
 * {@link NamedFormat} and the generic {@code int{b}g{G}} ids from the rule below. The native library compares this
 * table with the C header's ({@code edgefront_formats.h}) when it loads and refuses to run when they differ.
 *
 * <p>Ids 0..15 and 32..{@link #COUNT}-1 are named formats (the generic ids sit between them since api 4, and the
 * named formats of api 7 were added after them so that no generic id moved). Generic intN ids: {@link #INT_BASE} + bits - 1 (symmetric, one fp16 scale per group) and
 * {@link #INT_ASYM_BASE} + bits - 1 (with an fp16 zero point); their default dequantization ops per weight are
 * 0.25 (8 bits), 1.0 (4 bits: a nibble unpack), 1.5 (1-2 bits), 2.5 (codes that straddle bytes), plus 0.25 for a
 * zero point, as Q4_1 over Q4_0. Stateless and thread-safe.
 */
public final class SimulatorFormats {
    /** {@code EF_FMT_INT_BASE}. */
    public static final int INT_BASE = 16;
    /** {@code EF_FMT_INT_ASYM_BASE}. */
    public static final int INT_ASYM_BASE = 24;
    /** The first id after the generic ones ({@code EF_FMT_NAMED2_BASE}): named formats continue here. */
    public static final int NAMED2_BASE = 32;
    /** {@code EF_FMT_COUNT}: ids 0..COUNT-1 (40 since api 7 added the lattice i-quants and TQ1_0/TQ2_0, 41 since api 10 added MXFP4). */
    public static final int COUNT = 41;

    private static final Row[] ROWS = build();

    private SimulatorFormats() {}

    /**
     * One simulator format id.
     *
     * @param id           {@code ef_format} id
     * @param label        format label ({@code Q4_0}, {@code int4}, {@code int4a})
     * @param ggmlType     ggml type id, or -1 for generic intN
     * @param blockWeights weights per block (0 for generic intN: the group size travels with the stored bytes)
     * @param blockBytes   bytes per block (0 for generic intN)
     * @param genericBits  code bits of a generic intN id, 0 for named formats
     * @param dequantOps   default dequantization ops per stored weight
     * @param int8Path     true when the GEMV runs on the int8 dot-product path
     */
    public record Row(int id, String label, int ggmlType, int blockWeights, int blockBytes, int genericBits,
                      double dequantOps, boolean int8Path) {}

    private static Row[] build() {
        Row[] rows = new Row[COUNT];
        for (NamedFormat f : NamedFormat.values()) {
            if (isGeneric(f.simulatorId()) || f.simulatorId() < 0 || f.simulatorId() >= COUNT || rows[f.simulatorId()] != null) {
                throw new ExceptionInInitializerError("simulator id " + f.simulatorId() + " of " + f + " is taken or generic");
            }
            rows[f.simulatorId()] = new Row(f.simulatorId(), f.name(), f.ggmlType(), f.blockWeights(), f.blockBytes(), 0,
                    f.dequantOps(), f.int8Path());
        }
        for (int bits = 1; bits <= 8; bits++) {
            double ops = bits == 8 ? 0.25 : bits == 4 ? 1.0 : bits <= 2 ? 1.5 : 2.5;
            rows[INT_BASE + bits - 1] = new Row(INT_BASE + bits - 1, "int" + bits, -1, 0, 0, bits, ops, true);
            rows[INT_ASYM_BASE + bits - 1] = new Row(INT_ASYM_BASE + bits - 1, "int" + bits + "a", -1, 0, 0, bits, ops + 0.25, true);
        }
        return rows;
    }

    /** True for the generic intN ids ({@link #INT_BASE}..{@link #NAMED2_BASE}-1). */
    public static boolean isGeneric(int id) { return id >= INT_BASE && id < NAMED2_BASE; }

    /** The simulator id of a generic intN format. */
    public static int intGroupId(int bits, boolean asymmetric) {
        if (bits < 1 || bits > 8) throw new IllegalArgumentException("int bits must be 1..8, got " + bits);
        return (asymmetric ? INT_ASYM_BASE : INT_BASE) + bits - 1;
    }

    /**
     * The row of simulator id {@code id}.
     *
     * @throws IllegalArgumentException when no format has that id
     */
    public static Row row(int id) {
        Row r = id >= 0 && id < COUNT ? ROWS[id] : null;
        if (r == null) throw new IllegalArgumentException("unknown simulator format id " + id);
        return r;
    }

    /** Every id that names a format, ascending. */
    public static List<Row> rows() {
        List<Row> out = new ArrayList<>();
        for (Row r : ROWS) if (r != null) out.add(r);
        return out;
    }
}
