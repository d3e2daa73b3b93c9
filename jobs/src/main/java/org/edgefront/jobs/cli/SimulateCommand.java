package org.edgefront.jobs.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.edgefront.jobs.results.Units;
import org.edgefront.jobs.spec.ClosestNames;
import org.edgefront.jobs.spec.RepoPaths;
import org.edgefront.nativert.calibration.SimulatorEngine;
import org.edgefront.nativert.device.Backend;
import org.edgefront.nativert.device.DeviceProfile;
import org.edgefront.nativert.device.DeviceDirectory;
import org.edgefront.nativert.device.DeviceProfiles;
import org.edgefront.nativert.tools.DeviceSpecSheet;
import org.edgefront.nativert.tools.FormatMixes;
import org.edgefront.nativert.device.ModelDescriptor;
import org.edgefront.nativert.ModelSimulation;
import org.edgefront.nativert.NativeSimulator;
import org.edgefront.nativert.OpCost;
import org.edgefront.nativert.SimulationResult;
import org.edgefront.nativert.device.Workload;
import org.edgefront.space.compress.TensorChoice;
import org.edgefront.space.input.InvalidInputException;
import org.edgefront.space.model.ModelArchitecture;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code edgefront simulate}: decode/prefill speed, energy and memory of a model in one format on a device. */
@Command(name = "simulate", mixinStandardHelpOptions = true,
        description = "Predict decode and prefill speed, energy per token and peak memory on a device (native simulator).")
final class SimulateCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, description = "Checkpoint (Hugging Face config.json or directory, GGUF, llama2.c), "
            + "synthetic:tiny, a model descriptor (configs/models/*.yaml) or a catalog model name (e.g. Qwen2.5-1.5B-Instruct, OLMoE-1B-7B).")
    String model;

    @Option(names = "--device", required = true, paramLabel = "PROFILE.yaml|NAME", description = "Device profile (configs/devices/*.yaml), a device name (a profile's name or alias, or a device with the chip of one: 'Xiaomi 13 (Snapdragon 8 Gen 2)'; else a row of --device-specs or of configs/devices/spec-sheet.csv: 'Jetson Nano'), or 'host': this machine, profiled as calibrate-host does.")
    String device;

    @Option(names = "--device-specs", paramLabel = "FILE.csv", description = "Spec sheet (columns of device-specs.csv): a --device that no "
            + "written profile answers to is simulated on the profile derived from its row (validate-simulator --device-specs says how); the "
            + "repository's configs/devices/spec-sheet.csv is searched after it.")
    String deviceSpecs;

    @Option(names = "--write-profile", paramLabel = "FILE.yaml", description = "Also write the device profile simulated on as a device YAML "
            + "(e.g. one derived from a spec row, to edit and to name in a search spec's device).")
    String writeProfile;

    @Option(names = "--format", defaultValue = "Q4_0", description = "llama.cpp file type (per-tensor types by llama-quantize's rules: Q4_K_M, Q3_K_S, IQ4_XS, IQ2_M, TQ1_0, ...) "
            + "or one weight format for every tensor (int4g32, Q4_K, uniform:IQ2_XXS) (default ${DEFAULT-VALUE}).")
    String format;

    @Option(names = "--prompt", defaultValue = "128", description = "Prompt tokens (default ${DEFAULT-VALUE}).")
    int prompt;

    @Option(names = "--generate", defaultValue = "128", description = "Generated tokens (default ${DEFAULT-VALUE}).")
    int generate;

    @Option(names = "--context", description = "KV-cache context in tokens (default prompt + generate).")
    Integer context;

    @Option(names = "--kv-bits", defaultValue = "16", description = "Bits per KV-cache element (default ${DEFAULT-VALUE}).")
    int kvBits;

    @Option(names = "--threads", defaultValue = "4", description = "CPU threads (default ${DEFAULT-VALUE}).")
    int threads;

    @Option(names = "--backend", defaultValue = "cpu", description = "compute unit: cpu or an accelerator section of the device profile (gpu, npu, dsp, ...; default ${DEFAULT-VALUE}).")
    String backend;

    @Option(names = "--engine", defaultValue = SimulatorEngine.DEFAULT_ENGINE, description = "Runtime whose kernels are costed: "
            + "llama.cpp (and its front ends: Ollama, LM Studio, ...), MLC, ExecuTorch, QNN/Genie, MNN, LiteRT, ONNX Runtime, ...; "
            + "its calibration fitted per engine group for this backend and the device's instruction set or GPU, as "
            + "validate-simulator reports it (default ${DEFAULT-VALUE}).")
    String engine;

    @Option(names = "--json", description = "Print one JSON object on stdout.")
    boolean json;

    /** This machine as calibrate-host profiles it: /proc and sysfs facts, measured clock, copy and read-stream bandwidth. */
    private static DeviceProfile hostProfile() {
        try {
            return org.edgefront.nativert.tools.HostCalibration.measureHost(java.nio.file.Path.of("/proc"),
                    java.nio.file.Path.of("/sys/devices/system/cpu")).profile();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while measuring this host's bandwidth", e);
        }
    }

    /**
     * The profile derived from a spec row ({@code --device-specs}, then the repository's sheet) for a device name, or
     * null; asked only once no written profile answers to the name.
     */
    private DeviceDirectory.Match fromSpecSheet(DeviceSpecSheet.Result given) {
        if (ClosestNames.looksLikePath(device)) return null;
        java.util.List<DeviceDirectory.Entry> rows = new java.util.ArrayList<>(given == null ? java.util.List.of() : given.entries());
        java.nio.file.Path repo = RepoPaths.deviceSpecSheet();
        if (repo != null) rows.addAll(DeviceSpecSheet.load(repo.toString()).entries());
        return new DeviceSpecSheet.Result(rows, java.util.List.of()).find(device);
    }

    /** {@code --device} as a written profile (path, name, short name, chip), else as a spec-sheet row; stderr says which when not by name. */
    private DeviceProfile namedDevice() {
        // read first: a bad --device-specs file is bad input whatever the device
        DeviceSpecSheet.Result given = deviceSpecs == null ? null : DeviceSpecSheet.load(deviceSpecs);
        ClosestNames.ResolvedDevice rd;
        try {
            rd = ClosestNames.resolveDevice("-", "--device", device);
        } catch (InvalidInputException noWrittenProfile) {
            DeviceDirectory.Match derived = fromSpecSheet(given);
            if (derived == null) throw noWrittenProfile;
            System.err.println("edgefront: --device '" + device + "': " + derived.note());
            return derived.profile();
        }
        if (!rd.note().isEmpty()) System.err.println("edgefront: --device '" + device + "': " + rd.note() + " (" + rd.uri() + ")");
        return DeviceProfiles.load(rd.uri());
    }

    @Override
    public Integer call() {
        ModelDescriptor md = Models.descriptor(model);
        ModelArchitecture arch = md.architecture();
        DeviceProfile dev;
        if ("host".equals(device)) {
            dev = hostProfile();
        } else {
            dev = namedDevice();
        }
        if (writeProfile != null) {
            org.edgefront.jobs.io.AtomicFiles.writeString(org.edgefront.jobs.io.AtomicFiles.path(writeProfile), DeviceProfiles.toYaml(dev,
                    "Device profile written by edgefront simulate --device '" + device + "' --write-profile on " + java.time.Instant.now()
                            + ".\nWhere it was derived from a spec row, every number a spec row cannot state follows DeviceSpecSheet's rules"
                            + " per instruction set:\nreplace them with the device's own figures where you have them."));
        }
        Backend b;
        try {
            b = Backend.parse(backend);
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException("-", "--backend", e.getMessage());
        }
        Workload w;
        try {
            w = new Workload(prompt, generate, context == null ? prompt + generate : context, kvBits, threads, b);
        } catch (InvalidInputException e) {
            throw new InvalidInputException("-", e.field().replace("workload.", "--"), e.problem());
        }
        try {
            FormatMixes.resolve(arch, format);
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException("-", "--format", ClosestNames.unknownFormat(format));
        }
        SimulatorEngine eng;
        try {
            eng = SimulatorEngine.resolve(engine, b, dev);
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException("-", "--engine", e.getMessage());
        }
        SimulationResult r;
        try (NativeSimulator sim = new NativeSimulator(eng.calibrations())) {
            r = ModelSimulation.simulate(sim, dev, w, md, format);
        }
        double batteryPctPer1000 = 100.0 * 1000 * r.energyJoulesPerToken() / dev.battery().joules();
        DeviceProfile.MemoryFit fit = dev.dram().fit(r.memory().totalBytes());
        if (!fit.fitsDram()) {
            System.err.printf(Locale.ROOT, "edgefront: peak memory %s exceeds %s's %s of DRAM: the weights cannot all be resident, "
                    + "so its speeds and energy assume memory this device does not have%n",
                    Units.bytes(fit.peakBytes()), dev.name(), Units.bytes(fit.dramBytes()));
        }
        if (json) {
            ObjectNode n = JsonOut.object();
            n.put("model", arch.name());
            n.put("synthetic", arch.synthetic());
            InspectCommand.describeStructure(n, md);
            n.put("device", dev.name());
            n.put("format", format);
            n.put("backend", b.name().toLowerCase(Locale.ROOT));
            n.put("engine", eng.engine());
            n.put("calibration", eng.calibration().name());
            n.put("decode_tok_s", r.decodeTokensPerSecond());
            n.put("sustained_decode_tok_s", r.sustainedDecodeTokensPerSecond());
            n.put("prefill_tok_s", r.prefillTokensPerSecond());
            n.put("ttft_s", r.timeToFirstTokenSeconds());
            n.put("energy_j_per_token", r.energyJoulesPerToken());
            n.put("power_w", r.powerWatts());
            // a mains-powered device (no battery) has no share to spend: null, not Infinity
            if (Double.isFinite(batteryPctPer1000)) n.put("battery_percent_per_1000_tokens", batteryPctPer1000);
            else n.putNull("battery_percent_per_1000_tokens");
            n.put("memory_bytes", r.memory().totalBytes());
            ObjectNode mem = n.putObject("memory");
            mem.put("weight_bytes", r.memory().weightBytes());
            mem.put("kv_cache_bytes", r.memory().kvCacheBytes());
            mem.put("state_bytes", r.memory().stateBytes()); // a hybrid model's recurrent state (0 for a transformer)
            mem.put("activation_bytes", r.memory().activationBytes());
            mem.put("runtime_bytes", r.memory().runtimeBytes());
            mem.put("device_dram_bytes", fit.dramBytes());
            mem.put("app_budget_bytes", fit.appBudgetBytes());
            mem.put("app_memory_share", fit.appMemoryShare());
            mem.put("fits_app_budget", fit.fitsAppBudget());
            mem.put("fits_dram", fit.fitsDram());
            ArrayNode ops = n.putArray("ops");
            for (OpCost op : r.ops()) {
                ObjectNode o = ops.addObject();
                o.put("name", op.name());
                o.put("bytes", op.bytes());
                o.put("flops", op.flops());
                o.put("time_s", op.timeSeconds());
                o.put("energy_j", op.energyJoules());
                o.put("bound", op.bound().name().toLowerCase(Locale.ROOT));
            }
            n.put("simulator_version", new NativeSimulator().version());
            JsonOut.print(System.out, n);
        } else {
            System.out.printf("%s (%s) on %s, %s backend, engine %s: decode %.2f tok/s (sustained %.2f), prefill %.1f tok/s, TTFT %.3f s,%n"
                            + "  %.4f J/token at %.2f W (%s), peak memory %,d bytes (%s)%n",
                    arch.name(), format, dev.name(), b.name().toLowerCase(Locale.ROOT), eng.describe(), r.decodeTokensPerSecond(),
                    r.sustainedDecodeTokensPerSecond(), r.prefillTokensPerSecond(), r.timeToFirstTokenSeconds(),
                    r.energyJoulesPerToken(), r.powerWatts(),
                    Double.isFinite(batteryPctPer1000) ? String.format(Locale.ROOT, "%.3f%% battery per 1,000 tokens", batteryPctPer1000)
                            : "mains powered: no battery", r.memory().totalBytes(), fitText(fit));
        }
        return 0;
    }

    /** Where the peak stands against the device's DRAM and the app's share of it. */
    static String fitText(DeviceProfile.MemoryFit fit) {
        String share = Units.percent(fit.appMemoryShare()) + " of DRAM, " + Units.bytes(fit.appBudgetBytes());
        if (!fit.fitsDram()) return "does not fit: the device has " + Units.bytes(fit.dramBytes()) + " of DRAM";
        if (!fit.fitsAppBudget()) return "over one app's share, " + share + "; within the device's " + Units.bytes(fit.dramBytes());
        return "within one app's share, " + share;
    }
}
