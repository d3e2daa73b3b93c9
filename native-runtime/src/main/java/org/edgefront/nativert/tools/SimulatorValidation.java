package org.edgefront.nativert.tools;

import org.edgefront.nativert.device.*;
import org.edgefront.nativert.calibration.*;
import org.edgefront.nativert.reference.*;
import org.edgefront.nativert.*;

import org.edgefront.nativert.NativeSimulator;
import org.edgefront.nativert.NativeSimulatorException;
import org.edgefront.nativert.SimulationResult;
import org.edgefront.nativert.calibration.BackendCalibration;
import org.edgefront.nativert.calibration.Calibrations;
import org.edgefront.nativert.calibration.EngineCalibrations;
import org.edgefront.nativert.calibration.EngineGroup;
import org.edgefront.nativert.device.ConfigFiles;
import org.edgefront.nativert.device.DeviceProfile;
import org.edgefront.nativert.device.ModelDescriptor;
import org.edgefront.nativert.device.Workload;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.edgefront.space.compress.TensorChoice;
import org.edgefront.space.format.SimulatorFormats;
import org.edgefront.space.input.InvalidInputException;
import org.edgefront.space.model.ModelArchitecture;

/**
 * Compares the simulator's predictions with published measurements (CSV with the columns of
 * {@code on-device-measurements.csv}, optionally {@code generated_tokens}, {@code energy_j_per_token} and
 * {@code phase} as in {@code energy-measurements.csv}). Each row is resolved from names alone: device by
 * profile name, model through {@link ModelCatalog#find} (aliases, normalization, {@code params_b} read from text; a
 * model the catalog lacks by the dense catalog model nearest its {@code params_b}, within 15%, or, when its name states an
 * active size ("30B-A3B"), by the catalog mixture of experts nearest both sizes, and the row says so),
 * engine/backend by {@link EngineGroup}, format by {@link FormatMixes}; mixtures of experts are simulated by
 * {@link ModelSimulation}; energy is compared as the row defines it ({@link MeasuredEnergy}). A row that cannot be
 * resolved or read is {@code unsupported} with the reason and counts as a miss. Also fits {@link EngineCalibrations} per engine group (only groups measured on at least two
 * devices, so no number is tuned to one device's rows) and reports leave-one-device-out errors.
 * Thread-safety: not thread-safe (holds one simulator per group while running).
 */
public final class SimulatorValidation {
    static final List<String> REQUIRED = List.of("device", "engine", "backend", "threads", "model", "weight_format",
            "prompt_tokens", "decode_tok_s", "prefill_tok_s");
    static final int DEFAULT_PROMPT_TOKENS = 128;
    /**
     * How far a stand-in's parameter count may lie from a row's {@code params_b} when the catalog lacks the row's model
     * ({@link ModelCatalog#nearestDense}): 15%, so its weight bytes, which set a decode step's time, are that close.
     */
    static final double STAND_IN_MAX_RATIO = 1.15;
    /** Active sizes are counted differently by model cards (with or without the embeddings): a wider tolerance. */
    static final double STAND_IN_MAX_ACTIVE_RATIO = 1.25;
    static final int DEFAULT_GENERATED_TOKENS = 128;

    /**
     * One input row and its prediction; predicted values are null when not predicted.
     *
     * @param phase energy phase ({@code decode} or {@code whole-query}), "" when the file has none
     */
    public record Row(int index, String device, String engine, String backend, String model, String weightFormat,
                      String status, String reason, double measuredDecodeTokS, double measuredPrefillTokS,
                      double measuredEnergyJPerToken, String phase, Double predictedDecodeTokS, Double predictedPrefillTokS,
                      Double predictedEnergyJPerToken) {
        public boolean ok() { return status.equals("ok"); }
    }

    /**
     * Error summary; unsupported rows count as misses (infinite error).
     *
     * @param decodeMedianApe     median absolute percentage error of decode tok/s, as a fraction (0.1 = 10%)
     * @param decodeShareWithin30 share of rows with a measured decode speed predicted within 30%
     */
    public record Summary(int rows, int okRows, int decodeRows, double decodeMedianApe, double decodeShareWithin30,
                          int prefillRows, double prefillMedianApe, double prefillShareWithin30, int energyRows,
                          double energyMedianApe, double energyShareWithin30) {}

    public record Report(List<Row> rows, Summary summary) {}

    private final DeviceDirectory directory;
    private final ModelCatalog catalog;
    private final FormatProvenance provenance;

    /** Reads every row's {@code weight_format} as printed. */
    public SimulatorValidation(List<DeviceProfile> devices, List<ModelDescriptor> models) {
        this(devices, models, FormatProvenance.NONE);
    }

    /** Reads a row's {@code weight_format} as {@code provenance} says its engine's script stored it, else as printed. */
    public SimulatorValidation(List<DeviceProfile> devices, List<ModelDescriptor> models, FormatProvenance provenance) {
        this(DeviceDirectory.of(devices), models, provenance);
    }

    /**
     * Finds each row's device in {@code devices} (written profiles, then any derived from a spec sheet,
     * {@link DeviceSpecSheet}); reads {@code weight_format} as {@code provenance} says.
     */
    public SimulatorValidation(DeviceDirectory devices, List<ModelDescriptor> models, FormatProvenance provenance) {
        this.directory = devices;
        this.catalog = new ModelCatalog(models);
        this.provenance = provenance;
    }

    /** A resolved row (null fields and a reason when unsupported). */
    private record Prepared(int index, Map<String, String> cells, EngineGroup group, DeviceProfile device,
                            ModelDescriptor model, ModelArchitecture arch, String format, Map<String, TensorChoice> choices, Workload workload,
                            MeasuredEnergy energy, String reason, String note) {
        boolean supported() { return reason == null; }

        double measuredDecode() { return MeasurementCsv.number(cells.get("decode_tok_s")); }

        double measuredPrefill() { return MeasurementCsv.number(cells.get("prefill_tok_s")); }

        double measuredEnergy() { return energy.joulesPerToken(); }

        String phase() { return cells.getOrDefault("phase", "").trim(); }
    }

    /** Reads a measurement CSV through Hadoop's FileSystem and validates it with the given calibrations. */
    public Report validate(String csvUri, EngineCalibrations calibrations) {
        return report(prepare(csvUri, ConfigFiles.read(csvUri)), calibrations);
    }

    /** Validates CSV text ({@code file} names it in errors). */
    public Report validate(String file, String csvText, EngineCalibrations calibrations) {
        return report(prepare(file, csvText), calibrations);
    }

    private List<Prepared> prepare(String file, String text) {
        // a record with the wrong number of fields is bad input for the whole file (exit 2); a record whose cells
        // cannot be read as measurements is reported as an unreadable row below
        List<Map<String, String>> rows = MeasurementCsv.parse(file, text, REQUIRED);
        List<Prepared> out = new ArrayList<>();
        for (int i = 0; i < rows.size(); i++) out.add(prepare(i, rows.get(i)));
        return out;
    }

    private Prepared prepare(int i, Map<String, String> r) {
        String dev = r.get("device").trim(), model = r.get("model").trim();
        if (Double.isNaN(MeasurementCsv.number(r.get("decode_tok_s"))) && Double.isNaN(MeasurementCsv.number(r.get("prefill_tok_s")))
                && Double.isNaN(MeasurementCsv.number(r.get("energy_j_per_token"))) && Double.isNaN(MeasurementCsv.number(r.get("power_w")))) {
            return unsupported(i, r, "unreadable: no decode_tok_s, prefill_tok_s, energy_j_per_token or power_w number");
        }
        DeviceDirectory.Match match = directory.find(dev, r.get("soc"));
        if (match == null) return unsupported(i, r, "no device profile named '" + dev + "' or with its chip '" + nullToEmpty(r.get("soc")) + "'");
        DeviceProfile d = match.profile();
        String note = match.note();
        double paramsB = MeasurementCsv.number(r.get("params_b"));
        ModelDescriptor m = catalog.find(model, paramsB);
        if (m == null) {
            // a model the catalog lacks, with its size stated (params_b, else its name's "1.8B" or "950M"): the dense
            // catalog model of the nearest size stands in; for a mixture of experts by its name ("30B-A3B") only a catalog
            // mixture of experts of both sizes does (a dense stand-in would read every expert per token)
            boolean named = Double.isNaN(paramsB);
            double size = named ? ModelCatalog.sizeInName(model) : paramsB;
            String sizeSource = named ? "the size in its name" : "its params_b";
            double active = ModelCatalog.activeInName(model);
            int within = (int) Math.round(100 * (STAND_IN_MAX_RATIO - 1));
            String standIn;
            if (!Double.isNaN(active)) {
                m = catalog.nearestMoe(size, active, STAND_IN_MAX_RATIO, STAND_IN_MAX_ACTIVE_RATIO);
                if (m == null) {
                    return unsupported(i, r, String.format(java.util.Locale.ROOT, "no catalog model for '%s': its name states a mixture of"
                            + " experts with %.2f B active (%s: %.2f B), and no catalog mixture of experts lies within %d%% of that size and"
                            + " %d%% of the active one (a dense stand-in would read every expert per token)", model, active, sizeSource, size,
                            within, (int) Math.round(100 * (STAND_IN_MAX_ACTIVE_RATIO - 1))));
                }
                standIn = String.format(java.util.Locale.ROOT, "no catalog model for '%s': simulated as %s, the catalog mixture of experts"
                        + " nearest %s and the active size in its name (%.2f B vs %.2f B, %.2f B vs %.2f B active)", model, m.name(), sizeSource,
                        m.storedArchitecture().parameterCount() / 1e9, size, ModelCatalog.activeParameters(m) / 1e9, active);
            } else {
                m = catalog.nearestDense(size, STAND_IN_MAX_RATIO);
                if (m == null) {
                    return unsupported(i, r, "no catalog model for '" + model + "' (normalized '" + ModelCatalog.normalize(model) + "')"
                            + (Double.isNaN(size) ? " and no params_b or size in its name" : " and no dense catalog model within "
                            + within + "% of " + sizeSource + " " + size + " B"));
                }
                standIn = String.format(java.util.Locale.ROOT, "no catalog model for '%s': simulated as %s, the dense catalog model nearest %s"
                        + " (%.2f B vs %.2f B)", model, m.name(), sizeSource, m.storedArchitecture().parameterCount() / 1e9, size);
            }
            note = (note.isEmpty() ? "" : note + "; ") + standIn;
        }
        ModelArchitecture arch;
        try {
            arch = m.architecture();
        } catch (InvalidInputException e) {
            return unsupported(i, r, e.getMessage());
        }
        // the format the row's script stored where the label is generic ("INT4") and the script says which one
        String format = r.get("weight_format");
        FormatProvenance.Entry stored = provenance.find(r.get("engine"), model, format);
        if (stored != null) {
            format = stored.storedFormat();
            note = (note.isEmpty() ? "" : note + "; ") + "weight_format read as " + format + " (format provenance: " + stored.evidence() + ")";
        }
        EngineGroup g;
        try {
            g = EngineGroup.classify(r.get("engine"), r.get("backend"), format, d);
        } catch (IllegalArgumentException e) {
            return unsupported(i, r, e.getMessage());
        }
        if (g.uncalibrated()) {
            note = (note.isEmpty() ? "" : note + "; ") + "no engine group for '" + r.get("engine").trim() + "' on '" + r.get("backend").trim() + "': first-principles "
                    + g.backend().key() + " defaults";
        }
        Map<String, TensorChoice> choices;
        try {
            choices = FormatMixes.resolve(arch, format);
        } catch (IllegalArgumentException e) {
            return unsupported(i, r, e.getMessage());
        }
        double th = MeasurementCsv.number(r.get("threads"));
        int threads = Double.isNaN(th) ? d.cpu().cores() : (int) th; // unstated: all cores
        double pt = MeasurementCsv.number(r.get("prompt_tokens"));
        int prompt = Double.isNaN(pt) ? DEFAULT_PROMPT_TOKENS : (int) pt;
        double gt = MeasurementCsv.number(r.get("generated_tokens"));
        int gen = Double.isNaN(gt) ? DEFAULT_GENERATED_TOKENS : (int) gt;
        Workload w = new Workload(prompt, gen, Math.max(2048, prompt + gen), 16, Math.max(1, threads), g.backend());
        return new Prepared(i, r, g, d, m, arch, format, choices, w, MeasuredEnergy.of(r, d, prompt, gen), null, note);
    }

    /**
     * One row's simulation: a dense model in one native call; a mixture of experts, a model with per-layer geometry, latent
     * attention or sliding windows through {@link ModelSimulation}.
     */
    private static SimulationResult simulate(NativeSimulator sim, Prepared p) {
        if (p.model().moe() || p.model().perLayer() || !p.model().blockStates().isEmpty()) {
            return ModelSimulation.simulate(sim, p.device(), p.workload(), p.model(), p.format());
        }
        return sim.simulate(p.device(), p.workload(), p.arch(), p.choices());
    }

    /** The profile for device {@code dev} ({@link DeviceDirectory#find}), or null. */
    DeviceProfile findDevice(String dev) { return findDevice(dev, null); }

    /** The profile for device {@code dev} whose chip is {@code soc} (may be null), or null. */
    DeviceProfile findDevice(String dev, String soc) {
        DeviceDirectory.Match m = directory.find(dev, soc);
        return m == null ? null : m.profile();
    }

    private static String nullToEmpty(String s) { return s == null ? "" : s; }

    /** An unsupported row keeps its measured energy (when the row defines one) so that it counts as a miss. */
    private Prepared unsupported(int i, Map<String, String> r, String reason) {
        double pt = MeasurementCsv.number(r.get("prompt_tokens")), gt = MeasurementCsv.number(r.get("generated_tokens"));
        MeasuredEnergy e = MeasuredEnergy.of(r, findDevice(r.get("device").trim(), r.get("soc")), Double.isNaN(pt) ? DEFAULT_PROMPT_TOKENS : (int) pt,
                Double.isNaN(gt) ? DEFAULT_GENERATED_TOKENS : (int) gt);
        return new Prepared(i, r, null, null, null, null, null, null, null, e, reason, "");
    }

    private Report report(List<Prepared> prepared, EngineCalibrations cal) {
        List<Row> rows = new ArrayList<>();
        Map<EngineGroup, NativeSimulator> sims = new java.util.EnumMap<>(EngineGroup.class);
        try {
            for (Prepared p : prepared) rows.add(row(p, p.supported() ? sims.computeIfAbsent(p.group(), g -> new NativeSimulator(cal.forSimulator(g))) : null));
        } finally {
            sims.values().forEach(NativeSimulator::close);
        }
        return new Report(rows, summarize(rows));
    }

    private static Row row(Prepared p, NativeSimulator sim) {
        Map<String, String> c = p.cells();
        if (!p.supported()) {
            return new Row(p.index(), c.get("device"), c.get("engine"), c.get("backend"), c.get("model"), c.get("weight_format"),
                    "unsupported", p.reason(), p.measuredDecode(), p.measuredPrefill(), p.measuredEnergy(), p.phase(), null, null, null);
        }
        SimulationResult r;
        try {
            r = simulate(sim, p);
        } catch (NativeSimulatorException | IllegalArgumentException e) {
            return new Row(p.index(), c.get("device"), c.get("engine"), c.get("backend"), c.get("model"), c.get("weight_format"),
                    "unsupported", e.getMessage(), p.measuredDecode(), p.measuredPrefill(), p.measuredEnergy(), p.phase(), null, null, null);
        }
        Double energy = p.energy().present() ? p.energy().predicted(r, p.workload()) : null;
        return new Row(p.index(), c.get("device"), c.get("engine"), c.get("backend"), c.get("model"), c.get("weight_format"),
                "ok", p.note(), p.measuredDecode(), p.measuredPrefill(), p.measuredEnergy(), p.phase(),
                r.decodeTokensPerSecond(), r.prefillTokensPerSecond(), energy);
    }

    static Summary summarize(List<Row> rows) {
        List<Double> dec = new ArrayList<>(), pre = new ArrayList<>(), en = new ArrayList<>();
        int ok = 0;
        for (Row r : rows) {
            if (r.ok()) ok++;
            if (!Double.isNaN(r.measuredDecodeTokS())) dec.add(ape(r.predictedDecodeTokS(), r.measuredDecodeTokS()));
            else if (r.reason().startsWith("unreadable")) dec.add(Double.POSITIVE_INFINITY); // a row we could not read is a miss
            if (!Double.isNaN(r.measuredPrefillTokS())) pre.add(ape(r.predictedPrefillTokS(), r.measuredPrefillTokS()));
            if (!Double.isNaN(r.measuredEnergyJPerToken())) en.add(ape(r.predictedEnergyJPerToken(), r.measuredEnergyJPerToken()));
        }
        return new Summary(rows.size(), ok, dec.size(), median(dec), within30(dec), pre.size(), median(pre), within30(pre),
                en.size(), median(en), within30(en));
    }

    private static double within30(List<Double> errors) {
        return errors.isEmpty() ? Double.NaN : (double) errors.stream().filter(e -> e <= 0.30).count() / errors.size();
    }

    private static double ape(Double predicted, double measured) {
        return predicted == null ? Double.POSITIVE_INFINITY : Math.abs(predicted - measured) / measured;
    }

    static double median(List<Double> v) {
        if (v.isEmpty()) return Double.NaN;
        double[] a = v.stream().mapToDouble(Double::doubleValue).toArray();
        Arrays.sort(a);
        int n = a.length;
        return n % 2 == 1 ? a[n / 2] : (a[n / 2 - 1] + a[n / 2]) / 2;
    }

    // ---------------------------------------------------------------- calibration

    /** Grid of engine-group calibration values searched by {@link #fit}. */
    static final double[] MEM_EFF = {0.10, 0.15, 0.20, 0.25, 0.30, 0.35, 0.40, 0.45, 0.50, 0.55, 0.60, 0.65, 0.70, 0.75, 0.80, 0.85, 0.90, 0.95, 1.0};
    static final double[] COMPUTE_EFF = {0.02, 0.04, 0.06, 0.09, 0.13, 0.18, 0.25, 0.35, 0.5, 0.7, 1.0};
    static final double[] DEQUANT = {0.25, 0.5, 1.0, 2.0, 4.0, 8.0};
    /** Prefill GEMM efficiency: geometric steps of 1.25 from 0.01 to 1 (a factor-of-two grid alone left +-40% errors). */
    static final double[] PREFILL_EFF = geometric(0.01, 1.0, 1.25);
    /**
     * Prompt tokens sharing one dequantization of a weight block in the prefill GEMM: 1 is a dot-product kernel that
     * dequantizes per token (llama.cpp's CPU path for K-quants), larger values are tiled/repacked GEMMs.
     */
    static final double[] PREFILL_TILE = {1, 2, 4, 8, 16, 32, 64};

    private static double[] geometric(double from, double to, double ratio) {
        List<Double> v = new ArrayList<>();
        for (double x = from; x <= to * 1.0001; x *= ratio) v.add(Math.min(x, to));
        return v.stream().mapToDouble(Double::doubleValue).toArray();
    }

    /**
     * Fits each engine group's memory efficiency, compute efficiency and dequantization scale by grid search,
     * minimizing the mean absolute log error of decode speed over the group's rows, then its prefill GEMM
     * efficiency on the rows that report prefill speed, then the kernel cost of each weight format stored on at least
     * two devices (decode and prefill error together; prefill refitted after it), for groups
     * with rows from at least two devices; other groups keep {@code start}'s values.
     *
     * @param excludeDevice a device whose rows are left out of the fit (leave-one-device-out), or null
     */
    public EngineCalibrations fit(String csvUri, EngineCalibrations start, String excludeDevice) {
        return fit(prepare(csvUri, ConfigFiles.read(csvUri)), start, excludeDevice, 2);
    }

    /**
     * Fits every group on the rows of all the given files (the shipped fit's procedure: groups measured on at least
     * {@code minDevices} devices), for in-sample figures beside leave-one-device-out.
     */
    public EngineCalibrations fitAll(List<String> csvUris, EngineCalibrations start, int minDevices) {
        List<Prepared> all = new ArrayList<>();
        for (String f : csvUris) all.addAll(prepare(f, ConfigFiles.read(f)));
        return fit(all, start, null, minDevices);
    }

    private EngineCalibrations fit(List<Prepared> prepared, EngineCalibrations start, String excludeDevice, int minDevices) {
        return fit(prepared, start, p -> excludeDevice == null || !p.device().name().equalsIgnoreCase(excludeDevice),
                minDevices, Math.max(2, minDevices));
    }

    /**
     * The fit's three stages on the rows {@code keep} accepts: a group is fitted when its rows come from at least
     * {@code minDevices} devices, a format's kernel cost when the rows store it on at least {@code minFormatDevices}.
     */
    private EngineCalibrations fit(List<Prepared> prepared, EngineCalibrations start, java.util.function.Predicate<Prepared> keep,
                                   int minDevices, int minFormatDevices) {
        EngineCalibrations cal = start;
        for (EngineGroup g : EngineGroup.values()) {
            List<Prepared> rows = prepared.stream().filter(Prepared::supported).filter(p -> p.group() == g)
                    .filter(keep).toList();
            Set<String> devs = new HashSet<>();
            rows.forEach(p -> devs.add(p.device().name()));
            if (devs.size() < minDevices) continue;
            BackendCalibration base = start.get(g), best = base;
            double bestLoss = Double.POSITIVE_INFINITY;
            for (double me : MEM_EFF) {
                for (double ce : COMPUTE_EFF) {
                    for (double dq : DEQUANT) {
                        BackendCalibration c = new BackendCalibration("fit-" + g.name().toLowerCase(java.util.Locale.ROOT), me, ce,
                                base.opOverheadSeconds(), dq, base.prefillTileTokens(), base.ubatchTokens(), base.runtimeFixedBytes(),
                                base.exploitsNmSparsity(), base.prefillComputeEfficiency());
                        double loss = loss(rows, start.with(g, c).forSimulator(g), true, false);
                        if (loss < bestLoss) {
                            bestLoss = loss;
                            best = c;
                        }
                    }
                }
            }
            // second stage: the prefill GEMM efficiency and dequantization tile, given the decode fit (prefill rows only;
            // neither changes a decode step)
            best = fitPrefill(rows, start, g, best);
            // third stage: the engine's kernel cost of each weight format it runs (one dot-product kernel per format
            // serves decode and prefill), on formats measured on at least minDevices devices; then prefill again
            BackendCalibration withCosts = fitFormatCosts(rows, start, g, best, minFormatDevices);
            if (withCosts != best) best = fitPrefill(rows, start, g, withCosts);
            cal = cal.with(g, best);
        }
        return cal;
    }

    private static BackendCalibration fitPrefill(List<Prepared> rows, EngineCalibrations start, EngineGroup g, BackendCalibration from) {
        BackendCalibration best = from;
        double bestPre = Double.POSITIVE_INFINITY;
        for (double tile : PREFILL_TILE) {
            for (double pe : PREFILL_EFF) {
                BackendCalibration c = from.withPrefill(tile, pe);
                double loss = loss(rows, start.with(g, c).forSimulator(g), false, true);
                if (loss < bestPre - 1e-12) {
                    bestPre = loss;
                    best = c;
                }
            }
        }
        return best;
    }

    /** Multipliers on a format's default dequantization ops searched by the third fitting stage. */
    static final double[] FORMAT_COST_SCALE = {0.25, 0.35, 0.5, 0.7, 1.0, 1.4, 2.0, 2.8, 4.0};

    /**
     * Coordinate descent (two sweeps) over the per-format dequantization ops of the formats that the group's rows
     * store on at least {@code minDevices} devices, minimizing the mean absolute log error of decode and prefill
     * together; a format keeps the library default unless a multiplier lowers the loss. Returns {@code from} itself
     * when nothing changes.
     */
    private static BackendCalibration fitFormatCosts(List<Prepared> rows, EngineCalibrations start, EngineGroup g,
                                                     BackendCalibration from, int minDevices) {
        Map<Integer, Set<String>> devicesByFormat = new java.util.TreeMap<>();
        for (Prepared p : rows) {
            for (TensorChoice t : p.choices().values()) {
                devicesByFormat.computeIfAbsent(t.format().simulatorId(), k -> new HashSet<>()).add(p.device().name());
            }
        }
        BackendCalibration best = from;
        double bestLoss = loss(rows, start.with(g, from).forSimulator(g), true, true);
        for (int sweep = 0; sweep < 2; sweep++) {
            for (Map.Entry<Integer, Set<String>> e : devicesByFormat.entrySet()) {
                int id = e.getKey();
                if (e.getValue().size() < minDevices || SimulatorFormats.row(id).dequantOps() <= 0) continue;
                BackendCalibration sweepBest = best;
                for (double m : FORMAT_COST_SCALE) {
                    BackendCalibration c = sweepBest.withFormatCosts(sweepBest.formatCosts().withDefaultTimes(id, m));
                    double loss = loss(rows, start.with(g, c).forSimulator(g), true, true);
                    if (loss < bestLoss - 1e-9) {
                        bestLoss = loss;
                        best = c;
                    }
                }
            }
        }
        // a format that came back to its default is stored as "default" (0), so equal fits compare equal
        FormatCosts f = best.formatCosts();
        for (int id : devicesByFormat.keySet()) {
            if (f.opsPerWeight(id) == SimulatorFormats.row(id).dequantOps()) f = f.with(id, 0);
        }
        return f.equals(best.formatCosts()) ? best : best.withFormatCosts(f);
    }

    private static double loss(List<Prepared> rows, Calibrations c, boolean decode, boolean prefill) {
        double sum = 0;
        int n = 0;
        try (NativeSimulator sim = new NativeSimulator(c)) {
            for (Prepared p : rows) {
                SimulationResult r;
                try {
                    r = simulate(sim, p);
                } catch (NativeSimulatorException | IllegalArgumentException e) {
                    continue;
                }
                double md = p.measuredDecode(), mp = p.measuredPrefill();
                if (decode && !Double.isNaN(md)) { sum += Math.abs(Math.log(r.decodeTokensPerSecond() / md)); n++; }
                if (prefill && !Double.isNaN(mp)) { sum += Math.abs(Math.log(r.prefillTokensPerSecond() / mp)); n++; }
            }
        }
        return n == 0 ? Double.POSITIVE_INFINITY : sum / n;
    }

    /**
     * Leave-one-device-out: every device's rows are predicted with calibrations fitted without them.
     */
    public Report leaveOneDeviceOut(String csvUri, EngineCalibrations start) {
        return leaveOneDeviceOut(csvUri, start, 2);
    }

    /**
     * Leave-one-device-out where a group is refitted when the remaining devices number at least
     * {@code minDevices}: 2 mirrors the shipped fit (a group measured on only one other device keeps
     * {@code start}'s values); 1 calibrates such a group on that one other device, which is what a
     * held-out device would get in practice (its own rows are never used either way).
     */
    public Report leaveOneDeviceOut(String csvUri, EngineCalibrations start, int minDevices) {
        return leaveOneDeviceOut(csvUri, start, minDevices, List.of());
    }

    /**
     * As {@link #leaveOneDeviceOut(String, EngineCalibrations, int)}, with the rows of {@code fitCsvUris} added to the
     * calibration set (never predicted): e.g. the energy rows are predicted with calibrations fitted on the decode rows
     * of every other device in both files.
     */
    public Report leaveOneDeviceOut(String csvUri, EngineCalibrations start, int minDevices, List<String> fitCsvUris) {
        if (minDevices < 1) throw new IllegalArgumentException("minDevices must be >= 1");
        List<Prepared> prepared = prepare(csvUri, ConfigFiles.read(csvUri));
        List<Prepared> fitSet = new ArrayList<>(prepared);
        for (String f : fitCsvUris) fitSet.addAll(prepare(f, ConfigFiles.read(f)));
        Row[] out = new Row[prepared.size()];
        Set<String> names = new java.util.TreeSet<>();
        for (Prepared p : prepared) if (p.supported()) names.add(p.device().name());
        for (Prepared p : prepared) if (!p.supported()) out[p.index()] = row(p, null);
        for (String dev : names) {
            EngineCalibrations cal = fit(fitSet, start, dev, minDevices);
            List<Prepared> mine = prepared.stream().filter(Prepared::supported).filter(p -> p.device().name().equals(dev)).toList();
            for (Prepared p : mine) {
                try (NativeSimulator sim = new NativeSimulator(cal.forSimulator(p.group()))) {
                    out[p.index()] = row(p, sim);
                }
            }
        }
        List<Row> rows = Arrays.asList(out);
        Objects.requireNonNull(rows);
        return new Report(rows, summarize(rows));
    }

    /**
     * Leave-one-model-out on the rows of one device measured with several models (this host under llama-bench, say):
     * each model's rows are predicted with calibrations fitted on that device's other models only, every stage
     * included and every format the remaining rows store (there is no second device to ask for). This is a device
     * calibration, not the engine group's: it answers whether a host calibrated on one model predicts another, and
     * is never shipped as a group's fit.
     *
     * @throws InvalidInputException when the supported rows come from more than one device or name fewer than two models
     */
    public Report leaveOneModelOut(String csvUri, EngineCalibrations start) {
        List<Prepared> prepared = prepare(csvUri, ConfigFiles.read(csvUri));
        Set<String> devs = new java.util.TreeSet<>(), models = new java.util.TreeSet<>();
        for (Prepared p : prepared) {
            if (!p.supported()) continue;
            devs.add(p.device().name());
            models.add(p.arch().name());
        }
        if (devs.size() != 1) {
            throw new InvalidInputException(csvUri, "device", "leave-one-model-out needs the rows of one device, found " + devs);
        }
        if (models.size() < 2) {
            throw new InvalidInputException(csvUri, "model", "leave-one-model-out needs at least two models, found " + models);
        }
        Row[] out = new Row[prepared.size()];
        for (Prepared p : prepared) if (!p.supported()) out[p.index()] = row(p, null);
        for (String model : models) {
            EngineCalibrations cal = fit(prepared, start, p -> !p.arch().name().equals(model), 1, 1);
            for (Prepared p : prepared) {
                if (!p.supported() || !p.arch().name().equals(model)) continue;
                try (NativeSimulator sim = new NativeSimulator(cal.forSimulator(p.group()))) {
                    out[p.index()] = row(p, sim);
                }
            }
        }
        List<Row> rows = Arrays.asList(out);
        return new Report(rows, summarize(rows));
    }

    /**
     * What each engine group's calibration is fitted on: its supported rows with a measured decode or prefill speed and
     * their distinct devices, over all the given files; {@code fitted} is false when fewer than {@code minDevices}
     * devices measured it (the group then keeps its first-principles defaults).
     */
    public record GroupCoverage(EngineGroup group, int rows, int devices, boolean fitted) {}

    /** {@link GroupCoverage} of every group that has rows in the given files, in {@link EngineGroup} order. */
    public List<GroupCoverage> coverage(List<String> csvUris, int minDevices) {
        List<Prepared> all = new ArrayList<>();
        for (String f : csvUris) all.addAll(prepare(f, ConfigFiles.read(f)));
        List<GroupCoverage> out = new ArrayList<>();
        for (EngineGroup g : EngineGroup.values()) {
            List<Prepared> rows = all.stream().filter(Prepared::supported).filter(p -> p.group() == g)
                    .filter(p -> !Double.isNaN(p.measuredDecode()) || !Double.isNaN(p.measuredPrefill())).toList();
            if (rows.isEmpty()) continue;
            Set<String> devs = new HashSet<>();
            rows.forEach(p -> devs.add(p.device().name()));
            out.add(new GroupCoverage(g, rows.size(), devs.size(), devs.size() >= minDevices));
        }
        return out;
    }
}
