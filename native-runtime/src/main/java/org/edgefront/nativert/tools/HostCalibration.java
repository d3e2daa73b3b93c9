package org.edgefront.nativert.tools;

import org.edgefront.nativert.EncodedChoice;
import org.edgefront.nativert.NativeSimulator;
import org.edgefront.nativert.OpCost;
import org.edgefront.nativert.ReferenceKernels;
import org.edgefront.nativert.calibration.BackendCalibration;
import org.edgefront.nativert.calibration.Calibrations;
import org.edgefront.nativert.calibration.FormatCosts;
import org.edgefront.nativert.device.Backend;
import org.edgefront.nativert.device.DeviceProfile;
import org.edgefront.nativert.device.Workload;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.edgefront.space.compress.Sparsity;
import org.edgefront.space.compress.TensorChoice;
import org.edgefront.space.compress.WeightFormat;
import org.edgefront.space.input.InvalidInputException;

/**
 * The host check behind {@code edgefront calibrate-host}: builds a {@link DeviceProfile} of this machine from
 * {@code /proc/cpuinfo}, {@code /proc/meminfo}, the sysfs cache sizes and measured copy and read-stream
 * bandwidths, times the {@link ReferenceKernels} GEMV of every format on matrices larger than the last-level
 * cache, and compares each time with the simulator's prediction ({@link NativeSimulator#linearCost}) for that
 * profile and the {@link #referenceC()} backend calibration. Stateless; every method is thread-safe, but the
 * timings are only meaningful on an otherwise idle machine.
 */
public final class HostCalibration {
    private HostCalibration() {}

    /** Columns of every timed matrix (a multiple of 256, so every block format applies). */
    public static final int COLS = 4096;

    /** Formats timed by default: every named format, generic groups and the two sparse layouts. */
    public static final List<TensorChoice> DEFAULT_CHOICES = List.of(
            TensorChoice.of(WeightFormat.F32), TensorChoice.of(WeightFormat.F16), TensorChoice.of(WeightFormat.BF16),
            TensorChoice.of(WeightFormat.Q8_0), TensorChoice.of(WeightFormat.Q4_0), TensorChoice.of(WeightFormat.Q4_1),
            TensorChoice.of(WeightFormat.Q5_0), TensorChoice.of(WeightFormat.Q5_1), TensorChoice.of(WeightFormat.Q2_K),
            TensorChoice.of(WeightFormat.Q3_K), TensorChoice.of(WeightFormat.Q4_K), TensorChoice.of(WeightFormat.Q5_K),
            TensorChoice.of(WeightFormat.Q6_K), TensorChoice.of(WeightFormat.parse("int8g32")),
            TensorChoice.of(WeightFormat.parse("int4g128")), TensorChoice.of(WeightFormat.parse("int4g32a")),
            TensorChoice.of(WeightFormat.parse("int3g64")), TensorChoice.of(WeightFormat.parse("int2g32a")),
            new TensorChoice(WeightFormat.F16, Sparsity.unstructured(0.5), 1.0),
            new TensorChoice(WeightFormat.F16, Sparsity.nOfM(2, 4), 1.0));

    /**
     * Facts read off the machine.
     *
     * @param cpuModel    {@code model name} of /proc/cpuinfo
     * @param cores       available processors
     * @param maxGhz      highest clock found (cpufreq maximum, else the largest {@code cpu MHz}), GHz
     * @param memoryBytes MemTotal, bytes
     * @param flags       CPU feature flags (x86 {@code flags} or Arm {@code Features})
     */
    public record HostFacts(String cpuModel, String vendor, int cores, double maxGhz, long memoryBytes, long l1dBytes,
                            long l2Bytes, long l3Bytes, Set<String> flags) {
        public HostFacts {
            flags = Set.copyOf(flags);
        }

        /**
         * The instruction set: x86-64 for an Intel, AMD or Hygon vendor id, arm64 where the flags list Advanced SIMD
         * ({@code asimd}, Arm's {@code Features} line), else the running JVM's {@code os.arch}.
         */
        public DeviceProfile.Isa isa() {
            String v = vendor == null ? "" : vendor;
            if (v.equals("GenuineIntel") || v.equals("AuthenticAMD") || v.equals("HygonGenuine")) return DeviceProfile.Isa.X86_64;
            if (flags.contains("asimd")) return DeviceProfile.Isa.ARM64;
            return DeviceProfile.Isa.parse(System.getProperty("os.arch"));
        }

        /**
         * These facts with the clock raised to {@code measuredGhz} when that is higher: a chain of dependent additions
         * cannot run faster than the core's clock, so a measured rate above the listed one (a virtual machine lists its
         * base clock in {@code cpu MHz} and has no cpufreq) is the better figure; a lower one (a busy moment) is ignored.
         */
        public HostFacts withClockAtLeast(double measuredGhz) {
            return measuredGhz > maxGhz ? new HostFacts(cpuModel, vendor, cores, measuredGhz, memoryBytes, l1dBytes, l2Bytes, l3Bytes, flags)
                    : this;
        }

        /** FP32 flops per cycle per core from the SIMD flags (two FMA pipes of the widest vector unit). */
        public double fp32FlopsPerCycle() {
            if (flags.contains("avx512f") && vendor.contains("Intel")) return 64; // 2 x 512-bit FMA
            if (flags.contains("fma") && flags.contains("avx2")) return 32;      // 2 x 256-bit FMA (Zen 4 splits 512-bit ops)
            if (flags.contains("avx")) return 16;
            if (flags.contains("asimd")) return 16;                               // 2 x 128-bit NEON FMA
            return 8;
        }

        /** int8 dot-product ops per cycle per core: 4x FP32 with VNNI/SDOT, 2x with AVX2 pmaddubsw. */
        public double int8OpsPerCycle() {
            if (flags.contains("avx512_vnni") || flags.contains("avx_vnni") || flags.contains("asimddp")) return 4 * fp32FlopsPerCycle();
            if (flags.contains("avx2")) return 2 * fp32FlopsPerCycle();
            return fp32FlopsPerCycle();
        }
    }

    /** Reads the host facts from {@code procRoot} (normally {@code /proc}) and {@code sysCpu} ({@code /sys/devices/system/cpu}). */
    public static HostFacts readHost(Path procRoot, Path sysCpu) {
        Path cpuinfo = procRoot.resolve("cpuinfo"), meminfo = procRoot.resolve("meminfo");
        String model = "unknown", vendor = "unknown";
        double mhz = 0;
        Set<String> flags = new HashSet<>();
        try {
            for (String line : Files.readAllLines(cpuinfo)) {
                int colon = line.indexOf(':');
                if (colon < 0) continue;
                String k = line.substring(0, colon).trim(), v = line.substring(colon + 1).trim();
                switch (k) {
                    case "model name", "Model", "Hardware" -> { if (model.equals("unknown")) model = v; }
                    case "vendor_id", "CPU implementer" -> { if (vendor.equals("unknown")) vendor = v; }
                    case "cpu MHz" -> mhz = Math.max(mhz, parse(cpuinfo, k, v));
                    case "flags", "Features" -> flags.addAll(List.of(v.split("\\s+")));
                    default -> { }
                }
            }
        } catch (IOException e) {
            throw new InvalidInputException(cpuinfo.toString(), "(file)", "cannot read: " + e.getMessage(), e);
        }
        long mem = 0;
        try {
            for (String line : Files.readAllLines(meminfo)) {
                if (line.startsWith("MemTotal:")) mem = (long) parse(meminfo, "MemTotal", line.replaceAll("[^0-9]", "")) * 1024L;
            }
        } catch (IOException e) {
            throw new InvalidInputException(meminfo.toString(), "(file)", "cannot read: " + e.getMessage(), e);
        }
        if (mem <= 0) throw new InvalidInputException(meminfo.toString(), "MemTotal", "missing");
        double ghz = mhz / 1000.0;
        Path maxFreq = sysCpu.resolve("cpu0/cpufreq/cpuinfo_max_freq");
        if (Files.isReadable(maxFreq)) {
            try {
                ghz = Math.max(ghz, Double.parseDouble(Files.readString(maxFreq).trim()) / 1e6); // kHz
            } catch (IOException | NumberFormatException e) {
                // keep the cpuinfo clock: cpufreq is optional (absent in most VMs)
            }
        }
        if (!(ghz > 0)) throw new InvalidInputException(cpuinfo.toString(), "cpu MHz", "no clock found (and no cpufreq)");
        long l1 = 0, l2 = 0, l3 = 0;
        for (int i = 0; i < 8; i++) {
            Path idx = sysCpu.resolve("cpu0/cache/index" + i);
            if (!Files.isDirectory(idx)) continue;
            try {
                int level = Integer.parseInt(Files.readString(idx.resolve("level")).trim());
                String type = Files.readString(idx.resolve("type")).trim();
                long size = cacheBytes(Files.readString(idx.resolve("size")).trim());
                if (level == 1 && type.equals("Data")) l1 = size;
                else if (level == 2) l2 = size;
                else if (level == 3) l3 = size;
            } catch (IOException | NumberFormatException e) {
                // a cache entry we cannot read stays 0 (unknown)
            }
        }
        return new HostFacts(model, vendor, Runtime.getRuntime().availableProcessors(), ghz, mem, l1, l2, l3, flags);
    }

    private static double parse(Path file, String field, String v) {
        try {
            return Double.parseDouble(v);
        } catch (NumberFormatException e) {
            throw new InvalidInputException(file.toString(), field, "not a number: '" + v + "'");
        }
    }

    private static long cacheBytes(String s) {
        String t = s.toUpperCase(Locale.ROOT);
        if (t.endsWith("K")) return Long.parseLong(t.substring(0, t.length() - 1)) * 1024L;
        if (t.endsWith("M")) return Long.parseLong(t.substring(0, t.length() - 1)) * 1024L * 1024L;
        return Long.parseLong(t);
    }

    /**
     * Measured memory bandwidth, bytes per second over arrays of {@code bytes} each (several times the last-level cache):
     * one thread's and all cores' STREAM-like copy (read + write bytes), one thread's and all cores' read-only stream
     * (0 when not measured). Decode GEMVs only read their weights, so the read rates are what the profile prefers.
     */
    public record Bandwidth(double oneCoreBytesPerSecond, double allCoresBytesPerSecond, double oneCoreReadBytesPerSecond,
                            double allCoresReadBytesPerSecond) {
        /** Copy rates and one thread's read rate (no all-cores read measurement: the profile's DRAM rate is the copy rate). */
        public Bandwidth(double oneCoreBytesPerSecond, double allCoresBytesPerSecond, double oneCoreReadBytesPerSecond) {
            this(oneCoreBytesPerSecond, allCoresBytesPerSecond, oneCoreReadBytesPerSecond, 0.0);
        }

        /** Copy rates only (no read-stream measurement: the profile then uses the copy rates). */
        public Bandwidth(double oneCoreBytesPerSecond, double allCoresBytesPerSecond) {
            this(oneCoreBytesPerSecond, allCoresBytesPerSecond, 0.0, 0.0);
        }

        /** The DRAM rate a device profile takes: all cores reading when measured, else all cores copying. */
        public double dramBytesPerSecond() {
            return allCoresReadBytesPerSecond > 0 ? allCoresReadBytesPerSecond : allCoresBytesPerSecond;
        }
    }

    /**
     * Measures the copy rates and the read-only stream rates ({@link ReferenceKernels#streamReadBytesPerSecond}) of one
     * thread and of {@code cores} threads at once, over arrays of {@code bytes} (split between the threads).
     */
    public static Bandwidth measureBandwidth(int cores, long bytes, int reps) throws InterruptedException {
        int floats = (int) Math.min(Integer.MAX_VALUE - 8, bytes / 4);
        double one = ReferenceKernels.streamCopyBytesPerSecond(floats, reps);
        double read = ReferenceKernels.streamReadBytesPerSecond(floats, reps);
        ExecutorService pool = Executors.newFixedThreadPool(cores);
        try {
            int per = Math.max(1024, floats / cores);
            double copyAll = concurrentSum(pool, cores, () -> ReferenceKernels.streamCopyBytesPerSecond(per, reps));
            double readAll = concurrentSum(pool, cores, () -> ReferenceKernels.streamReadBytesPerSecond(per, reps));
            return new Bandwidth(one, Math.max(one, copyAll), read, Math.max(read, readAll));
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException("bandwidth measurement failed: " + e.getCause(), e.getCause());
        } finally {
            pool.shutdown();
        }
    }

    /** Dependent additions timed per clock measurement (about 0.1 s at 3 GHz, long enough for the core to reach its boost clock). */
    static final long CLOCK_ADDS = 300_000_000L;

    /**
     * The clock one core runs at, GHz, from {@link ReferenceKernels#clockHz} (best of {@code reps} runs); 0 where the
     * architecture has no measurement (the listed clock then stands).
     */
    public static double measureClockGhz(int reps) {
        try {
            return ReferenceKernels.clockHz(CLOCK_ADDS, reps) / 1e9;
        } catch (org.edgefront.nativert.NativeSimulatorException e) {
            return 0.0;
        }
    }

    /**
     * This machine as a device profile, measured now: the facts under {@code procRoot} and {@code sysCpu}, the clock raised to
     * the measured one ({@link HostFacts#withClockAtLeast}), the bandwidths of {@link #measureBandwidth} over four times the
     * last-level cache (at least 64 MiB). What {@code simulate --device host} and {@code calibrate-host} use.
     */
    public record MeasuredHost(HostFacts facts, Bandwidth bandwidth, DeviceProfile profile) {}

    /** Measures this host ({@link MeasuredHost}). Takes a few seconds; meaningful only on an otherwise idle machine. */
    public static MeasuredHost measureHost(Path procRoot, Path sysCpu) throws InterruptedException {
        HostFacts facts = readHost(procRoot, sysCpu).withClockAtLeast(measureClockGhz(5));
        long llc = Math.max(facts.l3Bytes(), facts.l2Bytes());
        Bandwidth bw = measureBandwidth(facts.cores(), streamBytes(llc, Runtime.getRuntime().maxMemory()), 5);
        return new MeasuredHost(facts, bw, profile(facts, bw));
    }

    /**
     * Bytes per stream array: four times the last-level cache, at least 64 MiB, but at most an eighth of the heap (the copy
     * holds two arrays) and 1 GiB. A VM slice reports its socket's whole L3 (480 MiB on a 2-core Xeon here), which at
     * four times would not fit the heap; the rate is read-bound well before that size.
     */
    static long streamBytes(long lastLevelCacheBytes, long maxHeapBytes) {
        long cap = Math.min(1L << 30, Math.max(64L << 20, maxHeapBytes / 8));
        return Math.min(cap, Math.max(64L << 20, 4 * lastLevelCacheBytes));
    }

    /** Sum of one rate measured by {@code threads} tasks started together on {@code pool}. */
    private static double concurrentSum(ExecutorService pool, int threads, java.util.concurrent.Callable<Double> rate)
            throws InterruptedException, java.util.concurrent.ExecutionException {
        List<Future<Double>> fs = new ArrayList<>();
        for (int i = 0; i < threads; i++) fs.add(pool.submit(rate));
        double sum = 0;
        for (Future<Double> f : fs) sum += f.get();
        return sum;
    }

    /**
     * This machine as a device profile. Compute peaks are derived from the clock and SIMD flags; DRAM bandwidth is the
     * all-cores read-stream rate (the copy rate when that was not measured), per-core bandwidth the one-thread read-stream rate (GEMVs only read their weights; the
     * one-thread copy rate when no read rate was measured); energy, thermal, battery and storage are not measurable here and are
     * neutral placeholders (0 energy, no throttling, mains power), so only times are meaningful.
     */
    public static DeviceProfile profile(HostFacts h, Bandwidth bw) {
        DeviceProfile.CpuCluster c = new DeviceProfile.CpuCluster(h.cpuModel(), h.cores(), h.maxGhz(), h.fp32FlopsPerCycle(),
                h.fp32FlopsPerCycle(), h.int8OpsPerCycle(), 0.0);
        return new DeviceProfile(DeviceProfile.SCHEMA_VERSION, "host", h.cpuModel(),
                new DeviceProfile.Dram(h.memoryBytes(), bw.dramBytesPerSecond(), 0.10),
                new DeviceProfile.Cpu(h.isa(), List.of(c), bw.oneCoreReadBytesPerSecond() > 0 ? bw.oneCoreReadBytesPerSecond() : bw.oneCoreBytesPerSecond()),
                new DeviceProfile.Caches(h.l1dBytes(), h.l2Bytes(), h.l3Bytes(), 0),
                DeviceProfile.Accelerator.ABSENT, DeviceProfile.Accelerator.ABSENT,
                new DeviceProfile.Energy(0, 0, 0), new DeviceProfile.Thermal(1e9, 1.0), new DeviceProfile.Battery(0),
                new DeviceProfile.Storage(1e9, 0));
    }

    /** Compute efficiency of the scalar reference kernels: one op per cycle against the SIMD FP32 peak. */
    static double scalarEfficiency(DeviceProfile host) {
        return 1.0 / host.cpu().clusters().get(0).fp32FlopsPerCycle();
    }

    /**
     * The backend calibration of the reference C kernels (one thread, -O2, no SIMD intrinsics) with the library's
     * default per-format dequantization table: quantized GEMVs dequantize to floats ({@code dequantizesToFloat}),
     * the kernels skip N:M zeros, streaming reads reach the profile's per-core bandwidth, and compute runs at one scalar
     * op per cycle ({@link #scalarEfficiency}).
     */
    public static BackendCalibration referenceC(DeviceProfile host) {
        double eff = scalarEfficiency(host);
        return new BackendCalibration("reference-c", 1.0, eff, 0.0, 1.0, 1, 512, 0, true, eff, true);
    }

    /**
     * Result of kernel profiling: the compute efficiency of the plain multiply-add (from the fastest profiled
     * format, whose extra cost is then 0) and every profiled format's extra ops per weight at that rate.
     */
    public record ProfiledKernels(double computeEfficiency, FormatCosts costs) {}

    /**
     * {@link #referenceC(DeviceProfile)} with the efficiency and kernel costs from {@link #profileKernels}, and memory and
     * compute time adding up ({@link BackendCalibration#memoryComputeSerial}): one thread of scalar code stalls on its own
     * cache misses instead of hiding them behind arithmetic (BENCHMARKS.md, simulator section, has the measurement).
     */
    public static BackendCalibration referenceC(DeviceProfile host, ProfiledKernels k) {
        BackendCalibration b = referenceC(host);
        return new BackendCalibration(b.name() + "+profiled", b.memEfficiency(), k.computeEfficiency(), b.opOverheadSeconds(),
                b.dequantScale(), b.prefillTileTokens(), b.ubatchTokens(), b.runtimeFixedBytes(), b.exploitsNmSparsity(),
                k.computeEfficiency(), true, k.costs(), true);
    }

    /** Rounds of the interleaved timings: the minimum over rounds spread in time (see {@link #profileKernels}). */
    public static final int ROUNDS = 5;

    /** Shape of the in-cache kernel microbenchmark (F32: 256 KiB, inside any L2). */
    public static final int PROFILE_ROWS = 64, PROFILE_COLS = 1024;

    /**
     * Kernel-level profiling (as nn-Meter does per kernel): times each format's GEMV on a small
     * {@link #PROFILE_ROWS} x {@link #PROFILE_COLS} matrix that stays in cache and converts the time into ops per
     * weight beyond the 2 flops of the multiply-add, at the scalar rate of {@code host}. The simulator then has to
     * predict the large out-of-cache matrices (other shape, DRAM traffic) from these costs and its roofline.
     * <ul>
     * <li>Generic intN formats have one id per bit width and symmetry (the asymmetric kernel is a different code path),
     *     so their group size is costed per stored fp16 scale / zero point: that cost comes from two extra symmetric
     *     int4 microbenchmarks differing only in group size (32 and 128), and each id's per-weight cost is its first
     *     format in {@code choices} less its scale term.</li>
     * <li>Sparse choices time their own kernels (unstructured 50%, N:M of the first such choice): ops per stored weight.</li>
     * <li>Each format is timed in {@link #ROUNDS} rounds interleaved with the others and keeps its fastest: on a shared
     *     (virtualized) host the core's speed changes over seconds, and one short burst per format can land in a slow
     *     spell that the large-matrix timings (also minima over rounds) do not see.</li>
     * </ul>
     */
    public static ProfiledKernels profileKernels(DeviceProfile host, List<TensorChoice> choices, int reps, long seed) {
        double peak = host.cpu().clusters().get(0).maxGhz() * 1e9 * host.cpu().clusters().get(0).fp32FlopsPerCycle();
        SplittableRandom rng = new SplittableRandom(seed);
        float[] w = new float[PROFILE_ROWS * PROFILE_COLS];
        for (int i = 0; i < w.length; i++) w[i] = (float) (0.02 * gaussian(rng));
        float[] x = new float[PROFILE_COLS];
        for (int i = 0; i < x.length; i++) x[i] = (float) gaussian(rng);
        double weights = (double) PROFILE_ROWS * PROFILE_COLS;
        // what to time: the first dense choice per format id, two int4 probes for the scale cost, the sparse kernels
        List<TensorChoice> probes = new ArrayList<>();
        Set<Integer> ids = new HashSet<>();
        boolean anyGeneric = false;
        TensorChoice unstructured = null, nm = null;
        for (TensorChoice c : choices) {
            switch (c.sparsity().kind()) {
                case NONE -> {
                    if (ids.add(EncodedChoice.formatId(c.format()))) probes.add(c);
                    anyGeneric |= c.format().kind() == WeightFormat.Kind.INT_GROUP;
                }
                case UNSTRUCTURED -> { if (unstructured == null) unstructured = c; }
                case N_M -> { if (nm == null) nm = c; }
            }
        }
        TensorChoice g32 = TensorChoice.of(WeightFormat.parse("int4g32")), g128 = TensorChoice.of(WeightFormat.parse("int4g128"));
        int firstProbe = probes.size();
        if (anyGeneric) { probes.add(g32); probes.add(g128); }
        if (unstructured != null) probes.add(unstructured);
        if (nm != null) probes.add(nm);
        if (probes.isEmpty()) return new ProfiledKernels(scalarEfficiency(host), FormatCosts.DEFAULT);
        List<byte[]> packed = new ArrayList<>();
        for (TensorChoice c : probes) packed.add(packFor(c, w, PROFILE_ROWS, PROFILE_COLS));
        double[] secs = new double[probes.size()];
        java.util.Arrays.fill(secs, Double.POSITIVE_INFINITY);
        for (int round = 0; round < ROUNDS; round++) {
            for (int i = 0; i < probes.size(); i++) {
                secs[i] = Math.min(secs[i], gemvSeconds(probes.get(i), packed.get(i), PROFILE_ROWS, PROFILE_COLS, x, reps));
            }
        }
        double fastest = Double.POSITIVE_INFINITY;
        for (int i = 0; i < firstProbe; i++) fastest = Math.min(fastest, secs[i]);
        if (!Double.isFinite(fastest)) fastest = java.util.Arrays.stream(secs).min().orElseThrow();
        // the fastest dense format defines the rate of the bare 2-flop multiply-add
        double eff = Math.min(1.0, 2.0 * weights / (fastest * peak));
        double opsPerSecond = peak * eff;
        int at = firstProbe;
        double perScale = 0;
        if (anyGeneric) {
            double o32 = secs[at] * opsPerSecond / weights, o128 = secs[at + 1] * opsPerSecond / weights;
            perScale = Math.max(0.0, (o32 - o128) / (1.0 / 32 - 1.0 / 128)); // one scale per group of 32 vs of 128
            at += 2;
        }
        double unstructuredOps = 0, nmOps = 0;
        if (unstructured != null) {
            unstructuredOps = Math.max(1e-3, secs[at] * opsPerSecond / (weights * (1 - unstructured.sparsity().ratio())) - 2.0);
            at++;
        }
        if (nm != null) nmOps = Math.max(1e-3, secs[at] * opsPerSecond / (weights * nm.sparsity().n() / nm.sparsity().m()) - 2.0);
        double[] ops = new double[FormatCosts.FORMATS];
        for (int i = 0; i < firstProbe; i++) {
            TensorChoice c = probes.get(i);
            double perWeight = secs[i] * opsPerSecond / weights - 2.0;
            if (c.format().kind() == WeightFormat.Kind.INT_GROUP) perWeight -= perScale * scalesPerWeight(c.format(), PROFILE_COLS);
            ops[EncodedChoice.formatId(c.format())] = Math.max(1e-3, perWeight);
        }
        return new ProfiledKernels(eff, new FormatCosts(ops, perScale, unstructuredOps, nmOps));
    }

    /** Stored fp16 scales and zero points per weight of a generic intN row of {@code cols} weights (as the simulator counts them). */
    static double scalesPerWeight(WeightFormat f, int cols) {
        return (f.bytes(1, cols) - (double) f.bits() * cols / 8.0) / 2.0 / cols;
    }

    private static byte[] packFor(TensorChoice c, float[] w, int rows, int cols) {
        Sparsity s = c.sparsity();
        if (s.kind() == Sparsity.Kind.NONE) return ReferenceKernels.pack(c.format(), w, rows, cols);
        return ReferenceKernels.packSparse(s, s.kind() == Sparsity.Kind.UNSTRUCTURED ? pruned(w, s.ratio()) : w, rows, cols);
    }

    private static double gemvSeconds(TensorChoice c, byte[] packed, int rows, int cols, float[] x, int reps) {
        return c.sparsity().kind() == Sparsity.Kind.NONE ? ReferenceKernels.timeGemvSeconds(c.format(), packed, rows, cols, x, reps)
                : ReferenceKernels.timeSparseGemvSeconds(c.sparsity(), packed, rows, cols, x, reps);
    }

    /** A copy of {@code w} with its smallest magnitudes set to zero, to the sparsity {@code ratio}. */
    private static float[] pruned(float[] w, double ratio) {
        float[] src = w.clone();
        float[] mags = new float[src.length];
        for (int i = 0; i < src.length; i++) mags[i] = Math.abs(src[i]);
        java.util.Arrays.sort(mags);
        float cut = mags[(int) Math.min(mags.length - 1, Math.round(ratio * mags.length))];
        for (int i = 0; i < src.length; i++) if (Math.abs(src[i]) < cut) src[i] = 0f;
        return src;
    }

    /** One format's measured and predicted GEMV time. */
    public record FormatTiming(String format, int rows, int cols, long weightBytes, double measuredSeconds,
                               double predictedSeconds, String predictedBound) {
        /** (predicted - measured) / measured. */
        public double relativeError() { return (predictedSeconds - measuredSeconds) / measuredSeconds; }
    }

    /** Rows of a {@code cols}-wide matrix whose packed size reaches {@code targetBytes} (at least 64). */
    static int rowsFor(TensorChoice c, long targetBytes) {
        long perRow = bytesPerRow(c);
        return (int) Math.max(64, Math.min(1 << 20, (targetBytes + perRow - 1) / perRow));
    }

    private static long bytesPerRow(TensorChoice c) {
        if (c.sparsity().kind() == Sparsity.Kind.NONE) return c.format().bytes(1, COLS);
        Sparsity s = c.sparsity();
        return s.kind() == Sparsity.Kind.N_M ? (long) COLS / s.m() * s.n() * 2 + ((long) COLS / s.m() * s.n() * bits(s.m()) + 7) / 8
                : (COLS + 7) / 8 + (long) Math.round(COLS * (1 - s.ratio())) * 2;
    }

    private static int bits(int m) { return 32 - Integer.numberOfLeadingZeros(m - 1); }

    /**
     * Times the GEMV of each choice on a {@code rows x COLS} matrix of at least {@code targetBytes} packed bytes (a
     * 64-row tile of seeded Gaussian weights packed once and repeated, so packing stays cheap), one thread: the
     * fastest of {@code reps} runs in each of {@link #ROUNDS} rounds interleaved over the choices, so that every
     * format gets samples spread over time (see {@link #profileKernels}). Holds all packed matrices at once.
     */
    public static List<Double> time(List<TensorChoice> choices, long targetBytes, int reps, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        int tileRows = 64;
        float[] tile = new float[tileRows * COLS];
        for (int i = 0; i < tile.length; i++) tile[i] = (float) (0.02 * gaussian(rng));
        float[] x = new float[COLS];
        for (int i = 0; i < COLS; i++) x[i] = (float) gaussian(rng);
        List<byte[]> mats = new ArrayList<>();
        int[] rowsOf = new int[choices.size()];
        for (int k = 0; k < choices.size(); k++) {
            TensorChoice c = choices.get(k);
            int rows = rowsFor(c, targetBytes);
            Sparsity s = c.sparsity();
            byte[] packedTile = packFor(c, tile, tileRows, COLS);
            int tiles = (rows + tileRows - 1) / tileRows;
            rowsOf[k] = tiles * tileRows;
            byte[] w = new byte[Math.multiplyExact(packedTile.length, tiles)];
            if (s.kind() == Sparsity.Kind.UNSTRUCTURED) {
                // layout: all rows' bitmaps, then all values: repeat the tile's bitmaps, then its values
                int bm = tileRows * ((COLS + 7) / 8), vals = packedTile.length - bm;
                for (int t = 0; t < tiles; t++) {
                    System.arraycopy(packedTile, 0, w, t * bm, bm);
                    System.arraycopy(packedTile, bm, w, tiles * bm + t * vals, vals);
                }
            } else {
                for (int t = 0; t < tiles; t++) System.arraycopy(packedTile, 0, w, t * packedTile.length, packedTile.length);
            }
            mats.add(w);
        }
        double[] best = new double[choices.size()];
        java.util.Arrays.fill(best, Double.POSITIVE_INFINITY);
        for (int round = 0; round < ROUNDS; round++) {
            for (int k = 0; k < choices.size(); k++) {
                best[k] = Math.min(best[k], gemvSeconds(choices.get(k), mats.get(k), rowsOf[k], COLS, x, reps));
            }
        }
        List<Double> out = new ArrayList<>();
        for (double b : best) out.add(b);
        return out;
    }

    private static double gaussian(SplittableRandom r) {
        double u = r.nextDouble(), v = r.nextDouble();
        return Math.sqrt(-2 * Math.log(1 - u)) * Math.cos(2 * Math.PI * v);
    }

    /** The rows each choice is timed with (as {@link #time} uses them). */
    public static int timedRows(TensorChoice c, long targetBytes) {
        int rows = rowsFor(c, targetBytes);
        return (rows + 63) / 64 * 64;
    }

    /** Predicted single-thread GEMV cost of each choice on the host with calibration {@code cal}. */
    public static List<OpCost> predict(DeviceProfile host, BackendCalibration cal, List<TensorChoice> choices, long targetBytes) {
        Workload w = new Workload(1, 1, 2, 16, 1, Backend.CPU);
        Calibrations d = Calibrations.defaults();
        List<OpCost> out = new ArrayList<>();
        try (NativeSimulator sim = new NativeSimulator(new Calibrations(cal, d.gpu(), d.npu()))) {
            for (TensorChoice c : choices) out.add(sim.linearCost(host, w, timedRows(c, targetBytes), COLS, c));
        }
        return out;
    }

    /** Label of a choice: the format, plus the sparsity when sparse. */
    public static String label(TensorChoice c) {
        return c.sparsity().kind() == Sparsity.Kind.NONE ? c.format().name() : c.format().name() + "+" + c.sparsity().label();
    }

    static final double[] COMPUTE_EFF = {0.01, 0.0125, 0.015, 0.0175, 0.02, 0.025, 0.03, 0.035, 0.04, 0.05, 0.06, 0.07, 0.08, 0.1,
        0.125, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5};
    static final double[] DEQUANT = {0.25, 0.5, 0.75, 1.0, 1.25, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0};
    static final double[] MEM_EFF = {0.5, 0.6, 0.7, 0.8, 0.9, 1.0};

    /**
     * The alternative without kernel profiling: fits the reference-c calibration's memory efficiency, compute
     * efficiency and dequantization scale to the large-matrix timings themselves (grid search, mean absolute log
     * error over all timed formats: three numbers for the whole backend, none per format; in-sample), with the
     * library's default per-format dequantization table.
     */
    public static BackendCalibration fit(DeviceProfile host, List<TensorChoice> choices, long targetBytes, List<Double> measured) {
        BackendCalibration base = referenceC(host), best = base;
        double bestLoss = Double.POSITIVE_INFINITY;
        for (double me : MEM_EFF) {
            for (double ce : COMPUTE_EFF) {
                for (double dq : DEQUANT) {
                    BackendCalibration c = new BackendCalibration("reference-c", me, ce, base.opOverheadSeconds(), dq,
                            base.prefillTileTokens(), base.ubatchTokens(), base.runtimeFixedBytes(), base.exploitsNmSparsity(), ce, true);
                    List<OpCost> p = predict(host, c, choices, targetBytes);
                    double loss = 0;
                    for (int i = 0; i < p.size(); i++) loss += Math.abs(Math.log(p.get(i).timeSeconds() / measured.get(i)));
                    if (loss < bestLoss) {
                        bestLoss = loss;
                        best = c;
                    }
                }
            }
        }
        return best;
    }
}
