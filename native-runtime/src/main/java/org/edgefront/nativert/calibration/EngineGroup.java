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
    LLAMA_CPP_VULKAN(Backend.GPU),
    /** llama.cpp's SYCL backend (Intel GPUs): its own kernels, no published row yet, so first-principles GPU defaults. */
    LLAMA_CPP_SYCL(Backend.GPU),
    /** Alibaba MNN (MNN-LLM, MNN Chat) on the CPU: its own Arm/x86 kernels; defaults until rows are fitted. */
    MNN_CPU(Backend.CPU),
    /** MNN on a GPU (OpenCL, Vulkan, Metal): defaults until rows are fitted. */
    MNN_GPU(Backend.GPU),
    /** Google's LiteRT / LiteRT-LM / MediaPipe LLM Inference / TensorFlow Lite on the CPU (XNNPACK kernels). */
    LITERT_CPU(Backend.CPU),
    /** LiteRT / MediaPipe on the GPU (its ML Drift / OpenCL / WebGPU delegates). */
    LITERT_GPU(Backend.GPU),
    /** ONNX Runtime (and ONNX Runtime GenAI) on the CPU: the MLAS kernels. */
    ONNX_RUNTIME_CPU(Backend.CPU),
    /** ONNX Runtime on a GPU (DirectML, CUDA, WebGPU execution providers). */
    ONNX_RUNTIME_GPU(Backend.GPU),
    /** Intel OpenVINO (GenAI) on the CPU. */
    OPENVINO_CPU(Backend.CPU),
    /** Intel OpenVINO on an integrated or discrete GPU. */
    OPENVINO_GPU(Backend.GPU),
    /** Intel OpenVINO on an NPU (Core Ultra). */
    OPENVINO_NPU(Backend.NPU),
    /** Apple Core ML on the Neural Engine. */
    COREML_ANE(Backend.NPU),
    /** NVIDIA TensorRT-LLM (and TensorRT Edge-LLM) on the GPU. */
    TENSORRT_LLM(Backend.GPU),
    /** MLC LLM (and WebLLM) on Vulkan, Metal or WebGPU: TVM kernels apart from its CUDA and OpenCL ones. */
    MLC_OTHER_GPU(Backend.GPU),
    /**
     * An engine no group above knows, on the CPU: first-principles defaults, said in the row's note. Better than calling a
     * published row unsupported, and it never borrows another engine's fitted numbers.
     */
    UNCALIBRATED_CPU(Backend.CPU),
    /** An engine no group above knows, on a GPU: first-principles defaults. */
    UNCALIBRATED_GPU(Backend.GPU),
    /** An engine no group above knows, on an NPU: first-principles defaults. */
    UNCALIBRATED_NPU(Backend.NPU);

    private final Backend backend;

    EngineGroup(Backend backend) { this.backend = backend; }

    /** True for the fallback groups of engines no other group knows (first-principles defaults, never fitted). */
    public boolean uncalibrated() { return this == UNCALIBRATED_CPU || this == UNCALIBRATED_GPU || this == UNCALIBRATED_NPU; }

    /** True for llama.cpp's own kernels (its CPU, GPU and NPU backends), whatever front end runs them. */
    public boolean llamaCpp() { return name().startsWith("LLAMA_CPP_"); }

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

    /**
     * Classifies an engine, backend and weight format on {@code device}: its instruction set picks the CPU kernels, and a
     * backend given only as "GPU" is the API the engines use on that device's GPU (Metal on Apple silicon, CUDA on
     * NVIDIA, OpenCL on Adreno, else Vulkan), which tells llama.cpp's and MLC's kernel families apart.
     *
     * @throws IllegalArgumentException when no group fits
     */
    public static EngineGroup classify(String engine, String backend, String weightFormat, DeviceProfile device) {
        String b = backend;
        if (bareGpu(backend.toLowerCase(Locale.ROOT)) && device.gpu() != null) {
            b = backend + " (" + gpuApi(device.gpu().name() + " " + device.soc()) + ")";
        }
        return classify(engine, b, weightFormat, device.cpu().isa());
    }

    private static boolean bareGpu(String b) {
        return b.matches("\\s*(gpu|igpu|dgpu)\\s*") || b.matches("\\s*gpu\\s*\\(\\s*(all layers|full offload|offloaded)?\\s*\\)\\s*");
    }

    private static String gpuApi(String gpuText) {
        String t = gpuText.toLowerCase(Locale.ROOT);
        if (t.contains("apple")) return "Metal";
        if (t.contains("nvidia") || t.contains("ampere") || t.contains("geforce") || t.contains("rtx")) return "CUDA";
        if (t.contains("adreno")) return "OpenCL";
        return "Vulkan";
    }

    /**
     * Front ends that run llama.cpp's own kernels (Ollama, llamafile, LM Studio's llama.cpp runtime, koboldcpp, GPT4All,
     * Jan, llama-cpp-python, node-llama-cpp, LocalAI, PocketPal, ChatterUI, llama.rn): their rows are llama.cpp rows.
     */
    static boolean llamaCppFamily(String e) {
        if (e.contains("mlx")) return false; // LM Studio's MLX runtime
        return e.contains("llama.cpp") || e.contains("llama.rn") || e.contains("llama-cpp") || e.contains("llamacpp")
                || e.contains("ollama") || e.contains("llamafile") || e.contains("lm studio") || e.contains("lmstudio")
                || e.contains("koboldcpp") || e.contains("gpt4all") || e.matches(".*\\bjan\\b.*") || e.contains("localai")
                || e.contains("pocketpal") || e.contains("chatterui") || e.contains("llama-server") || e.contains("llama-bench")
                || e.contains("ggml");
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
        if (e.contains("executorch")) {
            // ExecuTorch delegates: the QNN delegate runs QNN's own HTP kernels; XNNPACK is the CPU default
            if (b.contains("qnn") || b.contains("htp") || b.contains("hexagon")) return QNN_HTP;
            if (b.contains("core ml") || b.contains("coreml") || b.matches(".*\\bane\\b.*") || b.contains("neural engine")) return COREML_ANE;
            if (b.contains("vulkan") || b.contains("mps") || b.contains("metal") || b.startsWith("gpu")) return UNCALIBRATED_GPU;
            return EXECUTORCH_XNNPACK_CPU;
        }
        if (e.contains("onnx")) {
            if (b.contains("qnn") || b.contains("htp") || b.contains("hexagon")) return QNN_HTP; // the QNN execution provider
            if (b.contains("npu")) return UNCALIBRATED_NPU;
            return b.contains("gpu") || b.contains("directml") || b.contains("dml") || b.contains("cuda") || b.contains("webgpu")
                    ? ONNX_RUNTIME_GPU : ONNX_RUNTIME_CPU;
        }
        if (e.contains("qnn") || e.contains("genie") || e.contains("qualcomm ai") || e.contains("ai engine direct")) return QNN_HTP;
        if (e.contains("mlc") || e.contains("webllm")) {
            // MLC's TVM kernels differ per backend: OpenCL (Adreno/Mali phones) is its own group, CUDA another
            if (e.contains("opencl") || b.contains("opencl") || b.contains("adreno") || b.contains("mali")) return MLC_OPENCL;
            if (e.contains("webllm") || b.contains("vulkan") || b.contains("metal") || b.contains("webgpu")) return MLC_OTHER_GPU;
            return MLC_CUDA;
        }
        if (e.contains("mlx")) return MLX_METAL;
        if (e.contains("hailo")) return HAILO_NPU;
        if (e.matches(".*\\bmnn\\b.*")) {
            if (b.contains("qnn") || b.contains("htp") || b.contains("hexagon") || b.contains("npu")) return QNN_HTP; // MNN's QNN backend
            return b.startsWith("cpu") || b.contains("arm") && !b.contains("gpu") ? MNN_CPU : MNN_GPU;
        }
        if (e.contains("litert") || e.contains("mediapipe") || e.contains("tflite") || e.contains("tensorflow lite")
                || e.contains("ai edge")) {
            return b.contains("gpu") || b.contains("opencl") || b.contains("webgpu") || b.contains("ml drift") ? LITERT_GPU : LITERT_CPU;
        }
        if (e.contains("openvino")) return b.contains("npu") ? OPENVINO_NPU : b.contains("gpu") ? OPENVINO_GPU : OPENVINO_CPU;
        if (e.contains("core ml") || e.contains("coreml")) return b.contains("gpu") ? UNCALIBRATED_GPU : COREML_ANE;
        if (e.contains("tensorrt")) return TENSORRT_LLM;
        if (llamaCppFamily(e)) {
            if (b.startsWith("cpu")) return LLAMA_CPP_CPU; // first: a CPU row may say what it was built without ("no CUDA")
            if (b.contains("opencl")) return LLAMA_CPP_OPENCL;
            if (b.contains("vulkan")) return LLAMA_CPP_VULKAN;
            if (b.contains("sycl")) return LLAMA_CPP_SYCL;
            if (b.contains("metal")) return LLAMA_CPP_METAL;
            // llama.cpp's HIP and MUSA backends are its CUDA kernels compiled for AMD and Moore Threads GPUs
            if (b.contains("cuda") || b.contains("hip") || b.contains("rocm") || b.contains("musa")) return LLAMA_CPP_CUDA;
            if (b.contains("hexagon") || b.startsWith("npu")) return LLAMA_CPP_HEXAGON;
            // BLAS, KleidiAI, AMX, repacked aarch64 kernels: all the CPU backend
            if (b.contains("kleidiai") || b.contains("blas") || b.contains("accelerate") || b.contains("amx")
                    || b.contains("neon") || b.contains("avx")) return LLAMA_CPP_CPU;
        }
        if (b.contains("npu") || b.contains("hexagon") || b.contains("neural engine") || b.matches(".*\\bane\\b.*")) return UNCALIBRATED_NPU;
        if (b.contains("gpu") || b.contains("cuda") || b.contains("opencl") || b.contains("vulkan") || b.contains("metal")) return UNCALIBRATED_GPU;
        if (b.startsWith("cpu") || b.contains("cpu")) return UNCALIBRATED_CPU;
        throw new IllegalArgumentException("no engine group for engine '" + engine + "' backend '" + backend + "'");
    }
}
