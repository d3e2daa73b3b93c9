package org.edgefront.evaluators.sensitivity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.apache.commons.math3.random.Well19937c;
import org.edgefront.evaluators.quality.QualityEvaluator;
import org.edgefront.space.candidate.Candidate;
import org.edgefront.space.candidate.SearchSpace;
import org.edgefront.space.compress.TensorChoice;
import org.edgefront.space.metric.Evaluation;
import org.edgefront.space.metric.Metric;
import org.edgefront.space.model.TensorSpec;
import org.edgefront.space.synthetic.SyntheticLlama;
import org.junit.jupiter.api.Test;

class WeightErrorAndMultiFidelityTest {

    @Test
    void relativeWeightErrorIsZeroForF32AndGrowsAsBitsShrink() throws Exception {
        try (SyntheticLlama w = SyntheticLlama.tiny(5)) {
            TensorSpec t = w.architecture().linearTensors().get(3);
            float[] x = w.read(t.name());
            List<TensorChoice> os = List.of(TensorChoice.parse("F32"), TensorChoice.parse("Q8_0"), TensorChoice.parse("int4g32"),
                    TensorChoice.parse("int2g32"), TensorChoice.parse("int4g32+2:4"));
            double[] e = WeightErrorProfiler.relativeErrors(t, x, os);
            assertEquals(0.0, e[0]);
            assertTrue(e[1] > 0 && e[1] < e[2] && e[2] < e[3], java.util.Arrays.toString(e));
            // 2:4 pruning removes half the weights: at least the smaller half's energy is lost
            assertTrue(e[4] > e[2]);
            // hand check of one dense option against the full compressor
            float[] q = org.edgefront.evaluators.compress.TensorCompressor.apply(t, x, os.get(2), null);
            double err = 0;
            double norm = 0;
            for (int i = 0; i < x.length; i++) {
                err += (double) (x[i] - q[i]) * (x[i] - q[i]);
                norm += (double) x[i] * x[i];
            }
            assertEquals(err / norm, e[2], 1e-12);
        }
    }

    @Test
    void multiFidelityScreensByProxyAndRecordsTheFidelityOfEachResult() throws Exception {
        SearchSpace space;
        QualityEvaluator small;
        QualityEvaluator large;
        try (SyntheticLlama w = SyntheticLlama.tiny(9)) {
            space = SearchSpace.perTensor(w.architecture(), List.of(TensorChoice.parse("F16"), TensorChoice.parse("int4g32"),
                    TensorChoice.parse("int2g32")));
            int[][] seqs = SyntheticLlama.tokenSequences(9, 4, 40, w.architecture().vocabSize());
            small = new QualityEvaluator(space, w, List.of(seqs[0]));
            large = new QualityEvaluator(space, w, List.of(seqs));
        }
        try (small; large) {
            SensitivityTable table = new SensitivityProfiler(small, space).profile();
            List<Candidate> batch = new ArrayList<>();
            Well19937c rng = new Well19937c(2);
            for (int i = 0; i < 12; i++) batch.add(space.sample(rng));
            MultiFidelityEvaluator mf = new MultiFidelityEvaluator(space, table, List.of(small, large), new double[] {0.5, 0.5});
            List<Evaluation> out = mf.evaluateAll(batch);
            assertEquals(12, out.size());
            long proxy = out.stream().filter(e -> e.fidelity().equals("proxy")).count();
            long stage1 = out.stream().filter(e -> e.fidelity().equals("measured:" + small.tokens())).count();
            long stage2 = out.stream().filter(e -> e.fidelity().equals("measured:" + large.tokens())).count();
            assertEquals(6, proxy);
            assertEquals(3, stage1);
            assertEquals(3, stage2);
            List<double[]> promoted = new ArrayList<>();
            List<double[]> screenedOut = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                Evaluation e = out.get(i);
                assertEquals(batch.get(i).id(), e.candidateId());
                double p = table.proxy(batch.get(i));
                double bytes = 0;
                for (int d = 0; d < table.rows().size(); d++) bytes += table.rows().get(d).entries().get(batch.get(i).gene(d)).weightBytes();
                if (e.fidelity().equals("proxy")) {
                    assertEquals(p, e.measurements().get(Metric.KL), 0.0);
                    assertEquals(0, e.measurements().get(Metric.FIDELITY_STAGE), 0.0);
                    screenedOut.add(new double[] {p, bytes});
                } else {
                    assertTrue(e.measurements().get(Metric.FIDELITY_STAGE) >= 1);
                    promoted.add(new double[] {p, bytes});
                }
                if (e.fidelity().equals("measured:" + large.tokens())) {
                    assertEquals(large.evaluate(batch.get(i)).measurements().get(Metric.KL), e.measurements().get(Metric.KL), 0.0);
                }
            }
            // promotion is multi-objective on (proxy, weight bytes): no screened-out candidate dominates the
            // whole promoted set's first front, i.e. every screened-out point is dominated by some promoted one
            // or lies on a later non-dominated layer than all promoted first-front points
            for (double[] out1 : screenedOut) {
                boolean beatsEveryPromoted = promoted.stream().allMatch(pr -> out1[0] <= pr[0] && out1[1] <= pr[1]
                        && (out1[0] < pr[0] || out1[1] < pr[1]));
                assertTrue(!beatsEveryPromoted, "a screened-out candidate dominates every promoted one");
            }
            boolean someScreenedOutIsDominated = screenedOut.stream().anyMatch(o -> promoted.stream()
                    .anyMatch(pr -> pr[0] <= o[0] && pr[1] <= o[1] && (pr[0] < o[0] || pr[1] < o[1])));
            assertTrue(someScreenedOutIsDominated, "screening removes dominated candidates");
        }
    }
}
