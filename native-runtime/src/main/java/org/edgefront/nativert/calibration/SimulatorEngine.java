package org.edgefront.nativert.calibration;

import java.util.Objects;
import org.edgefront.nativert.device.Backend;
import org.edgefront.nativert.device.DeviceProfile;

/**
 * The engine a prediction is for: its name as a user gives it ({@code llama.cpp}, {@code Ollama}, {@code MLC},
 * {@code ExecuTorch}, ...), the {@link EngineGroup} whose kernels that is on one backend of one device, and the
 * calibrations a simulator runs with ({@link EngineCalibrations#fitted()} of that group on its backend). The one place
 * where {@code simulate}, a search and a sweep turn an engine name into the numbers {@code validate-simulator} reports,
 * so a front is scored with the calibration whose error is published. Immutable and thread-safe.
 *
 * @param engine       the engine as given
 * @param group        the engine group its kernels belong to on this backend and device
 * @param calibrations the simulator's calibrations: the group's on its backend, first-principles defaults elsewhere
 */
public record SimulatorEngine(String engine, EngineGroup group, Calibrations calibrations) implements java.io.Serializable {
    /** The engine a prediction is for when none is named: llama.cpp, the runtime EdgeFront exports to first. */
    public static final String DEFAULT_ENGINE = "llama.cpp";

    public SimulatorEngine {
        Objects.requireNonNull(engine, "engine");
        Objects.requireNonNull(group, "group");
        Objects.requireNonNull(calibrations, "calibrations");
    }

    /**
     * The engine {@code engine} running on {@code backend} of {@code device}: the device's instruction set picks the CPU
     * kernels (llama.cpp's x86 kernels are calibrated apart from its Arm ones) and its GPU the API (Metal, CUDA,
     * OpenCL, Vulkan). An engine no calibrated group knows gets its backend's first-principles defaults
     * ({@link EngineGroup#uncalibrated()}).
     *
     * @throws IllegalArgumentException when the engine does not run on that backend (e.g. MLC on the CPU), naming both
     */
    public static SimulatorEngine resolve(String engine, Backend backend, DeviceProfile device) {
        Objects.requireNonNull(backend, "backend");
        Objects.requireNonNull(device, "device");
        if (engine == null || engine.isBlank()) throw new IllegalArgumentException("the engine name is empty (e.g. " + DEFAULT_ENGINE + ")");
        EngineGroup g;
        try {
            g = EngineGroup.classify(engine, backend.key(), "", device);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("engine '" + engine + "' has no kernels on the " + backend.key() + " backend", e);
        }
        if (g.backend() != backend) {
            throw new IllegalArgumentException("engine '" + engine + "' runs on the " + g.backend().key() + " (" + group(g)
                    + "), not on the " + backend.key());
        }
        return new SimulatorEngine(engine, g, EngineCalibrations.fitted().forSimulator(g));
    }

    /** The calibration of the workload's backend, the one this engine's group was fitted as. */
    public BackendCalibration calibration() { return calibrations.forBackend(group.backend()); }

    /**
     * One line for output: the engine, its group and whether its numbers are fitted, e.g. {@code llama.cpp
     * (llama.cpp-cpu-x86, fitted per engine group)} or {@code foo (default-cpu, first-principles defaults)}.
     */
    public String describe() {
        boolean defaults = calibration().equals(BackendCalibration.defaultFor(group.backend()));
        return engine + " (" + calibration().name() + ", " + (defaults ? "first-principles defaults" : "fitted per engine group") + ")";
    }

    private static String group(EngineGroup g) { return g.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-'); }
}
