package org.edgefront.nativert.device;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Hardware facts of one device, read from {@code configs/devices/*.yaml} by {@link DeviceProfiles#load}.
 * Units are in the component names. Immutable and thread-safe.
 *
 * @param schemaVersion profile schema version (1)
 * @param name          device name as in the measurements (e.g. {@code Samsung Galaxy S23})
 * @param soc           system on chip
 * @param dram          main memory
 * @param cpu           CPU clusters
 * @param caches        cache sizes
 * @param accelerators  the compute units besides the CPU, by backend (a backend without an entry is absent); copied
 * @param energy        energy per byte and per operation, static power
 * @param thermal       throttling model
 * @param battery       battery energy
 * @param storage       flash storage, for loading the model
 * @param aliases       other names of the same hardware in measurement files (memory-size variants, steppings,
 *                      board variants on one SoC and DRAM configuration); may be empty
 */
public record DeviceProfile(int schemaVersion, String name, String soc, Dram dram, Cpu cpu, Caches caches,
                            Map<Backend, Accelerator> accelerators, Energy energy, Thermal thermal, Battery battery,
                            Storage storage, List<String> aliases) implements java.io.Serializable {
    public static final int SCHEMA_VERSION = 1;

    public DeviceProfile {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(soc, "soc");
        Objects.requireNonNull(dram, "dram");
        Objects.requireNonNull(cpu, "cpu");
        Objects.requireNonNull(caches, "caches");
        EnumMap<Backend, Accelerator> units = new EnumMap<>(Backend.class);
        for (Map.Entry<Backend, Accelerator> e : accelerators.entrySet()) {
            if (e.getKey().hostCores()) throw new IllegalArgumentException("the CPU is described by cpu, not as an accelerator");
            if (e.getValue().present()) units.put(e.getKey(), e.getValue());
        }
        accelerators = Collections.unmodifiableMap(units);
        Objects.requireNonNull(energy, "energy");
        Objects.requireNonNull(thermal, "thermal");
        Objects.requireNonNull(battery, "battery");
        Objects.requireNonNull(storage, "storage");
        aliases = List.copyOf(aliases);
    }

    /** A profile with a GPU and an NPU (either may be {@link Accelerator#ABSENT}). */
    public DeviceProfile(int schemaVersion, String name, String soc, Dram dram, Cpu cpu, Caches caches, Accelerator gpu,
                         Accelerator npu, Energy energy, Thermal thermal, Battery battery, Storage storage, List<String> aliases) {
        this(schemaVersion, name, soc, dram, cpu, caches, Map.of(Backend.GPU, gpu, Backend.NPU, npu), energy, thermal, battery,
                storage, aliases);
    }

    /** A profile with a GPU and an NPU and without aliases. */
    public DeviceProfile(int schemaVersion, String name, String soc, Dram dram, Cpu cpu, Caches caches, Accelerator gpu,
                         Accelerator npu, Energy energy, Thermal thermal, Battery battery, Storage storage) {
        this(schemaVersion, name, soc, dram, cpu, caches, gpu, npu, energy, thermal, battery, storage, List.of());
    }

    /** The accelerator of a non-CPU backend, or {@link Accelerator#ABSENT}. */
    public Accelerator accelerator(Backend b) { return accelerators.getOrDefault(b, Accelerator.ABSENT); }

    /** The GPU, or {@link Accelerator#ABSENT}. */
    public Accelerator gpu() { return accelerator(Backend.GPU); }

    /** The NPU, or {@link Accelerator#ABSENT}. */
    public Accelerator npu() { return accelerator(Backend.NPU); }

    /**
     * One compute unit as the simulator sees it, whole-unit peaks in op/s (0 = derived: FP16 from half the int8 peak,
     * FP32 from half the FP16 peak, int8 from the FP16 peak), energy per op (pJ) and active power (W).
     */
    public record ComputeUnit(double fp32FlopsPerSecond, double fp16FlopsPerSecond, double int8OpsPerSecond,
                              double picojoulesPerOp, double activeWatts) {}

    /**
     * The unit of backend {@code b} for a workload of {@code threads} threads: for the CPU the {@code threads} fastest
     * cores, otherwise the accelerator (all zero when absent).
     */
    public ComputeUnit unit(Backend b, int threads) {
        if (b.hostCores()) {
            return new ComputeUnit(cpuPeak(threads, CpuCluster::fp32FlopsPerCycle), cpuPeak(threads, CpuCluster::fp16FlopsPerCycle),
                    cpuPeak(threads, CpuCluster::int8OpsPerCycle), energy.cpuPicojoulesPerOp(), cpuActiveWatts(threads));
        }
        Accelerator a = accelerator(b);
        return new ComputeUnit(0, a.fp16FlopsPerSecond(), a.int8OpsPerSecond(), a.picojoulesPerOp(), a.activeWatts());
    }

    /** True when {@code deviceName} is this profile's name or one of its aliases (case-insensitive, trimmed). */
    public boolean matches(String deviceName) {
        String d = deviceName.trim();
        if (d.equalsIgnoreCase(name)) return true;
        for (String a : aliases) if (a.equalsIgnoreCase(d)) return true;
        return false;
    }

    /**
     * @param capacityBytes           installed DRAM, bytes
     * @param bandwidthBytesPerSecond peak DRAM bandwidth, bytes/s
     * @param appMemoryShare          fraction of DRAM one app may use (default 0.10)
     */
    public record Dram(long capacityBytes, double bandwidthBytesPerSecond, double appMemoryShare) implements java.io.Serializable {
        /** Bytes one app may use: capacity x share. */
        public long appBudgetBytes() { return (long) Math.floor(capacityBytes * appMemoryShare); }

        /** How a peak of {@code peakBytes} fits this DRAM: within the app's share, within the installed DRAM. */
        public MemoryFit fit(long peakBytes) {
            return new MemoryFit(peakBytes, capacityBytes, appBudgetBytes(), appMemoryShare);
        }
    }

    /**
     * A peak memory against a device's DRAM. Above {@link #dramBytes} the weights cannot all be resident, so speeds
     * simulated from DRAM bandwidth do not hold (a runtime would page weights from storage on every token); above
     * {@link #appBudgetBytes} the app uses more than the share of DRAM the profile grants one app.
     *
     * @param peakBytes      peak memory of the run, bytes
     * @param dramBytes      installed DRAM, bytes
     * @param appBudgetBytes the bytes one app may use (DRAM x {@code appMemoryShare}), bytes
     * @param appMemoryShare the profile's share of DRAM for one app, in (0, 1]
     */
    public record MemoryFit(long peakBytes, long dramBytes, long appBudgetBytes, double appMemoryShare) implements java.io.Serializable {
        /** Whether the peak is within the app's share of DRAM. */
        public boolean fitsAppBudget() { return peakBytes <= appBudgetBytes; }

        /** Whether the peak is within the installed DRAM (the OS and other apps aside). */
        public boolean fitsDram() { return peakBytes <= dramBytes; }
    }

    /**
     * One cluster of identical cores; throughputs per core per cycle.
     *
     * @param name              core type
     * @param cores             cores in the cluster
     * @param maxGhz            maximum clock, GHz
     * @param fp32FlopsPerCycle FP32 flops per cycle per core (FMA = 2)
     * @param fp16FlopsPerCycle FP16 flops per cycle per core
     * @param int8OpsPerCycle   int8 dot-product ops per cycle per core (multiply-add = 2)
     * @param activeWattsPerCore power of one busy core at maxGhz, W (engine threads spin while waiting on DRAM)
     */
    public record CpuCluster(String name, int cores, double maxGhz, double fp32FlopsPerCycle, double fp16FlopsPerCycle,
                             double int8OpsPerCycle, double activeWattsPerCore) implements java.io.Serializable {}

    /**
     * A CPU's instruction set: engines ship different kernels per instruction set (llama.cpp's x86 AVX2/AVX-512 paths
     * are not its NEON paths), so the engine group whose calibration applies depends on it.
     */
    public enum Isa {
        ARM64("arm64"), X86_64("x86-64"), RISCV64("riscv64");

        private final String key;

        Isa(String key) { this.key = key; }

        /** The YAML spelling. */
        public String key() { return key; }

        /**
         * Parses a YAML value: {@code arm64} (or {@code aarch64}), {@code x86-64} (or {@code x86_64}, {@code amd64}),
         * {@code riscv64}.
         *
         * @throws IllegalArgumentException naming the accepted values
         */
        public static Isa parse(String s) {
            return switch (s.trim().toLowerCase(java.util.Locale.ROOT)) {
                case "arm64", "aarch64" -> ARM64;
                case "x86-64", "x86_64", "amd64" -> X86_64;
                case "riscv64" -> RISCV64;
                default -> throw new IllegalArgumentException("'" + s + "' is not an instruction set (arm64, x86-64, riscv64)");
            };
        }
    }

    /**
     * @param isa                         the cores' instruction set
     * @param clusters                    core clusters
     * @param coreBandwidthBytesPerSecond streaming bandwidth one core can draw from DRAM, bytes/s
     */
    public record Cpu(Isa isa, List<CpuCluster> clusters, double coreBandwidthBytesPerSecond) implements java.io.Serializable {
        public Cpu {
            Objects.requireNonNull(isa, "isa");
            clusters = List.copyOf(clusters);
            if (clusters.isEmpty()) throw new IllegalArgumentException("a CPU needs at least one cluster");
        }

        /** Cores of all clusters. */
        public int cores() { return clusters.stream().mapToInt(CpuCluster::cores).sum(); }

        /** Per-core clusters, fastest clock first: threads are placed on the fastest cores first. */
        public List<CpuCluster> fastestFirst() {
            List<CpuCluster> c = new ArrayList<>(clusters);
            c.sort(Comparator.comparingDouble(CpuCluster::maxGhz).reversed());
            return c;
        }
    }

    /** Cache sizes, bytes (0 when absent). */
    public record Caches(long l1dBytesPerCore, long l2Bytes, long l3Bytes, long systemCacheBytes) implements java.io.Serializable {}

    /**
     * A GPU or NPU.
     *
     * @param name                unit name ("none" when absent)
     * @param fp16FlopsPerSecond  FP16 peak, flop/s
     * @param int8OpsPerSecond    int8 peak, op/s
     * @param picojoulesPerOp     energy per op, pJ
     * @param activeWatts         power while running, W
     */
    public record Accelerator(String name, double fp16FlopsPerSecond, double int8OpsPerSecond, double picojoulesPerOp,
                              double activeWatts) implements java.io.Serializable {
        public static final Accelerator ABSENT = new Accelerator("none", 0, 0, 0, 0);

        public boolean present() { return fp16FlopsPerSecond > 0 || int8OpsPerSecond > 0; }
    }

    /**
     * @param dramPicojoulesPerByte energy per byte moved to/from DRAM, pJ
     * @param cpuPicojoulesPerOp    CPU energy per op including instruction overhead, pJ
     * @param staticPowerWatts      power drawn while running beyond dynamic energy (SoC, DRAM refresh, rails), W
     */
    public record Energy(double dramPicojoulesPerByte, double cpuPicojoulesPerOp, double staticPowerWatts) implements java.io.Serializable {}

    /**
     * @param onsetSeconds      seconds of full-speed load before throttling
     * @param sustainedFraction speed after throttling, (0, 1]
     */
    public record Thermal(double onsetSeconds, double sustainedFraction) implements java.io.Serializable {}

    /** @param wattHours battery energy, Wh (0 when mains-powered) */
    public record Battery(double wattHours) implements java.io.Serializable {
        /** Battery energy, J. */
        public double joules() { return wattHours * 3600.0; }
    }

    /**
     * @param readBytesPerSecond     sequential read bandwidth, bytes/s
     * @param readPicojoulesPerByte  energy per byte read, pJ
     */
    public record Storage(double readBytesPerSecond, double readPicojoulesPerByte) implements java.io.Serializable {}

    /** CPU cores a workload with {@code threads} threads actually uses. */
    public int cpuCoresUsed(int threads) { return Math.min(threads, cpu.cores()); }

    /** Active power of the {@code threads} fastest cores, W. */
    public double cpuActiveWatts(int threads) {
        int left = cpuCoresUsed(threads);
        double sum = 0;
        for (CpuCluster c : cpu.fastestFirst()) {
            int n = Math.min(left, c.cores());
            sum += n * c.activeWattsPerCore();
            left -= n;
            if (left == 0) break;
        }
        return sum;
    }

    /** Sum over the {@code threads} fastest cores of a per-core-per-cycle throughput x clock, ops/s. */
    public double cpuPeak(int threads, java.util.function.ToDoubleFunction<CpuCluster> perCycle) {
        int left = cpuCoresUsed(threads);
        double sum = 0;
        for (CpuCluster c : cpu.fastestFirst()) {
            int n = Math.min(left, c.cores());
            sum += n * c.maxGhz() * 1e9 * perCycle.applyAsDouble(c);
            left -= n;
            if (left == 0) break;
        }
        return sum;
    }
}
