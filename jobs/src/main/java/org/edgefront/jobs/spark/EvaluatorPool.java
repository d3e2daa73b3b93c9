package org.edgefront.jobs.spark;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Function;
import org.edgefront.evaluators.Evaluator;
import org.edgefront.evaluators.EvaluatorFactory;

/**
 * Keeps evaluators alive between Spark tasks of one executor JVM so that expensive ones (a loaded model and its
 * reference logits) are built once per executor, not once per task or per task slot. The first task of a configuration
 * builds its evaluator with the executor's cores (the other slots wait for it rather than building their own at the
 * same moment); a task that finds no idle evaluator while others are busy gets a {@link Evaluator#concurrentCopy} of
 * the first, which shares its model and reference, so an executor holds them once however many slots it has.
 * Evaluators that cannot share are built anew. A task borrows an evaluator, uses it alone, and gives it back.
 * Keyed by the factory's serialized content, because every task deserializes its own copy of the factory. This is the
 * one per-JVM cache in EdgeFront: Spark offers executors no other hook for reusing state between tasks. Thread-safe.
 * Evaluators live until the executor JVM exits, or until {@link #closeAll()} (the driver calls it after a local-mode
 * run).
 */
public final class EvaluatorPool {
    private static final Map<String, Entry> POOL = new HashMap<>();

    /** The evaluators of one configuration in this JVM; guarded by {@link #POOL}. */
    private static final class Entry {
        final Deque<Evaluator> idle = new ArrayDeque<>();
        /** The evaluator later ones are copied from: being built, built, or failed (then the next task builds). */
        CompletableFuture<Evaluator> first;
    }

    private EvaluatorPool() {}

    /**
     * As {@link #withEvaluator(EvaluatorFactory, int, Function)} with evaluators built exactly as {@code factory} says
     * (work in this process, whose factories already carry their thread count).
     */
    public static <T> T withEvaluator(EvaluatorFactory factory, Function<Evaluator, T> work) {
        return withEvaluator(factory, 0, work);
    }

    /**
     * Runs {@code work} with an evaluator of {@code factory}'s configuration: an idle one when there is one, else a
     * concurrent copy of the first one built, else a new one.
     *
     * @param threads the cores of this executor, which its evaluators spread their work over
     *                ({@link EvaluatorFactory#withThreads}; results do not depend on it), or 0 to build them as
     *                {@code factory} says
     */
    public static <T> T withEvaluator(EvaluatorFactory factory, int threads, Function<Evaluator, T> work) {
        // the thread count is not part of the key: results do not depend on it, and the driver of a local run (one
        // thread) then reuses what its executor threads built
        String key = contentKey(factory);
        Evaluator e;
        Entry entry;
        CompletableFuture<Evaluator> building = null;
        CompletableFuture<Evaluator> built = null;
        synchronized (POOL) {
            entry = POOL.computeIfAbsent(key, k -> new Entry());
            e = entry.idle.pollFirst();
            if (e == null) {
                if (entry.first == null || entry.first.isCompletedExceptionally()) entry.first = building = new CompletableFuture<>();
                else built = entry.first;
            }
        }
        if (building != null) {
            e = build(factory, threads, building);
        } else if (built != null) {
            Evaluator first = null;
            try {
                first = built.join();
            } catch (CompletionException | CancellationException failed) {
                // the task that built it failed (and rethrew): this one builds its own below
            }
            e = first == null ? null : first.concurrentCopy();
            if (e == null) {
                // nothing to copy from (its builder failed, or it was closed after a failure): build one and copy from it
                CompletableFuture<Evaluator> again = new CompletableFuture<>();
                synchronized (POOL) {
                    entry.first = again;
                }
                e = build(factory, threads, again);
            }
        }
        boolean ok = false;
        try {
            T out = work.apply(e);
            ok = true;
            return out;
        } finally {
            if (ok) {
                synchronized (POOL) {
                    entry.idle.addFirst(e);
                }
            } else {
                e.close();
            }
        }
    }

    private static Evaluator build(EvaluatorFactory factory, int threads, CompletableFuture<Evaluator> result) {
        try {
            Evaluator e = (threads > 0 ? factory.withThreads(threads) : factory).create();
            result.complete(e);
            return e;
        } catch (RuntimeException | Error failure) {
            result.completeExceptionally(failure);
            throw failure;
        }
    }

    /** SHA-256 of the factory's Java serialization: equal configuration, equal key. */
    static String contentKey(EvaluatorFactory factory) {
        try (java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
             java.io.ObjectOutputStream out = new java.io.ObjectOutputStream(bytes)) {
            out.writeObject(factory);
            out.flush();
            byte[] d = java.security.MessageDigest.getInstance("SHA-256").digest(bytes.toByteArray());
            return java.util.HexFormat.of().formatHex(d);
        } catch (java.io.IOException | java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("evaluator factory is not serializable: " + factory, e);
        }
    }

    /** Closes every idle evaluator (driver shutdown in local mode, tests). */
    public static void closeAll() {
        synchronized (POOL) {
            for (Entry en : POOL.values()) for (Evaluator e : en.idle) e.close();
            POOL.clear();
        }
    }
}
