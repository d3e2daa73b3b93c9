package org.edgefront.nativert.device;

import org.edgefront.nativert.TestFixtures;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.edgefront.space.input.InvalidInputException;
import org.junit.jupiter.api.Test;

class DeviceProfilesTest {

    @Test
    void galaxyS23ProfileLoadsWithSpecSheetFigures() {
        DeviceProfile p = TestFixtures.s23();
        assertEquals("Samsung Galaxy S23", p.name());
        assertEquals(67.2e9, p.dram().bandwidthBytesPerSecond());
        assertEquals(8, p.cpu().cores());
        assertEquals(0.10, p.dram().appMemoryShare());
        assertTrue(p.gpu().present());
        assertTrue(p.npu().present());
        // 1 X3 core at 3.36 GHz x 128 int8 ops/cycle
        assertEquals(3.36e9 * 128, p.cpuPeak(1, DeviceProfile.CpuCluster::int8OpsPerCycle), 1.0);
    }

    @Test
    void raspberryPiProfileHasNoAccelerators() {
        DeviceProfile p = TestFixtures.pi5();
        assertFalse(p.gpu().present());
        assertFalse(p.npu().present());
        assertEquals(4, p.cpu().cores());
    }

    @Test
    void everyShippedProfileLoads() throws IOException {
        int n = 0;
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(TestFixtures.devices(), "*.yaml")) {
            for (Path f : ds) {
                DeviceProfile p = DeviceProfiles.load(f.toString());
                assertTrue(p.dram().bandwidthBytesPerSecond() > 0, f.toString());
                n++;
            }
        }
        assertTrue(n >= 2, "at least two device profiles");
    }

    @Test
    void aliasesNameVariantsOfTheSameBoard() throws IOException {
        String noAliases = base().replaceAll("(?m)^aliases:.*\n", "");
        DeviceProfile p = DeviceProfiles.parse("t.yaml", noAliases.replace("name: Raspberry Pi 5\n",
                "name: Raspberry Pi 5\naliases: [\"Pi Five\"]\n"));
        assertTrue(p.matches("pi five"));
        assertTrue(p.matches(" Raspberry Pi 5 "));
        assertFalse(p.matches("Raspberry Pi 500+"));
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> DeviceProfiles.parse("t.yaml",
                noAliases.replace("name: Raspberry Pi 5\n", "name: Raspberry Pi 5\naliases: [3]\n")));
        assertEquals("aliases[0]", e.field());
    }

    private static String base() throws IOException {
        return Files.readString(TestFixtures.devices().resolve("raspberry-pi-5.yaml"));
    }

    @Test
    void unknownKeyIsRejectedWithItsPath() throws IOException {
        String y = base().replace("  l2Bytes:", "  l2Bytez: 5\n  l2Bytes:");
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> DeviceProfiles.parse("pi.yaml", y));
        assertEquals("pi.yaml", e.file());
        assertEquals("caches.l2Bytez", e.field());
    }

    @Test
    void missingSchemaVersionIsRejected() throws IOException {
        String y = base().replace("schemaVersion: 1\n", "");
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> DeviceProfiles.parse("pi.yaml", y));
        assertEquals("schemaVersion", e.field());
    }

    @Test
    void negativeBandwidthIsRejected() throws IOException {
        String y = base().replace("bandwidthBytesPerSecond: 17.1e9", "bandwidthBytesPerSecond: -17.1e9");
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> DeviceProfiles.parse("pi.yaml", y));
        assertEquals("dram.bandwidthBytesPerSecond", e.field());
        assertTrue(e.getMessage().contains("negative"));
    }

    @Test
    void missingFieldInClusterIsRejected() throws IOException {
        String y = base().replace("int8OpsPerCycle: 64, ", "");
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> DeviceProfiles.parse("pi.yaml", y));
        assertEquals("cpu.clusters[0].int8OpsPerCycle", e.field());
    }

    @Test
    void missingFileNamesTheFile() {
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> DeviceProfiles.load("/nonexistent/dev.yaml"));
        assertEquals("/nonexistent/dev.yaml", e.file());
    }

    @Test
    void everyShippedProfileSurvivesTheYamlWriter() {
        java.util.List<DeviceProfile> all = DeviceProfiles.loadAll("../configs/devices");
        assertTrue(all.size() > 20);
        for (DeviceProfile p : all) {
            String yaml = DeviceProfiles.toYaml(p, "written by a test\nsecond comment line");
            assertTrue(yaml.startsWith("# written by a test\n# second comment line\n"), yaml);
            assertEquals(p, DeviceProfiles.parse("roundtrip-" + p.name(), yaml), p.name());
        }
    }

    @Test
    void yamlWriterQuotesNamesThatYamlWouldMisread() {
        DeviceProfile p = DeviceProfiles.loadAll("../configs/devices").get(0);
        DeviceProfile odd = new DeviceProfile(p.schemaVersion(), "host: \"quoted\" # not a comment", "yes", p.dram(), p.cpu(), p.caches(),
                p.accelerators(), p.energy(), p.thermal(), p.battery(), p.storage(), java.util.List.of("on", "1.5"));
        assertEquals(odd, DeviceProfiles.parse("odd", DeviceProfiles.toYaml(odd, "odd names")));
    }
}
