package org.edgefront.nativert.device;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class DeviceDirectoryTest {
    private static final DeviceDirectory DIR = DeviceDirectory.load("../configs/devices");

    private static String found(String device, String soc) {
        DeviceDirectory.Match m = DIR.find(device, soc);
        return m == null ? null : m.profile().name();
    }

    @Test
    void aShortenedNameFindsTheProfileThatHoldsEveryWordOfIt() {
        assertEquals("MacBook Air 13-inch (M2, 8-core GPU)", found("MacBook Air M2", null));
        assertEquals("NVIDIA Jetson Orin Nano Super 8GB Developer Kit (JetPack 6.1+ Super clocks)", found("NVIDIA Jetson Orin Nano Super", null));
        assertEquals("Intel N100 mini PC (16 GB DDR5-4800)", found("Intel N100 mini PC", null));
        // of several, the one with the fewest extra words: the plain S24, not the S24 Ultra
        assertEquals("Samsung Galaxy S24", found("Galaxy S24", null));
        DeviceDirectory.Match m = DIR.find("MacBook Air M2", null);
        assertTrue(m.note().contains("every word"), m.note());
        // an exact name still matches without a note
        assertEquals("", DIR.find("Samsung Galaxy S24", null).note());
    }

    @Test
    void aChipBinWithAnotherGpuCoreCountScalesTheGpuOfItsChipsProfile() {
        DeviceProfile full = DIR.find("MacBook Pro 16-inch (M2 Max, 38-core GPU)", null).profile();
        DeviceDirectory.Match bin = DIR.find("Apple M2 Max (30-core GPU)", "Apple M2 Max");
        DeviceProfile p = bin.profile();
        assertEquals("Apple M2 Max (30-core GPU)", p.name(), "its own device, not the 38-core one");
        assertEquals(full.gpu().fp16FlopsPerSecond() * 30 / 38, p.gpu().fp16FlopsPerSecond(), 1e-3 * p.gpu().fp16FlopsPerSecond());
        assertEquals(full.gpu().activeWatts() * 30 / 38, p.gpu().activeWatts(), 1e-9);
        assertEquals("Apple M2 Max 30-core GPU", p.gpu().name());
        assertEquals(full.dram().bandwidthBytesPerSecond(), p.dram().bandwidthBytesPerSecond(), "the bins of the M2 Max share its bus");
        assertTrue(bin.note().contains("scaled by 30/38 GPU cores"), bin.note());
        // the same count, or none stated: the profile as written
        assertEquals(full, DIR.find("Apple M2 Max (38-core GPU)", "Apple M2 Max").profile());
        assertEquals(full.gpu(), DIR.find("Mac with an Apple M2 Max", "Apple M2 Max").profile().gpu());
        // a bin with its own memory bus has its own profile, found by its core count
        assertEquals("MacBook Pro 14-inch (M3 Max, 30-core GPU)", found("Apple M3 Max (30-core GPU)", "Apple M3 Max"));
        assertEquals(300e9, DIR.find("Apple M3 Max (30-core GPU)", "Apple M3 Max").profile().dram().bandwidthBytesPerSecond());
        assertEquals("MacBook Pro 14-inch (M4 Max, 32-core GPU)", found("Apple M4 Max (32-core GPU)", "Apple M4 Max"));
    }

    @Test
    void anotherTierOfTheLineOrAnotherNamedChipIsNotAShortName() {
        // the iPhone 16 (A18) is not the iPhone 16 Pro (A18 Pro): "Pro" names another tier
        assertNull(found("Apple iPhone 16", null));
        // "Jetson Orin" could be the AGX or a Nano: neither is taken for it
        assertNull(found("NVIDIA Jetson Orin", null));
        // a tier word after a profile's whole name is another model: the iPhone 13 Pro is not a variant of a profile named
        // "Apple iPhone 13" (both have the A15 here, but the rule cannot know; the iPhone 14 Pro's A16 is not the 14's A15)
        DeviceDirectory thirteen = DeviceDirectory.of(java.util.List.of(renamed(DIR.find("Apple iPhone 14", null).profile(), "Apple iPhone 13")));
        assertNull(thirteen.find("Apple iPhone 13 Pro", null));
        assertEquals("Apple iPhone 13", thirteen.find("Apple iPhone 13 (128 GB)", null).profile().name());
        // the first Jetson Nano (Tegra X1) is not the Jetson Orin Nano, though every word of it is in that profile's name
        assertNull(found("Jetson Nano", "NVIDIA Tegra X1"));
        assertNull(found("NVIDIA Jetson Nano Developer Kit", null));
        assertEquals("NVIDIA Jetson Orin Nano 8GB Developer Kit (original clocks)", found("Jetson Orin Nano Developer Kit", null));
        // a named chip overrides the words: an M1 MacBook Air is not the M2 profile
        assertEquals("MacBook Air 13-inch (M1, 7-core GPU)", found("MacBook Air M2", "Apple M1"));
        assertNotNull(found("MacBook Air M2", "Apple M2"));
    }

    @Test
    void aPhoneWithoutAProfileFindsTheSpecOnlyProfileOfItsChip() {
        assertEquals("Xiaomi Mi 11", found("Samsung Galaxy Z Flip3", "Snapdragon 888 (SM8350)"));
        assertEquals("Xiaomi 12S Ultra", found("OnePlus 10T", "Snapdragon 8+ Gen 1"));
        assertEquals("Xiaomi 12S Ultra", found("Motorola Edge 30 Ultra", "Qualcomm SM8475"));
        assertEquals("Google Pixel 7 Pro", found("Google Pixel 7a", "Google Tensor G2"));
        assertEquals("vivo X200 Pro", found("OPPO Find X8 Pro", "MediaTek Dimensity 9400"));
        assertEquals("vivo X200 Pro", found("OPPO Find X8", "MT6991"));
        assertEquals("Samsung Galaxy S24+ (Exynos 2400)", found("Samsung Galaxy S24 (Exynos)", "Samsung Exynos 2400"));
        assertEquals("Xiaomi Civi 4 Pro", found("POCO F6", "Snapdragon 8s Gen 3"));
        assertEquals("POCO F5", found("Realme GT Neo 5 SE", "Qualcomm Snapdragon 7+ Gen 2"));
        // the note says the row was simulated on another device with the chip
        assertTrue(DIR.find("OnePlus 10T", "Snapdragon 8+ Gen 1").note().contains("same chip"));
    }

    @Test
    void neighbouringChipsOfOneGenerationDoNotCrossMatch() {
        // 8 Gen 1 (Samsung-made) is not the 8+ Gen 1 (TSMC-made) and the other way round
        assertEquals("Samsung Galaxy S22", found("Xiaomi 12", "Snapdragon 8 Gen 1"));
        assertEquals("Xiaomi 12S Ultra", found("Xiaomi 12S", "Snapdragon 8+ Gen 1"));
        // 8s Gen 3 is not the 8 Gen 3
        String eightGen3 = found("POCO F6 Pro", "Snapdragon 8 Gen 3");
        assertNotNull(eightGen3);
        assertTrue(SocNames.sameChip("Snapdragon 8 Gen 3", profileSoc(eightGen3)), eightGen3);
        assertNotEquals("Xiaomi Civi 4 Pro", eightGen3);
        assertEquals("Xiaomi Civi 4 Pro", found("Redmi Note 13 Turbo", "Snapdragon 8s Gen 3"));
        // the Galaxy S24 FE's Exynos 2400e is another chip than the Exynos 2400; Tensor G2 is not G3
        assertNull(found("Samsung Galaxy S24 FE", "Exynos 2400e"));
        assertEquals("Google Pixel 8 Pro", found("Google Pixel 8a", "Google Tensor G3"));
        // the 7 Gen 1 has no profile; the 8 Gen 2 is not the 7+ Gen 2
        assertNull(found("Some Phone", "Snapdragon 7 Gen 1"));
        assertNotEquals("POCO F5", found("Some Phone", "Snapdragon 8 Gen 2 (SM8550)"));
    }

    private static String profileSoc(String name) {
        return DIR.profiles().stream().filter(p -> p.name().equals(name)).findFirst().orElseThrow().soc();
    }

    @Test
    void anotherDeviceWithTheChipOfASpecOnlyProfileFindsItAndNeighbouringChipsDoNot() {
        // A16 (iPhone 15) vs A17 Pro (iPhone 15 Pro); "Bionic" is optional in a row's chip
        assertEquals("Apple iPhone 15", found("Apple iPad (A16)", "A16 Bionic"));
        assertEquals("Apple iPhone 15", found("Apple iPad (A16)", "Apple A16"));
        assertEquals("Apple iPhone 15", found("Apple iPhone 14 Pro Max", null));
        assertEquals("Apple iPhone 15", found("Apple iPhone 15", null));
        assertEquals("Apple iPhone 15 Pro", found("Apple iPhone 15 Pro", null));
        assertEquals("Apple iPhone 15 Pro", found("Some phone", "Apple A17 Pro"));
        // A15 (iPhone 14 profile): an iPhone 13 row finds it by its chip
        assertEquals("Apple iPhone 14", found("Apple iPhone 13", "Apple A15 Bionic"));
        assertEquals("Apple iPhone 14", found("Apple iPhone 13 Pro", null));
        // M2 vs M2 Pro vs M2 Max
        assertEquals("MacBook Pro 14-inch (M2 Pro, 19-core GPU)", found("Mac mini (M2 Pro, 2023)", "Apple M2 Pro"));
        assertEquals("MacBook Air 13-inch (M2, 8-core GPU)", found("Mac mini (M2, 2023)", "Apple M2"));
        assertEquals("MacBook Air 13-inch (M2, 8-core GPU)", found("MacBook Pro M2", "Apple M2"));
        assertEquals("MacBook Pro 16-inch (M2 Max, 38-core GPU)", found("Mac Studio (M2 Max)", "Apple M2 Max"));
        // the 60-core bin: the 76-core profile with its GPU scaled, under the row's own name
        assertEquals("Mac Studio (M2 Ultra, 60-core GPU)", found("Mac Studio (M2 Ultra, 60-core GPU)", "Apple M2 Ultra"));
        assertTrue(DIR.find("Mac Studio (M2 Ultra, 60-core GPU)", "Apple M2 Ultra").note().contains("'Mac Studio (M2 Ultra, 76-core GPU)', the same chip"));
        assertNull(found("MacBook Pro (M5 Max)", "Apple M5 Max"), "no profile has the M5 Max, and the M5 is not it");
        assertEquals("Mac Studio (M3 Ultra, 80-core GPU)", found("Mac Studio (M3 Ultra)", "Apple M3 Ultra"), "the full chip when no bin is named");
        // x86 laptop chips by their model numbers: the 155H's profile is not the 165H's
        assertEquals("Laptop with Intel Core Ultra 7 155H", found("ASUS Zenbook 14 OLED", "Intel Core Ultra 7 155H"));
        assertEquals("Laptop with Intel Core Ultra 7 258V", found("Lenovo Yoga Slim 7i Aura", "Intel Core Ultra 7 258V (Lunar Lake)"));
        assertEquals("Laptop with AMD Ryzen 7 8845HS", found("Beelink SER8", "AMD Ryzen 7 8845HS"));
        assertNull(found("Some laptop", "Intel Core Ultra 7 165H"));
        // M3 vs M3 Max
        assertEquals("MacBook Pro 16-inch (M3 Max, 40-core GPU)", found("Apple MacBook Pro 128GB", "M3 Max"));
        assertEquals("MacBook Pro 14-inch (M3, 10-core GPU)", found("MacBook Pro 14-inch (M3, 8GB)", "Apple M3"));
        assertEquals("MacBook Pro 16-inch (M3 Max, 40-core GPU)", found("MacBook Pro M3 Max", null));
        assertEquals("MacBook Pro 14-inch (M3, 10-core GPU)", found("MacBook Pro M3", null));
        // M4 vs M4 Pro
        assertEquals("MacBook Pro 14-inch (M4 Pro, 20-core GPU)", found("Mac mini (M4 Pro, 14-core CPU)", "Apple M4 Pro"));
        assertEquals("Mac mini (M4, 10-core GPU)", found("Mac mini M4", "Apple M4"));
        assertEquals("MacBook Pro 14-inch (M4 Pro, 20-core GPU)", found("MacBook Pro M4 Pro", null));
        // every word of "MacBook Pro M4" / "MacBook Pro M2" is in the M4 Pro / M2 Pro profile's name, but it names the M4 / M2:
        // the chip in an Apple product's name finds that chip's profile
        assertEquals("Mac mini (M4, 10-core GPU)", found("MacBook Pro M4", null));
        assertEquals("MacBook Air 13-inch (M2, 8-core GPU)", found("MacBook Pro M2", null));
        assertEquals("MacBook Pro 14-inch (M4 Pro, 20-core GPU)", found("Mac mini M4 Pro", null));
        assertEquals("MacBook Pro 14-inch (M3, 10-core GPU)", found("MacBook Air M3", null));
        assertEquals("Apple iPhone 16 Pro", found("iPhone 16 Pro Max", null), "the same A18 Pro");
        assertNull(found("Radxa M2 board", null), "an 'M2' beside no Apple product is no Apple chip");
        // Orin NX vs Orin Nano vs AGX Orin
        assertEquals("NVIDIA Jetson Orin NX 16GB", found("Seeed reComputer J4012", "NVIDIA Orin NX"));
        assertNull(found("Seeed reComputer J3011", "NVIDIA Orin Nano"));
        assertEquals("NVIDIA Jetson AGX Orin", found("NVIDIA Jetson AGX Orin", "NVIDIA AGX Orin"));
        assertEquals("NVIDIA Jetson Orin Nano Super 8GB Developer Kit (JetPack 6.1+ Super clocks)", found("NVIDIA Jetson Orin Nano Super", null));
        // AGX Xavier vs Xavier NX
        assertEquals("NVIDIA Jetson AGX Xavier", found("Connect Tech Rogue", "NVIDIA AGX Xavier"));
        assertEquals("NVIDIA Jetson AGX Xavier", found("Jetson AGX Xavier Developer Kit", null));
        assertNull(found("NVIDIA Jetson Xavier NX", "NVIDIA Xavier NX"));
        assertNull(found("NVIDIA Jetson Xavier NX", null));
    }

    private static DeviceProfile renamed(DeviceProfile p, String name) {
        return new DeviceProfile(p.schemaVersion(), name, p.soc(), p.dram(), p.cpu(), p.caches(), p.accelerators(), p.energy(), p.thermal(),
                p.battery(), p.storage(), java.util.List.of());
    }
}
