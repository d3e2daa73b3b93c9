package org.edgefront.nativert.device;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
    void anotherTierOfTheLineOrAnotherNamedChipIsNotAShortName() {
        // the iPhone 15 (A16) is not the iPhone 15 Pro (A17 Pro): "Pro" names another tier
        assertNull(found("Apple iPhone 15", null));
        // "Jetson Orin" could be the AGX or a Nano: neither is taken for it
        assertNull(found("NVIDIA Jetson Orin", null));
        // a named chip overrides the words: an M1 MacBook Air is not the M2 profile
        assertEquals("MacBook Air 13-inch (M1, 7-core GPU)", found("MacBook Air M2", "Apple M1"));
        assertNotNull(found("MacBook Air M2", "Apple M2"));
    }
}
