package org.edgefront.evaluators.quality;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The threads one forward pass spreads its work over: the calling thread plus {@code threads - 1} helpers. Work is cut
 * into tasks by the pass itself, by the shape of the data only (row blocks, attention heads and query blocks), never by
 * the number of threads, and every task writes its own part of the result: a pass gives the same bits on one thread
 * or on many. That is what lets a sequential run use every core while Spark tasks share their executor's, and both
 * find the same front (the BLAS library's own threads cannot give that: its multi-threaded GEMM rounds differently
 * from its single-threaded one).
 *
 * <p>Thread-safe. Helpers are daemon threads, started on first use and ended after 30 s idle, so an unused pass holds
 * none. Concurrent passes sharing one instance (the task slots of a Spark executor) share its helpers: a pass asks
 * for {@code threads} minus the callers then inside, so two passes on two threads each run on their own caller, and a
 * pass left alone at the end of a batch takes both; a pass never waits for a helper job that has not started, since
 * its caller runs whatever is left.
 */
final class PassWorkers {
    /** Everything on the calling thread. */
    static final PassWorkers ONE = new PassWorkers(1);

    private static final AtomicInteger POOL_IDS = new AtomicInteger();

    private final int threads;
    /** Passes now inside {@link #forEach}: each one's caller is busy, so fewer helpers are free. */
    private final AtomicInteger callersInside = new AtomicInteger();
    private final ThreadPoolExecutor helpers;

    /** Work over {@code threads} threads in all, the caller included (1: the caller alone). */
    static PassWorkers of(int threads) {
        return threads <= 1 ? ONE : new PassWorkers(threads);
    }

    private PassWorkers(int threads) {
        if (threads < 1) throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        this.threads = threads;
        if (threads == 1) {
            helpers = null;
        } else {
            int id = POOL_IDS.incrementAndGet();
            AtomicInteger n = new AtomicInteger();
            helpers = new ThreadPoolExecutor(threads - 1, threads - 1, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
                Thread t = new Thread(r, "edgefront-pass-" + id + "-" + n.incrementAndGet());
                t.setDaemon(true);
                return t;
            });
            helpers.allowCoreThreadTimeOut(true);
        }
    }

    /** Threads in all, the caller included. */
    int threads() { return threads; }

    /** One task: its index, and the index of the thread running it (0 the caller, 1.. the helpers), for per-thread buffers. */
    @FunctionalInterface
    interface Task {
        void run(int task, int thread);
    }

    /**
     * Runs tasks {@code 0 .. tasks-1}, each exactly once, in no fixed order and on any of the threads, and returns when
     * all have finished. A task's exception (the first one) is rethrown here after the others have stopped taking work.
     */
    void forEach(int tasks, Task body) {
        int callers = callersInside.incrementAndGet();
        try {
            // the callers of concurrent passes each run on a core already: helpers only take the cores left
            int helping = Math.min(threads - callers + 1, tasks) - 1;
            if (helping <= 0) {
                for (int i = 0; i < tasks; i++) body.run(i, 0);
                return;
            }
            spread(tasks, body, helping);
        } finally {
            callersInside.decrementAndGet();
        }
    }

    private void spread(int tasks, Task body, int helping) {
        AtomicInteger next = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        List<Future<?>> running = new ArrayList<>(helping);
        // a helper job runs only if it claims its flag before the caller does (see below)
        AtomicBoolean[] claimed = new AtomicBoolean[helping];
        for (int h = 1; h <= helping; h++) {
            int thread = h;
            AtomicBoolean mine = claimed[h - 1] = new AtomicBoolean();
            running.add(helpers.submit(() -> {
                if (mine.compareAndSet(false, true)) take(tasks, body, thread, next, failed);
            }));
        }
        Throwable first = null;
        try {
            take(tasks, body, 0, next, failed);
        } catch (RuntimeException | Error e) {
            first = e;
        }
        for (int h = 0; h < running.size(); h++) {
            // the caller has taken the last task: a helper job still queued (behind another pass's) would find nothing,
            // so claiming it here makes it a no-op and spares the wait
            if (claimed[h].compareAndSet(false, true)) continue;
            try {
                running.get(h).get();
            } catch (ExecutionException e) {
                if (first == null) first = e.getCause();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                if (first == null) first = new IllegalStateException("interrupted while waiting for a pass's tasks", e);
            }
        }
        if (first instanceof RuntimeException r) throw r;
        if (first instanceof Error e) throw e;
        if (first != null) throw new IllegalStateException(first);
    }

    private static void take(int tasks, Task body, int thread, AtomicInteger next, AtomicInteger failed) {
        int i;
        while (failed.get() == 0 && (i = next.getAndIncrement()) < tasks) {
            try {
                body.run(i, thread);
            } catch (RuntimeException | Error e) {
                failed.incrementAndGet();
                throw e;
            }
        }
    }
}
