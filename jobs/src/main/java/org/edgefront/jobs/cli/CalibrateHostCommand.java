package org.edgefront.jobs.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.edgefront.nativert.calibration.BackendCalibration;
import org.edgefront.jobs.io.AtomicFiles;
import org.edgefront.nativert.device.DeviceProfile;
import org.edgefront.nativert.device.DeviceProfiles;
import org.edgefront.nativert.EncodedChoice;
import org.edgefront.nativert.calibration.FormatCosts;
import org.edgefront.nativert.tools.HostCalibration;
import org.edgefront.nativert.OpCost;
import org.edgefront.space.compress.Sparsity;
import org.edgefront.space.compress.TensorChoice;
import org.edgefront.space.input.InvalidInputException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code edgefront calibrate-host}: reads this machine into a device profile (cpuinfo, meminfo, caches, measured
 * copy and single-thread read-stream bandwidth), times the reference C GEMV kernel of every format on matrices larger than the last-level cache
 * and prints measured against predicted time per format (simulator model, host profile, reference-c backend
 * calibration). Run it on an idle machine. Not thread-safe (picocli fills the fields).
 */
@Command(name = "calibrate-host", mixinStandardHelpOptions = true,
        description = "Time the reference C kernels of every weight format on this machine and compare with the simulator's prediction.")
public final class CalibrateHostCommand implements Callable<Integer> {
    @Option(names = "--target-mib", description = "Packed bytes of each timed matrix, MiB (default: 2 x L3, at least 32).")
    Integer targetMib;

    @Option(names = "--reps", defaultValue = "3", description = "Timed runs per format; the fastest counts (default ${DEFAULT-VALUE}).")
    int reps;

    @Option(names = "--formats", split = ",", description = "Formats to time, e.g. Q4_0,Q4_K,int4g128,F16+2:4 (default: all).")
    List<String> formats;

    @Option(names = "--refit", description = "Also refit the reference-c calibration on this run's timings and report its errors.")
    boolean refit;

    @Option(names = "--write-profile", paramLabel = "FILE.yaml",
            description = "Write this host's measured device profile (clock, bandwidths) as a device YAML, to reuse with simulate --device FILE.yaml"
                    + " or validate-simulator --devices DIR: one measurement for many predictions.")
    String writeProfile;

    @Option(names = "--profile-only", description = "Measure the host profile only (with --write-profile or --json): no kernel timings.")
    boolean profileOnly;

    @Option(names = "--proc", defaultValue = "/proc", hidden = true, description = "procfs root (tests).")
    String proc;

    @Option(names = "--sys-cpu", defaultValue = "/sys/devices/system/cpu", hidden = true, description = "sysfs cpu root (tests).")
    String sysCpu;

    @Option(names = "--json", description = "Print one JSON object on stdout.")
    boolean json;

    public CalibrateHostCommand() {}

    private List<TensorChoice> choices() {
        if (formats == null || formats.isEmpty()) return HostCalibration.DEFAULT_CHOICES;
        List<TensorChoice> out = new ArrayList<>();
        for (String f : formats) {
            try {
                out.add(TensorChoice.parse(f.trim()));
            } catch (IllegalArgumentException e) {
                throw new InvalidInputException("-", "--formats", e.getMessage());
            }
        }
        for (TensorChoice c : out) {
            if (c.rankRatio() != 1.0) throw new InvalidInputException("-", "--formats", "low rank is not a kernel format: " + c);
            if (c.sparsity().kind() != Sparsity.Kind.NONE && !c.format().name().equals("F16")) {
                throw new InvalidInputException("-", "--formats", "sparse kernels store F16 values: write F16+<sparsity>, got " + c);
            }
        }
        return out;
    }

    @Override
    public Integer call() throws Exception {
        if (reps < 1 || reps > 100) throw new InvalidInputException("-", "--reps", "must be in [1, 100], got " + reps);
        if (targetMib != null && (targetMib < 1 || targetMib > 1024)) {
            throw new InvalidInputException("-", "--target-mib", "must be in [1, 1024], got " + targetMib);
        }
        if (profileOnly && writeProfile == null && !json) {
            throw new InvalidInputException("-", "--profile-only", "needs --write-profile FILE.yaml or --json (nothing to show otherwise)");
        }
        List<TensorChoice> cs = choices();
        HostCalibration.MeasuredHost measuredHost = HostCalibration.measureHost(Path.of(proc), Path.of(sysCpu));
        HostCalibration.HostFacts facts = measuredHost.facts();
        if (writeProfile != null) {
            HostCalibration.Bandwidth b = measuredHost.bandwidth();
            AtomicFiles.writeString(AtomicFiles.path(writeProfile), DeviceProfiles.toYaml(measuredHost.profile(), String.format(Locale.ROOT,
                    "This host as measured by edgefront calibrate-host on %s: %s, %d cores; clock %.3f GHz (the larger of /proc/cpuinfo and a\n"
                            + "timed chain of dependent additions); read stream %.1f GB/s one core, %.1f GB/s all cores; copy %.1f / %.1f GB/s.\n"
                            + "Energy, thermal, battery and storage are not measured (neutral placeholders): only times are meaningful.",
                    java.time.Instant.now(), facts.cpuModel(), facts.cores(), facts.maxGhz(), b.oneCoreReadBytesPerSecond() / 1e9,
                    b.allCoresReadBytesPerSecond() / 1e9, b.oneCoreBytesPerSecond() / 1e9, b.allCoresBytesPerSecond() / 1e9)));
        }
        if (profileOnly) {
            if (json) {
                ObjectNode n = JsonOut.object();
                hostJson(n.putObject("host"), facts, measuredHost.bandwidth());
                JsonOut.print(System.out, n);
            }
            return 0;
        }
        long llc = Math.max(facts.l3Bytes(), facts.l2Bytes());
        long target = targetMib != null ? targetMib * (1L << 20) : Math.max(32L << 20, 2 * llc);
        HostCalibration.Bandwidth bw = measuredHost.bandwidth();
        DeviceProfile host = measuredHost.profile();
        List<Double> measured = HostCalibration.time(cs, target, reps, 42);
        // kernel-level profiling on small in-cache matrices, then predict the large out-of-cache ones
        HostCalibration.ProfiledKernels profiled = HostCalibration.profileKernels(host, cs, 20, 7);
        FormatCosts costs = profiled.costs();
        BackendCalibration shipped = HostCalibration.referenceC(host, profiled);
        List<OpCost> predicted = HostCalibration.predict(host, shipped, cs, target);
        List<OpCost> defaultTable = HostCalibration.predict(host, HostCalibration.referenceC(host), cs, target);
        BackendCalibration refitted = refit ? HostCalibration.fit(host, cs, target, measured) : null;
        List<OpCost> refitPred = refit ? HostCalibration.predict(host, refitted, cs, target) : null;

        if (json) {
            ObjectNode n = JsonOut.object();
            ObjectNode h = n.putObject("host");
            hostJson(h, facts, bw);
            h.put("timed_matrix_bytes", target);
            h.put("threads", 1);
            calibration(n.putObject("calibration"), shipped, "reference-c: one-core read-stream bandwidth, memory and compute time added (no overlap), per-format costs"
                    + " from an in-cache " + HostCalibration.PROFILE_ROWS + "x" + HostCalibration.PROFILE_COLS + " GEMV microbenchmark");
            ArrayNode rows = n.putArray("formats");
            for (int i = 0; i < cs.size(); i++) {
                ObjectNode o = rows.addObject();
                TensorChoice c = cs.get(i);
                OpCost p = predicted.get(i);
                o.put("format", HostCalibration.label(c));
                o.put("rows", HostCalibration.timedRows(c, target));
                o.put("cols", HostCalibration.COLS);
                o.put("weight_bytes", (long) (p.bytes() - 4.0 * (HostCalibration.timedRows(c, target) + HostCalibration.COLS)));
                o.put("measured_s", measured.get(i));
                o.put("predicted_s", p.timeSeconds());
                o.put("error_pct", 100 * (p.timeSeconds() - measured.get(i)) / measured.get(i));
                o.put("predicted_bound", p.bound().name().toLowerCase(Locale.ROOT));
                o.put("kernel_ops_per_weight", costs.opsPerWeight(EncodedChoice.formatId(c.format())));
                o.put("error_pct_default_table", 100 * (defaultTable.get(i).timeSeconds() - measured.get(i)) / measured.get(i));
                o.put("measured_bytes_per_s", p.bytes() / measured.get(i));
                if (refit) o.put("refit_error_pct", 100 * (refitPred.get(i).timeSeconds() - measured.get(i)) / measured.get(i));
            }
            summary(n.putObject("summary"), predicted, measured);
            summary(n.putObject("summary_default_table"), defaultTable, measured);
            if (refit) {
                ObjectNode r = n.putObject("refit");
                calibration(r.putObject("calibration"), refitted, "fitted on this run (3 numbers for the backend, none per format)");
                summary(r.putObject("summary"), refitPred, measured);
            }
            JsonOut.print(System.out, n);
        } else {
            System.out.printf(Locale.ROOT, "host: %s, %d cores @ %.2f GHz, %.1f GiB, L3 %d MiB; copy %.1f GB/s (1 core), %.1f GB/s (all); read %.1f GB/s (all)%n",
                    facts.cpuModel(), facts.cores(), facts.maxGhz(), facts.memoryBytes() / (double) (1L << 30), facts.l3Bytes() >> 20,
                    bw.oneCoreBytesPerSecond() / 1e9, bw.allCoresBytesPerSecond() / 1e9, bw.allCoresReadBytesPerSecond() / 1e9);
            for (int i = 0; i < cs.size(); i++) {
                double m = measured.get(i), p = predicted.get(i).timeSeconds();
                System.out.printf(Locale.ROOT, "%-18s measured %9.3f ms  predicted %9.3f ms  error %+6.1f%%%s%n", HostCalibration.label(cs.get(i)),
                        1e3 * m, 1e3 * p, 100 * (p - m) / m,
                        refit ? String.format(Locale.ROOT, "  (refit %+6.1f%%)", 100 * (refitPred.get(i).timeSeconds() - m) / m) : "");
            }
        }
        return 0;
    }

    private static void hostJson(ObjectNode h, HostCalibration.HostFacts facts, HostCalibration.Bandwidth bw) {
        h.put("cpu_model", facts.cpuModel());
        h.put("vendor", facts.vendor());
        h.put("cores", facts.cores());
        h.put("max_ghz", facts.maxGhz());
        h.put("memory_bytes", facts.memoryBytes());
        h.put("l1d_bytes", facts.l1dBytes());
        h.put("l2_bytes", facts.l2Bytes());
        h.put("l3_bytes", facts.l3Bytes());
        h.put("fp32_flops_per_cycle_per_core", facts.fp32FlopsPerCycle());
        h.put("int8_ops_per_cycle_per_core", facts.int8OpsPerCycle());
        h.put("stream_copy_one_core_bytes_per_s", bw.oneCoreBytesPerSecond());
        h.put("stream_copy_all_cores_bytes_per_s", bw.allCoresBytesPerSecond());
        h.put("stream_read_one_core_bytes_per_s", bw.oneCoreReadBytesPerSecond());
        h.put("stream_read_all_cores_bytes_per_s", bw.allCoresReadBytesPerSecond());
    }

    private static void calibration(ObjectNode o, BackendCalibration c, String source) {
        o.put("name", c.name());
        o.put("source", source);
        o.put("mem_efficiency", c.memEfficiency());
        o.put("compute_efficiency", c.computeEfficiency());
        o.put("dequant_scale", c.dequantScale());
        o.put("dequantizes_to_float", c.dequantizesToFloat());
        o.put("exploits_nm_sparsity", c.exploitsNmSparsity());
    }

    private static void summary(ObjectNode o, List<OpCost> predicted, List<Double> measured) {
        double[] e = new double[measured.size()];
        for (int i = 0; i < e.length; i++) e[i] = Math.abs(predicted.get(i).timeSeconds() - measured.get(i)) / measured.get(i);
        double[] s = e.clone();
        Arrays.sort(s);
        int n = s.length;
        o.put("formats", n);
        o.put("median_abs_pct_error", n == 0 ? 0 : 100 * (n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2));
        o.put("max_abs_pct_error", n == 0 ? 0 : 100 * s[n - 1]);
        o.put("formats_within_15pct", Arrays.stream(e).filter(x -> x <= 0.15).count());
    }
}
