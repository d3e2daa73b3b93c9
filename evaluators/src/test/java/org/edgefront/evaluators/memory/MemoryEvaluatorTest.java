package org.edgefront.evaluators.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.commons.math3.random.Well19937c;
import org.edgefront.nativert.device.Backend;
import org.edgefront.nativert.calibration.BackendCalibration;
import org.edgefront.nativert.device.Workload;
import org.edgefront.nativert.calibration.BackendCalibration;
import org.edgefront.nativert.device.Backend;
import org.edgefront.nativert.device.Workload;
import org.edgefront.nativert.reference.MemoryModel;
import org.edgefront.space.candidate.Candidate;
import org.edgefront.space.candidate.SearchSpace;
import org.edgefront.space.compress.TensorChoice;
import org.edgefront.space.compress.WeightFormat;
import org.edgefront.space.metric.Evaluation;
import org.edgefront.space.metric.Metric;
import org.edgefront.space.model.ModelArchitecture;
import org.edgefront.space.model.TensorSpec;
import org.junit.jupiter.api.Test;

class MemoryEvaluatorTest {
    private static final ModelArchitecture ARCH =
            ModelArchitecture.llama("mem-test", 64, 128, 2, 4, 2, 256, 512, false, 1e-5, 1e4, true);
    private static final SearchSpace SPACE = SearchSpace.perTensor(ARCH, List.of(TensorChoice.of(WeightFormat.Q4_0),
            TensorChoice.of(WeightFormat.Q8_0), TensorChoice.of(WeightFormat.F16), TensorChoice.parse("Q4_0+2:4")));
    private static final Workload W = new Workload(64, 64, 512, 16, 4, Backend.CPU);
    private static final BackendCalibration CAL = BackendCalibration.defaultFor(Backend.CPU);

    @Test
    void uniformQ4_0MatchesHandComputedBlocks() {
        Evaluation e = new MemoryEvaluator(SPACE, W, CAL).evaluate(SPACE.uniform(0));
        long expected = 0;
        for (TensorSpec t : ARCH.linearTensors()) expected += (long) t.rows() * (t.cols() / 32) * 18; // 18 B per 32 weights
        assertEquals(expected, (long) e.measurements().get(Metric.WEIGHT_BYTES));
        assertEquals(4.5, e.measurements().get(Metric.BITS_PER_WEIGHT), 1e-12);
        // KV: 2 x 2 layers x 512 positions x kvDim 32 x 2 bytes
        assertEquals(2L * 2 * 512 * 32 * 2, (long) e.measurements().get(Metric.KV_CACHE_BYTES));
    }

    @Test
    void totalMemoryIsTheSumOfHandComputedParts() {
        MemoryEvaluator ev = new MemoryEvaluator(SPACE, W, CAL);
        // KV: 2 x 2 layers x 512 positions x kvDim 32 x 2 bytes
        long kv = 2L * 2 * 512 * 32 * 2;
        // activations, fp32: one ubatch of residual, normed input and attention output (3 x 64) and FFN gate and
        // up (2 x 128), its 4 heads' scores over the 512-token context, and 256 logits
        long ub = (long) Math.min(64, CAL.ubatchTokens());
        long activations = 4L * (ub * (3 * 64 + 2 * 128) + 4 * ub * 512 + 256);
        // runtime: the engine's fixed bytes and fp32 norm weights, (2 x 2 layers + 1) x 64
        long runtime = (long) CAL.runtimeFixedBytes() + 4L * 5 * 64;
        // bytes per 32 weights of the dense options: Q4_0 18, Q8_0 34, F16 64
        long[] per32 = {18, 34, 64};
        int tensors = ARCH.linearTensors().size();
        for (int first = 0; first < 3; first++) {
            for (int rest = 0; rest < 3; rest++) {
                int[] g = new int[tensors];
                java.util.Arrays.fill(g, rest);
                g[0] = first;
                long weights = 0;
                for (int i = 0; i < tensors; i++) {
                    TensorSpec t = ARCH.linearTensors().get(i);
                    weights += (long) t.rows() * t.cols() / 32 * per32[g[i]];
                }
                Evaluation e = ev.evaluate(new Candidate(g));
                assertEquals(weights, (long) e.measurements().get(Metric.WEIGHT_BYTES), "weights " + first + "/" + rest);
                assertEquals(weights + kv + activations + runtime, (long) e.measurements().get(Metric.MEMORY_BYTES),
                        "total " + first + "/" + rest);
            }
        }
    }

    @Test
    void aSlidingWindowArchitecturesLocalLayersHoldTheirWindowLikeTheSimulator() {
        // a Gemma 3 shape searched at an 8192-token context: the local layers hold 64 + one micro-batch of positions
        ModelArchitecture gemma = ARCH.withSlidingWindow(new org.edgefront.space.model.SlidingWindow(64, 2, 10000.0));
        SearchSpace space = SearchSpace.perTensor(gemma, List.of(TensorChoice.of(WeightFormat.Q4_0)));
        Workload w = new Workload(4096, 64, 8192, 16, 4, Backend.CPU);
        Evaluation e = new MemoryEvaluator(space, w, CAL).evaluate(space.uniform(0));
        long kvRow = 2L * gemma.kvDim() * 2; // K and V, 16-bit
        long local = (long) Math.min(8192, 64 + CAL.ubatchTokens());
        assertEquals((double) (kvRow * 8192 + kvRow * local), e.measurements().get(Metric.KV_CACHE_BYTES), "layer 1 global, layer 0 local");
        try (org.edgefront.nativert.NativeSimulator sim = new org.edgefront.nativert.NativeSimulator(
                org.edgefront.nativert.calibration.Calibrations.defaults())) {
            java.util.Map<String, TensorChoice> q4 = new java.util.HashMap<>();
            for (TensorSpec t : gemma.linearTensors()) q4.put(t.name(), TensorChoice.of(WeightFormat.Q4_0));
            org.edgefront.nativert.device.DeviceProfile pi5 = org.edgefront.nativert.device.DeviceProfiles.load("../configs/devices/raspberry-pi-5.yaml");
            assertEquals(e.measurements().get(Metric.KV_CACHE_BYTES), (double) sim.simulate(pi5, w, gemma, q4).memory().kvCacheBytes(),
                    "the search's memory and the native simulator agree");
        }
    }

    @Test
    void candidateOutsideTheSpaceFailsAsData() {
        Evaluation e = new MemoryEvaluator(SPACE, W, CAL).evaluate(new Candidate(new int[] {9}));
        assertFalse(e.ok());
        assertTrue(e.failureReason().contains("not in the search space"));
    }

    @Test
    void factorySurvivesJavaSerialization() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream o = new ObjectOutputStream(bytes)) {
            o.writeObject(new MemoryEvaluator.Factory(SPACE, W, CAL));
        }
        MemoryEvaluator.Factory f;
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            f = (MemoryEvaluator.Factory) in.readObject();
        }
        Candidate c = SPACE.sample(new Well19937c(new SplittableRandom(5).nextInt()));
        assertEquals(new MemoryEvaluator(SPACE, W, CAL).evaluate(c), f.create().evaluate(c));
    }
}
