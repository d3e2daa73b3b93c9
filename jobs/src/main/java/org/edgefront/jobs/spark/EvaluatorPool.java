package org.edgefront.jobs.spark;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;
import org.edgefront.evaluators.Evaluator;
import org.edgefront.evaluators.EvaluatorFactory;

/**
 * Keeps evaluators alive between Spark tasks of one executor JVM so that expensive ones (a loaded
 * model and its reference logits) are built once per executor and task thread, not once per task.
 * A task borrows an evaluator, uses it alone, and gives it back; evaluators are never shared between
 * concurrent tasks. Keyed by the factory's serialized content, because every task deserializes its
 * own copy of the factory. This is the one per-JVM cache in EdgeFront: Spark offers executors no other hook
 * for reusing state between tasks. Thread-safe. Evaluators live until the executor JVM exits, or
 * until {@link #closeAll()} (the driver calls it after a local-mode run).
 */
public final class EvaluatorPool {
    private static final Map<String, Deque<Evaluator>> IDLE = new HashMap<>();

    private EvaluatorPool() {}

    /** Runs {@code work} with an evaluator built by {@code factory}, reusing an idle one if present. */
    public static <T> T withEvaluator(EvaluatorFactory factory, Function<Evaluator, T> work) {
        String key = contentKey(factory);
        Evaluator e;
        synchronized (IDLE) {
            Deque<Evaluator> q = IDLE.get(key);
            e = q == null ? null : q.pollFirst();
        }
        if (e == null) e = factory.create();
        boolean ok = false;
        try {
            T out = work.apply(e);
            ok = true;
            return out;
        } finally {
            if (ok) {
                synchronized (IDLE) {
                    IDLE.computeIfAbsent(key, k -> new ArrayDeque<>()).addFirst(e);
                }
            } else {
                e.close();
            }
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
        synchronized (IDLE) {
            for (Deque<Evaluator> q : IDLE.values()) for (Evaluator e : q) e.close();
            IDLE.clear();
        }
    }
}
