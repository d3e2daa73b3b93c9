package org.edgefront.jobs.simulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.edgefront.jobs.cli.CalibrateHostCommand;
import org.edgefront.jobs.cli.EdgeFrontCli;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

@Tag("native")
class CalibrateHostCommandTest {
    static ValidateSimulatorCommandTest.Run run(String... args) {
        CommandLine cl = new CommandLine(new CalibrateHostCommand());
        cl.setExecutionExceptionHandler(EdgeFrontCli.commandLine().getExecutionExceptionHandler());
        java.io.StringWriter err = new java.io.StringWriter();
        cl.setErr(new java.io.PrintWriter(err));
        java.io.PrintStream old = System.out;
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        int exit;
        try {
            System.setOut(new java.io.PrintStream(bytes, true, java.nio.charset.StandardCharsets.UTF_8));
            exit = cl.execute(args);
        } finally {
            System.setOut(old);
        }
        return new ValidateSimulatorCommandTest.Run(exit, bytes.toString(java.nio.charset.StandardCharsets.UTF_8), err.toString());
    }

    @Test
    void printsMeasuredAndPredictedTimePerFormatForThisHost() throws Exception {
        ValidateSimulatorCommandTest.Run r = run("--formats", "Q4_0,Q4_K,int3g64,F16+2:4", "--target-mib", "2", "--reps", "1", "--json");
        assertEquals(0, r.exit(), r.err());
        JsonNode n = new ObjectMapper().readTree(r.out());
        JsonNode host = n.get("host");
        assertTrue(host.get("cores").asInt() >= 1);
        assertTrue(host.get("max_ghz").asDouble() > 0.1);
        assertTrue(host.get("memory_bytes").asLong() > 1L << 28);
        assertTrue(host.get("stream_copy_one_core_bytes_per_s").asDouble() > 1e8, "copy bandwidth measured");
        assertTrue(host.get("stream_read_one_core_bytes_per_s").asDouble() > 1e8, "read-stream bandwidth measured");
        JsonNode fs = n.get("formats");
        assertEquals(4, fs.size());
        assertEquals("Q4_0", fs.get(0).get("format").asText());
        assertEquals("F16+2:4", fs.get(3).get("format").asText());
        for (JsonNode f : fs) {
            assertTrue(f.get("measured_s").asDouble() > 0, f.toString());
            assertTrue(f.get("predicted_s").asDouble() > 0, f.toString());
            assertTrue(f.get("weight_bytes").asLong() >= 2L << 20, "timed matrix reaches the target size: " + f);
        }
        assertEquals(4, n.get("summary").get("formats").asInt());
    }

    /**
     * The deterministic part of the host check: the host profile carries the measured rates and the prediction
     * follows them. (How close predictions come to measured times is a benchmark, {@code bin/edgefront
     * calibrate-host --json}, recorded in BENCHMARKS.md, not a test.)
     */
    @Test
    void predictionUsesTheMeasuredRates() {
        var facts = new org.edgefront.nativert.tools.HostCalibration.HostFacts("Test CPU", "GenuineIntel", 4, 3.0, 16L << 30,
                32 << 10, 1 << 20, 4 << 20, java.util.Set.of("fpu", "avx", "avx2", "fma"));
        var f32 = java.util.List.of(org.edgefront.space.compress.TensorChoice.parse("F32"));
        long target = 64L << 20;
        double[] seconds = new double[3];
        double bytes = 0;
        var rates = java.util.List.of(new org.edgefront.nativert.tools.HostCalibration.Bandwidth(8e9, 20e9, 1e9),
                new org.edgefront.nativert.tools.HostCalibration.Bandwidth(8e9, 20e9, 2e9),
                new org.edgefront.nativert.tools.HostCalibration.Bandwidth(1e9, 20e9)); // no read rate: the copy rate per core
        for (int i = 0; i < 3; i++) {
            var host = org.edgefront.nativert.tools.HostCalibration.profile(facts, rates.get(i));
            assertEquals(20e9, host.dram().bandwidthBytesPerSecond(), 0.0, "DRAM bandwidth is the all-cores copy rate");
            var cost = org.edgefront.nativert.tools.HostCalibration.predict(host, org.edgefront.nativert.tools.HostCalibration.referenceC(host), f32, target).get(0);
            assertEquals(org.edgefront.nativert.OpCost.Bound.MEMORY, cost.bound(), "a 64 MiB F32 GEMV at 1-2 GB/s is memory-bound");
            seconds[i] = cost.timeSeconds();
            bytes = cost.bytes();
        }
        var read = org.edgefront.nativert.tools.HostCalibration.profile(facts, new org.edgefront.nativert.tools.HostCalibration.Bandwidth(8e9, 20e9, 2e9, 30e9));
        assertEquals(30e9, read.dram().bandwidthBytesPerSecond(), 0.0, "DRAM bandwidth is the all-cores read rate when measured");
        // one thread streams the weights at the measured per-core rate: time = bytes / rate
        assertEquals(bytes / 1e9, seconds[0], 0.02 * seconds[0], "at 1 GB/s");
        assertEquals(seconds[0] / 2, seconds[1], 0.02 * seconds[1], "twice the read rate, half the time");
        assertEquals(seconds[0], seconds[2], 0.0, "the copy rate stands in when no read rate was measured");
    }

    @Test
    void readsTheHostFromProcFiles(@TempDir Path dir) throws Exception {
        Path proc = Files.createDirectories(dir.resolve("proc"));
        Files.writeString(proc.resolve("cpuinfo"), "processor\t: 0\nvendor_id\t: GenuineIntel\nmodel name\t: Test CPU\ncpu MHz\t\t: 3000.0\n"
                + "flags\t\t: fpu sse2 avx avx2 fma avx512f avx512_vnni\n");
        Files.writeString(proc.resolve("meminfo"), "MemTotal:       16384000 kB\nMemFree: 1 kB\n");
        var facts = org.edgefront.nativert.tools.HostCalibration.readHost(proc, dir.resolve("nosys"));
        assertEquals("Test CPU", facts.cpuModel());
        assertEquals(3.0, facts.maxGhz(), 1e-12);
        assertEquals(16384000L * 1024, facts.memoryBytes());
        assertEquals(64, facts.fp32FlopsPerCycle(), "Intel AVX-512: two 512-bit FMA pipes");
        assertEquals(256, facts.int8OpsPerCycle(), "VNNI: 4x FP32");
    }

    @Test
    void missingMemTotalIsBadInput(@TempDir Path dir) throws Exception {
        Path proc = Files.createDirectories(dir.resolve("proc"));
        Files.writeString(proc.resolve("cpuinfo"), "model name\t: X\ncpu MHz\t: 1000\n");
        Files.writeString(proc.resolve("meminfo"), "MemFree: 1 kB\n");
        ValidateSimulatorCommandTest.Run r = run("--proc", proc.toString(), "--formats", "Q4_0", "--json");
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("MemTotal"), r.err());
    }

    @Test
    void aMeasuredClockAboveTheListedOneRaisesThePeaksAndALowerOneIsIgnored() {
        var facts = new org.edgefront.nativert.tools.HostCalibration.HostFacts("Test CPU", "AuthenticAMD", 2, 2.6, 16L << 30,
                32 << 10, 1 << 20, 32 << 20, java.util.Set.of("avx", "avx2", "fma"));
        assertEquals(3.6, facts.withClockAtLeast(3.6).maxGhz(), 0.0, "a VM lists its base clock; the core runs faster");
        assertEquals(2.6, facts.withClockAtLeast(1.9).maxGhz(), 0.0, "a busy moment never lowers the listed clock");
        assertEquals(2.6, facts.withClockAtLeast(0.0).maxGhz(), 0.0, "0 = no measurement on this architecture");
        var bw = new org.edgefront.nativert.tools.HostCalibration.Bandwidth(8e9, 20e9, 10e9, 30e9);
        double listed = org.edgefront.nativert.tools.HostCalibration.profile(facts, bw).unit(org.edgefront.nativert.device.Backend.CPU, 2)
                .fp32FlopsPerSecond();
        double measured = org.edgefront.nativert.tools.HostCalibration.profile(facts.withClockAtLeast(3.6), bw)
                .unit(org.edgefront.nativert.device.Backend.CPU, 2).fp32FlopsPerSecond();
        assertEquals(3.6 / 2.6, measured / listed, 1e-12);
    }

    @Test
    void profileOnlyWritesAProfileThatSimulateAndValidateRead(@TempDir Path dir) throws Exception {
        Path yaml = dir.resolve("devices/host.yaml");
        ValidateSimulatorCommandTest.Run r = run("--profile-only", "--write-profile", yaml.toString());
        assertEquals(0, r.exit(), r.err());
        var p = org.edgefront.nativert.device.DeviceProfiles.load(yaml.toString());
        assertEquals("host", p.name());
        var listed = org.edgefront.nativert.tools.HostCalibration.readHost(Path.of("/proc"), Path.of("/sys/devices/system/cpu"));
        assertTrue(p.cpu().clusters().get(0).maxGhz() >= listed.maxGhz(), "the profile's clock is at least the listed one");
        assertTrue(p.dram().bandwidthBytesPerSecond() > 1e8 && p.cpu().coreBandwidthBytesPerSecond() > 1e8, p.toString());
        assertTrue(Files.readString(yaml).startsWith("# This host as measured by edgefront calibrate-host"));
        try (var files = Files.list(yaml.getParent())) {
            assertEquals(1, files.count(), "written atomically: no temporary file left beside it");
        }
    }

    @Test
    void profileOnlyWithNothingToShowIsBadInput() {
        ValidateSimulatorCommandTest.Run r = run("--profile-only");
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("--profile-only"), r.err());
    }
}
