package org.edgefront.nativert.tools;

import org.edgefront.nativert.TestFixtures;
import org.edgefront.nativert.device.Backend;
import org.edgefront.nativert.device.Workload;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The deterministic part of the simulator benchmark. Its throughput is a benchmark figure, not a test:
 * {@code bin/edgefront bench simulator --threads 2 --json} prints it and BENCHMARKS.md records it.
 */
@Tag("native")
class SimulatorBenchmarkTest {
    @Test
    void batchedSimulationPredictsTheSameWhateverTheBatchSizeAndRepeatsForASeed() throws Exception {
        Workload w = Workload.standard(Backend.CPU, 6);
        SimulatorBenchmark.Result big = SimulatorBenchmark.run(TestFixtures.s23(), w, 5_000, 2048, 1, 1);
        SimulatorBenchmark.Result small = SimulatorBenchmark.run(TestFixtures.s23(), w, 5_000, 97, 1, 1);
        assertEquals(5_000, big.candidates());
        assertEquals(5_000, small.candidates());
        assertTrue(big.checksum() > 0 && Double.isFinite(big.checksum()), "sum of predicted decode tok/s " + big.checksum());
        // the same candidate stream in batches of 2048 or of 97 (the last one partial): identical predictions
        assertEquals(big.checksum(), small.checksum(), 0.0);
        assertEquals(big.checksum(), SimulatorBenchmark.run(TestFixtures.s23(), w, 5_000, 2048, 1, 1).checksum(), 0.0);
        assertNotEquals(big.checksum(), SimulatorBenchmark.run(TestFixtures.s23(), w, 5_000, 2048, 1, 2).checksum(), "another seed");
    }
}
