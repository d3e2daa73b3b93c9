package org.edgefront.space.ggml;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * Codebooks of the i-quant and non-linear formats, from the resource {@code ggml-tables.txt} (transcribed from
 * llama.cpp's {@code ggml-common.h} by {@code tools/ggml-tables.py}; the resource names the revision). Grids are
 * unpacked to one entry per value: {@code IQ2XXS[8 * index + j]} is byte {@code j} (little-endian) of
 * {@code iq2xxs_grid[index]}. Immutable after class initialization; thread-safe.
 */
public final class GgmlTables {
    static final int[] KVALUES_IQ4NL;
    static final int[] KSIGNS_IQ2XS;
    static final int[] KVALUES_FP4;
    /** 8 unsigned values per entry. */
    static final int[] IQ2XXS;
    static final int[] IQ2XS;
    static final int[] IQ2S;
    /** 4 unsigned values per entry. */
    static final int[] IQ3XXS;
    static final int[] IQ3S;
    /** 8 signed values per entry. */
    static final int[] IQ1S;

    /** Value {@code i} (0..15) of the IQ4_NL/IQ4_XS non-linear codebook {@code kvalues_iq4nl}, ascending. */
    public static int iq4nlValue(int i) { return KVALUES_IQ4NL[i]; }

    static {
        Map<String, long[]> t = load();
        KVALUES_IQ4NL = ints(t, "kvalues_iq4nl", 16);
        KSIGNS_IQ2XS = ints(t, "ksigns_iq2xs", 128);
        KVALUES_FP4 = ints(t, "kvalues_fp4", 16);
        IQ2XXS = unpack(t, "iq2xxs_grid", 256, 8, false);
        IQ2XS = unpack(t, "iq2xs_grid", 512, 8, false);
        IQ2S = unpack(t, "iq2s_grid", 1024, 8, false);
        IQ3XXS = unpack(t, "iq3xxs_grid", 256, 4, false);
        IQ3S = unpack(t, "iq3s_grid", 512, 4, false);
        IQ1S = unpack(t, "iq1s_grid", 2048, 8, true);
    }

    private GgmlTables() { }

    private static Map<String, long[]> load() {
        Map<String, long[]> out = new HashMap<>();
        try (InputStream in = GgmlTables.class.getResourceAsStream("ggml-tables.txt")) {
            if (in == null) throw new IllegalStateException("resource ggml-tables.txt is missing from the space jar");
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.US_ASCII));
            String name = null;
            long[] values = null;
            int n = 0;
            for (String line; (line = r.readLine()) != null; ) {
                line = line.strip();
                if (line.isEmpty() || line.startsWith("#")) continue;
                if (line.startsWith("table ")) {
                    String[] p = line.split("\\s+");
                    name = p[1];
                    values = new long[Integer.parseInt(p[2])];
                    n = 0;
                    out.put(name, values);
                    continue;
                }
                for (String v : line.split("\\s+")) {
                    values[n++] = v.startsWith("0x") ? Long.parseUnsignedLong(v.substring(2), 16) : Long.parseLong(v);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    private static long[] table(Map<String, long[]> t, String name, int count) {
        long[] v = t.get(name);
        if (v == null || v.length != count) throw new IllegalStateException("ggml-tables.txt: table " + name + " missing or not of " + count);
        return v;
    }

    private static int[] ints(Map<String, long[]> t, String name, int count) {
        long[] v = table(t, name, count);
        int[] out = new int[count];
        for (int i = 0; i < count; i++) out[i] = (int) v[i];
        return out;
    }

    private static int[] unpack(Map<String, long[]> t, String name, int count, int width, boolean signed) {
        long[] v = table(t, name, count);
        int[] out = new int[count * width];
        for (int i = 0; i < count; i++) {
            for (int j = 0; j < width; j++) {
                int b = (int) (v[i] >>> (8 * j)) & 0xff;
                out[i * width + j] = signed ? (byte) b : b;
            }
        }
        return out;
    }
}
