package org.edgefront.space.candidate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.util.List;
import java.util.Map;
import org.apache.commons.math3.random.Well19937c;
import org.edgefront.space.compress.TensorChoice;
import org.edgefront.space.model.ModelArchitecture;
import org.junit.jupiter.api.Test;

class SearchSpaceTest {
    private static final ModelArchitecture ARCH = ModelArchitecture.llama("t", 64, 172, 2, 8, 4, 512, 512, true, 1e-5, 10000, true);
    private static final List<TensorChoice> OPTS = List.of(TensorChoice.parse("F16"), TensorChoice.parse("Q8_0"), TensorChoice.parse("int3g32"));

    @Test
    void perTensorSpaceHasOneDecisionPerLinearTensor() {
        SearchSpace s = SearchSpace.perTensor(ARCH, OPTS);
        assertEquals(1 + 2 * 7, s.dimensions());
        assertEquals(BigInteger.valueOf(3).pow(15), s.size());
    }

    @Test
    void samplingIsSeededAndStaysInTheSpace() {
        SearchSpace s = SearchSpace.perTensor(ARCH, OPTS);
        Candidate a = s.sample(new Well19937c(5));
        assertEquals(a, s.sample(new Well19937c(5)));
        assertTrue(s.contains(a));
        assertFalse(s.contains(new Candidate(new int[] {9})));
    }

    @Test
    void choicesRoundTripThroughCandidateOf() {
        SearchSpace s = SearchSpace.perTensor(ARCH, OPTS);
        Candidate c = s.sample(new Well19937c(1));
        Map<String, TensorChoice> ch = s.choices(c);
        assertEquals(ARCH.linearTensors().size(), ch.size());
        assertEquals(c, s.candidateOf(ch));
    }

    @Test
    void candidateIdDependsOnlyOnGenes() {
        Candidate a = new Candidate(new int[] {1, 2, 3});
        assertEquals(a.id(), new Candidate(new int[] {1, 2, 3}).id());
        assertNotEquals(a.id(), new Candidate(new int[] {3, 2, 1}).id());
        assertEquals(16, a.id().length());
    }

    @Test
    void aTensorInTwoDecisionsIsRejected() {
        String q = ARCH.linearTensors().get(1).name();
        List<Decision> ds = new java.util.ArrayList<>();
        for (var t : ARCH.linearTensors()) ds.add(new Decision(t.name(), List.of(t.name()), OPTS));
        ds.add(new Decision("dup", List.of(q), OPTS));
        assertThrows(IllegalArgumentException.class, () -> new SearchSpace(ARCH, ds));
    }
}
