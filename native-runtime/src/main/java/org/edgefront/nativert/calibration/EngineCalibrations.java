package org.edgefront.nativert.calibration;

import org.edgefront.nativert.device.*;
import org.edgefront.nativert.reference.*;
import org.edgefront.nativert.tools.*;
import org.edgefront.nativert.*;

import org.edgefront.nativert.device.Backend;
import java.util.Collections;
import org.edgefront.space.format.NamedFormat;
import org.edgefront.space.format.SimulatorFormats;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;

/**
 * One {@link BackendCalibration} per {@link EngineGroup}. Immutable and thread-safe.
 */
public final class EngineCalibrations implements java.io.Serializable {
    private static final long serialVersionUID = 1L;
    private final Map<EngineGroup, BackendCalibration> byGroup;

    public EngineCalibrations(Map<EngineGroup, BackendCalibration> byGroup) {
        EnumMap<EngineGroup, BackendCalibration> m = new EnumMap<>(EngineGroup.class);
        for (EngineGroup g : EngineGroup.values()) {
            m.put(g, Objects.requireNonNull(byGroup.get(g), "no calibration for " + g));
        }
        this.byGroup = Collections.unmodifiableMap(m);
    }

    /** First-principles defaults: {@link BackendCalibration#defaultFor} of each group's backend. */
    public static EngineCalibrations defaults() {
        EnumMap<EngineGroup, BackendCalibration> m = new EnumMap<>(EngineGroup.class);
        for (EngineGroup g : EngineGroup.values()) m.put(g, BackendCalibration.defaultFor(g.backend()));
        return new EngineCalibrations(m);
    }

    /**
     * Calibrations fitted per engine group by {@code tools.SimulatorValidation.fit} (grid search, mean absolute log
     * error) on {@code ../shared/measurements/on-device-measurements.csv}, using only groups measured on at
     * least two devices; LLAMA_CPP_CUDA (one row, one device) and LLAMA_CPP_VULKAN (no row) keep the first-principles defaults. Refit with
     * {@code SimulatorValidationTest} (tag slow) when the model or the data change. Values: memory efficiency,
     * compute efficiency, dequantization scale, prefill GEMM efficiency, prefill dequantization tile
     * (the same as {@code validate-simulator --calibrations refit} on that file, its generic labels read through
     * {@code configs/measurements/format-provenance.csv}).
     */
    public static EngineCalibrations fitted() {
        EnumMap<EngineGroup, BackendCalibration> m = new EnumMap<>(EngineGroup.class);
        for (EngineGroup g : EngineGroup.values()) m.put(g, BackendCalibration.defaultFor(g.backend()));
        // prefill: GEMM efficiency (geometric grid, steps of 1.25) and dequantization tile (tokens sharing one
        // dequantization: 1 = llama.cpp's CPU dot-product path) fitted on the 33 prefill rows; then each format's kernel
        // cost (a multiple of the library's default dequantization ops) where the format is stored on >= 2 devices
        m.put(EngineGroup.LLAMA_CPP_CPU, fit(Backend.CPU, "llama.cpp-cpu", 0.50, 0.13, 2.0, 0.3553, 1,
                FormatCosts.DEFAULT.withDefaultTimes(id(NamedFormat.Q8_0), 2.0).withDefaultTimes(id(NamedFormat.Q4_0), 0.7)
                        .withDefaultTimes(id(NamedFormat.Q3_K), 1.4).withDefaultTimes(id(NamedFormat.Q4_K), 0.7)));
        m.put(EngineGroup.LLAMA_CPP_OPENCL, fit(Backend.GPU, "llama.cpp-opencl", 0.65, 0.02, 1.0, 0.1819, 16,
                FormatCosts.DEFAULT.withDefaultTimes(id(NamedFormat.Q8_0), 2.8).withDefaultTimes(id(NamedFormat.Q4_0), 1.4)
                        .withDefaultTimes(id(NamedFormat.Q6_K), 1.4)));
        m.put(EngineGroup.LLAMA_CPP_HEXAGON, fit(Backend.NPU, "llama.cpp-hexagon", 0.50, 0.02, 8.0, 0.03052, 32,
                FormatCosts.DEFAULT.withDefaultTimes(id(NamedFormat.Q8_0), 0.25).withDefaultTimes(id(NamedFormat.Q4_0), 1.4)
                        .withDefaultTimes(id(NamedFormat.Q6_K), 0.7)));
        // Metal: the 5 rows of the shared file (3 M1 devices) and the 26 rows of configs/measurements/apple-metal.csv
        // (llama.cpp discussion #4167's summary table: 9 chips, M1 to M4 Max, F16/Q8_0/Q4_0; `validate-simulator
        // --measurements <shared> --fit-measurements <it> --calibrations refit`); the M2/M3/M4 rows of the same table in
        // unseen-devices.csv stay out of the fit
        m.put(EngineGroup.LLAMA_CPP_METAL, fit(Backend.GPU, "llama.cpp-metal", 0.90, 0.35, 4.0, 0.6939, 32,
                FormatCosts.DEFAULT.withDefaultTimes(id(NamedFormat.F16), 0.25).withDefaultTimes(id(NamedFormat.Q8_0), 2.8)
                        .withDefaultTimes(id(NamedFormat.Q4_K), 1.4)));
        m.put(EngineGroup.T_MAC_CPU, fit(Backend.CPU, "t-mac-cpu", 0.75, 0.70, 1.0, 0.30, 8,
                FormatCosts.DEFAULT.withDefaultTimes(SimulatorFormats.intGroupId(4, false), 4.0)));
        m.put(EngineGroup.EXECUTORCH_XNNPACK_CPU, fit(Backend.CPU, "executorch-xnnpack-cpu", 0.60, 0.13, 0.25, 0.30, 8,
                FormatCosts.DEFAULT.withDefaultTimes(SimulatorFormats.intGroupId(4, false), 1.4)));
        m.put(EngineGroup.QNN_HTP, fit(Backend.NPU, "qnn-htp", 0.70, 0.02, 8.0, 0.2842, 64, FormatCosts.DEFAULT));
        // weight-only precisions (fp16 activations) on the HTP: 5 rows, 2 devices; no prefill rows (prefill = default)
        m.put(EngineGroup.QNN_HTP_FLOAT_ACTIVATIONS, fit(Backend.NPU, "qnn-htp-float-activations", 0.35, 0.02, 0.25, 0.20, 64,
                FormatCosts.DEFAULT));
        // the Jetson table's rows read as their benchmark script stored them (configs/measurements/format-provenance.csv):
        // q4f16_ft, per-channel 4-bit linear layers, for ten rows; q4f16_1, 4-bit group 32, for the four Gemma-2 rows
        m.put(EngineGroup.MLC_CUDA, fit(Backend.GPU, "mlc-cuda", 0.80, 0.04, 0.25, 0.25, 32, FormatCosts.DEFAULT));
        // llama.cpp on x86-64 CPUs: no x86 row in the shared file, so fitted the same way on the published x86 rows of
        // configs/measurements/x86-cpu.csv (42 rows, 8 devices: `validate-simulator --measurements <it> --calibrations
        // refit`); never on this project's own host, whose llama-bench rows it predicts (tools/llama-cpp/bench-host.sh)
        m.put(EngineGroup.LLAMA_CPP_CPU_X86, fit(Backend.CPU, "llama.cpp-cpu-x86", 0.70, 0.18, 1.0, 0.22737, 1,
                FormatCosts.DEFAULT.withDefaultTimes(id(NamedFormat.F16), 0.25).withDefaultTimes(id(NamedFormat.BF16), 0.25)
                        .withDefaultTimes(id(NamedFormat.Q8_0), 2.0).withDefaultTimes(id(NamedFormat.Q4_0), 1.4)));
        return new EngineCalibrations(m);
    }

    private static int id(NamedFormat f) { return f.simulatorId(); }

    private static BackendCalibration fit(Backend b, String name, double mem, double compute, double dequant, double prefill,
                                          double prefillTile, FormatCosts formatCosts) {
        BackendCalibration d = BackendCalibration.defaultFor(b);
        return new BackendCalibration(name, mem, compute, d.opOverheadSeconds(), dequant, prefillTile, d.ubatchTokens(),
                d.runtimeFixedBytes(), d.exploitsNmSparsity(), prefill, false, formatCosts);
    }

    /** The calibration of a group. */
    public BackendCalibration get(EngineGroup g) { return byGroup.get(g); }

    /** A copy with one group's calibration replaced. */
    public EngineCalibrations with(EngineGroup g, BackendCalibration c) {
        EnumMap<EngineGroup, BackendCalibration> m = new EnumMap<>(byGroup);
        m.put(g, c);
        return new EngineCalibrations(m);
    }

    /** {@link Calibrations} for a simulator running this group (its backend gets the group's calibration). */
    public Calibrations forSimulator(EngineGroup g) {
        return Calibrations.defaults().with(g.backend(), get(g));
    }

    public Map<EngineGroup, BackendCalibration> asMap() { return byGroup; }
}
