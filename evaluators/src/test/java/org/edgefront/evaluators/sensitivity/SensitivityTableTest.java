package org.edgefront.evaluators.sensitivity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.commons.math3.random.Well19937c;
import org.edgefront.evaluators.quality.QualityEvaluator;
import org.edgefront.space.candidate.Candidate;
import org.edgefront.space.candidate.SearchSpace;
import org.edgefront.space.compress.TensorChoice;
import org.edgefront.space.input.InvalidInputException;
import org.edgefront.space.metric.Evaluation;
import org.edgefront.space.metric.Metric;
import org.edgefront.space.model.TensorSpec;
import org.edgefront.space.synthetic.SyntheticLlama;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class SensitivityTableTest {
    private static final long SEED = 11L;
    private static SearchSpace space;
    private static QualityEvaluator evaluator;
    private static SensitivityTable table;

    @BeforeAll
    static void profileTinyModel() throws Exception {
        try (SyntheticLlama w = SyntheticLlama.tiny(SEED)) {
            List<TensorChoice> options = List.of(TensorChoice.parse("F32"), TensorChoice.parse("F16"), TensorChoice.parse("int4g32"),
                    TensorChoice.parse("int2g32"));
            space = SearchSpace.perTensor(w.architecture(), options);
            List<int[]> seqs = List.of(SyntheticLlama.tokenSequences(SEED, 3, 48, w.architecture().vocabSize()));
            evaluator = new QualityEvaluator(space, w, seqs);
        }
        table = new SensitivityProfiler(evaluator, space).profile();
    }

    @AfterAll
    static void close() { evaluator.close(); }

    @Test
    void originalWeightsOptionIsExactlyZeroAndHeavierOptionsCostMore() {
        assertEquals(space.dimensions(), table.dimensions());
        for (int i = 0; i < table.dimensions(); i++) {
            assertEquals(0.0, table.kl(i, 0), "F32 keeps the reference weights");
            assertTrue(table.kl(i, 1) < 1e-4, "F16 is nearly lossless: " + table.kl(i, 1));
            assertTrue(table.kl(i, 3) > table.kl(i, 2), "int2 must hurt more than int4 on " + table.rows().get(i).decision());
            assertTrue(table.kl(i, 2) > table.kl(i, 1), "int4 must hurt more than F16 on " + table.rows().get(i).decision());
        }
    }

    @Test
    void proxyIsTheSumOfChosenEntries() {
        Candidate c = space.sample(new Well19937c(3));
        double sum = 0;
        for (int i = 0; i < c.size(); i++) sum += table.kl(i, c.gene(i));
        assertEquals(sum, table.proxy(c), 0.0);
        assertEquals(0.0, table.proxy(space.uniform(0)), 0.0);
    }

    @Test
    void proxyOfASingleCompressedDecisionEqualsItsMeasuredKl() {
        Candidate c = space.with(space.uniform(0), 5, 3);
        Evaluation e = evaluator.evaluate(c);
        assertTrue(e.ok());
        assertEquals(e.measurements().get(Metric.KL), table.proxy(c), 1e-12);
    }

    @Test
    void weightBytesAreExactPerOption() {
        SensitivityTable.Row r = table.rows().get(2);
        TensorSpec t = space.architecture().tensor(r.tensors().get(0));
        for (int o = 0; o < r.entries().size(); o++) {
            assertEquals(space.decisions().get(2).options().get(o).bytes(t), r.entries().get(o).weightBytes());
        }
    }

    @Test
    void tableSurvivesJsonRoundTrip() {
        SensitivityTable back = SensitivityTable.fromJson(table.toJson(), "t.json");
        assertEquals(table, back);
        assertTrue(back.fits(space));
    }

    @Test
    void failedEntryRoundTripsAsNullAndMakesTheProxyInfinite() {
        List<SensitivityTable.Row> rows = new ArrayList<>(table.rows());
        SensitivityTable.Row r0 = rows.get(0);
        List<SensitivityTable.Entry> es = new ArrayList<>(r0.entries());
        es.set(3, new SensitivityTable.Entry(es.get(3).option(), Double.POSITIVE_INFINITY, es.get(3).weightBytes()));
        rows.set(0, new SensitivityTable.Row(0, r0.decision(), r0.tensors(), es));
        SensitivityTable t = new SensitivityTable(table.model(), table.evaluatorVersion(), table.tokens(), rows);
        String json = t.toJson();
        assertTrue(json.contains("\"kl\" : null"));
        SensitivityTable back = SensitivityTable.fromJson(json, "t.json");
        assertEquals(t, back);
        assertEquals(Double.POSITIVE_INFINITY, back.proxy(space.with(space.uniform(0), 0, 3)));
    }

    @Test
    void malformedTableNamesFileAndField() {
        String bad = table.toJson().replaceFirst("\"weight_bytes\" : \\d+", "\"weight_bytes\" : -4");
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> SensitivityTable.fromJson(bad, "bad.json"));
        assertEquals("bad.json", e.file());
        assertEquals("rows[0].entries[0].weight_bytes", e.field());
        InvalidInputException v = assertThrows(InvalidInputException.class,
                () -> SensitivityTable.fromJson(table.toJson().replace("\"schemaVersion\" : 1", "\"schemaVersion\" : 9"), "v.json"));
        assertEquals("schemaVersion", v.field());
    }

    @Test
    void tableDoesNotFitASpaceWithOtherOptions() {
        SearchSpace other = SearchSpace.perTensor(space.architecture(), List.of(TensorChoice.parse("F32"), TensorChoice.parse("Q8_0"),
                TensorChoice.parse("int4g32"), TensorChoice.parse("int2g32")));
        assertFalse(table.fits(other));
    }

    @Test
    void reusingAKnownTableMeasuresOnlyMissingOptionsAndGivesTheSameEntries() {
        SearchSpace wider = SearchSpace.perTensor(space.architecture(), List.of(TensorChoice.parse("F32"), TensorChoice.parse("F16"),
                TensorChoice.parse("int4g32"), TensorChoice.parse("int2g32"), TensorChoice.parse("int3g32")));
        SensitivityTable extended = new SensitivityProfiler(evaluator, wider).profile(table);
        for (int i = 0; i < table.dimensions(); i++) {
            for (int o = 0; o < 4; o++) assertEquals(table.kl(i, o), extended.kl(i, o), 0.0);
            double int3 = extended.kl(i, 4);
            assertTrue(int3 > extended.kl(i, 2) && int3 < extended.kl(i, 3), "int3 lies between int4 and int2");
        }
        Map<String, TensorChoice> only = Map.of(wider.decisions().get(7).tensors().get(0), TensorChoice.parse("int3g32"));
        assertEquals(evaluator.measure(only).klNatsPerToken(), extended.kl(7, 4), 1e-12);
    }

    @Test
    void assembleRejectsMissingDecisions() {
        List<SensitivityTable.Row> rows = new ArrayList<>(table.rows());
        rows.remove(4);
        assertThrows(IllegalArgumentException.class, () -> SensitivityProfiler.assemble(space, "v", table.tokens(), rows));
    }
}
