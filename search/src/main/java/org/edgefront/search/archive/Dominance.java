package org.edgefront.search.archive;

import org.edgefront.search.problem.EvaluatedCandidate;

/**
 * Dominance relations over minimization-form objective vectors. Stateless and thread-safe.
 *
 * <p>Constrained dominance (Deb): {@code a} dominates {@code b} when a's total violation is lower
 * (so a feasible result beats every infeasible one, and among infeasible ones the smaller violation wins),
 * or when both violations are equal (both feasible, or equally infeasible) and a Pareto-dominates b.
 * This is a strict partial order, which is what makes the archive independent of insertion order.
 */
public final class Dominance {
    private Dominance() {}

    /** a is no worse in every objective and strictly better in at least one. */
    public static boolean paretoDominates(double[] a, double[] b) {
        if (a.length != b.length) throw new IllegalArgumentException("objective counts differ: " + a.length + " vs " + b.length);
        boolean better = false;
        for (int i = 0; i < a.length; i++) {
            if (a[i] > b[i]) return false;
            if (a[i] < b[i]) better = true;
        }
        return better;
    }

    /** As {@link #paretoDominates(double[], double[])} on results, without copying their arrays. */
    public static boolean paretoDominates(EvaluatedCandidate a, EvaluatedCandidate b) {
        int n = a.objectiveCount();
        if (n != b.objectiveCount()) throw new IllegalArgumentException("objective counts differ: " + n + " vs " + b.objectiveCount());
        boolean better = false;
        for (int i = 0; i < n; i++) {
            double x = a.objective(i), y = b.objective(i);
            if (x > y) return false;
            if (x < y) better = true;
        }
        return better;
    }

    /** Identical objective vectors. */
    public static boolean sameObjectives(EvaluatedCandidate a, EvaluatedCandidate b) {
        int n = a.objectiveCount();
        if (n != b.objectiveCount()) return false;
        for (int i = 0; i < n; i++) if (Double.compare(a.objective(i), b.objective(i)) != 0) return false;
        return true;
    }

    /**
     * Constrained dominance as described on this class. A failed result is dominated by every non-failed
     * one and dominates nothing.
     */
    public static boolean constrainedDominates(EvaluatedCandidate a, EvaluatedCandidate b) {
        if (a.failed()) return false;
        if (b.failed()) return true;
        double va = a.totalViolation(), vb = b.totalViolation();
        if (va < vb) return true;
        if (va > vb) return false;
        return paretoDominates(a, b);
    }
}
