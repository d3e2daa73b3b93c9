package org.edgefront.jobs.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.edgefront.evaluators.ModelSource;
import org.edgefront.jobs.io.AtomicFiles;
import org.edgefront.jobs.results.EvaluationStore;
import org.edgefront.jobs.results.SearchOutputs;
import org.edgefront.jobs.results.SearchResult;
import org.edgefront.jobs.run.BatchEvaluator;
import org.edgefront.jobs.run.SearchRunner;
import org.edgefront.jobs.run.SequentialBatchEvaluator;
import org.edgefront.jobs.run.SparkBatchEvaluator;
import org.edgefront.jobs.spark.EvaluatorPool;
import org.edgefront.jobs.spark.SparkSessions;
import org.edgefront.search.problem.EvaluatedCandidate;
import org.edgefront.search.problem.Objective;
import org.edgefront.search.problem.Problem;
import org.edgefront.search.strategy.Strategies;
import org.edgefront.space.candidate.Candidate;
import org.edgefront.space.candidate.SearchSpace;
import org.edgefront.space.compress.TensorChoice;
import org.edgefront.space.metric.Evaluation;
import org.edgefront.space.metric.EvaluationStatus;
import org.edgefront.space.metric.Metric;
import org.edgefront.space.model.ModelWeights;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Failed evaluations are data, too many failures stop the job with the work kept, and a Spark task that throws is retried. */
class FaultInjectionTest {
    private static final Problem PROBLEM = new Problem(List.of(Objective.minimize(Metric.KL), Objective.minimize(Metric.MEMORY_BYTES)), List.of());
    private static final long SEED = 20261121L;

    @TempDir
    Path dir;

    static SearchSpace space() throws IOException {
        try (ModelWeights w = new ModelSource("synthetic:tiny").open()) {
            return SearchSpace.perTensor(w.architecture(), Stream.of("F16", "Q8_0", "Q4_0", "int2g32").map(TensorChoice::parse).toList());
        }
    }

    private SearchResult search(SearchSpace space, BatchEvaluator batch, EvaluationStore store, double maxFailureRate, int generations) {
        SearchRunner runner = new SearchRunner(PROBLEM, batch, store, p -> { }, maxFailureRate);
        return runner.run(Strategies.create("nsga2", space, PROBLEM, SEED, 12), generations, 12);
    }

    @Test
    void failedEvaluationIsRecordedWithItsReasonAndKeptOutOfTheFront() throws IOException {
        SearchSpace space = space();
        Path out = dir.resolve("run");
        SearchResult r;
        try (BatchEvaluator batch = new SequentialBatchEvaluator(new InjectedFaults.FailingFactory(15))) {
            r = search(space, batch, EvaluationStore.create(AtomicFiles.path(out.toString())), 0.5, 5);
        }
        List<EvaluatedCandidate> failed = r.evaluations().stream().filter(EvaluatedCandidate::failed).toList();
        assertTrue(failed.size() >= 3, "some injected failures happened: " + failed.size());
        for (EvaluatedCandidate e : failed) {
            assertEquals(EvaluationStatus.FAILED, e.evaluation().status());
            assertTrue(e.evaluation().failureReason().startsWith("injected failure: simulated NaN logits for " + e.candidate().id()));
            assertFalse(e.feasible());
        }
        // the front is exactly the non-dominated set of the OK evaluations, computed here independently
        Set<String> expected = new HashSet<>();
        List<EvaluatedCandidate> ok = r.evaluations().stream().filter(e -> !e.failed()).toList();
        for (EvaluatedCandidate a : ok) {
            boolean dominated = false;
            for (EvaluatedCandidate b : ok) dominated |= dominates(b, a);
            if (!dominated) expected.add(a.candidate().id());
        }
        Set<String> front = new HashSet<>();
        for (EvaluatedCandidate e : r.front()) front.add(e.candidate().id());
        assertEquals(expected, front);
        // the checkpoint keeps the FAILED rows with their reasons; front.json has none of them
        EvaluationStore stored = EvaluationStore.resume(AtomicFiles.path(out.toString()));
        for (EvaluatedCandidate e : failed) {
            Evaluation s = stored.get(e.candidate());
            assertEquals(EvaluationStatus.FAILED, s.status());
            assertEquals(e.evaluation().failureReason(), s.failureReason());
        }
        SearchOutputs.writeFront(AtomicFiles.path(out.toString()), space, r,
                new SearchOutputs.RunInfo("t", "synthetic:tiny", "synthetic", true, "-", "nsga2", SEED, "sequential", "-", InjectedFaults.VERSION));
        JsonNode pts = new ObjectMapper().readTree(out.resolve("front.json").toFile()).get("points");
        Set<String> failedIds = new HashSet<>();
        for (EvaluatedCandidate e : failed) failedIds.add(e.candidate().id());
        assertEquals(front.size(), pts.size());
        for (JsonNode p : pts) assertFalse(failedIds.contains(p.get("id").asText()), p.toString());
    }

    private static boolean dominates(EvaluatedCandidate a, EvaluatedCandidate b) {
        double[] x = a.objectives();
        double[] y = b.objectives();
        boolean better = false;
        for (int i = 0; i < x.length; i++) {
            if (x[i] > y[i]) return false;
            better |= x[i] < y[i];
        }
        return better;
    }

    @Test
    void tooManyFailuresStopsWithAClearMessageAndTheCheckpointKeepsTheWork() throws IOException {
        SearchSpace space = space();
        org.apache.hadoop.fs.Path out = AtomicFiles.path(dir.resolve("run").toString());
        SearchRunner.TooManyFailuresException e;
        try (BatchEvaluator batch = new SequentialBatchEvaluator(new InjectedFaults.FailingFactory(60))) {
            e = assertThrows(SearchRunner.TooManyFailuresException.class, () -> search(space, batch, EvaluationStore.create(out), 0.2, 6));
        }
        assertTrue(e.getMessage().matches("\\d+ of \\d+ evaluations failed \\(more than the allowed 20%\\); first reason: injected failure: .*"), e.getMessage());
        EvaluationStore kept = EvaluationStore.resume(out);
        assertTrue(kept.size() >= 10, "evaluations kept: " + kept.size());
        long failedKept = kept.all().stream().filter(x -> !x.getValue().ok()).count();
        assertTrue(failedKept > 0.2 * kept.size(), failedKept + " of " + kept.size());
        // replaying against the checkpoint reaches the same stop without evaluating anything again
        Counting counting = new Counting(new SequentialBatchEvaluator(new InjectedFaults.FailingFactory(60)));
        try (counting) {
            SearchRunner.TooManyFailuresException again = assertThrows(SearchRunner.TooManyFailuresException.class,
                    () -> search(space, counting, EvaluationStore.resume(out), 0.2, 6));
            assertEquals(e.getMessage(), again.getMessage());
        }
        assertEquals(0, counting.evaluated, "everything came from the checkpoint");
    }

    /** Counts evaluations that reach the delegate. */
    private static final class Counting implements BatchEvaluator {
        final BatchEvaluator delegate;
        int evaluated;

        Counting(BatchEvaluator delegate) { this.delegate = delegate; }

        @Override
        public List<Evaluation> evaluate(List<Candidate> candidates) {
            evaluated += candidates.size();
            return delegate.evaluate(candidates);
        }

        @Override
        public String describe() { return "counting " + delegate.describe(); }

        @Override
        public void close() { delegate.close(); }
    }

    @Test
    @Tag("spark")
    void sparkTaskThatThrowsOnceIsRetriedAndTheRunGivesTheSameFront() throws IOException {
        SearchSpace space = space();
        Path markers = Files.createDirectories(dir.resolve("markers"));
        SearchResult reference;
        try (BatchEvaluator seq = new SequentialBatchEvaluator(new InjectedFaults.FailingFactory(0))) {
            reference = search(space, seq, EvaluationStore.create(AtomicFiles.path(dir.resolve("seq").toString())), 0.2, 4);
        }
        SparkSession spark = SparkSessions.create("edgefront-reliability", "local[2]", false);
        SearchResult flaky;
        try {
            assertTrue(spark.sparkContext().master().matches("local\\[2,\\d+\\]"), spark.sparkContext().master());
            JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
            try (BatchEvaluator batch = new SparkBatchEvaluator(sc, new InjectedFaults.ThrowOnceFactory(markers.toString()), 3)) {
                flaky = search(space, batch, EvaluationStore.create(AtomicFiles.path(dir.resolve("spark").toString())), 0.2, 4);
            }
        } finally {
            EvaluatorPool.closeAll();
            spark.stop();
        }
        long injected;
        try (Stream<Path> s = Files.list(markers)) {
            injected = s.count();
        }
        assertTrue(injected >= 4, "every task's first attempt threw: " + injected + " injected task failures");
        System.out.printf("spark retry: %d task attempts threw and were retried; %d evaluations, front of %d equal to sequential%n",
                injected, flaky.evaluations().size(), flaky.front().size());
        assertEquals(0, flaky.failedCount());
        assertEquals(ids(reference.evaluations()), ids(flaky.evaluations()));
        assertEquals(ids(reference.front()), ids(flaky.front()));
        for (int i = 0; i < reference.front().size(); i++) {
            assertEquals(reference.front().get(i).evaluation().measurements(), flaky.front().get(i).evaluation().measurements());
        }
    }

    private static List<String> ids(List<EvaluatedCandidate> es) {
        List<String> out = new ArrayList<>();
        for (EvaluatedCandidate e : es) out.add(e.candidate().id());
        return out;
    }
}
