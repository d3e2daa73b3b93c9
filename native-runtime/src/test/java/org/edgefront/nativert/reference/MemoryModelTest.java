package org.edgefront.nativert.reference;

import org.edgefront.nativert.EncodedChoice;
import org.edgefront.nativert.MemoryBreakdown;
import org.edgefront.nativert.NativeSimulator;
import org.edgefront.nativert.TestFixtures;
import org.edgefront.nativert.device.Backend;
import org.edgefront.nativert.device.DeviceProfile;
import org.edgefront.nativert.device.Workload;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.edgefront.space.compress.TensorChoice;
import org.edgefront.space.compress.WeightFormat;
import org.edgefront.space.model.ModelArchitecture;
import org.edgefront.space.model.TensorRole;
import org.edgefront.space.model.TensorSpec;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

class MemoryModelTest {

    @Test
    void quantizedTensorMemoryMatchesHandComputedBytes() {
        TensorSpec t = new TensorSpec("w", TensorRole.Q, 0, 64, 64);
        // 64 rows x 2 blocks of 32 weights x 18 bytes (16 B of nibbles + fp16 scale)
        assertEquals(64 * 2 * 18, TensorChoice.of(WeightFormat.Q4_0).bytes(t));
        assertEquals(2304, EncodedChoice.encode(t, TensorChoice.of(WeightFormat.Q4_0)).weightBytes());
    }

    @Test
    void kvCacheMatchesHandComputedBytes() {
        ModelArchitecture a = TestFixtures.smallLlama(false); // 4 layers, kvDim = 32 x 2 = 64
        // 2 (K,V) x 4 layers x 2048 positions x 64 x 2 bytes (f16)
        assertEquals(2L * 4 * 2048 * 64 * 2, MemoryModel.kvCacheBytes(a, 2048, 16, 512));
        assertEquals(2L * 4 * 2048 * 64 / 2, MemoryModel.kvCacheBytes(a, 2048, 4, 512));
    }

    @Test
    void weightBytesSumEveryTensorExactly() {
        ModelArchitecture a = TestFixtures.smallLlama(false);
        long expected = 0;
        for (TensorSpec t : a.linearTensors()) expected += (t.parameterCount() / 32) * 34; // Q8_0: 34 B per 32
        assertEquals(expected, MemoryModel.weightBytes(a, TestFixtures.uniform(a, TensorChoice.of(WeightFormat.Q8_0))));
    }

    @Test
    @Tag("native")
    void nativeAndJavaMemoryAgreeExactly() {
        ModelArchitecture a = TestFixtures.smallLlama(true);
        DeviceProfile d = TestFixtures.s23();
        SplittableRandom rng = new SplittableRandom(7);
        try (NativeSimulator sim = new NativeSimulator()) {
            for (Workload w : List.of(Workload.standard(Backend.CPU, 4), new Workload(100, 28, 256, 8, 6, Backend.NPU))) {
                for (int i = 0; i < 20; i++) {
                    Map<String, TensorChoice> c = TestFixtures.random(a, rng);
                    MemoryBreakdown java = MemoryModel.of(a, c, w, sim.calibrations().forBackend(w.backend()));
                    assertEquals(java, sim.simulate(d, w, a, c).memory());
                }
            }
        }
    }
}
