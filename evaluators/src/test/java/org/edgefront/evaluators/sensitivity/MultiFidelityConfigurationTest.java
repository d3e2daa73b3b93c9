package org.edgefront.evaluators.sensitivity;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import org.edgefront.evaluators.quality.QualityEvaluator;
import org.edgefront.space.candidate.Candidate;
import org.edgefront.space.candidate.SearchSpace;
import org.edgefront.space.compress.TensorChoice;
import org.edgefront.space.metric.Evaluation;
import org.edgefront.space.metric.Metric;
import org.edgefront.space.synthetic.SyntheticLlama;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A multi-fidelity plan is checked when it is built (stages measure more tokens each time, one keep fraction in
 * (0, 1] per stage, a table of the same space), and a candidate it cannot judge is a FAILED evaluation.
 */
class MultiFidelityConfigurationTest {
    private static SearchSpace space;
    private static QualityEvaluator oneSequence;
    private static QualityEvaluator threeSequences;
    private static SensitivityTable table;

    @BeforeAll
    static void tinyModel() throws Exception {
        try (SyntheticLlama w = SyntheticLlama.tiny(4)) {
            space = SearchSpace.perTensor(w.architecture(), List.of(TensorChoice.parse("F16"), TensorChoice.parse("int4g32")));
            int[][] seqs = SyntheticLlama.tokenSequences(4, 3, 24, w.architecture().vocabSize());
            oneSequence = new QualityEvaluator(space, w, List.of(seqs[0]));
            threeSequences = new QualityEvaluator(space, w, List.of(seqs));
        }
        // a hand-written table for the space: option 1 of decision 0 failed when profiled, every other entry 0.01
        List<SensitivityTable.Row> rows = new ArrayList<>();
        for (int i = 0; i < space.decisions().size(); i++) {
            var d = space.decisions().get(i);
            List<SensitivityTable.Entry> es = new ArrayList<>();
            for (int o = 0; o < d.options().size(); o++) {
                es.add(new SensitivityTable.Entry(d.options().get(o).label(), i == 0 && o == 1 ? Double.POSITIVE_INFINITY : 0.01, 100));
            }
            rows.add(new SensitivityTable.Row(i, d.name(), d.tensors(), es));
        }
        table = new SensitivityTable(space.architecture().name(), "test/1", 0, rows);
    }

    @AfterAll
    static void close() {
        oneSequence.close();
        threeSequences.close();
    }

    private static MultiFidelityEvaluator plan(List<QualityEvaluator> stages, double... keep) {
        return new MultiFidelityEvaluator(space, table, stages, keep);
    }

    @Test
    void stagesMustMeasureMoreTokensEachTime() {
        assertTrue(threeSequences.tokens() > oneSequence.tokens());
        assertDoesNotThrow(() -> plan(List.of(oneSequence, threeSequences), 1.0, 0.5));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> plan(List.of(threeSequences, oneSequence), 1.0, 0.5));
        assertTrue(e.getMessage().contains("stage 1"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> plan(List.of(oneSequence, oneSequence), 1.0, 0.5),
                "the same token count twice is not more");
    }

    @Test
    void everyStageNeedsAKeepFractionInTheHalfOpenUnitInterval() {
        assertDoesNotThrow(() -> plan(List.of(oneSequence), 1.0));
        assertDoesNotThrow(() -> plan(List.of(oneSequence), Double.MIN_VALUE));
        for (double bad : new double[] {0.0, -0.5, 1.0 + 1e-9, Double.NaN}) {
            assertThrows(IllegalArgumentException.class, () -> plan(List.of(oneSequence), bad), "keep fraction " + bad);
        }
        assertThrows(IllegalArgumentException.class, () -> plan(List.of(oneSequence, threeSequences), 0.5), "one fraction for two stages");
    }

    @Test
    void aTableOfAnotherSpaceIsRefused() {
        SearchSpace other = SearchSpace.perTensor(space.architecture(), List.of(TensorChoice.parse("F16"), TensorChoice.parse("Q8_0")));
        assertThrows(IllegalArgumentException.class,
                () -> new MultiFidelityEvaluator(other, table, List.of(oneSequence), new double[] {1.0}));
    }

    @Test
    void candidatesItCannotJudgeFailAndTheOthersAreMeasured() {
        MultiFidelityEvaluator mf = plan(List.of(oneSequence), 1.0);
        assertEquals(EnumSet.of(Metric.KL, Metric.FIDELITY_STAGE), mf.provides());
        Candidate measurable = space.uniform(0);
        Candidate failedEntry = space.with(space.uniform(0), 0, 1);
        int[] genes = new int[space.dimensions()];
        genes[1] = space.optionCount(1); // right length, an option past the last
        Candidate outside = new Candidate(genes);
        List<Evaluation> out = mf.evaluateAll(List.of(outside, failedEntry, measurable));

        assertFalse(out.get(0).ok());
        assertTrue(out.get(0).failureReason().contains("not in the search space"), out.get(0).failureReason());
        assertFalse(out.get(1).ok());
        assertTrue(out.get(1).failureReason().contains("infinite"), out.get(1).failureReason());
        Evaluation e = out.get(2);
        assertTrue(e.ok(), e.failureReason());
        assertEquals(1.0, e.measurements().get(Metric.FIDELITY_STAGE));
        assertEquals(oneSequence.evaluate(measurable).measurements().get(Metric.KL), e.measurements().get(Metric.KL), 0.0);
        assertEquals(mf.evaluate(measurable), e, "a single candidate is judged at the highest fidelity, as in a batch");
    }
}
