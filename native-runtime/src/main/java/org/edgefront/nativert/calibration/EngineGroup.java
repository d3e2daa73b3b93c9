package org.edgefront.nativert.calibration;

import org.edgefront.nativert.device.Backend;
import org.edgefront.nativert.device.DeviceProfile;
import java.util.Locale;

/**
 * An engine and backend pair whose kernels share one {@link BackendCalibration}: calibration is per group,
 * never per device. {@link #classify} maps the free-text engine/backend columns of measurement files.
 */
public enum EngineGroup {
    LLAMA_CPP_CPU(Backend.CPU), LLAMA_CPP_OPENCL(Backend.GPU), LLAMA_CPP_HEXAGON(Backend.NPU), LLAMA_CPP_METAL(Backend.GPU),
    LLAMA_CPP_CUDA(Backend.GPU), T_MAC_CPU(Backend.CPU), EXECUTORCH_XNNPACK_CPU(Backend.CPU), QNN_HTP(Backend.NPU),
    MLC_CUDA(Backend.GPU), MLC_OPENCL(Backend.GPU), MLX_METAL(Backend.GPU), HAILO_NPU(Backend.NPU),
    /**
     * QNN / Genie on the Hexagon HTP with weight-only quantization and floating-point (fp16) activations (Qualcomm AI
     * Hub precision "w4" / "w8", as opposed to "w4a16" fixed-point activations): a different kernel family on the HTP,
     * so a calibration of its own.
     */
    QNN_HTP_FLOAT_ACTIVATIONS(Backend.NPU),
    /**
     * llama.cpp's CPU backend on x86-64: its AVX2/AVX-512 kernels (the llamafile GEMMs for F16/Q8_0, Q4_0 and Q4_K
     * repacked into interleaved blocks, VNNI dot products) are not its NEON kernels, so x86 rows are calibrated apart
     * from the Arm rows of {@link #LLAMA_CPP_CPU}.
     */
    LLAMA_CPP_CPU_X86(Backend.CPU),
    /**
     * llama.cpp's Vulkan backend (Adreno, Mali, Intel and AMD integrated GPUs): no published row to fit yet, so it keeps
     * the first-principles GPU defaults, which beats calling its rows unsupported.
     */
    LLAMA_CPP_VULKAN(Backend.GPU);

    private final Backend backend;

    EngineGroup(Backend backend) { this.backend = backend; }

    /** The compute unit this group runs on. */
    public Backend backend() { return backend; }

    /**
     * Classifies an engine and backend description and, where the kernels differ by it, the weight format.
     *
     * @throws IllegalArgumentException when no group fits
     */
    public static EngineGroup classify(String engine, String backend, String weightFormat) {
        EngineGroup g = classify(engine, backend);
        if (g == QNN_HTP && floatActivations(weightFormat)) return QNN_HTP_FLOAT_ACTIVATIONS;
        return g;
    }

    /**
     * Classifies an engine, backend and weight format on a device whose cores run instruction set {@code isa}: the
     * same engine ships different CPU kernels per instruction set.
     *
     * @throws IllegalArgumentException when no group fits
     */
    public static EngineGroup classify(String engine, String backend, String weightFormat, DeviceProfile.Isa isa) {
        EngineGroup g = classify(engine, backend, weightFormat);
        return g == LLAMA_CPP_CPU && isa == DeviceProfile.Isa.X86_64 ? LLAMA_CPP_CPU_X86 : g;
    }

    /** "w4 (...)" or "w8": AI Hub's weight-only precisions, whose activations stay floating point (no "aN" part). */
    static boolean floatActivations(String weightFormat) {
        String f = weightFormat.trim().toLowerCase(Locale.ROOT);
        return f.matches("w[0-9]+(\\s.*|\\(.*)?");
    }

    /**
     * Classifies an engine and backend description (without the weight format: QNN rows land in {@link #QNN_HTP}).
     *
     * @throws IllegalArgumentException when no group fits
     */
    public static EngineGroup classify(String engine, String backend) {
        String e = engine.toLowerCase(Locale.ROOT), b = backend.toLowerCase(Locale.ROOT);
        if (e.contains("t-mac")) return T_MAC_CPU;
        if (e.contains("executorch")) return EXECUTORCH_XNNPACK_CPU;
        if (e.contains("qnn") || e.contains("genie")) return QNN_HTP;
        if (e.contains("mlc")) {
            // MLC's TVM kernels differ per backend: OpenCL (Adreno/Mali phones) is its own group
            return (e.contains("opencl") || b.contains("opencl") || b.contains("adreno") || b.contains("mali")) ? MLC_OPENCL : MLC_CUDA;
        }
        if (e.contains("mlx")) return MLX_METAL;
        if (e.contains("hailo")) return HAILO_NPU;
        if (e.contains("llama.cpp") || e.contains("llama.rn")) {
            if (b.startsWith("cpu")) return LLAMA_CPP_CPU;
            if (b.contains("opencl")) return LLAMA_CPP_OPENCL;
            if (b.contains("vulkan")) return LLAMA_CPP_VULKAN;
            if (b.contains("hexagon") || b.startsWith("npu")) return LLAMA_CPP_HEXAGON;
            if (b.contains("metal")) return LLAMA_CPP_METAL;
            if (b.contains("cuda")) return LLAMA_CPP_CUDA;
        }
        throw new IllegalArgumentException("no engine group for engine '" + engine + "' backend '" + backend + "'");
    }
}
