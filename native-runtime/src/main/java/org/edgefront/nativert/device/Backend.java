package org.edgefront.nativert.device;

import java.util.Locale;

/** Where the model runs. The ids are the C library's {@code ef_backend} values. */
public enum Backend {
    CPU(0), GPU(1), NPU(2);

    private final int id;

    Backend(int id) { this.id = id; }

    /** The C enum value. */
    public int id() { return id; }

    /** Parses {@code cpu}, {@code gpu} or {@code npu} (case-insensitive). */
    public static Backend parse(String s) {
        try {
            return valueOf(s.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown backend '" + s + "' (known: cpu, gpu, npu)");
        }
    }
}
