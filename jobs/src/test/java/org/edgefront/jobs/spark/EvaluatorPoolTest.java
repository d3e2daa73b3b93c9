package org.edgefront.jobs.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.SparkConf;
import org.edgefront.evaluators.Evaluator;
import org.edgefront.evaluators.EvaluatorFactory;
import org.edgefront.space.candidate.Candidate;
import org.edgefront.space.metric.Evaluation;
import org.edgefront.space.metric.Metric;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The task slots of one executor build an evaluator once, with the executor's cores, and share it through copies. */
class EvaluatorPoolTest {
    /** Builds and copies seen by the test factory (static: the pool is per JVM, and so is this count). */
    static final AtomicInteger BUILDS = new AtomicInteger();
    static final AtomicInteger COPIES = new AtomicInteger();
    static final AtomicInteger BUILT_THREADS = new AtomicInteger();

    @AfterEach
    void emptyThePool() {
        EvaluatorPool.closeAll();
    }

    /** A factory whose build takes a while (as a model load does); its evaluators copy cheaply when {@code shares}. */
    record SlowFactory(String name, boolean shares, int threads) implements EvaluatorFactory {
        @Override
        public Evaluator create() {
            BUILDS.incrementAndGet();
            BUILT_THREADS.set(threads);
            try {
                Thread.sleep(300);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return new Counted(shares);
        }

        @Override
        public EvaluatorFactory withThreads(int t) { return new SlowFactory(name, shares, t); }
    }

    static final class Counted implements Evaluator {
        final boolean shares;
        volatile boolean closed;

        Counted(boolean shares) { this.shares = shares; }

        @Override
        public Set<Metric> provides() { return Set.of(); }

        @Override
        public Evaluation evaluate(Candidate c) { throw new UnsupportedOperationException(); }

        @Override
        public String version() { return "counted"; }

        @Override
        public void close() { closed = true; }

        @Override
        public Evaluator concurrentCopy() {
            if (!shares || closed) return null;
            COPIES.incrementAndGet();
            return new Counted(true);
        }
    }

    private static List<Evaluator> twoTasksAtOnce(EvaluatorFactory f, int threads) throws Exception {
        ExecutorService slots = Executors.newFixedThreadPool(2);
        CountDownLatch bothIn = new CountDownLatch(2);
        try {
            List<Future<Evaluator>> got = new java.util.ArrayList<>();
            for (int i = 0; i < 2; i++) {
                got.add(slots.submit(() -> EvaluatorPool.withEvaluator(f, threads, e -> {
                    bothIn.countDown();
                    try {
                        // each task holds its evaluator until both run, so neither can reuse the other's idle one
                        assertTrue(bothIn.await(10, TimeUnit.SECONDS));
                    } catch (InterruptedException x) {
                        throw new IllegalStateException(x);
                    }
                    return e;
                })));
            }
            return List.of(got.get(0).get(), got.get(1).get());
        } finally {
            slots.shutdownNow();
        }
    }

    @Test
    void twoSlotsStartingTogetherBuildOnceWithTheExecutorsCoresAndShareByCopy() throws Exception {
        BUILDS.set(0);
        COPIES.set(0);
        List<Evaluator> used = twoTasksAtOnce(new SlowFactory("a", true, 1), 2);
        assertNotSame(used.get(0), used.get(1), "concurrent tasks never share one evaluator");
        assertEquals(1, BUILDS.get(), "the second slot waits for the first build instead of building its own");
        assertEquals(1, COPIES.get(), "and takes a copy of it");
        assertEquals(2, BUILT_THREADS.get(), "the build gets the executor's cores");
        // later tasks reuse the idle ones: nothing is built or copied again
        Evaluator later = EvaluatorPool.withEvaluator(new SlowFactory("a", true, 1), 2, e -> e);
        assertTrue(later == used.get(0) || later == used.get(1));
        assertEquals(1, BUILDS.get());
        assertEquals(1, COPIES.get());
    }

    @Test
    void evaluatorsThatCannotShareAreBuiltPerSlot() throws Exception {
        BUILDS.set(0);
        COPIES.set(0);
        List<Evaluator> used = twoTasksAtOnce(new SlowFactory("b", false, 1), 2);
        assertNotSame(used.get(0), used.get(1));
        assertEquals(2, BUILDS.get());
        assertEquals(0, COPIES.get());
    }

    @Test
    void aTaskThatFailsClosesItsEvaluatorAndTheNextOneStillGetsOne() {
        BUILDS.set(0);
        SlowFactory f = new SlowFactory("c", true, 1);
        Evaluator[] failed = new Evaluator[1];
        assertThrows(IllegalStateException.class, () -> EvaluatorPool.withEvaluator(f, 1, e -> {
            failed[0] = e;
            throw new IllegalStateException("task failure");
        }));
        assertTrue(((Counted) failed[0]).closed, "a failed task's evaluator is not kept");
        Evaluator next = EvaluatorPool.withEvaluator(f, 1, e -> e);
        assertNotSame(failed[0], next);
        assertTrue(!((Counted) next).closed);
        assertEquals(2, BUILDS.get(), "nothing usable was left to copy, so the next task built anew");
    }

    @Test
    void workInThisProcessBuildsAsItsFactorySays() {
        EvaluatorPool.withEvaluator(new SlowFactory("d", true, 7), e -> e);
        assertEquals(7, BUILT_THREADS.get(), "no executor count overrides the factory's own threads");
    }

    @Test
    void executorCoresComeFromTheMasterOrTheExecutorSetting() {
        SparkConf none = new SparkConf(false);
        assertEquals(2, SparkSessions.coresPerExecutor("local[2]", none));
        assertEquals(3, SparkSessions.coresPerExecutor("local[3,4]", none));
        assertEquals(Runtime.getRuntime().availableProcessors(), SparkSessions.coresPerExecutor("local[*,4]", none));
        assertEquals(1, SparkSessions.coresPerExecutor("local", none));
        assertEquals(2, SparkSessions.coresPerExecutor("local-cluster[3, 2, 1024]", none));
        assertEquals(1, SparkSessions.coresPerExecutor("yarn", none), "not set: one core, nothing beyond the grant");
        assertEquals(8, SparkSessions.coresPerExecutor("spark://h:7077", new SparkConf(false).set("spark.executor.cores", "8")));
    }
}
