package org.edgefront.evaluators.quality;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.edgefront.evaluators.EvaluatorFactory;
import org.edgefront.evaluators.compress.TensorCompressor;
import org.edgefront.space.candidate.Candidate;
import org.edgefront.space.candidate.SearchSpace;
import org.edgefront.space.compress.TensorChoice;
import org.edgefront.space.model.ModelArchitecture;
import org.edgefront.space.model.ModelWeights;
import org.edgefront.space.model.TensorSpec;
import org.edgefront.space.synthetic.SyntheticLlama;
import org.junit.jupiter.api.Test;

/** A pass streamed from its checkpoint computes exactly what the pass holding every tensor computes. */
class StreamedForwardTest {

    /** Counts reads per tensor name; reads from a seeded synthetic model. */
    static final class CountingWeights implements ModelWeights {
        final SyntheticLlama inner;
        final Map<String, AtomicInteger> reads = new ConcurrentHashMap<>();
        boolean closed;

        CountingWeights(long seed) { inner = SyntheticLlama.tiny(seed); }

        int reads(String name) { return reads.getOrDefault(name, new AtomicInteger()).get(); }

        @Override public ModelArchitecture architecture() { return inner.architecture(); }

        @Override public float[] read(String tensorName) throws IOException {
            if (closed) throw new IOException("closed");
            reads.computeIfAbsent(tensorName, k -> new AtomicInteger()).incrementAndGet();
            return inner.read(tensorName);
        }

        @Override public String source() { return inner.source(); }

        @Override public void close() { closed = true; }
    }

    private static List<float[]> logProbs(ForwardPass p, List<int[]> seqs) {
        List<float[]> out = new ArrayList<>();
        int vocab = p.architecture().vocabSize();
        p.run(seqs, (s, pos, lp, off) -> out.add(java.util.Arrays.copyOfRange(lp, off, off + vocab)), null);
        return out;
    }

    private static void assertSame(List<float[]> a, List<float[]> b) {
        assertEquals(a.size(), b.size());
        for (int i = 0; i < a.size(); i++) assertArrayEquals(a.get(i), b.get(i), 0f, "position " + i);
    }

    @Test
    void streamedPassGivesTheSameLogProbsAndReadsEachStreamedTensorOncePerChunk() throws Exception {
        List<int[]> seqs = List.of(SyntheticLlama.tokenSequences(8, 3, 40, 256));
        try (CountingWeights w = new CountingWeights(8)) {
            ModelArchitecture a = w.architecture();
            ForwardPass held = ForwardPasses.load(w.inner);
            String down2 = TensorSpec.canonicalName(org.edgefront.space.model.TensorRole.DOWN, 2);
            String q0 = TensorSpec.canonicalName(org.edgefront.space.model.TensorRole.Q, 0);
            for (long pinned : new long[] {0, 4L * a.tensorsByName().get(q0).parameterCount() * 3}) {
                w.reads.clear();
                ForwardPass streamed = ForwardPasses.open(w, 0, pinned);
                // nothing but norms, the embedding and the pinned tensors is read before the pass runs
                assertEquals(0, w.reads(down2));
                assertEquals(pinned == 0 ? 0 : 1, w.reads(q0));
                assertSame(logProbs(held, seqs), logProbs(streamed, seqs));
                assertEquals(1, w.reads(down2), "one chunk: the streamed tensor is read once per pass");
                assertEquals(1, w.reads(q0), pinned == 0 ? "streamed: read once in the one chunk" : "pinned: read when the pass was built, never again");
            }
        }
    }

    @Test
    void aStreamedPassDecodesTheSameBitsAsAHeldOneReadingEachStreamedTensorOncePerStep() throws Exception {
        int[][] seqs = SyntheticLlama.tokenSequences(3, 2, 12, 256);
        try (CountingWeights w = new CountingWeights(5)) {
            ForwardPass held = ForwardPasses.load(w.inner);
            ForwardPass streamed = ForwardPasses.open(w, 0, 0);
            String down1 = TensorSpec.canonicalName(org.edgefront.space.model.TensorRole.DOWN, 1);
            w.reads.clear();
            try (ForwardPass.Decoder a = held.decoder(2, 12); ForwardPass.Decoder b = streamed.decoder(2, 12)) {
                for (int p = 0; p < 12; p++) {
                    int[] feed = {seqs[0][p], seqs[1][p]};
                    assertArrayEquals(a.step(feed).clone(), b.step(feed), 0f, "position " + p);
                }
            }
            assertEquals(12, w.reads(down1), "a streamed decoder reads the layer's tensors on each of its 12 steps");
        }
    }

    @Test
    void aStreamedPhi2PassGivesTheSameLogProbsAsAHeldOne() throws Exception {
        var shape = new SyntheticLlama.Shape(160, 640, 2, 2, 2, 97, 128, false);
        try (SyntheticLlama w = SyntheticLlama.create(shape, 5, org.edgefront.space.model.ArchitectureFamily.PHI2)) {
            List<int[]> seqs = List.of(SyntheticLlama.tokenSequences(5, 2, 30, 97));
            ForwardPass held = ForwardPasses.load(w);
            ForwardPass streamed = ForwardPasses.open(w, 0, 0);
            assertTrue(streamed instanceof PhiForward);
            assertSame(logProbs(held, seqs), logProbs(streamed, seqs));
            String up = TensorSpec.canonicalName(org.edgefront.space.model.TensorRole.UP, 1);
            Map<String, float[]> o = Map.of(up, TensorCompressor.apply(w.architecture().tensorsByName().get(up), w.read(up), TensorChoice.parse("int4g32"), null));
            assertSame(logProbs(held.withOverrides(o), seqs), logProbs(streamed.withOverrides(o), seqs));
        }
    }

    @Test
    void lazilyComputedOverridesAreProducedWhenTheirLayerRunsAndMatchEagerOnes() throws Exception {
        List<int[]> seqs = List.of(SyntheticLlama.tokenSequences(9, 2, 30, 256));
        try (CountingWeights w = new CountingWeights(9)) {
            ModelArchitecture a = w.architecture();
            ForwardPass held = ForwardPasses.load(w.inner);
            ForwardPass streamed = ForwardPasses.open(w, 0, 0);
            Map<String, TensorSpec> specs = a.tensorsByName();
            TensorChoice c = TensorChoice.parse("int4g32");
            Map<String, float[]> eager = new HashMap<>();
            for (TensorSpec t : a.linearTensors()) eager.put(t.name(), TensorCompressor.apply(t, held.tensor(t.name()), c, null));
            AtomicInteger computed = new AtomicInteger();
            Map<String, float[]> lazy = TensorViews.computed(eager.keySet(), n -> {
                computed.incrementAndGet();
                return TensorCompressor.apply(specs.get(n), streamed.tensor(n), c, null);
            });
            ForwardPass f = streamed.withOverrides(lazy);
            // only the embedding is taken when the variant is built: every chunk looks its rows up
            assertEquals(1, computed.get(), "building the variant computes the embedding only");
            assertSame(logProbs(held.withOverrides(eager), seqs), logProbs(f, seqs));
            // then every other linear tensor once as its layer runs, and a tied LM head the embedding's replacement again
            assertTrue(a.tiedEmbeddings());
            assertEquals(a.linearTensors().size() + 1, computed.get());
        }
    }

    @Test
    void aStreamingEvaluatorMeasuresPrunedStructureLikeAHoldingOne() throws Exception {
        ModelArchitecture a = SyntheticLlama.tiny(11).architecture();
        SearchSpace space = SearchSpace.perTensor(a, List.of(TensorChoice.parse("f32"), TensorChoice.parse("int4g32")))
                .withStructure(org.edgefront.space.candidate.StructureDecision.forModel(a, List.of(1.0, 0.5), List.of(1.0, 0.5), true,
                        List.of(1.0, 0.5)));
        List<int[]> seqs = List.of(SyntheticLlama.tokenSequences(11, 3, 24, a.vocabSize()));
        List<int[]> cal = List.of(SyntheticLlama.tokenSequences(12, 3, 24, a.vocabSize()));
        QualityEvaluator.Inputs inputs = new QualityEvaluator.FixedInputs(() -> SyntheticLlama.tiny(11), seqs, cal);
        EvaluatorFactory held = new QualityEvaluator.Factory(inputs, space, QualityEvaluator.DEFAULT_CACHE_BYTES);
        EvaluatorFactory streamed = new QualityEvaluator.Factory(inputs, space, 0, 0);
        org.apache.commons.math3.random.RandomGenerator rng = new org.apache.commons.math3.random.Well19937c(11);
        try (var e1 = held.create(); var e2 = streamed.create()) {
            int pruned = 0;
            for (int i = 0; i < 6; i++) {
                Candidate c = space.sample(rng);
                if (space.structurePlan(c).prunes(a)) pruned++;
                var r1 = e1.evaluate(c);
                var r2 = e2.evaluate(c);
                assertTrue(r1.ok() && r2.ok(), r1.failureReason() + " / " + r2.failureReason());
                assertEquals(r1.measurements(), r2.measurements());
            }
            assertTrue(pruned > 0, "some sampled candidates prune heads, channels, layers or vocabulary");
        }
    }

    @Test
    void anEvaluatorThatStreamsMeasuresWhatAHoldingOneMeasuresAndClosesItsCheckpoint() throws Exception {
        List<CountingWeights> opened = new ArrayList<>();
        ModelArchitecture a = SyntheticLlama.tiny(10).architecture();
        SearchSpace space = SearchSpace.perTensor(a, List.of(TensorChoice.parse("f32"), TensorChoice.parse("int4g32"), TensorChoice.parse("q8_0")));
        List<int[]> seqs = List.of(SyntheticLlama.tokenSequences(10, 3, 24, a.vocabSize()));
        QualityEvaluator.Inputs inputs = new QualityEvaluator.FixedInputs(() -> {
            CountingWeights w = new CountingWeights(10);
            synchronized (opened) { opened.add(w); }
            return w;
        }, seqs);
        EvaluatorFactory held = new QualityEvaluator.Factory(inputs, space, QualityEvaluator.DEFAULT_CACHE_BYTES);
        EvaluatorFactory streamed = new QualityEvaluator.Factory(inputs, space, 0, 0);
        Candidate[] cs = {space.uniform(1), space.uniform(2), space.sample(new org.apache.commons.math3.random.Well19937c(3))};
        try (var e1 = held.create(); var e2 = streamed.create()) {
            assertTrue(opened.get(0).closed, "a holding evaluator closes the checkpoint after reading it");
            assertFalse(opened.get(1).closed, "a streaming evaluator keeps reading it");
            for (Candidate c : cs) {
                var r1 = e1.evaluate(c);
                var r2 = e2.evaluate(c);
                assertTrue(r1.ok() && r2.ok(), r1.failureReason() + " / " + r2.failureReason());
                assertEquals(r1.measurements(), r2.measurements());
            }
        }
        assertTrue(opened.get(1).closed, "closing the streaming evaluator closes its checkpoint");
    }
}
