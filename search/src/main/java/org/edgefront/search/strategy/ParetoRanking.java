package org.edgefront.search.strategy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.edgefront.search.problem.EvaluatedCandidate;

/**
 * Non-dominated sorting under constrained dominance and crowding distance (NSGA-II's ranking), with
 * deterministic results for a given input order. Stateless.
 */
final class ParetoRanking {
    private ParetoRanking() {}

    /** Front index (0 = best) of each result; results must not be failed. O(m n^2). */
    static int[] ranks(List<EvaluatedCandidate> pop) {
        int n = pop.size();
        if (n == 0) return new int[0];
        int m = pop.get(0).objectiveCount();
        // flat copies: the O(n^2) loop below is the hot spot of NSGA-II's overhead
        double[] f = new double[n * m];
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            EvaluatedCandidate e = pop.get(i);
            for (int j = 0; j < m; j++) f[i * m + j] = e.objective(j);
            v[i] = e.totalViolation();
        }
        int[] dominatedCount = new int[n];
        int[] count = new int[n];
        byte[] rel = new byte[n * n]; // rel[i*n+j] = 1 when i dominates j
        for (int i = 0; i < n; i++) {
            for (int j = i + 1; j < n; j++) {
                int c = compare(f, v, m, i, j);
                if (c < 0) { rel[i * n + j] = 1; dominatedCount[j]++; count[i]++; }
                else if (c > 0) { rel[j * n + i] = 1; dominatedCount[i]++; count[j]++; }
            }
        }
        int[][] dominates = new int[n][];
        for (int i = 0; i < n; i++) {
            int[] d = new int[count[i]];
            int k = 0;
            for (int j = 0; j < n && k < d.length; j++) if (rel[i * n + j] != 0) d[k++] = j;
            dominates[i] = d;
        }
        int[] rank = new int[n];
        int[] current = new int[n], next = new int[n];
        int cs = 0;
        for (int i = 0; i < n; i++) if (dominatedCount[i] == 0) current[cs++] = i;
        int r = 0;
        while (cs > 0) {
            int ns = 0;
            for (int k = 0; k < cs; k++) {
                int i = current[k];
                rank[i] = r;
                for (int j : dominates[i]) if (--dominatedCount[j] == 0) next[ns++] = j;
            }
            int[] t = current; current = next; next = t;
            cs = ns;
            r++;
        }
        return rank;
    }

    /** -1 when i constrained-dominates j, 1 when j dominates i, 0 otherwise (see Dominance). */
    private static int compare(double[] f, double[] v, int m, int i, int j) {
        if (v[i] < v[j]) return -1;
        if (v[i] > v[j]) return 1;
        boolean iBetter = false, jBetter = false;
        for (int k = 0; k < m; k++) {
            double a = f[i * m + k], b = f[j * m + k];
            if (a < b) iBetter = true;
            else if (a > b) jBetter = true;
            if (iBetter && jBetter) return 0;
        }
        return iBetter == jBetter ? 0 : iBetter ? -1 : 1;
    }

    /** Crowding distance of each member of {@code front} (indices into pop); boundaries get +infinity. */
    static void crowding(List<EvaluatedCandidate> pop, List<Integer> front, double[] out) {
        int size = front.size();
        for (int i : front) out[i] = 0;
        if (size <= 2) {
            for (int i : front) out[i] = Double.POSITIVE_INFINITY;
            return;
        }
        int m = pop.get(front.get(0)).objectiveCount();
        Integer[] idx = front.toArray(new Integer[0]);
        for (int k = 0; k < m; k++) {
            final int obj = k;
            Arrays.sort(idx, (a, b) -> {
                int c = Double.compare(pop.get(a).objective(obj), pop.get(b).objective(obj));
                return c != 0 ? c : pop.get(a).id().compareTo(pop.get(b).id());
            });
            double lo = pop.get(idx[0]).objective(k), hi = pop.get(idx[size - 1]).objective(k);
            out[idx[0]] = Double.POSITIVE_INFINITY;
            out[idx[size - 1]] = Double.POSITIVE_INFINITY;
            if (hi <= lo) continue;
            for (int i = 1; i < size - 1; i++) {
                out[idx[i]] += (pop.get(idx[i + 1]).objective(k) - pop.get(idx[i - 1]).objective(k)) / (hi - lo);
            }
        }
    }
}
