package org.edgefront.nativert.device;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import org.junit.jupiter.api.Test;

class SocNamesTest {
    @Test
    void aChipIsKnownByItsPartNumberOrItsNameWhateverTheBinOrVendorWords() {
        assertTrue(SocNames.sameChip("Snapdragon 8 Gen 2 (SM8550)", "Snapdragon 8 Gen 2 for Galaxy (SM8550-AB)"));
        assertTrue(SocNames.sameChip("Qualcomm SM8550", "Snapdragon 8 Gen 2 for Galaxy (SM8550-AB)"));
        assertTrue(SocNames.sameChip("Qualcomm Snapdragon 8 Gen 3", "Snapdragon 8 Gen 3 (SM8650)"));
        assertTrue(SocNames.sameChip("M1 Max", "Apple M1 Max"));
        // Apple's chip inside a product name, the longest form
        assertTrue(SocNames.sameChip("Mac mini M4 Pro", "Apple M4 Pro"));
        assertFalse(SocNames.sameChip("Mac mini M4 Pro", "Apple M4"));
        assertTrue(SocNames.sameChip("MacBook Air M3 (2024)", "Apple M3"));
        assertFalse(SocNames.sameChip("Apple iPhone 15", "Apple A15 Bionic"), "a model number is no chip");
        assertTrue(SocNames.sameChip("MediaTek Dimensity 8400", "MediaTek Dimensity 8400 (MT6899)"));
        assertTrue(SocNames.sameChip("Intel Core i5-13600K", "Intel Core i5-13600K (Raptor Lake-S)"));
        assertTrue(SocNames.sameChip("RK3588S", "Rockchip RK3588S"));
        // the RK3588S is the RK3588's silicon in a package with fewer I/O lanes: one chip for the simulator
        assertTrue(SocNames.sameChip("Rockchip RK3588", "Rockchip RK3588S"));
        assertFalse(SocNames.sameChip("Rockchip RK3588", "Rockchip RK3568"));
        // Qualcomm's X Elite parts are one die in clock bins; the X Plus is another
        assertTrue(SocNames.sameChip("Snapdragon X Elite X1E-78-100", "Snapdragon X Elite"));
        assertTrue(SocNames.sameChip("Qualcomm X1E-84-100", "Snapdragon X Elite"));
        assertFalse(SocNames.sameChip("Snapdragon X Plus X1P-64-100", "Snapdragon X Elite"));
        assertEquals(Set.of("sm8650", "snapdragon 8 gen 3"), SocNames.keys("Snapdragon 8 Gen 3 for Galaxy (SM8650-AC)"));
    }

    @Test
    void differentChipsOfOneFamilyDoNotMatch() {
        assertFalse(SocNames.sameChip("Snapdragon 8 Elite", "Snapdragon 8 Elite Gen 5 (SM8850)"));
        assertFalse(SocNames.sameChip("Apple M1", "Apple M1 Max"));
        assertFalse(SocNames.sameChip("Snapdragon 8 Gen 2", "Snapdragon 8 Gen 3 (SM8650)"));
        assertFalse(SocNames.sameChip("Broadcom BCM2711", "Broadcom BCM2712"));
        assertFalse(SocNames.sameChip("Apple M2", "Apple M2 Pro"));
        assertFalse(SocNames.sameChip("Apple M2 Pro", "Apple M2 Max"));
        assertFalse(SocNames.sameChip("Apple M4", "Apple M4 Pro"));
        assertFalse(SocNames.sameChip("Apple M3", "Apple M3 Max"));
        assertFalse(SocNames.sameChip("A16 Bionic", "Apple A17 Pro"));
        assertFalse(SocNames.sameChip("NVIDIA Orin NX", "NVIDIA Orin Nano"));
        assertFalse(SocNames.sameChip("NVIDIA AGX Xavier", "NVIDIA Xavier NX"));
    }

    @Test
    void appleWritesItsPhoneChipsWithOrWithoutBionic() {
        assertEquals(Set.of("a16"), SocNames.keys("Apple A16 Bionic"));
        assertTrue(SocNames.sameChip("A16", "Apple A16 Bionic"));
        assertTrue(SocNames.sameChip("Apple A15 Bionic (5-core GPU)", "A15"));
    }

    @Test
    void aGenericOrEmptyDescriptionMatchesNothing() {
        // one generic word would join unrelated boards (the Jetson Orin variants differ in cores and clocks)
        assertTrue(SocNames.keys("NVIDIA Orin (6x Cortex-A78AE, 1024-core Ampere GPU)").isEmpty());
        assertTrue(SocNames.keys("").isEmpty());
        assertTrue(SocNames.keys(null).isEmpty());
        assertFalse(SocNames.sameChip("", "Snapdragon 8 Gen 2 (SM8550)"));
        assertFalse(SocNames.sameChip("NVIDIA Orin (6x Cortex-A78AE)", "NVIDIA Orin (12x Cortex-A78AE, 2048-core Ampere GPU)"));
    }

    @Test
    void thePlusOfASnapdragonNameIsOneChipHoweverItIsWritten() {
        assertTrue(SocNames.sameChip("Snapdragon 8 Plus Gen 1", "Snapdragon 8+ Gen 1 (SM8475)"));
        assertTrue(SocNames.sameChip("Qualcomm Snapdragon 8 Gen 1+", "Snapdragon 8+ Gen 1"));
        assertFalse(SocNames.sameChip("Snapdragon 8 Plus Gen 1", "Snapdragon 8 Gen 1"));
    }
}
