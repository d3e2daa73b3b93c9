package org.edgefront.evaluators.sensitivity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.UnaryOperator;
import org.apache.commons.math3.random.Well19937c;
import org.edgefront.evaluators.Evaluator;
import org.edgefront.space.candidate.Candidate;
import org.edgefront.space.candidate.Decision;
import org.edgefront.space.candidate.SearchSpace;
import org.edgefront.space.candidate.StructureDecision;
import org.edgefront.space.compress.TensorChoice;
import org.edgefront.space.metric.Evaluation;
import org.edgefront.space.metric.Metric;
import org.edgefront.space.model.ModelArchitecture;
import org.edgefront.space.synthetic.SyntheticLlama;
import org.junit.jupiter.api.Test;

/**
 * A sensitivity table as a planner and the proxy evaluator use it: whether it belongs to a space, its per-option costs
 * with failed entries penalised, and the proxy KL of candidates. Tables are written by hand for a space with tensor
 * and structural decisions (what the profiler would write, with seeded KL values), so each expectation is the sum or
 * copy of known entries.
 */
class ProxyTableTest {
    private static final ModelArchitecture ARCH = SyntheticLlama.tiny(1).architecture();
    /** 7 tensor decisions per layer, then per layer a heads decision (keep, keep0.5) and a layer decision (keep, drop). */
    private static final SearchSpace SPACE = SearchSpace.perTensor(ARCH,
                    List.of(TensorChoice.parse("F16"), TensorChoice.parse("Q8_0"), TensorChoice.parse("int4g32")))
            .withStructure(StructureDecision.forModel(ARCH, List.of(1.0, 0.5), List.of(), true, List.of()));

    /** A table that fits SPACE; entry (i, o) is KL drawn from the seed, infinite where {@code failed} says so. */
    private static SensitivityTable table(long seed, double failedShare) {
        SplittableRandom r = new SplittableRandom(seed);
        List<SensitivityTable.Row> rows = new ArrayList<>();
        int i = 0;
        for (Decision d : SPACE.decisions()) {
            List<SensitivityTable.Entry> es = new ArrayList<>();
            for (TensorChoice o : d.options()) {
                double kl = r.nextDouble() < failedShare ? Double.POSITIVE_INFINITY : r.nextDouble() * 0.1;
                es.add(new SensitivityTable.Entry(o.label(), kl, 1000 + r.nextInt(1000)));
            }
            rows.add(new SensitivityTable.Row(i++, d.name(), d.tensors(), es));
        }
        for (StructureDecision d : SPACE.structure()) {
            List<SensitivityTable.Entry> es = new ArrayList<>();
            for (int o = 0; o < d.optionCount(); o++) {
                double kl = r.nextDouble() < failedShare ? Double.POSITIVE_INFINITY : r.nextDouble() * 0.1;
                es.add(new SensitivityTable.Entry(d.optionLabel(o), kl, 0));
            }
            rows.add(new SensitivityTable.Row(i++, d.name(), List.of(), es));
        }
        return new SensitivityTable(SPACE.architecture().name(), "test/1", 100, rows);
    }

    private static SensitivityTable withRow(SensitivityTable t, int i, UnaryOperator<SensitivityTable.Row> change) {
        List<SensitivityTable.Row> rows = new ArrayList<>(t.rows());
        rows.set(i, change.apply(rows.get(i)));
        return new SensitivityTable(t.model(), t.evaluatorVersion(), t.tokens(), rows);
    }

    private static List<SensitivityTable.Entry> relabelled(List<SensitivityTable.Entry> es, int o, String label) {
        List<SensitivityTable.Entry> out = new ArrayList<>(es);
        SensitivityTable.Entry e = out.get(o);
        out.set(o, new SensitivityTable.Entry(label, e.klNatsPerToken(), e.weightBytes()));
        return out;
    }

    @Test
    void aTableWrittenForTheSpaceFitsItAndEveryKindOfMismatchDoesNot() {
        SensitivityTable t = table(1, 0);
        int tensorRow = 3;
        int structRow = SPACE.decisions().size() + 1;
        assertTrue(SPACE.hasStructure() && SPACE.dimensions() > structRow, "the space has structural rows");
        assertTrue(t.fits(SPACE));

        List<String> names = new ArrayList<>();
        List<SensitivityTable> misfits = new ArrayList<>();
        names.add("other model");
        misfits.add(new SensitivityTable("other-model", t.evaluatorVersion(), t.tokens(), t.rows()));
        names.add("one row missing");
        misfits.add(new SensitivityTable(t.model(), t.evaluatorVersion(), t.tokens(), t.rows().subList(0, t.rows().size() - 1)));
        for (int row : new int[] {tensorRow, structRow}) {
            names.add("row " + row + " index");
            misfits.add(withRow(t, row, r -> new SensitivityTable.Row(r.index() + 1, r.decision(), r.tensors(), r.entries())));
            names.add("row " + row + " decision name");
            misfits.add(withRow(t, row, r -> new SensitivityTable.Row(r.index(), r.decision() + "x", r.tensors(), r.entries())));
            names.add("row " + row + " option label");
            misfits.add(withRow(t, row, r -> new SensitivityTable.Row(r.index(), r.decision(), r.tensors(),
                    relabelled(r.entries(), r.entries().size() - 1, "Q2_K"))));
            names.add("row " + row + " one entry fewer");
            misfits.add(withRow(t, row, r -> new SensitivityTable.Row(r.index(), r.decision(), r.tensors(),
                    r.entries().subList(0, r.entries().size() - 1))));
            names.add("row " + row + " one entry more");
            misfits.add(withRow(t, row, r -> {
                List<SensitivityTable.Entry> es = new ArrayList<>(r.entries());
                es.add(new SensitivityTable.Entry("extra", 0.5, 0));
                return new SensitivityTable.Row(r.index(), r.decision(), r.tensors(), es);
            }));
        }
        names.add("tensor row names other tensors");
        misfits.add(withRow(t, tensorRow, r -> new SensitivityTable.Row(r.index(), r.decision(), List.of("output.weight"), r.entries())));
        names.add("structural row names a tensor");
        misfits.add(withRow(t, structRow, r -> new SensitivityTable.Row(r.index(), r.decision(), List.of("output.weight"), r.entries())));

        for (int k = 0; k < misfits.size(); k++) {
            assertFalse(misfits.get(k).fits(SPACE), names.get(k));
            SensitivityTable misfit = misfits.get(k);
            assertThrows(IllegalArgumentException.class, () -> misfit.proxyCosts(SPACE), names.get(k));
        }
    }

    @Test
    void proxyCostsAreTheEntriesWithFailedOnesAtThePenaltyAndLeaveTheTableAlone() {
        SensitivityTable t = table(5, 0.15);
        double[][] costs = t.proxyCosts(SPACE);
        int failed = 0;
        assertEquals(t.rows().size(), costs.length);
        for (int i = 0; i < costs.length; i++) {
            List<SensitivityTable.Entry> es = t.rows().get(i).entries();
            assertEquals(es.size(), costs[i].length);
            for (int o = 0; o < es.size(); o++) {
                double kl = es.get(o).klNatsPerToken();
                if (Double.isInfinite(kl)) failed++;
                assertEquals(Double.isInfinite(kl) ? SensitivityTable.FAILED_PENALTY_NATS : kl, costs[i][o]);
                costs[i][o] = -1; // the caller owns the arrays
            }
        }
        assertTrue(failed > 0, "seed 5 marks some entries failed");
        double[][] kl = t.klMatrix();
        for (int i = 0; i < kl.length; i++) {
            for (int o = 0; o < kl[i].length; o++) {
                assertEquals(t.rows().get(i).entries().get(o).klNatsPerToken(), kl[i][o], "row " + i + " option " + o);
                assertEquals(kl[i][o], t.kl(i, o));
            }
        }
    }

    @Test
    void theProxyEvaluatorSumsTheChosenEntriesAndFailsACandidateWithAFailedEntry() {
        SensitivityTable t = table(9, 0.05);
        Evaluator ev = new ProxyEvaluator.Factory(t).create();
        assertEquals(EnumSet.of(Metric.PROXY_KL), ev.provides());
        Well19937c rng = new Well19937c(9);
        int ok = 0;
        int failed = 0;
        for (int n = 0; n < 200; n++) {
            Candidate c = SPACE.sample(rng);
            double sum = 0;
            for (int i = 0; i < c.size(); i++) sum += t.rows().get(i).entries().get(c.gene(i)).klNatsPerToken();
            Evaluation e = ev.evaluate(c);
            assertEquals(c.id(), e.candidateId());
            assertEquals(ev.version(), e.evaluatorVersion());
            assertFalse(ev.version().isEmpty());
            if (Double.isFinite(sum)) {
                ok++;
                assertTrue(e.ok(), e.failureReason());
                assertEquals(sum, e.measurements().get(Metric.PROXY_KL), 1e-15);
                assertEquals("proxy", e.fidelity());
            } else {
                failed++;
                assertFalse(e.ok());
                assertFalse(e.measurements().has(Metric.PROXY_KL));
            }
        }
        assertTrue(ok > 0 && failed > 0, "seed 9 gives both outcomes: " + ok + " ok, " + failed + " failed");
    }

    @Test
    void aCandidateOfAnotherShapeIsAFailedEvaluationNotAnException() {
        Evaluator ev = new ProxyEvaluator(table(2, 0));
        Evaluation tooShort = ev.evaluate(new Candidate(new int[] {0, 1, 2}));
        assertFalse(tooShort.ok());
        assertTrue(tooShort.failureReason().contains("3 genes"), tooShort.failureReason());
        int[] genes = new int[SPACE.dimensions()];
        genes[0] = SPACE.optionCount(0); // the first index past the last option
        Evaluation badOption = ev.evaluate(new Candidate(genes));
        assertFalse(badOption.ok());
        assertTrue(badOption.failureReason().contains("gene 0 = " + genes[0]), badOption.failureReason());
    }
}
