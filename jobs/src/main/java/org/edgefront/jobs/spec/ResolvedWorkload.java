package org.edgefront.jobs.spec;

import static org.edgefront.jobs.spec.SearchSpecLoader.require;
import static org.edgefront.jobs.spec.SearchSpecLoader.mustExist;
import static org.edgefront.jobs.spec.SearchSpecLoader.positive;
import static org.edgefront.jobs.spec.SearchSpecLoader.relative;

import org.edgefront.nativert.calibration.SimulatorEngine;
import org.edgefront.nativert.device.DeviceProfile;
import org.edgefront.nativert.device.DeviceProfiles;
import org.edgefront.nativert.device.Workload;
import org.edgefront.space.input.InvalidInputException;

/**
 * The spec's {@code device} and {@code workload} sections resolved: the device profile read and the workload
 * simulated, with the section's defaults filled in for the saved spec. Immutable.
 *
 * @param deviceUri the device profile file
 * @param device    the device profile
 * @param workload  the workload simulated
 * @param engine    the engine the simulator costs (its fitted calibration on the workload's backend of this device)
 * @param spec      the workload section with defaults filled in
 */
public record ResolvedWorkload(String deviceUri, DeviceProfile device, Workload workload, SimulatorEngine engine, SearchSpec.Workload spec) {

    /**
     * Resolves the device and workload sections of {@code s} read from {@code file}.
     *
     * @throws InvalidInputException naming the file and key for a missing device or a bad workload value
     */
    public static ResolvedWorkload resolve(String file, SearchSpec s) {
        require(file, "device", s.device() != null, "is required (a device profile such as configs/devices/samsung-galaxy-s23.yaml)");
        // a path is relative to the spec file; a name ("Samsung Galaxy S23") is looked up among configs/devices
        String deviceUri = ClosestNames.resolveDevice(file, "device", ClosestNames.looksLikePath(s.device()) ? relative(file, s.device()) : s.device()).uri();
        DeviceProfile device = DeviceProfiles.load(deviceUri);
        SearchSpec.Workload wl = s.workload() == null ? new SearchSpec.Workload(null, null, null, null, null, null, null) : s.workload();
        int prompt = positive(file, "workload.promptTokens", wl.promptTokens(), 128);
        int generate = positive(file, "workload.generateTokens", wl.generateTokens(), 128);
        int context = positive(file, "workload.contextTokens", wl.contextTokens(), Math.max(512, prompt + generate));
        require(file, "workload.contextTokens", context >= prompt + generate, "must hold promptTokens + generateTokens (" + (prompt + generate) + ")");
        int kvBits = wl.kvCacheBits() == null ? 16 : wl.kvCacheBits();
        require(file, "workload.kvCacheBits", kvBits == 4 || kvBits == 8 || kvBits == 16 || kvBits == 32, "must be 4, 8, 16 or 32");
        int threads = positive(file, "workload.threads", wl.threads(), 4);
        String backend = wl.backend() == null ? "cpu" : wl.backend();
        Workload workload;
        try {
            workload = new Workload(prompt, generate, context, kvBits, threads, org.edgefront.nativert.device.Backend.parse(backend));
        } catch (InvalidInputException e) {
            throw new InvalidInputException(file, e.field(), e.problem(), e);
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException(file, "workload.backend", e.getMessage(), e);
        }
        String engineName = wl.engine() == null ? SimulatorEngine.DEFAULT_ENGINE : wl.engine();
        SimulatorEngine engine;
        try {
            engine = SimulatorEngine.resolve(engineName, workload.backend(), device);
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException(file, "workload.engine", e.getMessage(), e);
        }
        return new ResolvedWorkload(deviceUri, device, workload, engine,
                new SearchSpec.Workload(prompt, generate, context, kvBits, threads, backend, engineName));
    }
}
