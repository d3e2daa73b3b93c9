package org.edgefront.evaluators.sensitivity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.math3.stat.correlation.SpearmansCorrelation;
import org.edgefront.evaluators.compress.CalibrationStats;
import org.edgefront.evaluators.quality.ForwardPasses;
import org.edgefront.evaluators.quality.QualityEvaluator;
import org.edgefront.space.candidate.Candidate;
import org.edgefront.space.candidate.SearchSpace;
import org.edgefront.space.compress.TensorChoice;
import org.edgefront.space.model.TensorSpec;
import org.edgefront.space.synthetic.SyntheticLlama;
import org.junit.jupiter.api.Test;

class OutputErrorProxyTest {

    @Test
    void importanceWeightedErrorEqualsTheHandComputedWeightedSum() throws Exception {
        try (SyntheticLlama w = SyntheticLlama.tiny(5)) {
            TensorSpec t = w.architecture().linearTensors().get(2);
            float[] x = w.read(t.name());
            float[] h = new float[t.cols()];
            for (int i = 0; i < h.length; i++) h[i] = (i % 7) * 0.5f;
            List<TensorChoice> os = List.of(TensorChoice.parse("int3g32"));
            double e = WeightErrorProfiler.relativeErrors(t, x, os, h, null)[0];
            float[] q = org.edgefront.evaluators.compress.TensorCompressor.apply(t, x, os.get(0), null);
            double err = 0;
            double norm = 0;
            for (int i = 0; i < x.length; i++) {
                err += h[i % t.cols()] * (double) (x[i] - q[i]) * (x[i] - q[i]);
                norm += h[i % t.cols()] * (double) x[i] * x[i];
            }
            assertEquals(err / norm, e, 1e-12);
        }
    }

    @Test
    void tableReproducesEachUniformAnchorAndRanksMixedCandidatesLikeMeasuredKl() throws Exception {
        SearchSpace space;
        QualityEvaluator evaluator;
        double[][] errors;
        try (SyntheticLlama w = SyntheticLlama.tiny(9)) {
            space = SearchSpace.perTensor(w.architecture(), List.of(TensorChoice.parse("F32"), TensorChoice.parse("Q8_0"),
                    TensorChoice.parse("int4g32"), TensorChoice.parse("int3g32")));
            int v = w.architecture().vocabSize();
            List<int[]> eval = List.of(SyntheticLlama.tokenSequences(9, 4, 48, v));
            List<int[]> cal = List.of(SyntheticLlama.tokenSequences(~9L, 4, 48, v));
            CalibrationStats stats = ForwardPasses.load(w).inputNorms(cal);
            errors = OutputErrorProxy.outputErrors(space, w::read, stats);
            evaluator = new QualityEvaluator(space, w, eval);
        }
        try (evaluator) {
            Map<String, Double> anchors = new HashMap<>();
            for (TensorChoice c : space.decisions().get(0).options()) {
                Map<String, TensorChoice> all = new LinkedHashMap<>();
                for (TensorSpec t : space.architecture().linearTensors()) all.put(t.name(), c);
                anchors.put(c.label(), evaluator.measure(all).klNatsPerToken());
            }
            SensitivityTable table = OutputErrorProxy.table(space, errors, anchors, evaluator.tokens());
            assertTrue(table.fits(space));
            for (int o = 0; o < space.decisions().get(0).options().size(); o++) {
                int[] g = new int[space.dimensions()];
                java.util.Arrays.fill(g, o);
                String label = space.decisions().get(0).options().get(o).label();
                double expected = label.equals("F32") ? 0.0 : anchors.get(label);
                assertEquals(expected, table.proxy(new Candidate(g)), 1e-9 * Math.max(1, expected), label);
            }
            // mixed candidates: the estimate must order them much as measured KL does
            java.util.SplittableRandom rng = new java.util.SplittableRandom(3);
            List<Double> proxy = new ArrayList<>();
            List<Double> measured = new ArrayList<>();
            for (int k = 0; k < 24; k++) {
                int[] g = new int[space.dimensions()];
                int level = rng.nextInt(4);
                for (int d = 0; d < g.length; d++) g[d] = Math.max(0, Math.min(3, level + rng.nextInt(3) - 1));
                Candidate c = new Candidate(g);
                proxy.add(table.proxy(c));
                measured.add(evaluator.measure(space.choices(c)).klNatsPerToken());
            }
            double rho = new SpearmansCorrelation().correlation(proxy.stream().mapToDouble(Double::doubleValue).toArray(),
                    measured.stream().mapToDouble(Double::doubleValue).toArray());
            assertTrue(rho > 0.8, "Spearman " + rho);
        }
    }

    @Test
    void missingAnchorIsRejected() throws Exception {
        try (SyntheticLlama w = SyntheticLlama.tiny(1)) {
            SearchSpace space = SearchSpace.perTensor(w.architecture(), List.of(TensorChoice.parse("Q8_0")));
            double[][] errors = OutputErrorProxy.outputErrors(space, w::read, null);
            assertThrows(IllegalArgumentException.class, () -> OutputErrorProxy.table(space, errors, Map.of(), 10));
        }
    }
}
