package org.edgefront.evaluators.quality;

import java.util.ArrayDeque;

/**
 * The idle {@link NdScratch}es of one forward pass and its variants, so that evaluation after evaluation of the same
 * token sequences reuses the same buffers instead of allocating (and having the operating system zero) hundreds of MiB
 * per pass. A pass borrows one scratch per run ({@link #acquire()}) and gives it back by closing it. At most
 * {@code maxIdle} scratches are kept; one beyond that is freed when given back. Thread-safe: concurrent runs of
 * the same pass each get a scratch of their own. Memory: an idle scratch holds the arrays of the last chunk it ran
 * (for the 135M shape at 512 tokens about 0.3 GiB off-heap and 0.15 GiB of heap), released with the pass.
 */
final class ScratchPool {
    private final int maxIdle;
    private final ArrayDeque<NdScratch> idle = new ArrayDeque<>();

    /** A pool keeping up to {@code maxIdle} idle scratches (at least 1). */
    ScratchPool(int maxIdle) {
        if (maxIdle < 1) throw new IllegalArgumentException("maxIdle must be >= 1, got " + maxIdle);
        this.maxIdle = maxIdle;
    }

    /** A pool keeping one idle scratch per available processor, at most 4. */
    static ScratchPool forThisMachine() {
        return new ScratchPool(Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors())));
    }

    /** An idle scratch (the most recently given back, whose buffers are warmest), or a new one. */
    synchronized NdScratch acquire() {
        NdScratch s = idle.pollFirst();
        return s != null ? s : new NdScratch(this);
    }

    synchronized void release(NdScratch s) {
        if (idle.size() < maxIdle) idle.addFirst(s);
        else s.free();
    }
}
