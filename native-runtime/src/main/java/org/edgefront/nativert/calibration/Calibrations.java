package org.edgefront.nativert.calibration;

import org.edgefront.nativert.device.Backend;
import java.util.Objects;

/**
 * One {@link BackendCalibration} per backend: the engine whose kernels a simulation assumes.
 * Immutable and thread-safe.
 */
public record Calibrations(BackendCalibration cpu, BackendCalibration gpu, BackendCalibration npu)
        implements java.io.Serializable {
    public Calibrations {
        Objects.requireNonNull(cpu, "cpu");
        Objects.requireNonNull(gpu, "gpu");
        Objects.requireNonNull(npu, "npu");
    }

    /** The first-principles defaults of {@link BackendCalibration#defaultFor}. */
    public static Calibrations defaults() {
        return new Calibrations(BackendCalibration.defaultFor(Backend.CPU), BackendCalibration.defaultFor(Backend.GPU),
                BackendCalibration.defaultFor(Backend.NPU));
    }

    /** The calibration for a backend. */
    public BackendCalibration forBackend(Backend b) {
        return switch (b) {
            case CPU -> cpu;
            case GPU -> gpu;
            case NPU -> npu;
        };
    }
}
