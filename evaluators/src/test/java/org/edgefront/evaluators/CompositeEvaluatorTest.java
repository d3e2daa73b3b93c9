package org.edgefront.evaluators;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.edgefront.space.candidate.Candidate;
import org.edgefront.space.metric.Evaluation;
import org.edgefront.space.metric.Measurements;
import org.edgefront.space.metric.Metric;
import org.junit.jupiter.api.Test;

/**
 * The composite's contract: every part measures every candidate, results are merged per candidate, a failing part
 * fails the merged evaluation with its reason, and the composite owns (closes) its parts. The parts are stubs whose
 * values are simple functions of the genes, so each expected value is computed here from the genes alone.
 */
class CompositeEvaluatorTest {

    /** Weight bytes = 1000 x the sum of the genes; fails a candidate whose gene {@code failOn} is odd (if >= 0). */
    private static class BytesPart implements Evaluator {
        final int failOn;
        final String fidelity;
        int closed;

        BytesPart(int failOn, String fidelity) {
            this.failOn = failOn;
            this.fidelity = fidelity;
        }

        @Override public Set<Metric> provides() { return EnumSet.of(Metric.WEIGHT_BYTES); }

        @Override
        public Evaluation evaluate(Candidate c) {
            double bytes = 1000.0 * Arrays.stream(c.genes()).sum();
            Measurements m = Measurements.EMPTY.with(Metric.WEIGHT_BYTES, bytes);
            if (failOn >= 0 && c.gene(failOn) % 2 != 0) {
                return new Evaluation(c.id(), org.edgefront.space.metric.EvaluationStatus.FAILED, m,
                        "bytes: odd gene " + failOn, fidelity, version());
            }
            return Evaluation.ok(c.id(), m, fidelity, version());
        }

        @Override public String version() { return "bytes-1"; }

        @Override public void close() { closed++; }
    }

    /** KL = gene 0 / 10; fails (with no measurements) a candidate whose gene {@code failOn} is odd (if >= 0). */
    private static class KlPart implements Evaluator {
        final int failOn;
        final String fidelity;
        int closed;

        KlPart(int failOn, String fidelity) {
            this.failOn = failOn;
            this.fidelity = fidelity;
        }

        @Override public Set<Metric> provides() { return EnumSet.of(Metric.KL, Metric.PERPLEXITY); }

        @Override
        public Evaluation evaluate(Candidate c) {
            if (failOn >= 0 && c.gene(failOn) % 2 != 0) return Evaluation.failed(c.id(), "kl: odd gene " + failOn, version());
            double kl = c.gene(0) / 10.0;
            return Evaluation.ok(c.id(), Measurements.EMPTY.with(Metric.KL, kl).with(Metric.PERPLEXITY, Math.exp(kl)),
                    fidelity, version());
        }

        @Override public String version() { return "kl-2"; }

        @Override public void close() { closed++; }
    }

    private static List<Candidate> candidates(long seed, int n) {
        SplittableRandom r = new SplittableRandom(seed);
        List<Candidate> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int[] g = new int[5];
            for (int j = 0; j < g.length; j++) g[j] = r.nextInt(9);
            out.add(new Candidate(g));
        }
        return out;
    }

    @Test
    void eachCandidateGetsEveryPartsMeasurementsOfItsOwnGenes() {
        List<Candidate> cs = candidates(42, 30);
        CompositeEvaluator ev = new CompositeEvaluator(List.of(new BytesPart(-1, "exact"), new KlPart(-1, "measured:64")));
        List<Evaluation> out = ev.evaluateAll(cs);

        assertEquals(EnumSet.of(Metric.WEIGHT_BYTES, Metric.KL, Metric.PERPLEXITY), ev.provides());
        assertEquals(cs.size(), out.size());
        for (int i = 0; i < cs.size(); i++) {
            Candidate c = cs.get(i);
            Evaluation e = out.get(i);
            int sum = 0;
            for (int g : c.genes()) sum += g;
            assertEquals(c.id(), e.candidateId(), "result " + i + " belongs to candidate " + i);
            assertTrue(e.ok(), e.failureReason());
            assertEquals(1000.0 * sum, e.measurements().get(Metric.WEIGHT_BYTES));
            assertEquals(c.gene(0) / 10.0, e.measurements().get(Metric.KL));
            assertEquals(Math.exp(c.gene(0) / 10.0), e.measurements().get(Metric.PERPLEXITY), 1e-12);
        }
    }

    @Test
    void aFailingPartFailsTheMergedEvaluationWithTheReasonOfEveryFailingPart() {
        List<Candidate> cs = candidates(7, 40);
        List<Evaluation> out = new CompositeEvaluator(List.of(new BytesPart(1, ""), new KlPart(2, ""))).evaluateAll(cs);
        int bothFailed = 0;
        int passed = 0;
        for (int i = 0; i < cs.size(); i++) {
            Candidate c = cs.get(i);
            Evaluation e = out.get(i);
            boolean bytesFails = c.gene(1) % 2 != 0;
            boolean klFails = c.gene(2) % 2 != 0;
            assertEquals(!bytesFails && !klFails, e.ok(), "candidate " + c);
            assertEquals(bytesFails, e.failureReason().contains("bytes: odd gene 1"), e.failureReason());
            assertEquals(klFails, e.failureReason().contains("kl: odd gene 2"), e.failureReason());
            // a part that measured before failing still contributes its values
            int sum = 0;
            for (int g : c.genes()) sum += g;
            assertEquals(1000.0 * sum, e.measurements().get(Metric.WEIGHT_BYTES));
            assertEquals(!klFails, e.measurements().has(Metric.KL));
            if (bytesFails && klFails) bothFailed++;
            if (e.ok()) passed++;
        }
        assertTrue(bothFailed > 0 && passed > 0, "seed 7 gives both outcomes: " + bothFailed + " both-failed, " + passed + " ok");
    }

    @Test
    void fidelityNamesEveryPartThatReportsOneAndVersionNamesEveryPart() {
        Candidate c = candidates(3, 1).get(0);
        CompositeEvaluator ev = new CompositeEvaluator(
                List.of(new BytesPart(-1, ""), new KlPart(-1, "measured:64"), new BytesPart(-1, "proxy")));
        Evaluation e = ev.evaluate(c);

        assertEquals(Set.of("measured:64", "proxy"), new HashSet<>(Arrays.asList(e.fidelity().split(",", -1))),
                "fidelity '" + e.fidelity() + "' has no empty entries");
        assertEquals(ev.version(), e.evaluatorVersion());
        assertEquals(List.of("bytes-1", "kl-2", "bytes-1"), Arrays.asList(ev.version().split("\\+")));
    }

    @Test
    void evaluatingOneCandidateGivesTheSameResultAsABatchOfOne() {
        for (Candidate c : candidates(11, 10)) {
            CompositeEvaluator ev = new CompositeEvaluator(List.of(new BytesPart(0, "a"), new KlPart(3, "b")));
            assertEquals(ev.evaluateAll(List.of(c)).get(0), ev.evaluate(c));
        }
    }

    @Test
    void theDefaultBatchEvaluationKeepsTheInputOrder() {
        List<Candidate> cs = candidates(5, 12);
        Evaluator onlyEvaluate = new KlPart(-1, "");
        List<Evaluation> out = onlyEvaluate.evaluateAll(cs);
        assertEquals(cs.stream().map(Candidate::id).toList(), out.stream().map(Evaluation::candidateId).toList());
    }

    @Test
    void aPartReturningTheWrongNumberOfResultsIsRejected() {
        Evaluator dropsOne = new KlPart(-1, "") {
            @Override
            public List<Evaluation> evaluateAll(List<Candidate> candidates) {
                return super.evaluateAll(candidates.subList(1, candidates.size()));
            }
        };
        CompositeEvaluator ev = new CompositeEvaluator(List.of(new BytesPart(-1, ""), dropsOne));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> ev.evaluateAll(candidates(1, 3)));
        assertTrue(e.getMessage().contains("2 results for 3"), e.getMessage());
    }

    @Test
    void aConcurrentCopyCopiesEveryPartOrNoneAndMeasuresTheSame() {
        // parts that can be copied: the copy is a new composite of new parts with the same results
        Evaluator copyable = new KlPart(-1, "m") {
            @Override
            public Evaluator concurrentCopy() { return new KlPart(-1, "m"); }
        };
        BytesPart bytes = new BytesPart(-1, "exact") {
            @Override
            public Evaluator concurrentCopy() { return new BytesPart(-1, "exact"); }
        };
        CompositeEvaluator whole = new CompositeEvaluator(List.of(bytes, copyable));
        Evaluator copy = whole.concurrentCopy();
        assertTrue(copy instanceof CompositeEvaluator && copy != whole);
        List<Candidate> cs = candidates(13, 8);
        assertEquals(whole.evaluateAll(cs), copy.evaluateAll(cs));
        // one part without a copy: no copy at all, and the copies already made of the others are closed
        KlPart[] madeCopy = new KlPart[1];
        Evaluator first = new KlPart(-1, "") {
            @Override
            public Evaluator concurrentCopy() { return madeCopy[0] = new KlPart(-1, ""); }
        };
        assertEquals(null, new CompositeEvaluator(List.of(first, new KlPart(-1, ""))).concurrentCopy());
        assertEquals(1, madeCopy[0].closed, "the copy made before the part that had none is closed");
    }

    @Test
    void aCompositeOfNothingIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> new CompositeEvaluator(List.of()));
    }

    @Test
    void closeClosesEveryPartEvenWhenOneThrowsAndRethrowsTheFirstFailure() {
        RuntimeException first = new IllegalStateException("first");
        RuntimeException second = new IllegalStateException("second");
        AtomicInteger attempts = new AtomicInteger();
        BytesPart ok1 = new BytesPart(-1, "");
        BytesPart ok2 = new BytesPart(-1, "");
        Evaluator throwsFirst = new KlPart(-1, "") {
            @Override public void close() { attempts.incrementAndGet(); throw first; }
        };
        Evaluator throwsSecond = new KlPart(-1, "") {
            @Override public void close() { attempts.incrementAndGet(); throw second; }
        };
        CompositeEvaluator ev = new CompositeEvaluator(List.of(ok1, throwsFirst, ok2, throwsSecond));
        RuntimeException thrown = assertThrows(RuntimeException.class, ev::close);
        assertSame(first, thrown);
        assertEquals(1, ok1.closed);
        assertEquals(1, ok2.closed);
        assertEquals(2, attempts.get());

        BytesPart a = new BytesPart(-1, "");
        KlPart b = new KlPart(-1, "");
        new CompositeEvaluator(List.of(a, b)).close();
        assertEquals(1, a.closed);
        assertEquals(1, b.closed);
    }

    /** A serializable factory of one stub part; records what it built so a test can check that it was closed. */
    private record StubFactory(String kind, boolean fails) implements EvaluatorFactory {
        static final List<BytesPart> BUILT = new ArrayList<>();

        @Override
        public Evaluator create() {
            if (fails) throw new IllegalStateException("cannot build " + kind);
            if (kind.equals("kl")) return new KlPart(-1, "");
            BytesPart p = new BytesPart(-1, "");
            synchronized (BUILT) {
                BUILT.add(p);
            }
            return p;
        }
    }

    @Test
    void theFactoryClosesThePartsItBuiltWhenALaterPartCannotBeBuilt() {
        CompositeEvaluator.Factory f = new CompositeEvaluator.Factory(
                List.of(new StubFactory("bytes-a", false), new StubFactory("bytes-b", false), new StubFactory("kl", true)));
        List<BytesPart> built;
        synchronized (StubFactory.BUILT) {
            StubFactory.BUILT.clear();
            IllegalStateException e = assertThrows(IllegalStateException.class, f::create);
            assertTrue(e.getMessage().contains("cannot build kl"), e.getMessage());
            built = List.copyOf(StubFactory.BUILT);
        }
        assertEquals(2, built.size());
        for (BytesPart p : built) assertEquals(1, p.closed, "a part built before the failure is closed");
    }

    @Test
    void theFactoryTravelsSerializedAndBuildsEveryPart() throws IOException, ClassNotFoundException {
        CompositeEvaluator.Factory f = new CompositeEvaluator.Factory(
                List.of(new StubFactory("bytes", false), new StubFactory("kl", false)));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(f);
        }
        Object copy;
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            copy = in.readObject();
        }
        assertEquals(f, copy);
        try (Evaluator ev = ((EvaluatorFactory) copy).create()) {
            assertEquals(EnumSet.of(Metric.WEIGHT_BYTES, Metric.KL, Metric.PERPLEXITY), ev.provides());
            Candidate c = candidates(9, 1).get(0);
            Evaluation e = ev.evaluate(c);
            assertTrue(e.ok());
            assertEquals(c.gene(0) / 10.0, e.measurements().get(Metric.KL));
        }
    }
}
