package org.edgefront.space.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class BpeMergesTest {
    /** The specification: rescan the whole sequence for the lowest key, leftmost on ties, merge, repeat. */
    private static int[] quadraticReference(int[] in, BpeMerges.Rules rules) {
        int[] s = in.clone();
        int n = s.length;
        while (true) {
            long best = Long.MAX_VALUE;
            int at = -1;
            for (int i = 0; i + 1 < n; i++) {
                long r = rules.lookup(s[i], s[i + 1]);
                if (r != BpeMerges.NONE && (r >> 32) < best) {
                    best = r >> 32;
                    at = i;
                }
            }
            if (at < 0) return Arrays.copyOf(s, n);
            s[at] = (int) rules.lookup(s[at], s[at + 1]);
            System.arraycopy(s, at + 2, s, at + 1, n - at - 2);
            n--;
        }
    }

    @Test
    void heapMergesEqualTheQuadraticRescanOnRandomRulesWithManyTies() {
        Random rng = new Random(12);
        int merged = 0;
        for (int trial = 0; trial < 300; trial++) {
            int alphabet = 3 + rng.nextInt(20);
            long[][] table = new long[alphabet][alphabet];
            for (long[] row : table) {
                for (int b = 0; b < alphabet; b++) {
                    row[b] = rng.nextInt(3) == 0 ? BpeMerges.rule(rng.nextInt(4) - 2, rng.nextInt(alphabet)) : BpeMerges.NONE;
                }
            }
            BpeMerges.Rules rules = (a, b) -> table[a][b];
            for (int k = 0; k < 20; k++) {
                int[] seq = rng.ints(rng.nextInt(80), 0, alphabet).toArray();
                int[] expected = quadraticReference(seq, rules);
                int[] work = seq.clone();
                int n = BpeMerges.apply(work, work.length, rules);
                assertArrayEquals(expected, Arrays.copyOf(work, n), "trial " + trial + " sequence " + Arrays.toString(seq));
                merged += seq.length - n;
            }
        }
        assertTrue(merged > 10_000, "the random rules merge often enough to test something: " + merged);
    }

    @Test
    void descendingKeyOrdersScoresFromHighestToLowest() {
        float[] scores = {Float.POSITIVE_INFINITY, 3.5f, 1f, 0f, -0f, -1e-30f, -2f, -1e10f, Float.NEGATIVE_INFINITY};
        for (int i = 0; i + 1 < scores.length; i++) {
            int a = BpeMerges.descendingKey(scores[i]);
            int b = BpeMerges.descendingKey(scores[i + 1]);
            if (scores[i] == scores[i + 1]) assertTrue(a == b, scores[i] + " and " + scores[i + 1] + " tie");
            else assertTrue(a < b, scores[i] + " merges before " + scores[i + 1]);
        }
    }
}
