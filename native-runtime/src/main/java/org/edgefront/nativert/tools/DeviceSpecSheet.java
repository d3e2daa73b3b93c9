package org.edgefront.nativert.tools;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

import org.edgefront.nativert.device.Backend;
import org.edgefront.nativert.device.ConfigFiles;
import org.edgefront.nativert.device.DeviceDirectory;
import org.edgefront.nativert.device.DeviceProfile;

/**
 * Device profiles derived from a spec sheet: a CSV with the columns of {@code device-specs.csv} (device, soc, dram_type,
 * dram_bandwidth_gbs, ram_gb, cpu_cores, cpu_max_ghz, gpu, npu, peak_fp16_gflops, peak_int8_tops, typical_power_w), one
 * row per device, as published spec tables give them. A device nobody wrote a profile for is then simulated from its
 * datasheet numbers instead of being unsupported.
 *
 * <p>An optional column {@code cpu_clusters} lists the core clusters, {@code "1x Cortex-X3 @3.36; 2x Cortex-A715 @2.8; 3x
 * Cortex-A510 @2.0"} (core name optional: {@code "4x @2.4"}); a named core gets its class's SIMD width and power
 * ({@link #coreClass}).
 *
 * <p>What a row states is used as stated (DRAM bandwidth and size, core count and clock or clusters, GPU FP16 and NPU int8
 * peaks). What a row cannot state comes from one rule per instruction set, the same for every device, never fitted to a
 * measurement:
 * <ul>
 *   <li>the instruction set from the chip's words (Intel/AMD parts: x86-64; RISC-V parts: riscv64; else arm64);</li>
 *   <li>without {@code cpu_clusters}, one cluster of all cores at the maximum clock (a phone's compute is overstated then;
 *       decode, bound by DRAM, barely depends on it), with the per-core SIMD width of a mid-size core of that instruction
 *       set ({@link #perCycle});</li>
 *   <li>one core's streaming bandwidth, which its outstanding cache misses bound rather than the DRAM's width, as a
 *       constant per core class ({@link #coreBandwidth}: the written profiles' figures for such cores), at most half the
 *       DRAM bandwidth;</li>
 *   <li>DRAM energy per byte by the memory type, CPU energy per op by instruction set, static power 30% of the row's
 *       typical power (else 1.5 W for Arm and RISC-V, 5 W for x86), no throttling, no battery;</li>
 *   <li>8 GiB of DRAM where {@code ram_gb} is blank.</li>
 * </ul>
 * A row without a DRAM bandwidth, core count or clock yields no profile ({@link Result#skipped} says why). A GPU or NPU
 * without a peak figure is absent, so rows of that backend stay unsupported. Stateless.
 */
public final class DeviceSpecSheet {

    private static final List<String> REQUIRED = List.of("device", "soc", "dram_bandwidth_gbs", "cpu_cores", "cpu_max_ghz");
    private static final Pattern X86 = Pattern.compile(
            "\\b(intel|amd|ryzen|threadripper|xeon|epyc|celeron|pentium|atom|core\\s+(i[3579]|ultra)|n[1-9]\\d{2})\\b");
    private static final Pattern RISCV = Pattern.compile("\\b(risc-?v|sifive|spacemit|th1520|jh7110|sg2042|k1)\\b");
    private static final Pattern APPLE = Pattern.compile("\\b(apple|a1\\d|m[1-9])\\b");

    private DeviceSpecSheet() {}

    /**
     * @param entries the derived profiles, in file order, each with where it came from
     * @param skipped one line per row that gave no profile, naming the row and the missing field
     */
    public record Result(List<DeviceDirectory.Entry> entries, List<String> skipped) {
        public Result {
            entries = List.copyOf(entries);
            skipped = List.copyOf(skipped);
        }

        /** The profile derived from the row a device name answers to (by name, short name or chip), or null. */
        public DeviceDirectory.Match find(String device) {
            return new DeviceDirectory(List.of()).orElse(entries).find(device, null);
        }
    }

    /** The repository's spec sheet, in {@code configs/devices}: devices common in published rows that have no written profile. */
    public static final String REPOSITORY_SHEET = "spec-sheet.csv";

    /** Reads a spec sheet through Hadoop's FileSystem. */
    public static Result load(String uriOrPath) { return parse(uriOrPath, ConfigFiles.read(uriOrPath)); }

    /** Reads several spec sheets, in order (a device found in an earlier one is found there). */
    public static Result loadAll(List<String> uris) {
        List<DeviceDirectory.Entry> entries = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        for (String u : uris) {
            Result r = load(u);
            entries.addAll(r.entries());
            skipped.addAll(r.skipped());
        }
        return new Result(entries, skipped);
    }

    /**
     * Parses spec-sheet text ({@code file} names it in errors and in each profile's origin).
     *
     * @throws org.edgefront.space.input.InvalidInputException naming the file when a required column is missing or a
     *                                                          record has the wrong number of fields
     */
    public static Result parse(String file, String text) {
        List<Map<String, String>> rows = MeasurementCsv.parse(file, text, REQUIRED);
        List<DeviceDirectory.Entry> out = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        for (int i = 0; i < rows.size(); i++) {
            Map<String, String> r = rows.get(i);
            String device = r.get("device").trim();
            String where = file + " record " + (i + 2);
            if (device.isEmpty()) {
                skipped.add(where + ": no device name");
                continue;
            }
            double bw = MeasurementCsv.number(r.get("dram_bandwidth_gbs"));
            double cores = MeasurementCsv.number(r.get("cpu_cores"));
            double ghz = MeasurementCsv.number(r.get("cpu_max_ghz"));
            String clusterText = cell(r, "cpu_clusters");
            List<Cluster> clusters;
            try {
                clusters = clusterText.isEmpty() ? List.of() : clusters(clusterText);
            } catch (IllegalArgumentException e) {
                skipped.add(where + " ('" + device + "'): cpu_clusters " + e.getMessage());
                continue;
            }
            boolean stated = !clusters.isEmpty();
            String missing = !(bw > 0) ? "dram_bandwidth_gbs" : !stated && !(cores >= 1) ? "cpu_cores" : !stated && !(ghz > 0) ? "cpu_max_ghz" : null;
            if (missing != null) {
                skipped.add(where + " ('" + device + "'): no " + missing + " number");
                continue;
            }
            int sum = clusters.stream().mapToInt(Cluster::cores).sum();
            if (stated && cores >= 1 && (int) cores != sum) {
                skipped.add(where + " ('" + device + "'): cpu_clusters hold " + sum + " cores, cpu_cores says " + (int) cores);
                continue;
            }
            if (!stated) clusters = List.of(new Cluster((int) cores, "", ghz));
            out.add(new DeviceDirectory.Entry(file, profile(r, device, bw * 1e9, clusters),
                    "profile derived from the spec row of '" + device + "' in " + file));
        }
        return new Result(out, skipped);
    }

    private static String cell(Map<String, String> r, String column) {
        String v = r.get(column);
        return v == null ? "" : v.trim();
    }

    /** One cluster of a {@code cpu_clusters} cell: cores, core name (may be empty), clock in GHz. */
    record Cluster(int cores, String core, double ghz) {}

    private static final Pattern CLUSTER = Pattern.compile("^\\s*(\\d+)\\s*[x\u00d7*]\\s*(.*?)\\s*@\\s*([0-9]*\\.?[0-9]+)\\s*(ghz)?\\s*$",
            Pattern.CASE_INSENSITIVE);

    /**
     * Parses {@code "1x Cortex-X3 @3.36; 2x Cortex-A715 @2.8"} (items separated by ';', '+' or ','; clock in GHz).
     *
     * @throws IllegalArgumentException saying which item is not "N x [core] @GHz"
     */
    static List<Cluster> clusters(String text) {
        List<Cluster> out = new ArrayList<>();
        for (String item : text.split("[;+,]")) {
            if (item.isBlank()) continue;
            java.util.regex.Matcher m = CLUSTER.matcher(item);
            if (!m.matches()) throw new IllegalArgumentException("item '" + item.trim() + "' is not 'N x [core] @GHz'");
            int n = Integer.parseInt(m.group(1));
            double ghz = Double.parseDouble(m.group(3));
            if (n < 1 || n > 1024 || !(ghz > 0) || ghz > 10) throw new IllegalArgumentException("item '" + item.trim() + "' has an impossible count or clock");
            out.add(new Cluster(n, m.group(2).trim(), ghz));
        }
        if (out.isEmpty()) throw new IllegalArgumentException("names no cluster");
        return out;
    }

    /**
     * A named core's FP32, FP16 and int8 operations per cycle and busy power (W), by core class, as the written profiles
     * give them for cores of that class; null for a name no class matches (the instruction set's default then):
     * Cortex-X925 six 128-bit pipes; other Cortex-X, Apple P-cores and Oryon four; Cortex-A7x, Apple E-cores and Carmel
     * two (A72/A73/A57 and NVIDIA's Denver 2, Armv8.0 cores without FP16 arithmetic or dot product); Cortex-A5x one (A53 without FP16 arithmetic or dot
     * product); x86 P-cores two 256-bit FMA pipes with VNNI (Zen 2/3 without), E-cores (Gracemont and after) half of that.
     */
    static double[] coreClass(String core) {
        String c = core.toLowerCase(Locale.ROOT);
        if (c.isEmpty()) return null;
        if (c.matches(".*\\bx925\\b.*")) return new double[] {48, 96, 192, 4.0};
        if (c.matches(".*\\b(cortex-)?x[1-9]c?\\b.*") || c.matches(".*\\b(p-core|firestorm|avalanche|everest|oryon)\\b.*")) return new double[] {32, 64, 128, 3.5};
        if (c.matches(".*\\b(e-core|icestorm|blizzard|sawtooth)\\b.*")) return new double[] {16, 32, 64, 0.5};
        if (c.matches(".*\\b(cortex-)?a(57|72|73)\\b.*") || c.contains("denver")) return new double[] {16, 16, 32, 0.9};
        if (c.matches(".*\\b(cortex-)?a7[5-9][a-z]*\\b.*") || c.matches(".*\\b(cortex-)?a7[0-9]{2}\\b.*") || c.contains("carmel")) {
            return new double[] {16, 32, 64, 1.3};
        }
        if (c.matches(".*\\b(cortex-)?a53\\b.*")) return new double[] {8, 8, 16, 0.2};
        if (c.matches(".*\\b(cortex-)?a5[0-9]{1,2}\\b.*")) return new double[] {8, 16, 32, 0.25};
        if (c.matches(".*\\bzen ?[23]\\b.*")) return new double[] {32, 32, 64, 5.0};
        if (c.matches(".*\\b(zen ?[4-9]|sunny cove|willow cove|golden cove|raptor cove|redwood cove|lion cove|cougar cove)\\b.*")) return new double[] {32, 32, 128, 6.0};
        if (c.matches(".*\\b(gracemont|crestmont|skymont|darkmont)\\b.*")) return new double[] {16, 16, 64, 1.5};
        return null;
    }

    private static DeviceProfile profile(Map<String, String> r, String device, double bandwidth, List<Cluster> clusters) {
        String soc = cell(r, "soc");
        String chip = (soc + " " + device).toLowerCase(Locale.ROOT);
        DeviceProfile.Isa isa = X86.matcher(chip).find() ? DeviceProfile.Isa.X86_64
                : RISCV.matcher(chip).find() ? DeviceProfile.Isa.RISCV64 : DeviceProfile.Isa.ARM64;
        boolean apple = isa == DeviceProfile.Isa.ARM64 && APPLE.matcher(chip).find();
        double[] pc = perCycle(isa, apple);
        double defaultWatts = isa == DeviceProfile.Isa.X86_64 ? 4.0 : apple ? 3.0 : 1.5;
        double ram = MeasurementCsv.number(r.get("ram_gb"));
        long capacity = (long) ((ram > 0 ? ram : 8) * (1L << 30));
        double coreBw = Math.min(0.5 * bandwidth, coreBandwidth(isa, apple));
        List<DeviceProfile.CpuCluster> cpuClusters = new ArrayList<>();
        for (Cluster c : clusters) {
            double[] k = coreClass(c.core());
            String name = c.core().isEmpty() ? (clusters.size() == 1 ? "cores (spec row: one cluster)" : "cores") : c.core();
            cpuClusters.add(k == null ? new DeviceProfile.CpuCluster(name, c.cores(), c.ghz(), pc[0], pc[1], pc[2], defaultWatts)
                    : new DeviceProfile.CpuCluster(name, c.cores(), c.ghz(), k[0], k[1], k[2], k[3]));
        }
        var cpu = new DeviceProfile.Cpu(isa, cpuClusters, coreBw);
        double gpuFlops = MeasurementCsv.number(r.get("peak_fp16_gflops"));
        double npuOps = MeasurementCsv.number(r.get("peak_int8_tops"));
        DeviceProfile.Accelerator gpu = gpuFlops > 0
                ? new DeviceProfile.Accelerator(named(cell(r, "gpu"), "GPU"), gpuFlops * 1e9, 0, 0.7, 5.0) : DeviceProfile.Accelerator.ABSENT;
        DeviceProfile.Accelerator npu = npuOps > 0
                ? new DeviceProfile.Accelerator(named(cell(r, "npu"), "NPU"), 0, npuOps * 1e12, 0.2, 2.0) : DeviceProfile.Accelerator.ABSENT;
        double typical = MeasurementCsv.number(r.get("typical_power_w"));
        double staticWatts = typical > 0 ? 0.3 * typical : isa == DeviceProfile.Isa.X86_64 ? 5.0 : 1.5;
        var energy = new DeviceProfile.Energy(dramPicojoulesPerByte(cell(r, "dram_type")),
                isa == DeviceProfile.Isa.X86_64 ? 4.0 : 2.0, staticWatts);
        return new DeviceProfile(DeviceProfile.SCHEMA_VERSION, device, soc.isEmpty() ? device : soc,
                new DeviceProfile.Dram(capacity, bandwidth, 0.10), cpu, new DeviceProfile.Caches(0, 0, 0, 0),
                java.util.Map.of(Backend.GPU, gpu, Backend.NPU, npu), energy, new DeviceProfile.Thermal(600, 1.0),
                new DeviceProfile.Battery(0), new DeviceProfile.Storage(1e9, 150), List.of());
    }

    private static String named(String s, String fallback) { return s.isEmpty() ? fallback : s; }

    /**
     * FP32, FP16 and int8 operations per cycle of one core: Arm, two 128-bit SIMD pipes (as Cortex-A76 to A78 and
     * A7xx; Apple's cores, four); x86, two 256-bit FMA pipes, FP16 at the FP32 rate, int8 at twice the FP16 rate (AVX2
     * without VNNI); RISC-V, one 128-bit vector pipe.
     */
    static double[] perCycle(DeviceProfile.Isa isa, boolean apple) {
        return switch (isa) {
            case X86_64 -> new double[] {32, 32, 64};
            case RISCV64 -> new double[] {8, 8, 16};
            case ARM64 -> apple ? new double[] {32, 64, 128} : new double[] {16, 32, 64};
        };
    }

    /**
     * One core's read-stream bandwidth by core class, bytes/s: the figures the written profiles assume for such cores (Arm
     * mobile cores 14-20 GB/s, Apple's 25-60, recent x86 cores 17-32), since a core's stream is bound by the misses it can
     * keep in flight, whatever the bus behind it.
     */
    static double coreBandwidth(DeviceProfile.Isa isa, boolean apple) {
        return switch (isa) {
            case X86_64 -> 25e9;
            case RISCV64 -> 6e9;
            case ARM64 -> apple ? 40e9 : 16e9;
        };
    }

    /** DRAM energy per byte by memory type, pJ (as the hand-written profiles assume per type). */
    static double dramPicojoulesPerByte(String dramType) {
        String t = dramType.toLowerCase(Locale.ROOT).replace(" ", "");
        if (t.contains("lpddr5")) return 35;
        if (t.contains("lpddr4")) return 50;
        if (t.contains("ddr5")) return 60;
        if (t.contains("ddr4")) return 70;
        return 50;
    }
}
