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
 * <p>What a row states is used as stated (DRAM bandwidth and size, core count and clock, GPU FP16 and NPU int8 peaks). What a
 * row cannot state comes from one rule per instruction set, the same for every device, never fitted to a measurement:
 * <ul>
 *   <li>the instruction set from the chip's words (Intel/AMD parts: x86-64; RISC-V parts: riscv64; else arm64);</li>
 *   <li>one cluster of all cores at the maximum clock (a row does not split big and little cores, so a phone's compute is
 *       overstated; decode, bound by DRAM, barely depends on it), with the per-core SIMD width of a mid-size core of that
 *       instruction set ({@link #perCycle});</li>
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
    }

    /** Reads a spec sheet through Hadoop's FileSystem. */
    public static Result load(String uriOrPath) { return parse(uriOrPath, ConfigFiles.read(uriOrPath)); }

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
            String missing = !(bw > 0) ? "dram_bandwidth_gbs" : !(cores >= 1) ? "cpu_cores" : !(ghz > 0) ? "cpu_max_ghz" : null;
            if (missing != null) {
                skipped.add(where + " ('" + device + "'): no " + missing + " number");
                continue;
            }
            out.add(new DeviceDirectory.Entry(file, profile(r, device, bw * 1e9, (int) cores, ghz),
                    "profile derived from the spec row of '" + device + "' in " + file));
        }
        return new Result(out, skipped);
    }

    private static String cell(Map<String, String> r, String column) {
        String v = r.get(column);
        return v == null ? "" : v.trim();
    }

    private static DeviceProfile profile(Map<String, String> r, String device, double bandwidth, int cores, double ghz) {
        String soc = cell(r, "soc");
        String chip = (soc + " " + device).toLowerCase(Locale.ROOT);
        DeviceProfile.Isa isa = X86.matcher(chip).find() ? DeviceProfile.Isa.X86_64
                : RISCV.matcher(chip).find() ? DeviceProfile.Isa.RISCV64 : DeviceProfile.Isa.ARM64;
        boolean apple = isa == DeviceProfile.Isa.ARM64 && APPLE.matcher(chip).find();
        double[] pc = perCycle(isa, apple);
        double ram = MeasurementCsv.number(r.get("ram_gb"));
        long capacity = (long) ((ram > 0 ? ram : 8) * (1L << 30));
        double coreBw = Math.min(0.5 * bandwidth, coreBandwidth(isa, apple));
        double activeWattsPerCore = isa == DeviceProfile.Isa.X86_64 ? 4.0 : apple ? 3.0 : 1.5;
        var cpu = new DeviceProfile.Cpu(isa, List.of(new DeviceProfile.CpuCluster("cores (spec row: one cluster)", cores, ghz,
                pc[0], pc[1], pc[2], activeWattsPerCore)), coreBw);
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
