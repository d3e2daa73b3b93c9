package org.edgefront.nativert.calibration;

import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import org.edgefront.nativert.device.Backend;

/**
 * One {@link BackendCalibration} per backend: the engine whose kernels a simulation assumes.
 * Immutable and thread-safe.
 *
 * @param byBackend a calibration for every {@link Backend}; copied
 */
public record Calibrations(Map<Backend, BackendCalibration> byBackend) implements java.io.Serializable {
    public Calibrations {
        EnumMap<Backend, BackendCalibration> m = new EnumMap<>(Backend.class);
        for (Backend b : Backend.values()) m.put(b, Objects.requireNonNull(byBackend.get(b), b.key()));
        byBackend = Collections.unmodifiableMap(m);
    }

    /** The CPU, GPU and NPU calibrations, every other backend with its {@link BackendCalibration#defaultFor default}. */
    public Calibrations(BackendCalibration cpu, BackendCalibration gpu, BackendCalibration npu) {
        this(defaults().with(Backend.CPU, cpu).with(Backend.GPU, gpu).with(Backend.NPU, npu).byBackend);
    }

    /** The first-principles defaults of {@link BackendCalibration#defaultFor}. */
    public static Calibrations defaults() {
        EnumMap<Backend, BackendCalibration> m = new EnumMap<>(Backend.class);
        for (Backend b : Backend.values()) m.put(b, BackendCalibration.defaultFor(b));
        return new Calibrations(m);
    }

    /** The calibration for a backend. */
    public BackendCalibration forBackend(Backend b) { return byBackend.get(b); }

    /** A copy with backend {@code b}'s calibration replaced. */
    public Calibrations with(Backend b, BackendCalibration c) {
        EnumMap<Backend, BackendCalibration> m = new EnumMap<>(byBackend);
        m.put(b, Objects.requireNonNull(c, b.key()));
        return new Calibrations(m);
    }

    /** The CPU calibration. */
    public BackendCalibration cpu() { return forBackend(Backend.CPU); }

    /** The GPU calibration. */
    public BackendCalibration gpu() { return forBackend(Backend.GPU); }

    /** The NPU calibration. */
    public BackendCalibration npu() { return forBackend(Backend.NPU); }
}
