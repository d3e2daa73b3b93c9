package org.edgefront.evaluators.quality;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.edgefront.evaluators.EvaluatorFactory;
import org.edgefront.space.candidate.Candidate;
import org.edgefront.space.candidate.SearchSpace;
import org.edgefront.space.compress.TensorChoice;
import org.edgefront.space.metric.Evaluation;
import org.edgefront.space.metric.Metric;
import org.edgefront.space.model.ModelArchitecture;
import org.edgefront.space.model.TensorSpec;
import org.junit.jupiter.api.Test;

class QualityEvaluatorTest {
    private static final List<TensorChoice> OPTIONS = List.of(
            TensorChoice.parse("F32"), TensorChoice.parse("F16"), TensorChoice.parse("Q8_0"),
            TensorChoice.parse("Q4_0"), TensorChoice.parse("int2g32"), TensorChoice.parse("F16+2:4"));

    private static Map<String, TensorChoice> uniform(ModelArchitecture a, String label) {
        Map<String, TensorChoice> m = new LinkedHashMap<>();
        for (TensorSpec t : a.linearTensors()) m.put(t.name(), TensorChoice.parse(label));
        return m;
    }

    /** {@code n} candidates, each tensor's option drawn from {@link #OPTIONS} with a generator seeded by {@code seed}. */
    private static List<Map<String, TensorChoice>> randomChoices(ModelArchitecture a, long seed, int n) {
        java.util.Random pick = new java.util.Random(seed);
        List<Map<String, TensorChoice>> out = new java.util.ArrayList<>();
        for (int c = 0; c < n; c++) {
            Map<String, TensorChoice> choice = new LinkedHashMap<>();
            for (TensorSpec s : a.linearTensors()) choice.put(s.name(), OPTIONS.get(pick.nextInt(OPTIONS.size())));
            out.add(choice);
        }
        return out;
    }

    private static QualityEvaluator tiny(long seed) throws Exception {
        ModelArchitecture a = TinyModels.arch(true);
        Map<String, float[]> t = TinyModels.tensors(a, seed);
        return new QualityEvaluator(SearchSpace.perTensor(a, OPTIONS), TinyModels.weights(a, t),
                TinyModels.sequences(6, 24, a.vocabSize(), seed + 1));
    }

    @Test
    void uncompressedCandidateHasZeroKlAndFullAgreement() throws Exception {
        try (QualityEvaluator e = tiny(21)) {
            SearchSpace space = SearchSpace.perTensor(TinyModels.arch(true), OPTIONS);
            Evaluation ev = e.evaluate(space.uniform(0));
            assertTrue(ev.ok(), ev.failureReason());
            assertEquals(0.0, ev.measurements().get(Metric.KL), 1e-12);
            assertEquals(1.0, ev.measurements().get(Metric.TOP1_AGREEMENT));
            assertEquals(e.reference().perplexity(), ev.measurements().get(Metric.PERPLEXITY), 1e-9);
            assertEquals("measured:" + e.tokens(), ev.fidelity());
            assertEquals(0, e.cachedTensors());
        }
    }

    @Test
    void klGrowsAsCompressionGetsHeavier() throws Exception {
        try (QualityEvaluator e = tiny(22)) {
            ModelArchitecture a = TinyModels.arch(true);
            double f16 = e.measure(uniform(a, "F16")).klNatsPerToken();
            double q8 = e.measure(uniform(a, "Q8_0")).klNatsPerToken();
            double q4 = e.measure(uniform(a, "Q4_0")).klNatsPerToken();
            QualityReport int2 = e.measure(uniform(a, "int2g32"));
            assertTrue(f16 >= 0 && f16 < q8 && q8 < q4 && q4 < int2.klNatsPerToken(),
                    f16 + " " + q8 + " " + q4 + " " + int2.klNatsPerToken());
            assertTrue(int2.top1Agreement() < 1.0);
        }
    }

    @Test
    void singleTensorKlMatchesAForwardPassWithThatTensorCompressed() throws Exception {
        ModelArchitecture a = TinyModels.arch(true);
        Map<String, float[]> t = TinyModels.tensors(a, 23);
        List<int[]> seqs = TinyModels.sequences(4, 16, a.vocabSize(), 24);
        try (QualityEvaluator e = new QualityEvaluator(SearchSpace.perTensor(a, OPTIONS), TinyModels.weights(a, t), seqs)) {
            QualityReport r = e.measure(Map.of("blk.1.attn_v.weight", TensorChoice.parse("int2g32")));
            // recompute KL from two passes of the independent double-precision reference forward (not LlamaForward)
            Map<String, float[]> t2 = new java.util.HashMap<>(t);
            TensorSpec v = a.tensor("blk.1.attn_v.weight");
            t2.put(v.name(), org.edgefront.evaluators.compress.TensorCompressor.apply(v, t.get(v.name()), TensorChoice.parse("int2g32"), null));
            double kl = 0;
            long n = 0;
            for (int[] s : seqs) {
                double[][] p = TinyModels.referenceLogProbs(a, t, s);
                double[][] q = TinyModels.referenceLogProbs(a, t2, s);
                for (int i = 0; i + 1 < s.length; i++, n++) {
                    for (int k = 0; k < a.vocabSize(); k++) kl += Math.exp(p[i][k]) * (p[i][k] - q[i][k]);
                }
            }
            assertEquals(n, r.tokens());
            // float forward vs double reference: log-probs agree to ~1e-5, so the KL to a small relative error
            assertEquals(kl / n, r.klNatsPerToken(), 2e-3 * kl / n, "KL per token");
            assertTrue(r.klNatsPerToken() > 0);
        }
    }

    @Test
    void compressedTensorsAreCachedAndTheCacheIsBounded() throws Exception {
        ModelArchitecture a = TinyModels.arch(true);
        Map<String, float[]> t = TinyModels.tensors(a, 25);
        SearchSpace space = SearchSpace.perTensor(a, OPTIONS);
        List<int[]> seqs = TinyModels.sequences(3, 12, a.vocabSize(), 26);
        try (QualityEvaluator e = new QualityEvaluator(space, TinyModels.weights(a, t), seqs, null, Long.MAX_VALUE)) {
            Evaluation first = e.evaluate(space.uniform(3));
            assertEquals(a.linearTensors().size(), e.cachedTensors());
            Evaluation again = e.evaluate(space.uniform(3));
            assertEquals(first.measurements(), again.measurements());
        }
        long oneTensor = 4L * a.dim() * a.dim();
        try (QualityEvaluator e = new QualityEvaluator(space, TinyModels.weights(a, t), seqs, null, 2 * oneTensor)) {
            Evaluation bounded = e.evaluate(space.uniform(3));
            assertTrue(e.cachedTensors() <= 2, "cache holds " + e.cachedTensors());
            assertTrue(bounded.ok());
        }
    }

    @Test
    void nonFiniteResultBecomesAFailedEvaluation() throws Exception {
        ModelArchitecture a = TinyModels.arch(false);
        Map<String, float[]> t = TinyModels.tensors(a, 27);
        t.get("token_embd.weight")[a.dim() * 1] = 1e6f;   // token 1 (BOS) embedding only (untied): overflows fp16 to infinity
        SearchSpace space = SearchSpace.perTensor(a, OPTIONS);
        try (QualityEvaluator e = new QualityEvaluator(space, TinyModels.weights(a, t), TinyModels.sequences(2, 8, a.vocabSize(), 28))) {
            assertTrue(e.evaluate(space.uniform(0)).ok());
            Evaluation ev = e.evaluate(space.uniform(1));
            assertFalse(ev.ok());
            assertTrue(ev.failureReason().contains("non-finite"), ev.failureReason());
            Evaluation outside = e.evaluate(new Candidate(new int[] {99}));
            assertFalse(outside.ok());
        }
    }

    @Test
    void textFactoryIsPlainSerializableConfiguration() throws Exception {
        ModelArchitecture a = TinyModels.arch(true);
        QualityEvaluator.Factory f = QualityEvaluator.Factory.forText("file:///models/m.bin", "/models/tok.bin", "s3a://bucket/text.txt",
                10, 20, 256, SearchSpace.perTensor(a, OPTIONS));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(f);
        }
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            QualityEvaluator.Factory copy = (QualityEvaluator.Factory) in.readObject();
            assertEquals(f.inputs(), copy.inputs());
        }
        assertThrowsInvalid(() -> new QualityEvaluator.TextInputs("m", "t", "x", 0, 0, 256));
        assertThrowsInvalid(() -> new QualityEvaluator.TextInputs("m", "t", "x", 0, 5, 1));
    }

    private static void assertThrowsInvalid(org.junit.jupiter.api.function.Executable e) {
        org.junit.jupiter.api.Assertions.assertThrows(org.edgefront.space.input.InvalidInputException.class, e);
    }

    @Test
    void factorySerializesAndBuildsAnEquivalentEvaluator() throws Exception {
        ModelArchitecture a = TinyModels.arch(false);
        SearchSpace space = SearchSpace.perTensor(a, OPTIONS);
        List<int[]> seqs = TinyModels.sequences(3, 12, a.vocabSize(), 30);
        EvaluatorFactory f = QualityEvaluator.Factory.forSequences(() -> TinyModels.weights(a, TinyModels.tensors(a, 29)), seqs, space);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(f);
        }
        EvaluatorFactory copy;
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            copy = (EvaluatorFactory) in.readObject();
        }
        Candidate c = space.uniform(3);
        try (var e1 = f.create(); var e2 = copy.create()) {
            Evaluation r1 = e1.evaluate(c);
            Evaluation r2 = e2.evaluate(c);
            assertTrue(r1.ok(), r1.failureReason());
            assertEquals(r1.measurements(), r2.measurements());
            assertEquals(QualityEvaluator.VERSION, r1.evaluatorVersion());
        }
    }

    @Test
    void anEvaluatorOnSeveralThreadsMeasuresEveryCandidateBitForBitAsOnOne() throws Exception {
        // long sequences (two row blocks, batched attention) and fresh compressions made in parallel
        ModelArchitecture a = TinyModels.mid(1024);
        Map<String, float[]> t = TinyModels.tensors(a, 31);
        SearchSpace space = SearchSpace.perTensor(a, OPTIONS);
        int[] seq = TinyModels.tokens(700, a.vocabSize(), 32);
        try (QualityEvaluator one = new QualityEvaluator(space, TinyModels.weights(a, t), List.of(seq), 1);
             QualityEvaluator three = new QualityEvaluator(space, TinyModels.weights(a, t), List.of(seq), 3)) {
            List<Map<String, TensorChoice>> choices = randomChoices(a, 33, 4);
            for (int c = 0; c < choices.size(); c++) {
                Map<String, TensorChoice> choice = choices.get(c);
                QualityReport x = one.measure(choice);
                QualityReport y = three.measure(choice);
                assertEquals(Double.doubleToLongBits(x.klNatsPerToken()), Double.doubleToLongBits(y.klNatsPerToken()), "KL of candidate " + c);
                assertEquals(Double.doubleToLongBits(x.perplexity()), Double.doubleToLongBits(y.perplexity()), "perplexity of candidate " + c);
                assertTrue(x.klNatsPerToken() > 0, "candidate " + c + " compresses something");
            }
        }
    }

    @Test
    void concurrentCopiesOnTwoThreadsMeasureBitForBitAsAFreshEvaluatorAndOutliveTheOriginal() throws Exception {
        ModelArchitecture a = TinyModels.mid(1024);
        Map<String, float[]> t = TinyModels.tensors(a, 41);
        SearchSpace space = SearchSpace.perTensor(a, OPTIONS);
        int[] seq = TinyModels.tokens(300, a.vocabSize(), 42);
        List<Map<String, TensorChoice>> choices = randomChoices(a, 43, 6);
        List<QualityReport> expected = new java.util.ArrayList<>();
        try (QualityEvaluator fresh = new QualityEvaluator(space, TinyModels.weights(a, t), List.of(seq), 1)) {
            for (Map<String, TensorChoice> c : choices) expected.add(fresh.measure(c));
        }
        QualityEvaluator original = new QualityEvaluator(space, TinyModels.weights(a, t), List.of(seq), 2);
        QualityEvaluator copy = original.concurrentCopy();
        assertTrue(copy != null && copy != original, "a copy is a second evaluator");
        java.util.concurrent.ExecutorService two = java.util.concurrent.Executors.newFixedThreadPool(2);
        try {
            // both threads measure every candidate at once, so they compress the same tensors into the shared cache
            List<java.util.concurrent.Future<List<QualityReport>>> runs = new java.util.ArrayList<>();
            for (QualityEvaluator e : List.of(original, copy)) {
                runs.add(two.submit(() -> {
                    List<QualityReport> out = new java.util.ArrayList<>();
                    for (Map<String, TensorChoice> c : choices) out.add(e.measure(c));
                    return out;
                }));
            }
            for (java.util.concurrent.Future<List<QualityReport>> run : runs) {
                List<QualityReport> got = run.get();
                for (int c = 0; c < choices.size(); c++) {
                    assertEquals(Double.doubleToLongBits(expected.get(c).klNatsPerToken()), Double.doubleToLongBits(got.get(c).klNatsPerToken()), "KL of candidate " + c);
                    assertEquals(Double.doubleToLongBits(expected.get(c).perplexity()), Double.doubleToLongBits(got.get(c).perplexity()), "perplexity of candidate " + c);
                }
            }
        } finally {
            two.shutdownNow();
        }
        assertTrue(copy.cachedTensors() > 0 && copy.cachedTensors() == original.cachedTensors(), "one cache, shared");
        original.close();
        assertEquals(null, original.concurrentCopy(), "a closed evaluator has nothing to share");
        assertTrue(copy.cachedTensors() > 0, "closing the original keeps what the copy still uses");
        QualityReport again = copy.measure(choices.get(0));
        assertEquals(Double.doubleToLongBits(expected.get(0).klNatsPerToken()), Double.doubleToLongBits(again.klNatsPerToken()));
        QualityEvaluator third = copy.concurrentCopy();
        copy.close();
        assertTrue(third.cachedTensors() > 0, "the last user keeps the cache");
        third.close();
        assertEquals(0, third.cachedTensors(), "the last one to close releases the cache");
    }
}
