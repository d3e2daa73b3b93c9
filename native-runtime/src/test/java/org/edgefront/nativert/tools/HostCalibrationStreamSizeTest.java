package org.edgefront.nativert.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class HostCalibrationStreamSizeTest {
    private static final long MIB = 1L << 20;

    @Test
    void streamArraysAreFourLastLevelCachesWithinTheHeap() {
        assertEquals(128 * MIB, HostCalibration.streamBytes(32 * MIB, 6L << 30), "a desktop L3: four times it");
        assertEquals(64 * MIB, HostCalibration.streamBytes(4 * MIB, 6L << 30), "never below 64 MiB");
        // a VM slice reporting its socket's 480 MiB L3 under a 3 GiB test heap: an eighth of the heap, not 1.9 GB
        assertEquals(384 * MIB, HostCalibration.streamBytes(480 * MIB, 3L << 30));
        assertEquals(1L << 30, HostCalibration.streamBytes(480 * MIB, 64L << 30), "at most 1 GiB");
    }
}
