package org.edgefront.search.metrics;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * Hypervolume of a set of minimization-form points with respect to an explicit reference point: the
 * Lebesgue measure of the region dominated by at least one point and bounded above by the reference.
 * Points that do not strictly beat the reference in every coordinate contribute nothing. Units are the
 * product of the objectives' units (e.g. bytes x nats/token). Stateless and thread-safe.
 *
 * <p>{@link #exact} sweeps in 2-D (O(n log n)) and 3-D (O(n^2) worst case); beyond 3-D it slices recursively,
 * O(n^(d-1)), exact but only practical for small sets: use {@link #approximate} there.
 */
public final class Hypervolume {
    private Hypervolume() {}

    /**
     * Exact hypervolume.
     *
     * @param points    minimization-form vectors, each of the reference's length, finite (not modified)
     * @param reference the reference point, finite
     * @throws IllegalArgumentException on a length mismatch or a non-finite coordinate
     */
    public static double exact(List<double[]> points, double[] reference) {
        List<double[]> p = relevant(points, reference);
        if (p.isEmpty()) return 0.0;
        return volume(p, reference, reference.length);
    }

    /**
     * Monte-Carlo estimate: uniform samples in the box between the points' per-coordinate minima and the
     * reference, counting those dominated by some point. Deterministic for a seed; the standard error
     * is about box x sqrt(q(1-q)/samples) for a dominated fraction q.
     *
     * @param samples number of samples (>= 1)
     * @param seed    seed of the {@link SplittableRandom} drawing them
     */
    public static double approximate(List<double[]> points, double[] reference, int samples, long seed) {
        if (samples < 1) throw new IllegalArgumentException("samples must be >= 1, got " + samples);
        List<double[]> p = relevant(points, reference);
        if (p.isEmpty()) return 0.0;
        int d = reference.length;
        double[] lo = reference.clone();
        for (double[] q : p) for (int i = 0; i < d; i++) lo[i] = Math.min(lo[i], q[i]);
        double box = 1.0;
        for (int i = 0; i < d; i++) box *= reference[i] - lo[i];
        double[][] pts = p.toArray(new double[0][]);
        SplittableRandom rng = new SplittableRandom(seed);
        double[] u = new double[d];
        long hits = 0;
        for (int s = 0; s < samples; s++) {
            for (int i = 0; i < d; i++) u[i] = lo[i] + rng.nextDouble() * (reference[i] - lo[i]);
            outer:
            for (double[] q : pts) {
                for (int i = 0; i < d; i++) if (q[i] > u[i]) continue outer;
                hits++;
                break;
            }
        }
        return box * hits / samples;
    }

    private static List<double[]> relevant(List<double[]> points, double[] reference) {
        if (reference.length == 0) throw new IllegalArgumentException("reference point is empty");
        for (double r : reference) if (!Double.isFinite(r)) throw new IllegalArgumentException("reference point must be finite: " + Arrays.toString(reference));
        List<double[]> out = new ArrayList<>(points.size());
        for (double[] q : points) {
            if (q.length != reference.length) {
                throw new IllegalArgumentException("point has " + q.length + " coordinates, reference has " + reference.length);
            }
            boolean inside = true;
            for (int i = 0; i < q.length; i++) {
                if (!Double.isFinite(q[i])) throw new IllegalArgumentException("point is not finite: " + Arrays.toString(q));
                if (!(q[i] < reference[i])) inside = false;
            }
            if (inside) out.add(q);
        }
        return out;
    }

    /** Hypervolume of the first {@code d} coordinates (all points strictly inside the reference box). */
    private static double volume(List<double[]> p, double[] ref, int d) {
        if (d == 1) {
            double m = ref[0];
            for (double[] q : p) m = Math.min(m, q[0]);
            return ref[0] - m;
        }
        if (d == 2) return area(p, ref);
        if (d == 3) return volume3(p, ref);
        // Slice along the last coordinate: between consecutive values, the dominated cross-section is the
        // (d-1)-volume of the points already passed.
        List<double[]> sorted = new ArrayList<>(p);
        int k = d - 1;
        sorted.sort(Comparator.comparingDouble(q -> q[k]));
        double v = 0;
        List<double[]> prefix = new ArrayList<>(sorted.size());
        for (int i = 0; i < sorted.size(); i++) {
            prefix.add(sorted.get(i));
            double next = i + 1 < sorted.size() ? sorted.get(i + 1)[k] : ref[k];
            double thickness = next - sorted.get(i)[k];
            if (thickness > 0) v += volume(prefix, ref, k) * thickness;
        }
        return v;
    }

    private static double area(List<double[]> p, double[] ref) {
        double[][] s = p.toArray(new double[0][]);
        Arrays.sort(s, (a, b) -> a[0] != b[0] ? Double.compare(a[0], b[0]) : Double.compare(a[1], b[1]));
        double a = 0, prevY = ref[1];
        for (double[] q : s) {
            if (q[1] < prevY) {
                a += (ref[0] - q[0]) * (prevY - q[1]);
                prevY = q[1];
            }
        }
        return a;
    }

    private static double volume3(List<double[]> p, double[] ref) {
        double[][] s = p.toArray(new double[0][]);
        Arrays.sort(s, Comparator.comparingDouble(q -> q[2]));
        // Sweep over z with the 2-D staircase (x -> y: x ascending, y strictly descending) of the points
        // passed so far and its area, updated incrementally: O(n log n). A slab ends only where the staircase
        // changes, so points dominated in 3-D change nothing, not even the rounding of the sum.
        TreeMap<Double, Double> stair = new TreeMap<>();
        double v = 0, area = 0, z0 = 0;
        for (double[] q : s) {
            double added = insert(stair, q[0], q[1], ref);
            if (added < 0) continue;
            v += area * (q[2] - z0);
            area += added;
            z0 = q[2];
        }
        return v + area * (ref[2] - z0);
    }

    /**
     * Inserts (x, y) into the staircase; returns the area it adds, or -1 when an existing point weakly
     * dominates it (nothing changes).
     */
    private static double insert(TreeMap<Double, Double> stair, double x, double y, double[] ref) {
        Map.Entry<Double, Double> floor = stair.floorEntry(x);
        if (floor != null && floor.getValue() <= y) return -1; // dominated (or equal)
        Map.Entry<Double, Double> left = stair.lowerEntry(x);
        double top = left == null ? ref[1] : left.getValue(); // the point to the left covers everything above
        // points the new one dominates (x' >= x, y' >= y) are contiguous from x; the first point below y (or
        // the reference) bounds the new area on the right
        List<double[]> removed = new ArrayList<>();
        Map.Entry<Double, Double> e = stair.ceilingEntry(x);
        while (e != null && e.getValue() >= y) {
            removed.add(new double[] {e.getKey(), e.getValue()});
            stair.remove(e.getKey());
            e = stair.higherEntry(e.getKey());
        }
        double right = e == null ? ref[0] : e.getKey();
        double added = (right - x) * (top - y);
        double prevY = top;
        for (double[] d : removed) { // subtract what the removed points already covered in that rectangle
            added -= (right - d[0]) * (prevY - d[1]);
            prevY = d[1];
        }
        stair.put(x, y);
        return added;
    }
}
