package org.edgefront.evaluators.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.edgefront.nativert.device.Backend;
import org.edgefront.nativert.calibration.BackendCalibration;
import org.edgefront.nativert.device.Workload;
import org.edgefront.space.candidate.Candidate;
import org.edgefront.space.candidate.SearchSpace;
import org.edgefront.space.candidate.StructureDecision;
import org.edgefront.space.compress.TensorChoice;
import org.edgefront.space.metric.Evaluation;
import org.edgefront.space.metric.Metric;
import org.edgefront.space.model.ModelArchitecture;
import org.junit.jupiter.api.Test;

/** Memory of candidates that prune structure: sized at their pruned shapes. */
class StructuredMemoryTest {
    /** 2 layers, dim 64, FFN 256, 4 heads in 2 KV groups (head size 16), vocabulary 256, untied. */
    private static final ModelArchitecture ARCH = ModelArchitecture.llama("mem-structure", 64, 256, 2, 4, 2, 256, 512, false, 1e-5, 1e4, true);
    private static final SearchSpace SPACE = SearchSpace.perTensor(ARCH, List.of(TensorChoice.parse("Q8_0"), TensorChoice.parse("F16")))
            .withStructure(StructureDecision.forModel(ARCH, List.of(1.0, 0.5), List.of(1.0, 0.5), true, List.of(1.0, 0.5)));
    private static final Workload W = new Workload(64, 64, 512, 16, 4, Backend.CPU);
    private static final BackendCalibration CAL = BackendCalibration.defaultFor(Backend.CPU);

    private static Candidate candidate(int tensorOption, int... structure) {
        int[] g = new int[SPACE.dimensions()];
        for (int i = 0; i < SPACE.decisions().size(); i++) g[i] = tensorOption;
        for (int k = 0; k < structure.length; k++) g[SPACE.decisions().size() + k] = structure[k];
        return new Candidate(g);
    }

    private static long q8(long rows, long cols) { return rows * (cols / 32) * 34; }

    @Test
    void prunedCandidatesAreSizedAtTheirPrunedShapes() {
        MemoryEvaluator m = new MemoryEvaluator(SPACE, W, CAL);
        Evaluation full = m.evaluate(candidate(0));
        // layer 0 keeps 1 of 2 KV groups and 128 of 256 channels; layer 1 is dropped; vocabulary halved
        Evaluation pruned = m.evaluate(candidate(0, 1, 1, 0, 0, 0, 1, 1));
        int hd = 16;
        long expected = q8(128, 64) * 2                      // embedding and LM head, 128 tokens each
                + q8(2 * hd, 64) + q8(hd, 64) * 2 + q8(64, 2 * hd)   // q (2 heads), k and v (1 group), o (2 heads' columns)
                + q8(128, 64) * 2 + q8(64, 128);                 // gate, up, down at 128 channels
        assertEquals(expected, (long) pruned.measurements().get(Metric.WEIGHT_BYTES));
        long fullKv = (long) full.measurements().get(Metric.KV_CACHE_BYTES);
        // one layer left, with one KV group of two: a quarter of the KV cache
        assertEquals(fullKv / 4, (long) pruned.measurements().get(Metric.KV_CACHE_BYTES));
        assertTrue(pruned.measurements().get(Metric.MEMORY_BYTES) < full.measurements().get(Metric.MEMORY_BYTES));
        // bits per weight stay per original weight, so pruning shows as fewer bits
        assertEquals(8.0 * expected / ARCH.linearParameterCount(), pruned.measurements().get(Metric.BITS_PER_WEIGHT), 1e-12);
    }

    @Test
    void keepingTheWholeStructureCostsWhatTheUnstructuredSpaceSays() {
        SearchSpace plain = SearchSpace.perTensor(ARCH, List.of(TensorChoice.parse("Q8_0"), TensorChoice.parse("F16")));
        Candidate c = candidate(1);
        int[] g = java.util.Arrays.copyOf(c.genes(), plain.dimensions());
        Evaluation a = new MemoryEvaluator(plain, W, CAL).evaluate(new Candidate(g));
        Evaluation b = new MemoryEvaluator(SPACE, W, CAL).evaluate(c);
        for (Metric m : List.of(Metric.WEIGHT_BYTES, Metric.KV_CACHE_BYTES, Metric.MEMORY_BYTES, Metric.BITS_PER_WEIGHT)) {
            assertEquals(a.measurements().get(m), b.measurements().get(m), 0.0, m.jsonName());
        }
    }
}
