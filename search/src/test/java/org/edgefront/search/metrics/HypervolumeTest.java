package org.edgefront.search.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class HypervolumeTest {
    private static double[] p(double... x) { return x; }

    /** Union of boxes [p, ref] by inclusion-exclusion: an independent reference for small sets. */
    private static double inclusionExclusion(List<double[]> pts, double[] ref) {
        int n = pts.size(), d = ref.length;
        double total = 0;
        for (int mask = 1; mask < (1 << n); mask++) {
            double vol = 1;
            for (int j = 0; j < d; j++) {
                double lo = Double.NEGATIVE_INFINITY;
                for (int i = 0; i < n; i++) if ((mask & (1 << i)) != 0) lo = Math.max(lo, pts.get(i)[j]);
                vol *= Math.max(0, ref[j] - lo);
            }
            total += (Integer.bitCount(mask) % 2 == 1 ? 1 : -1) * vol;
        }
        return total;
    }

    @Test
    void singleBoxIsTheProductOfDistancesToTheReference() {
        assertEquals(6.0, Hypervolume.exact(List.of(p(1, 2)), p(3, 5)), 1e-12);
        assertEquals(24.0, Hypervolume.exact(List.of(p(0, 0, 0)), p(2, 3, 4)), 1e-12);
        assertEquals(2.0 * 3 * 4 * 5, Hypervolume.exact(List.of(p(0, 0, 0, 0)), p(2, 3, 4, 5)), 1e-12);
    }

    @Test
    void twoOverlappingBoxesCountTheOverlapOnce() {
        // boxes [1,4]x[2,4] (6) and [2,4]x[1,4] (6) overlap in [2,4]x[2,4] (4): union 8
        assertEquals(8.0, Hypervolume.exact(List.of(p(1, 2), p(2, 1)), p(4, 4)), 1e-12);
    }

    @Test
    void knownThreeDimensionalExample() {
        // (1,0,0),(0,1,0),(0,0,1) with reference (2,2,2): each box 1x2x2=4... union = 3*4 - 3*2 + 1 = 7
        // pairwise intersections are [1,2]x[1,2]x[0,2] = 2, the triple one [1,2]^3 = 1
        assertEquals(7.0, Hypervolume.exact(List.of(p(1, 0, 0), p(0, 1, 0), p(0, 0, 1)), p(2, 2, 2)), 1e-12);
    }

    @Test
    void pointsNotBeatingTheReferenceContributeNothing() {
        assertEquals(0.0, Hypervolume.exact(List.of(p(5, 0), p(0, 4)), p(4, 4)), 0.0);
        assertEquals(6.0, Hypervolume.exact(List.of(p(1, 2), p(9, 9), p(3, 2)), p(3, 5)), 1e-12);
        assertEquals(0.0, Hypervolume.exact(List.of(), p(1, 1)), 0.0);
    }

    @Test
    void exactMatchesInclusionExclusionInTwoToFourDimensions() {
        SplittableRandom r = new SplittableRandom(3);
        for (int trial = 0; trial < 300; trial++) {
            int d = 2 + trial % 3, n = 1 + r.nextInt(9);
            double[] ref = new double[d];
            for (int j = 0; j < d; j++) ref[j] = 10;
            List<double[]> pts = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                double[] q = new double[d];
                for (int j = 0; j < d; j++) q[j] = r.nextInt(12); // some on/over the reference, many ties
                pts.add(q);
            }
            List<double[]> inside = pts.stream().filter(q -> java.util.Arrays.stream(q).allMatch(v -> v < 10)).toList();
            assertEquals(inclusionExclusion(inside, ref), Hypervolume.exact(pts, ref), 1e-9, "trial " + trial);
        }
    }

    @Test
    void threeDimensionalSweepMatchesSlicingIntoTwoDimensionalAreas() {
        // independent path: integrate the 2-D exact area of the points below each z level
        SplittableRandom r = new SplittableRandom(21);
        for (int trial = 0; trial < 5; trial++) {
            List<double[]> pts = new ArrayList<>();
            for (int i = 0; i < 400; i++) {
                double a = r.nextDouble(), b = r.nextDouble();
                pts.add(p(a, b, Math.max(0, 1.5 - a - b) + 0.2 * r.nextDouble())); // many mutually non-dominated
            }
            double[] ref = p(1.2, 1.2, 1.8);
            List<double[]> sorted = new ArrayList<>(pts);
            sorted.sort(java.util.Comparator.comparingDouble(q -> q[2]));
            double expected = 0;
            List<double[]> below = new ArrayList<>();
            for (int i = 0; i < sorted.size(); i++) {
                below.add(p(sorted.get(i)[0], sorted.get(i)[1]));
                double next = i + 1 < sorted.size() ? sorted.get(i + 1)[2] : ref[2];
                expected += Hypervolume.exact(below, p(ref[0], ref[1])) * (next - sorted.get(i)[2]);
            }
            assertEquals(expected, Hypervolume.exact(pts, ref), 1e-9 * expected);
        }
    }

    @Test
    void neverDecreasesOnInsertion() {
        SplittableRandom r = new SplittableRandom(5);
        for (int d = 2; d <= 3; d++) {
            double[] ref = d == 2 ? p(1, 1) : p(1, 1, 1);
            List<double[]> pts = new ArrayList<>();
            double prev = 0;
            for (int i = 0; i < 400; i++) {
                double[] q = new double[d];
                for (int j = 0; j < d; j++) q[j] = r.nextDouble() * 1.1;
                pts.add(q);
                double hv = Hypervolume.exact(pts, ref);
                assertTrue(hv >= prev * (1 - 1e-14), "hypervolume fell from " + prev + " to " + hv);
                prev = hv;
            }
            assertTrue(prev > 0.5, "400 random points should cover most of the unit box, got " + prev);
        }
    }

    @Test
    void approximationIsSeededAndCloseToExactInFourDimensions() {
        SplittableRandom r = new SplittableRandom(9);
        List<double[]> pts = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            double[] q = new double[4];
            double s = 0;
            for (int j = 0; j < 4; j++) { q[j] = r.nextDouble(); s += q[j]; }
            for (int j = 0; j < 4; j++) q[j] /= s; // points on a simplex: a mutually non-dominated set
            pts.add(q);
        }
        double[] ref = p(1.1, 1.1, 1.1, 1.1);
        double exact = Hypervolume.exact(pts, ref);
        double approx = Hypervolume.approximate(pts, ref, 200_000, 1);
        assertEquals(approx, Hypervolume.approximate(pts, ref, 200_000, 1), 0.0);
        assertEquals(exact, approx, 0.01 * exact);
    }

    @Test
    void badInputIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> Hypervolume.exact(List.of(p(1, 2, 3)), p(4, 4)));
        assertThrows(IllegalArgumentException.class, () -> Hypervolume.exact(List.of(p(Double.NaN, 1)), p(4, 4)));
        assertThrows(IllegalArgumentException.class, () -> Hypervolume.exact(List.of(p(1, 1)), p(4, Double.POSITIVE_INFINITY)));
    }
}
