package org.edgefront.evaluators.quality;

import java.util.LinkedHashMap;
import java.util.function.Supplier;

/**
 * Compressed float tensors keyed by what produced them (tensor name, choice label, kept units), bounded in
 * bytes: least recently used entries are evicted once the bound is passed, and a tensor larger than the bound
 * is computed but not kept. Owned by one evaluator and its concurrent copies ({@link QualityEvaluator#concurrentCopy}).
 * Thread-safe: a tensor is computed outside the lock, so two threads asking for the same missing key may both compute
 * it (the same bits); the first one stored is what both get.
 */
public final class CompressedTensorCache {
    private final long maxBytes;
    private final LinkedHashMap<String, float[]> cache = new LinkedHashMap<>(64, 0.75f, true);
    private long cachedBytes;

    /** @param maxBytes bound on the bytes of cached floats (0 or less disables the cache) */
    public CompressedTensorCache(long maxBytes) {
        this.maxBytes = Math.max(0, maxBytes);
    }

    /** The tensor cached under {@code key}, computing and caching it when absent. */
    public float[] get(String key, Supplier<float[]> compute) {
        float[] hit = getIfPresent(key);
        if (hit != null) return hit;
        return put(key, compute.get());
    }

    private synchronized float[] put(String key, float[] w) {
        float[] raced = cache.get(key);
        if (raced != null) return raced;
        long bytes = 4L * w.length;
        if (bytes <= maxBytes) {
            cache.put(key, w);
            cachedBytes += bytes;
            var it = cache.entrySet().iterator();
            while (cachedBytes > maxBytes && it.hasNext()) {
                var e = it.next();
                if (e.getKey().equals(key)) continue;
                cachedBytes -= 4L * e.getValue().length;
                it.remove();
            }
        }
        return w;
    }

    /** The tensor cached under {@code key} (now the most recently used), or null. */
    public synchronized float[] getIfPresent(String key) {
        return cache.get(key);
    }

    /** Tensors currently cached. */
    public synchronized int size() { return cache.size(); }

    /** Drops every cached tensor. */
    public synchronized void clear() {
        cache.clear();
        cachedBytes = 0;
    }
}
