package org.edgefront.evaluators.quality;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.edgefront.space.compress.TensorChoice;
import org.edgefront.evaluators.compress.TensorCompressor;
import org.edgefront.space.model.ModelArchitecture;
import org.edgefront.space.model.TensorRole;
import org.edgefront.space.model.TensorSpec;
import org.edgefront.space.synthetic.SyntheticLlama;
import org.junit.jupiter.api.Test;

/** Scoring only a window's later positions (llama-perplexity's protocol): the figures are those of exactly those positions. */
class ScoredPositionsTest {

    @Test
    void klPerplexityAndAgreementAreTakenOverThePositionsFromScoredFromOnly() throws Exception {
        try (SyntheticLlama w = SyntheticLlama.tiny(4)) {
            ModelArchitecture a = w.architecture();
            ForwardPass base = ForwardPasses.load(w);
            List<int[]> seqs = List.of(SyntheticLlama.tokenSequences(4, 3, 40, a.vocabSize()));
            String down = TensorSpec.canonicalName(TensorRole.DOWN, 1);
            ForwardPass variant = base.withOverrides(Map.of(down,
                    TensorCompressor.apply(a.tensorsByName().get(down), base.tensor(down), TensorChoice.parse("int2g32"), null)));
            int from = 20;
            QualityReport r = new ReferenceDistribution(base, seqs, ReferenceDistribution.defaultStateBytes(), from)
                    .compare(variant, null, base.firstChangedLayer(List.of(down)));

            // the same figures by hand, over positions >= from of each sequence
            double kl = 0;
            double nll = 0;
            long agree = 0;
            long n = 0;
            for (int[] s : seqs) {
                float[][] p = base.logProbs(s);
                float[][] q = variant.logProbs(s);
                for (int pos = from; pos + 1 < s.length; pos++) {
                    int bp = 0;
                    int bq = 0;
                    for (int v = 0; v < a.vocabSize(); v++) {
                        kl += Math.exp(p[pos][v]) * (p[pos][v] - q[pos][v]);
                        if (p[pos][v] > p[pos][bp]) bp = v;
                        if (q[pos][v] > q[pos][bq]) bq = v;
                    }
                    nll -= q[pos][s[pos + 1]];
                    if (bp == bq) agree++;
                    n++;
                }
            }
            assertEquals(n, r.tokens());
            assertEquals(kl / n, r.klNatsPerToken(), 1e-6 * Math.max(1, kl / n));
            assertEquals(Math.exp(nll / n), r.perplexity(), 1e-5 * Math.exp(nll / n));
            assertEquals((double) agree / n, r.top1Agreement(), 1e-12);
            QualityReport all = new ReferenceDistribution(base, seqs).compare(variant, null);
            assertTrue(all.tokens() > r.tokens() && Math.abs(all.klNatsPerToken() - r.klNatsPerToken()) > 1e-6,
                    "the unscored positions count when scoring from 0: " + all.klNatsPerToken() + " vs " + r.klNatsPerToken());
        }
    }

    @Test
    void scoringFromBeyondEverySequenceIsRefused() throws Exception {
        try (SyntheticLlama w = SyntheticLlama.tiny(4)) {
            ForwardPass base = ForwardPasses.load(w);
            List<int[]> seqs = List.of(SyntheticLlama.tokenSequences(2, 2, 16, w.architecture().vocabSize()));
            assertThrows(IllegalArgumentException.class, () -> new ReferenceDistribution(base, seqs, 0, 16));
            assertThrows(IllegalArgumentException.class, () -> new ReferenceDistribution(base, seqs, 0, -1));
        }
    }
}
