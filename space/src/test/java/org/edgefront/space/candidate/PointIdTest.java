package org.edgefront.space.candidate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.commons.math3.random.Well19937c;
import org.edgefront.space.compress.TensorChoice;
import org.edgefront.space.model.ModelArchitecture;
import org.edgefront.space.model.TensorSpec;
import org.junit.jupiter.api.Test;

/** A candidate's id is the content address of its configuration: per-tensor labels and structure plan, not genes. */
class PointIdTest {
    private static final ModelArchitecture ARCH = ModelArchitecture.llama("t", 64, 172, 2, 8, 4, 512, 512, false, 1e-5, 10000, true);
    private static final TensorChoice F16 = TensorChoice.parse("F16");
    private static final TensorChoice Q8 = TensorChoice.parse("Q8_0");
    private static final TensorChoice Q4 = TensorChoice.parse("Q4_0");
    private static final TensorChoice INT3 = TensorChoice.parse("int3g32");

    @Test
    void theSameConfigurationHasTheSameIdInSpacesWithDifferentOptionLists() {
        SearchSpace a = SearchSpace.perTensor(ARCH, List.of(F16, Q8, Q4));
        SearchSpace b = SearchSpace.perTensor(ARCH, List.of(INT3, Q4, Q8, F16));
        for (int seed = 0; seed < 20; seed++) {
            Candidate c = a.sample(new Well19937c(seed));
            Candidate same = b.candidateOf(a.choices(c));
            assertNotEquals(java.util.Arrays.toString(c.genes()), java.util.Arrays.toString(same.genes()));
            assertEquals(c.id(), same.id());
        }
    }

    @Test
    void groupingTensorsIntoOneDecisionDoesNotChangeTheId() {
        SearchSpace perTensor = SearchSpace.perTensor(ARCH, List.of(F16, Q8, Q4));
        Map<String, List<String>> byRole = new HashMap<>();
        for (TensorSpec t : ARCH.linearTensors()) byRole.computeIfAbsent(t.role().name(), k -> new ArrayList<>()).add(t.name());
        List<Decision> ds = new ArrayList<>();
        for (Map.Entry<String, List<String>> e : byRole.entrySet()) ds.add(new Decision(e.getKey(), e.getValue(), List.of(Q4, F16, Q8)));
        SearchSpace grouped = new SearchSpace(ARCH, ds);
        for (int seed = 0; seed < 10; seed++) {
            Candidate c = grouped.sample(new Well19937c(seed));
            assertEquals(c.id(), perTensor.candidateOf(grouped.choices(c)).id());
        }
    }

    @Test
    void aSpaceWithoutStructureAndOneKeepingAllStructureGiveTheSameId() {
        SearchSpace plain = SearchSpace.perTensor(ARCH, List.of(F16, Q8));
        SearchSpace structured = plain.withStructure(StructureDecision.forModel(ARCH, List.of(1.0, 0.5), List.of(1.0, 0.5), true, List.of(1.0, 0.5)));
        assertEquals(plain.uniform(1).id(), structured.uniform(1).id());
        // pruning one layer's heads is another configuration
        int[] g = structured.uniform(1).genes();
        g[plain.dimensions()] = 1;
        assertNotEquals(plain.uniform(1).id(), structured.candidate(g).id());
    }

    @Test
    void differentConfigurationsHaveDifferentIds() {
        SearchSpace s = SearchSpace.perTensor(ARCH, List.of(F16, Q8, Q4));
        Set<String> ids = new HashSet<>();
        Set<String> configs = new HashSet<>();
        for (int seed = 0; seed < 500; seed++) {
            Candidate c = s.sample(new Well19937c(seed));
            if (configs.add(s.choices(c).toString())) assertEquals(configs.size(), ids.add(c.id()) ? ids.size() : -1);
        }
        Candidate base = s.uniform(0);
        for (int i = 0; i < s.dimensions(); i++) assertNotEquals(base.id(), s.with(base, i, 1).id(), "decision " + i);
        // swapping two tensors' choices is another configuration too
        assertNotEquals(s.with(s.with(base, 0, 1), 1, 2).id(), s.with(s.with(base, 0, 2), 1, 1).id());
    }

    @Test
    void idsAreStableAcrossRunsAndTravelWithTheCandidate() {
        SearchSpace s = SearchSpace.perTensor(ARCH, List.of(F16, Q8, Q4));
        Candidate c = s.with(s.uniform(0), 3, 2);
        // pinned: ids are stored in run directories and compared across runs, so a change of the address definition
        // (which would orphan every stored id) must be deliberate
        assertEquals("672efe2a3ace0178", c.id());
        assertEquals(c, Candidate.withId(c.genes(), c.id()));
        assertEquals(c, s.candidate(c.genes()));
        assertThrows(IllegalArgumentException.class, () -> s.candidate(new int[] {9}));
    }
}
