package org.edgefront.jobs.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.edgefront.nativert.calibration.FormatCosts;
import org.edgefront.space.format.SimulatorFormats;
import java.util.concurrent.Callable;
import org.edgefront.nativert.device.DeviceDirectory;
import org.edgefront.nativert.calibration.EngineCalibrations;
import org.edgefront.nativert.device.ModelDescriptor;
import org.edgefront.nativert.device.ModelDescriptors;
import org.edgefront.nativert.tools.DeviceSpecSheet;
import org.edgefront.nativert.tools.FormatProvenance;
import org.edgefront.nativert.tools.SimulatorValidation;
import org.edgefront.jobs.spec.RepoPaths;
import org.edgefront.space.io.HadoopFiles;
import org.edgefront.space.input.InvalidInputException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code edgefront validate-simulator}: predicts every row of a measurements CSV (columns of
 * {@code on-device-measurements.csv}, optionally those of {@code energy-measurements.csv}) and prints the
 * predictions in input order with an error summary. Unsupported rows (unknown device, model, engine or format)
 * are reported with a reason and count as misses. Bad input (unreadable file, missing column) is an
 * {@link InvalidInputException} (exit 2). Not thread-safe (picocli fills the fields).
 */
@Command(name = "validate-simulator", mixinStandardHelpOptions = true,
        description = "Compare the simulator's decode/prefill speed and energy predictions with a measurements CSV.")
public final class ValidateSimulatorCommand implements Callable<Integer> {
    @Option(names = "--measurements", required = true, paramLabel = "FILE.csv",
            description = "CSV with the columns of on-device-measurements.csv (or energy-measurements.csv).")
    String measurements;

    @Option(names = "--devices", paramLabel = "DIR", description = "Device profiles (default configs/devices of the repository).")
    String devices;

    @Option(names = "--device-specs", paramLabel = "FILE.csv|none",
            description = "Spec sheet (columns of device-specs.csv) whose rows become profiles of the devices no written profile names or shares"
                    + " a chip with; repeatable (default: the device-specs.csv beside --measurements, if there is one); the repository's"
                    + " configs/devices/spec-sheet.csv is searched last; none: no spec sheet at all.")
    List<String> deviceSpecs = new java.util.ArrayList<>();

    @Option(names = "--models", paramLabel = "DIR", description = "Model descriptors (default configs/models of the repository).")
    String models;

    @Option(names = "--format-provenance", paramLabel = "FILE.csv",
            description = "What a generic weight_format label stored where the row's engine names a script that says so (default"
                    + " configs/measurements/format-provenance.csv of the repository; none: every label as printed).")
    String formatProvenance;

    @Option(names = "--calibrations", defaultValue = "fitted",
            description = "fitted (per engine group, shipped), defaults (first principles) or refit (fitted now on --measurements and"
                    + " --fit-measurements with the same procedure as --leave-one-device-out: the in-sample figure beside it) (default ${DEFAULT-VALUE}).")
    String calibrations;

    @Option(names = "--leave-one-device-out",
            description = "Also refit the engine-group calibrations without each device and report those errors (slow).")
    boolean leaveOneDeviceOut;

    @Option(names = "--leave-one-model-out",
            description = "For the rows of one device measured with several models (e.g. tools/llama-cpp/bench-host.sh's): also predict each"
                    + " model with every stage refitted on that device's other models, and report those errors (a device calibration).")
    boolean leaveOneModelOut;

    @Option(names = "--loo-min-devices", defaultValue = "2",
            description = "With --leave-one-device-out: refit a group when at least this many other devices measured it (default ${DEFAULT-VALUE}; 1 = calibrate on the one other device).")
    int looMinDevices;

    @Option(names = "--fit-measurements", paramLabel = "FILE.csv",
            description = "With --leave-one-device-out or --calibrations refit: more rows to calibrate on (never predicted), e.g. the decode rows when validating the energy rows; repeatable.")
    List<String> fitMeasurements = new java.util.ArrayList<>();

    @Option(names = "--json", description = "Print one JSON object on stdout.")
    boolean json;

    public ValidateSimulatorCommand() {}

    /** {@code --format-provenance}: the named file, none, or the repository's file (refused by this option's name when not found). */
    private FormatProvenance provenance() {
        if ("none".equalsIgnoreCase(formatProvenance)) return FormatProvenance.NONE;
        if (formatProvenance != null) return FormatProvenance.load(formatProvenance);
        Path file;
        try {
            file = RepoPaths.config("measurements").resolve("format-provenance.csv");
        } catch (InvalidInputException e) {
            throw new InvalidInputException("configs/measurements/format-provenance.csv", "--format-provenance",
                    "cannot find the repository's file (run inside the repository, set -Dedgefront.root, or pass --format-provenance FILE.csv or none)");
        }
        return FormatProvenance.load(file.toString());
    }

    /**
     * {@code --device-specs}: the named file, none, or the {@code device-specs.csv} in the measurements file's folder when
     * there is one (null when none is read).
     */
    private DeviceSpecSheet.Result specSheet() {
        if (deviceSpecs.stream().anyMatch("none"::equalsIgnoreCase)) {
            if (deviceSpecs.size() > 1) throw new InvalidInputException("-", "--device-specs", "none cannot be combined with files");
            return null;
        }
        List<String> files = new java.util.ArrayList<>(deviceSpecs);
        if (files.isEmpty()) {
            String beside = besideMeasurements("device-specs.csv");
            if (beside != null) files.add(beside);
        }
        Path repo = RepoPaths.deviceSpecSheet();
        if (repo != null) files.add(repo.toString());
        return files.isEmpty() ? null : DeviceSpecSheet.loadAll(files);
    }

    /** A file named {@code name} in the folder of {@code --measurements}, or null when there is none. */
    private String besideMeasurements(String name) {
        try {
            org.apache.hadoop.fs.Path parent = HadoopFiles.toPath(measurements).getParent();
            if (parent == null) return null;
            String sibling = HadoopFiles.child(parent.toString(), name);
            org.apache.hadoop.fs.FileStatus st = HadoopFiles.statusOrNull(sibling, new org.apache.hadoop.conf.Configuration());
            return st != null && st.isFile() ? sibling : null;
        } catch (java.io.IOException | RuntimeException e) {
            return null; // no readable folder: no spec sheet beside it
        }
    }

    @Override
    public Integer call() {
        if (looMinDevices < 1) throw new InvalidInputException("-", "--loo-min-devices", "must be >= 1, got " + looMinDevices);
        EngineCalibrations cal = switch (calibrations.toLowerCase(Locale.ROOT)) {
            case "fitted" -> EngineCalibrations.fitted();
            case "defaults", "refit" -> EngineCalibrations.defaults();
            default -> throw new InvalidInputException("-", "--calibrations", "expected fitted, defaults or refit, got '" + calibrations + "'");
        };
        DeviceDirectory dir = DeviceDirectory.load(devices != null ? devices : RepoPaths.config("devices").toString());
        DeviceSpecSheet.Result specs = specSheet();
        if (specs != null) dir = dir.orElse(specs.entries());
        List<ModelDescriptor> mods = ModelDescriptors.loadAll(models != null ? models : RepoPaths.config("models").toString());
        SimulatorValidation v = new SimulatorValidation(dir, mods, provenance());
        if (calibrations.equalsIgnoreCase("refit")) {
            List<String> all = new java.util.ArrayList<>(List.of(measurements));
            all.addAll(fitMeasurements);
            cal = v.fitAll(all, EngineCalibrations.defaults(), 2);
        }
        SimulatorValidation.Report report = v.validate(measurements, cal);
        SimulatorValidation.Report loo = leaveOneDeviceOut
                ? v.leaveOneDeviceOut(measurements, EngineCalibrations.defaults(), looMinDevices, fitMeasurements) : null;
        SimulatorValidation.Report lomo = leaveOneModelOut ? v.leaveOneModelOut(measurements, EngineCalibrations.defaults()) : null;
        List<String> fitFiles = new java.util.ArrayList<>(List.of(measurements));
        fitFiles.addAll(fitMeasurements);
        List<SimulatorValidation.GroupCoverage> coverage = loo == null ? List.of() : v.coverage(fitFiles, looMinDevices);
        if (json) {
            ObjectNode n = JsonOut.object();
            ArrayNode rows = n.putArray("rows");
            for (SimulatorValidation.Row r : report.rows()) {
                ObjectNode o = rows.addObject();
                o.put("index", r.index());
                o.put("device", r.device());
                o.put("engine", r.engine());
                o.put("backend", r.backend());
                o.put("model", r.model());
                o.put("weight_format", r.weightFormat());
                if (!r.phase().isEmpty()) o.put("phase", r.phase());
                putNumber(o, "measured_decode_tok_s", r.measuredDecodeTokS());
                putNumber(o, "measured_prefill_tok_s", r.measuredPrefillTokS());
                putNullable(o, "predicted_decode_tok_s", r.predictedDecodeTokS());
                putNullable(o, "predicted_prefill_tok_s", r.predictedPrefillTokS());
                if (!Double.isNaN(r.measuredEnergyJPerToken()) || !r.phase().isEmpty()) {
                    putNumber(o, "measured_energy_j_per_token", r.measuredEnergyJPerToken());
                    putNullable(o, "predicted_energy_j_per_token", r.predictedEnergyJPerToken());
                }
                o.put("status", r.status());
                o.put("reason", r.reason());
            }
            summary(n.putObject("summary"), report.summary(), calibrations.toLowerCase(Locale.ROOT));
            if (specs != null) {
                ObjectNode sn = n.putObject("device_spec_sheet");
                ArrayNode derived = sn.putArray("profiles");
                for (DeviceDirectory.Entry e : specs.entries()) derived.add(e.profile().name());
                ArrayNode skipped = sn.putArray("skipped");
                specs.skipped().forEach(skipped::add);
                sn.put("note", "devices no written profile names or shares a chip with are simulated on these, derived from their spec rows");
            }
            if (calibrations.equalsIgnoreCase("refit")) {
                ObjectNode cn = n.putObject("refit_calibrations");
                for (var e : cal.asMap().entrySet()) {
                    ObjectNode o = cn.putObject(e.getKey().name().toLowerCase(Locale.ROOT));
                    o.put("mem_efficiency", e.getValue().memEfficiency());
                    o.put("compute_efficiency", e.getValue().computeEfficiency());
                    o.put("dequant_scale", e.getValue().dequantScale());
                    o.put("prefill_compute_efficiency", e.getValue().prefillComputeEfficiency());
                    o.put("prefill_tile_tokens", e.getValue().prefillTileTokens());
                    // the formats whose kernel cost was fitted (the others keep the library's default table)
                    ObjectNode fc = o.putObject("dequant_ops_per_weight");
                    for (int id = 0; id < FormatCosts.FORMATS; id++) {
                        double ops = e.getValue().formatCosts().opsPerWeight(id);
                        if (ops > 0) fc.put(SimulatorFormats.row(id).label(), ops);
                    }
                }
            }
            if (loo != null) predictions(n.putArray("rows_leave_one_device_out"), loo);
            if (loo != null) {
                summary(n.putObject("summary_leave_one_device_out"), loo.summary(),
                        "refit without each device (groups refitted when >= " + looMinDevices + " other devices remain)");
                ArrayNode groups = n.putArray("calibration_groups");
                for (SimulatorValidation.GroupCoverage g : coverage) {
                    ObjectNode o = groups.addObject();
                    o.put("group", g.group().name().toLowerCase(Locale.ROOT));
                    o.put("rows", g.rows());
                    o.put("devices", g.devices());
                    o.put("fitted", g.fitted());
                    o.put("note", "each leave-one-device-out fit uses these rows minus the held-out device's");
                }
            }
            if (lomo != null) {
                predictions(n.putArray("rows_leave_one_model_out"), lomo);
                summary(n.putObject("summary_leave_one_model_out"), lomo.summary(),
                        "every stage refitted on this device's other models (a device calibration, not a group's)");
            }
            JsonOut.print(System.out, n);
        } else {
            for (SimulatorValidation.Row r : report.rows()) {
                System.out.printf(Locale.ROOT, "%3d %-28s %-34s %-12s %-22s measured %8.2f predicted %s%s%n", r.index(), trim(r.device(), 28),
                        trim(r.engine() + "/" + r.backend(), 34), trim(r.weightFormat(), 12), trim(r.model(), 22), r.measuredDecodeTokS(),
                        r.predictedDecodeTokS() == null ? "-" : String.format(Locale.ROOT, "%.2f", r.predictedDecodeTokS()),
                        r.ok() ? (r.reason().isEmpty() ? "" : "  (" + r.reason() + ")") : "  (unsupported: " + r.reason() + ")");
            }
            print("summary", report.summary());
            if (specs != null) {
                System.out.printf(Locale.ROOT, "device spec sheet: %d profiles derived (used only for devices without a written profile)%s%n",
                        specs.entries().size(), specs.skipped().isEmpty() ? "" : "; skipped " + String.join("; ", specs.skipped()));
            }
            if (lomo != null) {
                for (SimulatorValidation.Row r : lomo.rows()) {
                    if (r.predictedDecodeTokS() == null) continue;
                    System.out.printf(Locale.ROOT, "%3d leave-one-model-out %-22s %-12s decode %8.2f vs %8.2f  prefill %8.2f vs %8.2f%n", r.index(),
                            trim(r.model(), 22), trim(r.weightFormat(), 12), r.predictedDecodeTokS(), r.measuredDecodeTokS(),
                            r.predictedPrefillTokS() == null ? Double.NaN : r.predictedPrefillTokS(), r.measuredPrefillTokS());
                }
                print("leave-one-model-out", lomo.summary());
            }
            if (loo != null) {
                print("leave-one-device-out", loo.summary());
                for (SimulatorValidation.GroupCoverage g : coverage) {
                    System.out.printf(Locale.ROOT, "  group %-28s fitted on %3d rows from %2d devices%s%n", g.group().name().toLowerCase(Locale.ROOT),
                            g.rows(), g.devices(), g.fitted() ? "" : " (too few devices: first-principles defaults)");
                }
            }
        }
        return 0;
    }

    /** Each row's index and predictions (null where not predicted), in input order. */
    private static void predictions(ArrayNode out, SimulatorValidation.Report report) {
        for (SimulatorValidation.Row r : report.rows()) {
            ObjectNode o = out.addObject();
            o.put("index", r.index());
            putNullable(o, "predicted_decode_tok_s", r.predictedDecodeTokS());
            putNullable(o, "predicted_prefill_tok_s", r.predictedPrefillTokS());
            putNullable(o, "predicted_energy_j_per_token", r.predictedEnergyJPerToken());
        }
    }

    private static String trim(String s, int n) { return s.length() <= n ? s : s.substring(0, n - 1) + "~"; }

    private static void print(String label, SimulatorValidation.Summary s) {
        System.out.printf(Locale.ROOT, "%s: %d rows (%d ok); decode MdAPE %.1f%% (%d rows, %.0f%% within 30%%); prefill MdAPE %.1f%% (%d rows);"
                        + " energy MdAPE %.1f%% (%d rows)%n", label, s.rows(), s.okRows(), 100 * s.decodeMedianApe(), s.decodeRows(),
                100 * s.decodeShareWithin30(), 100 * s.prefillMedianApe(), s.prefillRows(), 100 * s.energyMedianApe(), s.energyRows());
    }

    private static void summary(ObjectNode o, SimulatorValidation.Summary s, String calibrations) {
        o.put("calibrations", calibrations);
        o.put("rows", s.rows());
        o.put("ok_rows", s.okRows());
        o.put("unsupported_rows", s.rows() - s.okRows());
        o.put("decode_rows", s.decodeRows());
        putPercent(o, "decode_median_abs_pct_error", s.decodeMedianApe());
        putNumber(o, "decode_share_within_30pct", s.decodeShareWithin30());
        o.put("prefill_rows", s.prefillRows());
        putPercent(o, "prefill_median_abs_pct_error", s.prefillMedianApe());
        putNumber(o, "prefill_share_within_30pct", s.prefillShareWithin30());
        o.put("energy_rows", s.energyRows());
        putPercent(o, "energy_median_abs_pct_error", s.energyMedianApe());
        putNumber(o, "energy_share_within_30pct", s.energyShareWithin30());
        o.put("note", "errors are |predicted - measured| / measured in percent; unsupported rows count as misses (infinite error,"
                + " shown as null when they make the median infinite)");
    }

    /** JSON has no NaN/Infinity: those become null. */
    private static void putNumber(ObjectNode o, String k, double v) {
        if (Double.isFinite(v)) o.put(k, v);
        else o.putNull(k);
    }

    private static void putPercent(ObjectNode o, String k, double fraction) { putNumber(o, k, 100 * fraction); }

    private static void putNullable(ObjectNode o, String k, Double v) {
        if (v == null) o.putNull(k);
        else putNumber(o, k, v);
    }
}
