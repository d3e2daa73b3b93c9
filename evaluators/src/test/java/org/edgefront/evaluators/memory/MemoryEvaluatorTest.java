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
import org.edgefront.nativert.reference.MemoryModel;
import org.edgefront.nativert.device.Workload;
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
    void totalMemoryIsTheSumOfTheMemoryModelParts() {
        MemoryEvaluator ev = new MemoryEvaluator(SPACE, W, CAL);
        Well19937c rng = new Well19937c(11);
        for (int i = 0; i < 50; i++) {
            Candidate c = SPACE.sample(rng);
            long expected = MemoryModel.of(ARCH, SPACE.choices(c), W, CAL).totalBytes();
            assertEquals(expected, (long) ev.evaluate(c).measurements().get(Metric.MEMORY_BYTES));
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
