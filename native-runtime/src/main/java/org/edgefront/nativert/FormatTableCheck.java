package org.edgefront.nativert;

import java.util.ArrayList;
import java.util.List;
import org.edgefront.space.format.SimulatorFormats;

/**
 * Compares the C library's format table ({@code edgefront_formats.h}, read through {@code NativeBridge.formatTable})
 * with the Java registry ({@link SimulatorFormats}, built from {@code NamedFormat}): every id, ggml type, block,
 * bytes, generic bits, default dequantization cost and compute path must agree, or the library is not used.
 * Stateless.
 */
final class FormatTableCheck {
    /** Doubles per id in the C table ({@link WireLayout.FormatInfo}). */
    static final int FIELDS = WireLayout.FORMAT_INFO_FIELDS;

    private FormatTableCheck() {}

    /**
     * The disagreements between {@code cTable} and the Java registry, one line each ("id 13 (IQ4_NL): block bytes Java 18,
     * C 20"), or an empty list when they agree.
     */
    static List<String> mismatches(double[] cTable) {
        List<String> out = new ArrayList<>();
        if (cTable == null || cTable.length != SimulatorFormats.COUNT * FIELDS) {
            out.add("C format table has " + (cTable == null ? "no" : cTable.length / FIELDS) + " ids, Java " + SimulatorFormats.COUNT);
            return out;
        }
        for (int id = 0; id < SimulatorFormats.COUNT; id++) {
            SimulatorFormats.Row j;
            try {
                j = SimulatorFormats.row(id);
            } catch (IllegalArgumentException e) {
                j = null;
            }
            boolean inC = cTable[WireLayout.FormatInfo.PRESENT.at(id)] == 1.0;
            if (j == null || !inC) {
                if (j != null || inC) out.add("id " + id + ": " + (j == null ? "only C has it" : j.label() + " only Java has it"));
                continue;
            }
            String at = "id " + id + " (" + j.label() + "): ";
            compare(out, at, "ggml type", j.ggmlType(), cTable[WireLayout.FormatInfo.GGML_TYPE.at(id)]);
            compare(out, at, "block weights", j.blockWeights(), cTable[WireLayout.FormatInfo.BLOCK_WEIGHTS.at(id)]);
            compare(out, at, "block bytes", j.blockBytes(), cTable[WireLayout.FormatInfo.BLOCK_BYTES.at(id)]);
            compare(out, at, "generic bits", j.genericBits(), cTable[WireLayout.FormatInfo.GENERIC_BITS.at(id)]);
            compare(out, at, "dequantization ops", j.dequantOps(), cTable[WireLayout.FormatInfo.DEQUANT_OPS.at(id)]);
            compare(out, at, "int8 path", j.int8Path() ? 1 : 0, cTable[WireLayout.FormatInfo.INT8_PATH.at(id)]);
        }
        return out;
    }

    private static void compare(List<String> out, String at, String what, double java, double c) {
        if (java != c) out.add(at + what + " Java " + fmt(java) + ", C " + fmt(c));
    }

    private static String fmt(double v) { return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v); }
}
