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
    /** Doubles per id in the C table: present, ggml type, block weights, block bytes, generic bits, dequant ops, int8 path. */
    static final int FIELDS = 7;

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
            int o = id * FIELDS;
            SimulatorFormats.Row j;
            try {
                j = SimulatorFormats.row(id);
            } catch (IllegalArgumentException e) {
                j = null;
            }
            boolean inC = cTable[o] == 1.0;
            if (j == null || !inC) {
                if (j != null || inC) out.add("id " + id + ": " + (j == null ? "only C has it" : j.label() + " only Java has it"));
                continue;
            }
            String at = "id " + id + " (" + j.label() + "): ";
            compare(out, at, "ggml type", j.ggmlType(), cTable[o + 1]);
            compare(out, at, "block weights", j.blockWeights(), cTable[o + 2]);
            compare(out, at, "block bytes", j.blockBytes(), cTable[o + 3]);
            compare(out, at, "generic bits", j.genericBits(), cTable[o + 4]);
            compare(out, at, "dequantization ops", j.dequantOps(), cTable[o + 5]);
            compare(out, at, "int8 path", j.int8Path() ? 1 : 0, cTable[o + 6]);
        }
        return out;
    }

    private static void compare(List<String> out, String at, String what, double java, double c) {
        if (java != c) out.add(at + what + " Java " + fmt(java) + ", C " + fmt(c));
    }

    private static String fmt(double v) { return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v); }
}
