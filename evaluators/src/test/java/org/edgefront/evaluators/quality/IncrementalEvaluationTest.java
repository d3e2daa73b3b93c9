package org.edgefront.evaluators.quality;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.edgefront.evaluators.compress.TensorCompressor;
import org.edgefront.space.compress.TensorChoice;
import org.edgefront.space.model.ModelArchitecture;
import org.edgefront.space.model.TensorRole;
import org.edgefront.space.model.TensorSpec;
import org.edgefront.space.synthetic.SyntheticLlama;
import org.junit.jupiter.api.Test;

class IncrementalEvaluationTest {

    private static Map<String, float[]> compressed(ForwardPass base, String... names) {
        Map<String, float[]> o = new HashMap<>();
        Map<String, TensorSpec> specs = base.architecture().tensorsByName();
        for (String n : names) o.put(n, TensorCompressor.apply(specs.get(n), base.tensor(n), TensorChoice.parse("int3g32"), null));
        return o;
    }

    @Test
    void resumingFromRecordedLayerStatesGivesExactlyTheWholePassResult() throws Exception {
        try (SyntheticLlama w = SyntheticLlama.tiny(4)) {
            ModelArchitecture a = w.architecture();
            ForwardPass base = ForwardPasses.load(w);
            // three sequences, two of them short, so chunks hold several sequences
            List<int[]> seqs = List.of(SyntheticLlama.tokenSequences(4, 3, 40, a.vocabSize()));
            for (long bound : new long[] {Long.MAX_VALUE, 0}) {   // every boundary kept; only the final one kept
                ReferenceDistribution ref = new ReferenceDistribution(base, seqs, bound);
                assertTrue(ref.states() != null);
                String[][] cases = {
                    {TensorSpec.canonicalName(TensorRole.DOWN, 2)},
                    {TensorSpec.canonicalName(TensorRole.Q, 1), TensorSpec.canonicalName(TensorRole.UP, 3)},
                    {TensorSpec.canonicalName(TensorRole.EMBEDDING, -1)},
                };
                for (String[] c : cases) {
                    Map<String, float[]> o = compressed(base, c);
                    ForwardPass f = base.withOverrides(o);
                    int first = base.firstChangedLayer(o.keySet());
                    QualityReport whole = ref.compare(f, null, 0);
                    QualityReport resumed = ref.compare(f, null, first);
                    assertEquals(whole.klNatsPerToken(), resumed.klNatsPerToken(), 0.0, String.join(",", c) + " bound " + bound);
                    assertEquals(whole.perplexity(), resumed.perplexity(), 0.0);
                    assertEquals(whole.top1Agreement(), resumed.top1Agreement(), 0.0);
                    assertTrue(whole.klNatsPerToken() > 0);
                }
            }
        }
    }

    @Test
    void firstChangedLayerIsTheEarliestBlockTouched() throws Exception {
        try (SyntheticLlama w = SyntheticLlama.tiny(4)) {
            ForwardPass base = ForwardPasses.load(w);
            int layers = base.architecture().layers();
            assertEquals(2, base.firstChangedLayer(Set.of(TensorSpec.canonicalName(TensorRole.DOWN, 3), TensorSpec.canonicalName(TensorRole.V, 2))));
            assertEquals(0, base.firstChangedLayer(Set.of(TensorSpec.canonicalName(TensorRole.EMBEDDING, -1))));
            assertEquals(layers, base.firstChangedLayer(Set.of()));
            assertEquals(layers, base.firstChangedLayer(Set.of("output_norm.weight")));
            assertEquals(1, base.firstChangedLayer(Set.of("blk.1.ffn_norm.weight")));
        }
    }

    @Test
    void strideKeepsStatesWithinTheByteBound() {
        assertEquals(1, LayerStates.strideFor(30, 512, 576, Long.MAX_VALUE));
        long per = 4L * 512 * 576;
        int stride = LayerStates.strideFor(30, 512, 576, per * 11);
        assertEquals(3, stride);   // 10 boundaries besides the final one: every third of 30 layers
        assertEquals(31, LayerStates.strideFor(30, 512, 576, 0));
    }
}
