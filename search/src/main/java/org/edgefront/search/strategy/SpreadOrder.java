package org.edgefront.search.strategy;

import java.util.ArrayDeque;

/** Orders 0..n-1 so that every prefix is spread over the range: ends first, then midpoints breadth-first. */
final class SpreadOrder {
    private SpreadOrder() {}

    static int[] of(int n) {
        int[] out = new int[n];
        if (n == 0) return out;
        int k = 0;
        out[k++] = 0;
        if (n == 1) return out;
        out[k++] = n - 1;
        ArrayDeque<int[]> q = new ArrayDeque<>();
        q.add(new int[] {0, n - 1});
        while (!q.isEmpty()) {
            int[] iv = q.poll();
            if (iv[1] - iv[0] < 2) continue;
            int mid = (iv[0] + iv[1]) >>> 1;
            out[k++] = mid;
            q.add(new int[] {iv[0], mid});
            q.add(new int[] {mid, iv[1]});
        }
        return out;
    }
}
