package org.edgefront.search.additive;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Exact Pareto front of an {@link AdditiveModel} by dynamic programming over decisions: {@link #solve} for two
 * objectives (fast, the benchmark's ground truth), {@link #solveAny} for three or more (small problems).
 *
 * <p>After decision {@code i} the DP holds the Pareto set of partial sums over decisions {@code 0..i}.
 * Because objectives add, a full candidate can only be Pareto-optimal if each prefix is Pareto-optimal
 * among prefixes (else swapping in the dominating prefix dominates it), so merging the previous set
 * shifted by each option (a k-way merge by the first objective, keeping strictly improving second
 * objective values) and filtering is exact. Options dominated within their own decision are dropped first.
 * Cost: O(sum_i F_i k_i log k_i) time and O(sum_i F_i) memory for the back pointers, where F_i is the
 * front size after decision i. Ties (identical objective vectors) keep the one reached with lower option
 * indices, so the result is deterministic.
 *
 * <p>Stateless; {@link Front} is immutable and thread-safe.
 */
public final class ParetoDp {
    private ParetoDp() {}

    /**
     * The exact front of {@code model}.
     *
     * @throws IllegalArgumentException when the model does not have exactly two objectives
     */
    public static Front solve(AdditiveModel model) {
        if (model.objectiveCount() != 2) {
            throw new IllegalArgumentException("the exact DP handles 2 objectives, model has " + model.objectiveCount());
        }
        int d = model.dimensions();
        for (int i = 0; i < d; i++) {
            if (model.optionCount(i) > Short.MAX_VALUE) throw new IllegalArgumentException("decision " + i + " has too many options");
        }
        int[][] parent = new int[d][];
        short[][] option = new short[d][];
        double[] fa = {0.0}, fb = {0.0};
        for (int i = 0; i < d; i++) {
            int[] opts = nonDominatedOptions(model, i);
            int k = opts.length;
            double[] ca = new double[k], cb = new double[k];
            for (int j = 0; j < k; j++) { ca[j] = model.cost(i, opts[j], 0); cb[j] = model.cost(i, opts[j], 1); }
            int f = fa.length;
            // k-way merge of the shifted copies; heap holds option slots ordered by (a, b, slot)
            int[] pos = new int[k];
            int[] heap = new int[k];
            int hs = 0;
            for (int j = 0; j < k; j++) heap[hs++] = j;
            for (int h = hs / 2 - 1; h >= 0; h--) siftDown(heap, hs, h, pos, fa, fb, ca, cb);
            int cap = Math.max(16, f * 2);
            double[] na = new double[cap], nb = new double[cap];
            int[] np = new int[cap];
            short[] no = new short[cap];
            int n = 0;
            double best = Double.POSITIVE_INFINITY;
            while (hs > 0) {
                int j = heap[0];
                int p = pos[j];
                double a = fa[p] + ca[j], b = fb[p] + cb[j];
                if (b < best) {
                    if (n == na.length) {
                        int c2 = n * 2;
                        na = Arrays.copyOf(na, c2); nb = Arrays.copyOf(nb, c2);
                        np = Arrays.copyOf(np, c2); no = Arrays.copyOf(no, c2);
                    }
                    na[n] = a; nb[n] = b; np[n] = p; no[n] = (short) opts[j];
                    n++;
                    best = b;
                }
                if (++pos[j] == f) {
                    heap[0] = heap[--hs];
                }
                if (hs > 0) siftDown(heap, hs, 0, pos, fa, fb, ca, cb);
            }
            fa = Arrays.copyOf(na, n);
            fb = Arrays.copyOf(nb, n);
            parent[i] = Arrays.copyOf(np, n);
            option[i] = Arrays.copyOf(no, n);
        }
        double[] values = new double[fa.length * 2];
        for (int p = 0; p < fa.length; p++) { values[2 * p] = fa[p]; values[2 * p + 1] = fb[p]; }
        return new Front(values, 2, parent, option);
    }

    private static boolean less(int x, int y, int[] pos, double[] fa, double[] fb, double[] ca, double[] cb) {
        double ax = fa[pos[x]] + ca[x], ay = fa[pos[y]] + ca[y];
        if (ax != ay) return ax < ay;
        double bx = fb[pos[x]] + cb[x], by = fb[pos[y]] + cb[y];
        if (bx != by) return bx < by;
        return x < y;
    }

    private static void siftDown(int[] heap, int hs, int h, int[] pos, double[] fa, double[] fb, double[] ca, double[] cb) {
        while (true) {
            int l = 2 * h + 1;
            if (l >= hs) return;
            int m = l;
            if (l + 1 < hs && less(heap[l + 1], heap[l], pos, fa, fb, ca, cb)) m = l + 1;
            if (!less(heap[m], heap[h], pos, fa, fb, ca, cb)) return;
            int t = heap[m]; heap[m] = heap[h]; heap[h] = t;
            h = m;
        }
    }

    /** Options of decision i not dominated by another option of it (identical ones: lowest index), by cost. */
    static int[] nonDominatedOptions(AdditiveModel model, int i) {
        int k = model.optionCount(i);
        Integer[] idx = new Integer[k];
        for (int o = 0; o < k; o++) idx[o] = o;
        Arrays.sort(idx, (x, y) -> {
            int c = Double.compare(model.cost(i, x, 0), model.cost(i, y, 0));
            if (c != 0) return c;
            c = Double.compare(model.cost(i, x, 1), model.cost(i, y, 1));
            return c != 0 ? c : Integer.compare(x, y);
        });
        List<Integer> keep = new ArrayList<>();
        double best = Double.POSITIVE_INFINITY;
        for (int o : idx) {
            double b = model.cost(i, o, 1);
            if (b < best) { keep.add(o); best = b; }
        }
        return keep.stream().mapToInt(Integer::intValue).toArray();
    }

    /**
     * Exact front of an additive model with any number of objectives (>= 2). Same prefix argument as
     * {@link #solve}; each stage's shifted copies are sorted lexicographically and filtered: in 3-D against a
     * staircase of the points kept so far (O(N log N)), beyond 3-D pairwise (O(N F)). Fronts in 3-D grow fast,
     * so the size is capped.
     *
     * @param maxPoints largest partial front allowed
     * @throws IllegalStateException when a partial front exceeds {@code maxPoints}
     */
    public static Front solveAny(AdditiveModel model, int maxPoints) {
        int m = model.objectiveCount();
        if (m < 2) throw new IllegalArgumentException("need at least 2 objectives, model has " + m);
        if (m == 2) return solve(model);
        int d = model.dimensions();
        int[][] parent = new int[d][];
        short[][] option = new short[d][];
        double[] f = new double[m]; // one empty prefix with all-zero sums
        int size = 1;
        for (int i = 0; i < d; i++) {
            int k = model.optionCount(i);
            int n = size * k;
            double[] cand = new double[n * m];
            int[] cp = new int[n];
            short[] co = new short[n];
            int c = 0;
            for (int o = 0; o < k; o++) {
                for (int p = 0; p < size; p++, c++) {
                    for (int j = 0; j < m; j++) cand[c * m + j] = f[p * m + j] + model.cost(i, o, j);
                    cp[c] = p;
                    co[c] = (short) o;
                }
            }
            Integer[] idx = new Integer[n];
            for (int x = 0; x < n; x++) idx[x] = x;
            final double[] cv = cand;
            Arrays.sort(idx, (x, y) -> {
                for (int j = 0; j < m; j++) {
                    int r = Double.compare(cv[x * m + j], cv[y * m + j]);
                    if (r != 0) return r;
                }
                return Integer.compare(x, y); // equal vectors: lower option index first (built in option order)
            });
            int[] keep = m == 3 ? filter3(cand, idx) : filterAny(cand, idx, m);
            if (keep.length > maxPoints) {
                throw new IllegalStateException("partial front after decision " + i + " has " + keep.length + " points, over the cap of " + maxPoints);
            }
            double[] nf = new double[keep.length * m];
            parent[i] = new int[keep.length];
            option[i] = new short[keep.length];
            for (int q = 0; q < keep.length; q++) {
                System.arraycopy(cand, keep[q] * m, nf, q * m, m);
                parent[i][q] = cp[keep[q]];
                option[i][q] = co[keep[q]];
            }
            f = nf;
            size = keep.length;
        }
        return new Front(f, m, parent, option);
    }

    /** Lexicographically sorted 3-D candidates: keep those no earlier kept point weakly dominates. */
    private static int[] filter3(double[] v, Integer[] sorted) {
        java.util.TreeMap<Double, Double> stair = new java.util.TreeMap<>(); // f1 -> f2, f2 strictly decreasing
        int[] keep = new int[sorted.length];
        int n = 0;
        for (int x : sorted) {
            double y = v[x * 3 + 1], z = v[x * 3 + 2];
            java.util.Map.Entry<Double, Double> fl = stair.floorEntry(y);
            if (fl != null && fl.getValue() <= z) continue; // an earlier point is <= in all three: dominated or equal
            keep[n++] = x;
            java.util.Map.Entry<Double, Double> e = stair.ceilingEntry(y);
            while (e != null && e.getValue() >= z) {
                stair.remove(e.getKey());
                e = stair.higherEntry(e.getKey());
            }
            stair.put(y, z);
        }
        return Arrays.copyOf(keep, n);
    }

    private static int[] filterAny(double[] v, Integer[] sorted, int m) {
        int[] keep = new int[sorted.length];
        int n = 0;
        outer:
        for (int x : sorted) {
            for (int q = 0; q < n; q++) {
                int y = keep[q];
                boolean weak = true;
                for (int j = 0; j < m && weak; j++) weak = v[y * m + j] <= v[x * m + j];
                if (weak) continue outer;
            }
            keep[n++] = x;
        }
        return Arrays.copyOf(keep, n);
    }

    /**
     * The exact front with back pointers to rebuild each point's candidate. Two-objective fronts are sorted
     * by the first objective ascending (the second strictly descending); others lexicographically.
     * Immutable and thread-safe.
     */
    public static final class Front {
        private final double[] values; // point-major, m per point
        private final int m;
        private final int[][] parent;
        private final short[][] option;

        Front(double[] values, int m, int[][] parent, short[][] option) {
            this.values = values;
            this.m = m;
            this.parent = parent;
            this.option = option;
        }

        /** Number of points. */
        public int size() { return values.length / m; }

        /** Number of objectives. */
        public int objectiveCount() { return m; }

        /** Objective {@code j} of point {@code p}. */
        public double objective(int p, int j) { return values[p * m + j]; }

        /** Objective vectors of all points (fresh arrays), in front order. */
        public List<double[]> points() {
            List<double[]> out = new ArrayList<>(size());
            for (int p = 0; p < size(); p++) out.add(Arrays.copyOfRange(values, p * m, p * m + m));
            return out;
        }

        /**
         * The option indices of point {@code p}, rebuilt from the back pointers; {@link org.edgefront.space.candidate.SearchSpace#candidate(int[])}
         * of the model's space makes them a candidate.
         */
        public int[] genes(int p) {
            int d = parent.length;
            int[] g = new int[d];
            int q = p;
            for (int i = d - 1; i >= 0; i--) {
                g[i] = option[i][q];
                q = parent[i][q];
            }
            return g;
        }

        /** Stored back-pointer entries (memory used: about 6 bytes each). */
        public long backPointerEntries() {
            long n = 0;
            for (int[] p : parent) n += p.length;
            return n;
        }
    }
}
