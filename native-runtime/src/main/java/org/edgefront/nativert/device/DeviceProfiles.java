package org.edgefront.nativert.device;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.fs.FileSystem;
import org.edgefront.space.input.InvalidInputException;

/**
 * Reads {@link DeviceProfile}s from YAML through Hadoop's FileSystem (file://, hdfs://, s3a:// or a
 * plain local path). Strict: {@code schemaVersion} is required, unknown keys, missing fields and
 * negative or out-of-range numbers are {@link InvalidInputException}s naming the file and the field. The optional
 * {@code aliases} list names variants of the same hardware as they appear in measurement files.
 * Stateless and thread-safe.
 */
public final class DeviceProfiles {
    private static final double TB = 1e15;

    private DeviceProfiles() {}

    /** Loads one profile from a URI or local path. */
    public static DeviceProfile load(String uriOrPath) {
        return parse(uriOrPath, ConfigFiles.read(uriOrPath));
    }

    /** Loads every {@code *.yaml} profile in a directory, sorted by file name. */
    public static List<DeviceProfile> loadAll(String dirUriOrPath) {
        return ConfigFiles.listYaml(dirUriOrPath).stream().map(DeviceProfiles::load).toList();
    }

    /** Parses profile YAML text; {@code file} names it in errors. */
    public static DeviceProfile parse(String file, String yaml) {
        ConfigNode r = ConfigNode.yamlRoot(file, yaml, DeviceProfile.SCHEMA_VERSION);
        String name = r.string("name");
        String soc = r.string("soc");

        ConfigNode d = r.object("dram");
        DeviceProfile.Dram dram = new DeviceProfile.Dram(d.wholeNumber("capacityBytes", 1, 1L << 50),
                d.number("bandwidthBytesPerSecond", 1e6, TB), d.numberOr("appMemoryShare", 0.001, 1.0, 0.10));
        d.finish();

        ConfigNode c = r.object("cpu");
        DeviceProfile.Isa isa = c.parsed("isa", DeviceProfile.Isa::parse);
        List<DeviceProfile.CpuCluster> clusters = new ArrayList<>();
        for (ConfigNode k : c.list("clusters")) {
            clusters.add(new DeviceProfile.CpuCluster(k.string("name"), (int) k.wholeNumber("cores", 1, 1024),
                    k.number("maxGhz", 0.01, 10), k.number("fp32FlopsPerCycle", 0.1, 4096),
                    k.number("fp16FlopsPerCycle", 0.1, 8192), k.number("int8OpsPerCycle", 0.1, 16384),
                    k.number("activeWattsPerCore", 0, 1000)));
            k.finish();
        }
        DeviceProfile.Cpu cpu = new DeviceProfile.Cpu(isa, clusters, c.number("coreBandwidthBytesPerSecond", 1e6, TB));
        c.finish();

        ConfigNode ca = r.object("caches");
        DeviceProfile.Caches caches = new DeviceProfile.Caches(ca.wholeNumber("l1dBytesPerCore", 0, 1L << 40),
                ca.wholeNumber("l2Bytes", 0, 1L << 40), ca.wholeNumber("l3Bytes", 0, 1L << 40),
                ca.wholeNumber("systemCacheBytes", 0, 1L << 40));
        ca.finish();

        Map<Backend, DeviceProfile.Accelerator> accelerators = new EnumMap<>(Backend.class);
        for (Backend unit : Backend.values()) if (!unit.hostCores()) accelerators.put(unit, accelerator(r, unit.key()));

        ConfigNode e = r.object("energy");
        DeviceProfile.Energy energy = new DeviceProfile.Energy(e.number("dramPicojoulesPerByte", 0, 1e6),
                e.number("cpuPicojoulesPerOp", 0, 1e6), e.number("staticPowerWatts", 0, 1e4));
        e.finish();

        ConfigNode t = r.object("thermal");
        DeviceProfile.Thermal thermal = new DeviceProfile.Thermal(t.number("onsetSeconds", 0, 1e9),
                t.number("sustainedFraction", 0.01, 1.0));
        t.finish();

        ConfigNode b = r.object("battery");
        DeviceProfile.Battery battery = new DeviceProfile.Battery(b.number("wattHours", 0, 1e6));
        b.finish();

        ConfigNode s = r.object("storage");
        DeviceProfile.Storage storage = new DeviceProfile.Storage(s.number("readBytesPerSecond", 1e3, TB),
                s.number("readPicojoulesPerByte", 0, 1e9));
        s.finish();
        List<String> aliases = r.has("aliases") ? r.strings("aliases") : List.of();
        if (!r.has("aliases")) r.numberOr("aliases", 0, 0, 0); // marks the absent optional key as read
        r.finish();
        return new DeviceProfile(DeviceProfile.SCHEMA_VERSION, name, soc, dram, cpu, caches, accelerators, energy, thermal, battery, storage, aliases);
    }

    /**
     * The profile as YAML that {@link #parse} reads back to an equal profile (numbers in Java's shortest round-trip form,
     * strings quoted): how a measured profile (calibrate-host) is kept and reused.
     */
    public static String toYaml(DeviceProfile p, String comment) {
        StringBuilder y = new StringBuilder();
        for (String line : comment.split("\n")) y.append("# ").append(line).append('\n');
        y.append("schemaVersion: ").append(DeviceProfile.SCHEMA_VERSION).append('\n');
        y.append("name: ").append(quote(p.name())).append('\n');
        y.append("soc: ").append(quote(p.soc())).append('\n');
        if (!p.aliases().isEmpty()) {
            y.append("aliases: [").append(String.join(", ", p.aliases().stream().map(DeviceProfiles::quote).toList())).append("]\n");
        }
        y.append("dram:\n  capacityBytes: ").append(p.dram().capacityBytes())
                .append("\n  bandwidthBytesPerSecond: ").append(p.dram().bandwidthBytesPerSecond())
                .append("\n  appMemoryShare: ").append(p.dram().appMemoryShare()).append('\n');
        y.append("cpu:\n  isa: ").append(p.cpu().isa().key()).append("\n  clusters:\n");
        for (DeviceProfile.CpuCluster c : p.cpu().clusters()) {
            y.append("    - {name: ").append(quote(c.name())).append(", cores: ").append(c.cores()).append(", maxGhz: ").append(c.maxGhz())
                    .append(", fp32FlopsPerCycle: ").append(c.fp32FlopsPerCycle()).append(", fp16FlopsPerCycle: ").append(c.fp16FlopsPerCycle())
                    .append(", int8OpsPerCycle: ").append(c.int8OpsPerCycle()).append(", activeWattsPerCore: ").append(c.activeWattsPerCore())
                    .append("}\n");
        }
        y.append("  coreBandwidthBytesPerSecond: ").append(p.cpu().coreBandwidthBytesPerSecond()).append('\n');
        y.append("caches:\n  l1dBytesPerCore: ").append(p.caches().l1dBytesPerCore()).append("\n  l2Bytes: ").append(p.caches().l2Bytes())
                .append("\n  l3Bytes: ").append(p.caches().l3Bytes()).append("\n  systemCacheBytes: ").append(p.caches().systemCacheBytes()).append('\n');
        for (Backend unit : Backend.values()) {
            if (unit.hostCores()) continue;
            DeviceProfile.Accelerator a = p.accelerator(unit);
            if (!a.present()) continue;
            y.append(unit.key()).append(":\n  name: ").append(quote(a.name())).append("\n  fp16FlopsPerSecond: ").append(a.fp16FlopsPerSecond())
                    .append("\n  int8OpsPerSecond: ").append(a.int8OpsPerSecond()).append("\n  picojoulesPerOp: ").append(a.picojoulesPerOp())
                    .append("\n  activeWatts: ").append(a.activeWatts()).append('\n');
        }
        y.append("energy:\n  dramPicojoulesPerByte: ").append(p.energy().dramPicojoulesPerByte()).append("\n  cpuPicojoulesPerOp: ")
                .append(p.energy().cpuPicojoulesPerOp()).append("\n  staticPowerWatts: ").append(p.energy().staticPowerWatts()).append('\n');
        y.append("thermal:\n  onsetSeconds: ").append(p.thermal().onsetSeconds()).append("\n  sustainedFraction: ")
                .append(p.thermal().sustainedFraction()).append('\n');
        y.append("battery:\n  wattHours: ").append(p.battery().wattHours()).append('\n');
        y.append("storage:\n  readBytesPerSecond: ").append(p.storage().readBytesPerSecond()).append("\n  readPicojoulesPerByte: ")
                .append(p.storage().readPicojoulesPerByte()).append('\n');
        return y.toString();
    }

    /** A YAML double-quoted scalar. */
    private static String quote(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    private static DeviceProfile.Accelerator accelerator(ConfigNode r, String key) {
        if (!r.has(key)) {
            r.numberOr(key, 0, 0, 0); // marks the (absent or null) key as read
            return DeviceProfile.Accelerator.ABSENT;
        }
        ConfigNode a = r.object(key);
        DeviceProfile.Accelerator acc = new DeviceProfile.Accelerator(a.string("name"), a.number("fp16FlopsPerSecond", 0, 1e18),
                a.number("int8OpsPerSecond", 0, 1e18), a.number("picojoulesPerOp", 0, 1e6), a.number("activeWatts", 0, 1e4));
        a.finish();
        if (!acc.present()) throw new InvalidInputException(r.file(), key, "has zero throughput; omit the section instead");
        return acc;
    }
}
