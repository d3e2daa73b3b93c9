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
            // promotion is multi-objective: candidates are ordered by non-dominated rank on (score, weight bytes),
            // then score, then batch position, and the first half goes on. Recompute it from scratch: stage 1 takes
            // the best 6 of 12 by (proxy, bytes), stage 2 the best 3 of those 6 by (stage-1 KL, bytes).
            List<Integer> all = new ArrayList<>();
            List<Integer> stage1Plus = new ArrayList<>();
            double[] proxyScore = new double[12];
            double[] bytes = new double[12];
            double[] smallKl = new double[12];
            for (int i = 0; i < 12; i++) {
                Evaluation e = out.get(i);
                assertEquals(batch.get(i).id(), e.candidateId());
                proxyScore[i] = table.proxy(batch.get(i));
                for (int d = 0; d < table.rows().size(); d++) bytes[i] += table.rows().get(d).entries().get(batch.get(i).gene(d)).weightBytes();
                all.add(i);
                if (e.fidelity().equals("proxy")) {
                    assertEquals(proxyScore[i], e.measurements().get(Metric.KL), 0.0);
                    assertEquals(0, e.measurements().get(Metric.FIDELITY_STAGE), 0.0);
                } else {
                    assertTrue(e.measurements().get(Metric.FIDELITY_STAGE) >= 1);
                    stage1Plus.add(i);
                    smallKl[i] = small.evaluate(batch.get(i)).measurements().get(Metric.KL);
                }
                if (e.fidelity().equals("measured:" + large.tokens())) {
                    assertEquals(large.evaluate(batch.get(i)).measurements().get(Metric.KL), e.measurements().get(Metric.KL), 0.0);
                }
            }
            assertEquals(promotedByRank(all, proxyScore, bytes, 6), new java.util.TreeSet<>(stage1Plus), "promoted to stage 1");
            java.util.Set<Integer> stage2Ids = new java.util.TreeSet<>();
            for (int i = 0; i < 12; i++) if (out.get(i).fidelity().equals("measured:" + large.tokens())) stage2Ids.add(i);
            assertEquals(promotedByRank(stage1Plus, smallKl, bytes, 3), stage2Ids, "promoted to stage 2");
        }
    }

    /** The first {@code keep} of {@code ids} ordered by (non-dominated rank on (score, bytes), score, id), brute force. */
    private static java.util.Set<Integer> promotedByRank(List<Integer> ids, double[] score, double[] bytes, int keep) {
        java.util.Map<Integer, Integer> rank = new java.util.HashMap<>();
        List<Integer> left = new ArrayList<>(ids);
        for (int r = 0; !left.isEmpty(); r++) {
            List<Integer> layer = new ArrayList<>();
            for (int a : left) {
                boolean dominated = false;
                for (int b : left) {
                    dominated |= score[b] <= score[a] && bytes[b] <= bytes[a] && (score[b] < score[a] || bytes[b] < bytes[a]);
                }
                if (!dominated) layer.add(a);
            }
            for (int a : layer) rank.put(a, r);
            left.removeAll(layer);
        }
        List<Integer> order = new ArrayList<>(ids);
        order.sort(java.util.Comparator.<Integer>comparingInt(rank::get).thenComparingDouble(i -> score[i]).thenComparingInt(i -> i));
        return new java.util.TreeSet<>(order.subList(0, keep));
    }
}
