package org.edgefront.nativert.device;

import java.util.Arrays;
import java.util.Locale;

/**
 * Where the model runs: one value per compute unit, in the order of the C library's {@code EF_BACKEND_TABLE}
 * ({@code edgefront_sim.h}), whose ids the ordinals are. Each value carries what differs by backend: the YAML key of its
 * section in a device profile, whether it is the host's CPU cores, and the first-principles starting values of its
 * engine calibration ({@link Defaults}, not fitted to any device). A new backend is a value here, a row in
 * {@code EF_BACKEND_TABLE} and a section in the device YAML; the native library checks at load that the names and order
 * agree. Immutable and thread-safe.
 */
public enum Backend {
    /** The CPU cores the threads run on: per-thread peaks, bandwidth limited by the cores used. */
    CPU(true, new Defaults(0.45, 0.30, 4e-6, 1.0, 8, 512, 64L << 20, 0.30)),
    GPU(false, new Defaults(0.55, 0.25, 20e-6, 1.0, 32, 512, 128L << 20, 0.25)),
    NPU(false, new Defaults(0.60, 0.20, 15e-6, 0.5, 64, 128, 128L << 20, 0.20)),
    /**
     * A DSP's vector units (e.g. Qualcomm Hexagon HVX, which llama.cpp's Hexagon backend runs on, beside the HTP tensor
     * NPU): int8 vector MACs streaming from DRAM, launch costs like an NPU's, no tiling as large as an NPU's GEMMs.
     */
    DSP(false, new Defaults(0.55, 0.25, 15e-6, 1.0, 16, 256, 64L << 20, 0.25));

    /**
     * First-principles calibration starting values of a backend (see {@code BackendCalibration} for each field's unit).
     */
    public record Defaults(double memEfficiency, double computeEfficiency, double opOverheadSeconds, double dequantScale,
                           double prefillTileTokens, double ubatchTokens, double runtimeFixedBytes,
                           double prefillComputeEfficiency) implements java.io.Serializable {}

    private final boolean hostCores;
    private final Defaults defaults;

    Backend(boolean hostCores, Defaults defaults) {
        this.hostCores = hostCores;
        this.defaults = defaults;
    }

    /** The C enum value ({@code ef_backend}). */
    public int id() { return ordinal(); }

    /** The key of this unit's section in a device profile and in messages ({@code cpu}, {@code gpu}, ...). */
    public String key() { return name().toLowerCase(Locale.ROOT); }

    /** True for the CPU cores the threads run on. */
    public boolean hostCores() { return hostCores; }

    /** First-principles calibration starting values. */
    public Defaults defaults() { return defaults; }

    /** Parses a backend key (case-insensitive). */
    public static Backend parse(String s) {
        try {
            return valueOf(s.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown backend '" + s + "' (known: "
                    + String.join(", ", Arrays.stream(values()).map(Backend::key).toArray(String[]::new)) + ")");
        }
    }
}
