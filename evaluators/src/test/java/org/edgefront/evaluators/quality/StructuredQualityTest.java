package org.edgefront.evaluators.quality;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.edgefront.evaluators.compress.CalibrationStats;
import org.edgefront.evaluators.compress.StructureChoice;
import org.edgefront.evaluators.compress.StructuredPruning;
import org.edgefront.space.candidate.Candidate;
import org.edgefront.space.candidate.SearchSpace;
import org.edgefront.space.candidate.StructureDecision;
import org.edgefront.space.compress.StructurePlan;
import org.edgefront.space.compress.TensorChoice;
import org.edgefront.space.metric.Evaluation;
import org.edgefront.space.metric.Metric;
import org.edgefront.space.model.ModelArchitecture;
import org.edgefront.space.model.TensorSpec;
import org.junit.jupiter.api.Test;

/** Structural decisions of a search space, measured by the quality evaluator. */
class StructuredQualityTest {
    private static final List<TensorChoice> OPTIONS = List.of(TensorChoice.parse("F32"), TensorChoice.parse("int4g32"));
    private final ModelArchitecture a = TinyModels.arch(false);
    private final Map<String, float[]> t = TinyModels.tensors(a, 41);
    private final List<int[]> eval = TinyModels.sequences(4, 24, a.vocabSize(), 42);
    private final List<int[]> calibration = TinyModels.sequences(4, 24, a.vocabSize(), 43);

    private SearchSpace space() {
        return SearchSpace.perTensor(a, OPTIONS).withStructure(
                StructureDecision.forModel(a, List.of(1.0, 0.5), List.of(1.0, 0.5), true, List.of(1.0, 0.5)));
    }

    private QualityEvaluator evaluator(SearchSpace s) throws Exception {
        return QualityEvaluator.calibrated(s, TinyModels.weights(a, t), eval, calibration, Long.MAX_VALUE);
    }

    /** Genes: tensor options all {@code tensorOption}, structural genes as given (heads, ffn, layer per layer, then vocab). */
    private static Candidate candidate(SearchSpace s, int tensorOption, int... structure) {
        int[] g = new int[s.dimensions()];
        for (int i = 0; i < s.decisions().size(); i++) g[i] = tensorOption;
        for (int k = 0; k < structure.length; k++) g[s.decisions().size() + k] = structure[k];
        return new Candidate(g);
    }

    @Test
    void keepingTheWholeStructureMeasuresLikeASpaceWithoutStructure() throws Exception {
        SearchSpace s = space();
        Candidate c = candidate(s, 1);
        try (QualityEvaluator with = evaluator(s); QualityEvaluator without = evaluator(SearchSpace.perTensor(a, OPTIONS))) {
            QualityReport x = with.measure(s.choices(c), s.structurePlan(c));
            QualityReport y = without.measure(s.choices(c));
            assertEquals(y.klNatsPerToken(), x.klNatsPerToken(), 0.0);
            assertEquals(y.perplexity(), x.perplexity(), 0.0);
            assertEquals(0.0, x.droppedReferenceMass(), 0.0);
        }
    }

    @Test
    void prunedUnquantizedModelMatchesTheDivergenceMeterOnTheSameSelection() throws Exception {
        SearchSpace s = space();
        // layer 0: half the KV groups and half the channels; layer 1 dropped; half the vocabulary
        Candidate c = candidate(s, 0, 1, 1, 0, 0, 0, 1, 1);
        StructurePlan plan = s.structurePlan(c);
        ForwardPass base = ForwardPasses.of(a, t);
        CalibrationStats stats = base.inputNorms(calibration);
        Map<String, float[]> lin = new HashMap<>();
        for (TensorSpec ts : a.linearTensors()) lin.put(ts.name(), t.get(ts.name()));
        int[] first = calibration.stream().mapToInt(q -> q[0]).distinct().sorted().toArray();
        StructureChoice sc = StructuredPruning.select(a, plan, StructuredPruning.headScores(a, lin, stats),
                StructuredPruning.channelScores(a, lin, stats), StructuredForward.tokenImportance(base, calibration), first);
        assertEquals(2, sc.keptHeads().get(0).length, "1 of 2 KV groups keeps its 2 query heads");
        assertEquals(24, sc.keptChannels().get(0).length);
        DivergenceMeter.Result expected = new DivergenceMeter(base, eval).measure(StructuredForward.apply(base, sc));
        try (QualityEvaluator e = evaluator(s)) {
            QualityReport r = e.measure(s.choices(c), plan);
            assertEquals(expected.klNatsPerToken(), r.klNatsPerToken(), 1e-4 * Math.max(1, expected.klNatsPerToken()));
            assertEquals(expected.droppedReferenceMass(), r.droppedReferenceMass(), 1e-5);
            assertEquals(expected.perplexity(), r.perplexity(), 1e-3 * expected.perplexity());
            assertTrue(r.klNatsPerToken() > 0.01, "pruning this much must cost quality: " + r.klNatsPerToken());
            assertTrue(r.droppedReferenceMass() > 0, "half the vocabulary carries some reference mass");

            Evaluation ev = e.evaluate(c);
            assertTrue(ev.ok(), ev.failureReason());
            assertEquals(r.droppedReferenceMass(), ev.measurements().get(Metric.DROPPED_MASS), 0.0);
            assertTrue(e.provides().contains(Metric.DROPPED_MASS));
        }
    }

    @Test
    void morePruningCostsMoreQuality() throws Exception {
        SearchSpace s = space();
        try (QualityEvaluator e = evaluator(s)) {
            double none = e.measure(s.choices(candidate(s, 1)), s.structurePlan(candidate(s, 1))).klNatsPerToken();
            Candidate halfChannels = candidate(s, 1, 0, 1, 0, 0, 1, 0, 0);
            double some = e.measure(s.choices(halfChannels), s.structurePlan(halfChannels)).klNatsPerToken();
            Candidate alsoHeads = candidate(s, 1, 1, 1, 0, 1, 1, 0, 0);
            double more = e.measure(s.choices(alsoHeads), s.structurePlan(alsoHeads)).klNatsPerToken();
            assertTrue(none < some && some < more, none + " < " + some + " < " + more);
        }
    }

    @Test
    void structuralSpacesNeedCalibrationText() {
        SearchSpace s = space();
        assertThrows(IllegalArgumentException.class, () -> QualityEvaluator.calibrated(s, TinyModels.weights(a, t), eval, List.of(), 0));
        assertThrows(IllegalArgumentException.class, () -> new QualityEvaluator(s, TinyModels.weights(a, t), eval));
        assertFalse(space().structurePlan(candidate(s, 0)).prunes(a));
    }
}
