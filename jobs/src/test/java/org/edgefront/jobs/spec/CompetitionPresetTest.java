package org.edgefront.jobs.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.edgefront.evaluators.memory.MemoryEvaluator;
import org.edgefront.jobs.TestPaths;
import org.edgefront.nativert.calibration.Calibrations;
import org.edgefront.nativert.device.ModelDescriptors;
import org.edgefront.search.problem.Constraint;
import org.edgefront.search.problem.Objective;
import org.edgefront.space.candidate.Candidate;
import org.edgefront.space.candidate.Decision;
import org.edgefront.space.candidate.SearchSpace;
import org.edgefront.space.candidate.StructureDecision;
import org.edgefront.space.compress.TensorChoice;
import org.edgefront.space.metric.Metric;
import org.edgefront.space.model.ModelArchitecture;
import org.edgefront.space.model.TensorSpec;
import org.junit.jupiter.api.Test;

/**
 * The NeurIPS 2024 Edge-Device LLM Competition compression-track preset encodes the track's rules: FP16 weights
 * only, structured pruning and low rank searched per layer, the 12 GB phone as a memory budget, decode throughput
 * as an objective; and on a track model (Llama-3-8B shapes) the budget binds: unpruned FP16 does not fit, the most
 * pruned candidate does.
 */
class CompetitionPresetTest {
    private static final String PRESET = TestPaths.root().resolve("configs/searches/edge-llm-2024-compression.yaml").toString();

    @Test
    void presetSearchesOnlyFp16WeightsWithStructureAndLowRankUnderTheTwelveGigabyteRule() {
        ResolvedSearch r = SearchSpecLoader.load(PRESET, SearchSpecLoader.Overrides.NONE);
        boolean lowRank = false;
        for (Decision d : r.space().decisions()) {
            for (TensorChoice c : d.options()) {
                assertEquals("F16", c.format().name(), "no quantization: " + c.label());
                assertEquals(org.edgefront.space.compress.Sparsity.Kind.NONE, c.sparsity().kind(), "no sparsity: " + c.label());
                lowRank |= c.isLowRank();
            }
        }
        assertTrue(lowRank, "low rank is searched");
        Set<StructureDecision.Kind> kinds = r.space().structure().stream().map(StructureDecision::kind).collect(Collectors.toSet());
        assertEquals(Set.of(StructureDecision.Kind.HEADS, StructureDecision.Kind.FFN_CHANNELS, StructureDecision.Kind.LAYER), kinds);
        assertTrue(r.problem().constraints().contains(Constraint.atMost(Metric.MEMORY_BYTES, 12L << 30)), r.problem().constraints().toString());
        assertTrue(r.problem().objectives().stream().map(Objective::metric).anyMatch(Metric.DECODE_TOK_S::equals));
        assertTrue(r.device().dram().capacityBytes() == 12L << 30, "a 12 GB phone");
    }

    @Test
    void onLlama3EightBTheBudgetExcludesUnprunedFp16AndAdmitsThePrunedModel() {
        ResolvedSearch preset = SearchSpecLoader.load(PRESET, SearchSpecLoader.Overrides.NONE);
        ModelArchitecture arch = ModelDescriptors.load(TestPaths.root().resolve("configs/models/llama-3-8b.yaml").toString()).architecture();
        List<Decision> decisions = new ArrayList<>();
        List<TensorChoice> options = preset.space().decisions().get(0).options();
        for (TensorSpec t : arch.linearTensors()) decisions.add(new Decision(t.name(), List.of(t.name()), options));
        SearchSpec.Structure s = preset.spec().space().structure();
        SearchSpace space = new SearchSpace(arch, decisions, SearchSpecLoader.structure(PRESET, k -> k, arch, s));
        Constraint budget = preset.problem().constraints().stream().filter(c -> c.metric() == Metric.MEMORY_BYTES).findFirst().orElseThrow();
        int[] pruned = new int[space.dimensions()];
        for (int i = 0; i < space.dimensions(); i++) {
            // most compressed: the lowest rank of every tensor; for structure the lowest keep ratio, but no layer dropped
            boolean layer = i >= decisions.size() && space.structure().get(i - decisions.size()).kind() == StructureDecision.Kind.LAYER;
            pruned[i] = layer ? 0 : space.optionCount(i) - 1;
        }
        try (MemoryEvaluator m = new MemoryEvaluator.Factory(space, preset.workload(),
                Calibrations.defaults().forBackend(preset.workload().backend())).create()) {
            double unprunedBytes = m.evaluate(new Candidate(new int[space.dimensions()])).measurements().get(Metric.MEMORY_BYTES);
            double prunedBytes = m.evaluate(new Candidate(pruned)).measurements().get(Metric.MEMORY_BYTES);
            assertTrue(unprunedBytes > budget.limit(), "FP16 Llama-3-8B needs " + unprunedBytes + " bytes");
            assertTrue(prunedBytes < budget.limit(), "pruned and low-rank Llama-3-8B needs " + prunedBytes + " bytes");
        }
    }
}
