package org.edgefront.nativert.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.edgefront.nativert.calibration.EngineCalibrations;
import org.edgefront.nativert.device.DeviceDirectory;
import org.edgefront.nativert.device.DeviceProfile;
import org.edgefront.nativert.device.ModelDescriptors;
import org.edgefront.space.input.InvalidInputException;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

class DeviceSpecSheetTest {
    private static final Path SHARED = Path.of(System.getProperty("edgefront.shared", "../../shared"));
    private static final String HEADER = "device,soc,dram_type,dram_bandwidth_gbs,ram_gb,cpu_cores,cpu_max_ghz,gpu,npu,peak_fp16_gflops,"
            + "peak_int8_tops,typical_power_w,source\n";

    private static DeviceProfile only(String rows) {
        DeviceSpecSheet.Result r = DeviceSpecSheet.parse("specs.csv", HEADER + rows);
        assertEquals(1, r.entries().size(), r.skipped().toString());
        return r.entries().get(0).profile();
    }

    @Test
    void aSpecRowsStatedNumbersAreUsedAsStated() {
        DeviceProfile p = only("Google Pixel 6,Google Tensor (GS101),LPDDR5,51.2,8,8,2.8,Mali-G78 MP20,TPU,1500,,,datasheet\n");
        assertEquals("Google Pixel 6", p.name());
        assertEquals(51.2e9, p.dram().bandwidthBytesPerSecond(), 1);
        assertEquals(8L << 30, p.dram().capacityBytes());
        assertEquals(8, p.cpu().cores());
        assertEquals(2.8, p.cpu().clusters().get(0).maxGhz());
        assertEquals(DeviceProfile.Isa.ARM64, p.cpu().isa());
        assertEquals(1.5e12, p.gpu().fp16FlopsPerSecond(), 1);
        assertTrue(p.gpu().present());
        assertTrue(!p.npu().present(), "an NPU without a peak figure is absent");
        assertEquals(35, p.energy().dramPicojoulesPerByte(), "LPDDR5's energy per byte");
    }

    @Test
    void whatARowCannotSayFollowsOneRulePerInstructionSet() {
        DeviceProfile x86 = only("Mini PC,Intel Core i7-12700H,DDR5-4800,76.8,,14,4.7,,,,,45,\n");
        assertEquals(DeviceProfile.Isa.X86_64, x86.cpu().isa());
        assertEquals(32, x86.cpu().clusters().get(0).fp32FlopsPerCycle());
        assertEquals(8L << 30, x86.dram().capacityBytes(), "8 GiB where ram_gb is blank");
        assertEquals(0.3 * 45, x86.energy().staticPowerWatts(), 1e-9, "30% of the stated typical power");
        assertEquals(25e9, x86.cpu().coreBandwidthBytesPerSecond(), 1, "an x86 core's stream, whatever the bus");
        DeviceProfile apple = only("iPhone 16,Apple A18,LPDDR5X,60,8,6,4.04,,,,,,\n");
        assertEquals(DeviceProfile.Isa.ARM64, apple.cpu().isa());
        assertEquals(32, apple.cpu().clusters().get(0).fp32FlopsPerCycle(), "Apple's cores: four 128-bit pipes");
        DeviceProfile pi4 = only("Raspberry Pi 4,Broadcom BCM2711,LPDDR4-3200,12.8,4,4,1.5,,,,,,\n");
        assertEquals(16, pi4.cpu().clusters().get(0).fp32FlopsPerCycle());
        assertEquals(6.4e9, pi4.cpu().coreBandwidthBytesPerSecond(), 1, "one core draws at most half the bus");
        assertEquals(50, pi4.energy().dramPicojoulesPerByte());
    }

    @Test
    void statedClustersGiveEachNamedCoreItsClassesWidthAndPower() {
        DeviceSpecSheet.Result r = DeviceSpecSheet.parse("specs.csv", HEADER.replace("source\n", "source,cpu_clusters\n")
                + "Phone,Snapdragon 8 Gen 2,LPDDR5X,67.2,8,8,3.36,,,,,,,\"1x Cortex-X3 @3.36; 4x Cortex-A715 @2.8; 3x Cortex-A510 @2.0\"\n"
                + "Board,Some SoC,LPDDR4X,17.1,8,,,,,,,,,\"4x @2.4\"\n"
                + "Wrong,Some SoC,LPDDR4X,17.1,8,6,,,,,,,,\"4x @2.4\"\n"
                + "Bad,Some SoC,LPDDR4X,17.1,8,,,,,,,,,\"four cores at 2.4\"\n");
        assertEquals(List.of("Phone", "Board"), r.entries().stream().map(e -> e.profile().name()).toList());
        List<DeviceProfile.CpuCluster> c = r.entries().get(0).profile().cpu().clusters();
        assertEquals(3, c.size());
        assertEquals(32, c.get(0).fp32FlopsPerCycle(), "a Cortex-X: four 128-bit pipes");
        assertEquals(16, c.get(1).fp32FlopsPerCycle());
        assertEquals(8, c.get(2).fp32FlopsPerCycle());
        assertEquals(2.0, c.get(2).maxGhz());
        assertEquals(8, r.entries().get(0).profile().cpu().cores());
        // four threads run on the fastest four cores: one X3 and three A715s
        assertEquals(1e9 * (3.36 * 32 + 3 * 2.8 * 16), r.entries().get(0).profile().cpuPeak(4, DeviceProfile.CpuCluster::fp32FlopsPerCycle), 1);
        assertEquals(16, r.entries().get(1).profile().cpu().clusters().get(0).fp32FlopsPerCycle(), "an unnamed core: the instruction set's default");
        assertTrue(r.skipped().get(0).contains("'Wrong'") && r.skipped().get(0).contains("hold 4 cores, cpu_cores says 6"), r.skipped().toString());
        assertTrue(r.skipped().get(1).contains("'Bad'") && r.skipped().get(1).contains("is not 'N x [core] @GHz'"), r.skipped().toString());
    }

    @Test
    void coreClassesFollowTheCoresPipes() {
        assertEquals(48, DeviceSpecSheet.coreClass("Cortex-X925")[0]);
        assertEquals(32, DeviceSpecSheet.coreClass("Oryon prime")[0]);
        assertEquals(32, DeviceSpecSheet.coreClass("A17 Pro P-core")[0]);
        assertEquals(16, DeviceSpecSheet.coreClass("E-core (Blizzard)")[0]);
        assertEquals(16, DeviceSpecSheet.coreClass("Cortex-A72")[1], "no FP16 arithmetic before Armv8.2");
        assertEquals(8, DeviceSpecSheet.coreClass("Cortex-A53")[2] / 2);
        assertEquals(128, DeviceSpecSheet.coreClass("Zen 4")[2], "VNNI");
        assertEquals(64, DeviceSpecSheet.coreClass("Zen 3")[2]);
        assertEquals(16, DeviceSpecSheet.coreClass("Gracemont")[0]);
        assertNull(DeviceSpecSheet.coreClass("Mystery core"));
    }

    @Test
    void aRowWithoutBandwidthCoresOrClockGivesNoProfileAndSaysWhy() {
        DeviceSpecSheet.Result r = DeviceSpecSheet.parse("specs.csv", HEADER
                + "Phone A,Chip A,LPDDR5,,8,8,3.0,,,,,,\n"
                + "Phone B,Chip B,LPDDR5,51.2,8,,3.0,,,,,,\n"
                + "Phone C,Chip C,LPDDR5,51.2,8,8,3.0,,,,,,\n");
        assertEquals(List.of("Phone C"), r.entries().stream().map(e -> e.profile().name()).toList());
        assertEquals(2, r.skipped().size());
        assertTrue(r.skipped().get(0).contains("specs.csv record 2 ('Phone A'): no dram_bandwidth_gbs"), r.skipped().get(0));
        assertTrue(r.skipped().get(1).contains("no cpu_cores"), r.skipped().get(1));
    }

    @Test
    void aSpreadsheetsByteOrderMarkAndCrlfLinesAreRead() {
        DeviceSpecSheet.Result r = DeviceSpecSheet.parse("specs.csv", "\uFEFF" + HEADER.replace("\n", "\r\n")
                + "Phone C,Chip C,LPDDR5,51.2,8,8,3.0,,,,,,\r\n");
        assertEquals(List.of("Phone C"), r.entries().stream().map(e -> e.profile().name()).toList(), r.skipped().toString());
    }

    @Test
    void aSheetWithoutARequiredColumnIsBadInputNamingTheFileAndColumn() {
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> DeviceSpecSheet.parse("specs.csv", "device,soc,cpu_cores,cpu_max_ghz\nX,Y,4,2\n"));
        assertTrue(e.getMessage().contains("specs.csv") && e.getMessage().contains("dram_bandwidth_gbs"), e.getMessage());
    }

    @Test
    void aWrittenProfileAlwaysWinsAndADerivedOneSaysWhereItCameFrom() {
        DeviceDirectory written = DeviceDirectory.load("../configs/devices");
        DeviceSpecSheet.Result sheet = DeviceSpecSheet.parse("specs.csv", HEADER
                + "Raspberry Pi 5,Broadcom BCM2712,LPDDR4X,99,8,4,2.4,,,,,,\n"
                + "Google Pixel 6,Google Tensor G1 (GS101),LPDDR5,51.2,8,8,2.8,,,,,,\n");
        DeviceDirectory dir = written.orElse(sheet.entries());
        DeviceDirectory.Match pi = dir.find("Raspberry Pi 5", null);
        assertEquals(17.1e9, pi.profile().dram().bandwidthBytesPerSecond(), 1, "the written profile, not the sheet's row");
        assertEquals("", pi.note());
        // a written profile found through its chip also wins over a sheet row of the same name
        assertEquals("Raspberry Pi 5", dir.find("Raspberry Pi 5 Model B", "BCM2712").profile().name());
        assertNull(written.find("Google Pixel 6", "Google Tensor"));
        // a board variant of a written profile's name with another chip named is not that profile: the Exynos Galaxy S22
        DeviceDirectory repo = written.orElse(DeviceSpecSheet.load("../configs/devices/" + DeviceSpecSheet.REPOSITORY_SHEET).entries());
        assertEquals("Samsung Galaxy S22 (Exynos 2200)", repo.find("Samsung Galaxy S22 (Exynos 2200)", "Samsung Exynos 2200").profile().name());
        assertEquals("Samsung Galaxy S22", repo.find("Samsung Galaxy S22", null).profile().name());
        DeviceDirectory.Match pixel = dir.find("Google Pixel 6", "Google Tensor");
        assertNotNull(pixel);
        assertEquals(51.2e9, pixel.profile().dram().bandwidthBytesPerSecond(), 1);
        assertTrue(pixel.note().contains("derived from the spec row of 'Google Pixel 6' in specs.csv"), pixel.note());
        // a phone of the same chip finds the derived profile by its chip, saying both; without a chip "Pro" is another model
        DeviceDirectory.Match pro = dir.find("Google Pixel 6 Pro", "Google Tensor (GS101)");
        assertEquals("Google Pixel 6", pro.profile().name());
        assertTrue(pro.note().contains("spec row"), pro.note());
        assertNull(dir.find("Google Pixel 6 Pro", null));
        DeviceDirectory.Match other = dir.find("Some Phone", "GS101");
        assertTrue(other.note().contains("the same chip") && other.note().contains("spec row"), other.note());
    }

    @Tag("native")
    @Test
    void aDeviceKnownOnlyByItsSpecRowIsSimulatedAndNearItsWrittenProfilesPrediction() {
        // the shared spec sheet's Raspberry Pi 5 row without the written profile, against the written profile
        DeviceSpecSheet.Result sheet = DeviceSpecSheet.load(SHARED.resolve("measurements/device-specs.csv").toString());
        DeviceDirectory none = new DeviceDirectory(List.of());
        String rows = "device,engine,backend,threads,model,weight_format,prompt_tokens,decode_tok_s,prefill_tok_s\n"
                + "Raspberry Pi 5,llama.cpp,CPU,4,Llama-3.2-1B,Q4_0,512,10.0,\n"
                + "Samsung Galaxy S23,llama.cpp,CPU,4,Qwen2.5-1.5B,Q4_K_M,512,10.0,\n";
        var models = ModelDescriptors.loadAll("../configs/models");
        SimulatorValidation.Report derived = new SimulatorValidation(none.orElse(sheet.entries()), models, FormatProvenance.NONE)
                .validate("t.csv", rows, EngineCalibrations.fitted());
        SimulatorValidation.Report alone = new SimulatorValidation(none, models, FormatProvenance.NONE)
                .validate("t.csv", rows, EngineCalibrations.fitted());
        SimulatorValidation.Report written = new SimulatorValidation(DeviceDirectory.load("../configs/devices"), models, FormatProvenance.NONE)
                .validate("t.csv", rows, EngineCalibrations.fitted());
        for (int i = 0; i < 2; i++) {
            assertEquals("unsupported", alone.rows().get(i).status());
            SimulatorValidation.Row d = derived.rows().get(i);
            assertTrue(d.ok(), d.reason());
            assertTrue(d.reason().contains("derived from the spec row"), d.reason());
            double w = written.rows().get(i).predictedDecodeTokS();
            assertEquals(w, d.predictedDecodeTokS(), 0.15 * w, "decode from the spec row within 15% of the written profile's");
        }
    }

    @Test
    void theRepositorysSheetHoldsOnlyDevicesNoWrittenProfileCovers() {
        DeviceSpecSheet.Result sheet = DeviceSpecSheet.load("../configs/devices/" + DeviceSpecSheet.REPOSITORY_SHEET);
        assertEquals(List.of(), sheet.skipped());
        assertTrue(sheet.entries().size() >= 15, "rows: " + sheet.entries().size());
        DeviceDirectory written = DeviceDirectory.load("../configs/devices");
        for (DeviceDirectory.Entry e : sheet.entries()) {
            DeviceProfile p = e.profile();
            // a row a written profile answers to (by name, variant, short name or chip) would never be used
            assertNull(written.find(p.name(), p.soc()), p.name() + " is covered by a written profile");
            assertTrue(p.cpu().clusters().stream().allMatch(c -> DeviceSpecSheet.coreClass(c.name()) != null), p.name() + ": every core named");
        }
    }
}
