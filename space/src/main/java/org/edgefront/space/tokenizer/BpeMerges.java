package org.edgefront.space.tokenizer;

import java.util.PriorityQueue;

/**
 * Applies BPE merges to a symbol sequence in O(n log n): the adjacent pair with the best (lowest) priority key
 * merges first, the leftmost on ties, until no pair merges. The result equals repeatedly scanning the whole
 * sequence for the best pair (what llama2.c and the tokenizers library specify), which is quadratic in the
 * sequence's length; here the symbols form a linked list and candidate pairs sit in a heap keyed by
 * (priority, position), stale entries being skipped when popped. Since merging keeps the left symbol's
 * original position, position order is sequence order, so "leftmost" is the same in both.
 *
 * <p>Stateless; thread-safe.
 */
final class BpeMerges {
    /** A merge rule: for a pair of symbol ids, {@link #NONE} or {@link #rule(int, int)} packed. */
    @FunctionalInterface
    interface Rules {
        long lookup(int left, int right);
    }

    /** No merge for this pair. */
    static final long NONE = Long.MIN_VALUE;

    private BpeMerges() { }

    /** Packs a rule: lower {@code key} merges first; {@code merged} is the id the pair becomes. */
    static long rule(int key, int merged) {
        return ((long) key << 32) | (merged & 0xffffffffL);
    }

    /** An int key ordering floats from highest to lowest (so the highest score merges first). */
    static int descendingKey(float score) {
        int bits = Float.floatToIntBits(score + 0.0f); // + 0.0f turns -0.0 into 0.0, which compare equal
        int ascending = bits ^ ((bits >> 31) & 0x7fffffff);
        return ~ascending;
    }

    /**
     * Merges {@code symbols[0..n)} in place.
     *
     * @return the number of symbols left at the front of {@code symbols}
     */
    static int apply(int[] symbols, int n, Rules rules) {
        if (n < 2) return n;
        int[] next = new int[n];
        int[] prev = new int[n];
        boolean[] dead = new boolean[n];
        for (int i = 0; i < n; i++) {
            next[i] = i + 1 < n ? i + 1 : -1;
            prev[i] = i - 1;
        }
        // heap entries: key in the high 32 bits, left position in the low 32 (positions are non-negative)
        PriorityQueue<Long> heap = new PriorityQueue<>(Math.max(1, n));
        for (int i = 0; i + 1 < n; i++) push(heap, rules, symbols, i, i + 1);
        while (!heap.isEmpty()) {
            long e = heap.poll();
            int i = (int) e;
            int key = (int) (e >> 32);
            int j = next[i];
            if (dead[i] || j < 0) continue;
            long r = rules.lookup(symbols[i], symbols[j]);
            if (r == NONE || (int) (r >> 32) != key) continue; // stale: the pair at i has changed since
            symbols[i] = (int) r;
            dead[j] = true;
            next[i] = next[j];
            if (next[j] >= 0) prev[next[j]] = i;
            if (prev[i] >= 0) push(heap, rules, symbols, prev[i], i);
            if (next[i] >= 0) push(heap, rules, symbols, i, next[i]);
        }
        int m = 0;
        for (int i = 0; i >= 0; i = next[i]) symbols[m++] = symbols[i];
        return m;
    }

    private static void push(PriorityQueue<Long> heap, Rules rules, int[] symbols, int i, int j) {
        long r = rules.lookup(symbols[i], symbols[j]);
        if (r != NONE) heap.add((r & 0xffffffff00000000L) | i);
    }
}
