package org.edgefront.search.archive;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.edgefront.search.problem.EvaluatedCandidate;

/**
 * An unbounded archive of the results that no other added result dominates under constrained dominance
 * ({@link Dominance#constrainedDominates}). Consequences:
 * <ul>
 *   <li>while any feasible result was added, the archive holds only feasible results, mutually
 *       Pareto-non-dominated;</li>
 *   <li>before that, it holds the least-violating results (Pareto-non-dominated among those with exactly
 *       that violation);</li>
 *   <li>failed results never enter ({@link AddResult#FAILED});</li>
 *   <li>duplicates ({@link AddResult#DUPLICATE}): a candidate id already held, or an identical objective
 *       vector at the same violation: of such twins the archive keeps the one with the smallest candidate
 *       id, so the content after adding a set of results does not depend on the order they came in
 *       (assuming each candidate id arrives with one evaluation).</li>
 * </ul>
 * All members sit at one violation level, because any lower violation dominates every higher one.
 * {@link #front()} is sorted by objective vector (lexicographically), then by candidate id.
 *
 * <p>Not thread-safe: the search driver owns it and adds from one thread.
 */
public final class ParetoArchive {
    /** Lexicographic on objectives, then candidate id: the deterministic front order. */
    public static final Comparator<EvaluatedCandidate> FRONT_ORDER = (a, b) -> {
        int n = Math.min(a.objectiveCount(), b.objectiveCount());
        for (int i = 0; i < n; i++) {
            int c = Double.compare(a.objective(i), b.objective(i));
            if (c != 0) return c;
        }
        int c = Integer.compare(a.objectiveCount(), b.objectiveCount());
        return c != 0 ? c : a.id().compareTo(b.id());
    };

    private final List<EvaluatedCandidate> members = new ArrayList<>();
    /** Two-objective members keyed by objective 0 (objective 1 then strictly decreases): O(log n) adds. */
    private final TreeMap<Double, EvaluatedCandidate> front2 = new TreeMap<>();
    private final Map<String, EvaluatedCandidate> byId = new HashMap<>();
    private double level = Double.POSITIVE_INFINITY;
    private int objectiveCount = -1;
    private List<EvaluatedCandidate> sortedFront;

    /**
     * Offers one result.
     *
     * @throws IllegalArgumentException when its objective count differs from earlier results'
     */
    public AddResult add(EvaluatedCandidate result) {
        Objects.requireNonNull(result, "result");
        if (result.failed()) return AddResult.FAILED;
        if (objectiveCount < 0) {
            objectiveCount = result.objectiveCount();
        } else if (objectiveCount != result.objectiveCount()) {
            throw new IllegalArgumentException("archive holds " + objectiveCount + " objectives, result has " + result.objectiveCount());
        }
        if (byId.containsKey(result.id())) return AddResult.DUPLICATE;
        double v = result.totalViolation();
        if (v > level) return AddResult.DOMINATED;
        if (v < level) {
            members.clear();
            front2.clear();
            byId.clear();
            level = v;
            insert(result);
            return AddResult.ADDED;
        }
        return objectiveCount == 2 ? addTwoObjective(result) : addGeneral(result);
    }

    private AddResult addGeneral(EvaluatedCandidate result) {
        for (int i = 0, n = members.size(); i < n; i++) {
            EvaluatedCandidate m = members.get(i);
            if (Dominance.paretoDominates(m, result)) return AddResult.DOMINATED;
            if (Dominance.sameObjectives(m, result) && m.id().compareTo(result.id()) < 0) return AddResult.DUPLICATE;
        }
        // Remove members the newcomer dominates, and an identical twin with a larger id.
        int w = 0;
        for (int i = 0, n = members.size(); i < n; i++) {
            EvaluatedCandidate m = members.get(i);
            if (Dominance.paretoDominates(result, m) || Dominance.sameObjectives(m, result)) {
                byId.remove(m.id());
            } else {
                members.set(w++, m);
            }
        }
        members.subList(w, members.size()).clear();
        insert(result);
        return AddResult.ADDED;
    }

    private AddResult addTwoObjective(EvaluatedCandidate result) {
        double x = result.objective(0), y = result.objective(1);
        Map.Entry<Double, EvaluatedCandidate> floor = front2.floorEntry(x);
        if (floor != null) {
            double fy = floor.getValue().objective(1);
            if (floor.getKey() == x && fy == y) {
                if (floor.getValue().id().compareTo(result.id()) < 0) return AddResult.DUPLICATE;
            } else if (fy <= y) {
                return AddResult.DOMINATED;
            }
        }
        // members with x' >= x and y' >= y (dominated, or the twin with a larger id) are contiguous from x
        Map.Entry<Double, EvaluatedCandidate> e = front2.ceilingEntry(x);
        while (e != null && e.getValue().objective(1) >= y) {
            front2.remove(e.getKey());
            byId.remove(e.getValue().id());
            e = front2.higherEntry(e.getKey());
        }
        insert(result);
        return AddResult.ADDED;
    }

    /** Adds every result in order; returns how many were {@link AddResult#ADDED}. */
    public int addAll(List<EvaluatedCandidate> results) {
        int added = 0;
        for (EvaluatedCandidate r : results) if (add(r) == AddResult.ADDED) added++;
        return added;
    }

    private void insert(EvaluatedCandidate r) {
        if (objectiveCount == 2) front2.put(r.objective(0), r); else members.add(r);
        byId.put(r.id(), r);
        sortedFront = null;
    }

    /** The current front, immutable, in {@link #FRONT_ORDER}. */
    public List<EvaluatedCandidate> front() {
        if (sortedFront == null) {
            List<EvaluatedCandidate> s = new ArrayList<>(objectiveCount == 2 ? front2.values() : members);
            if (objectiveCount != 2) s.sort(FRONT_ORDER); // the two-objective map is already in this order
            sortedFront = Collections.unmodifiableList(s);
        }
        return sortedFront;
    }

    /** Minimization-form objective vectors of {@link #front()}, in the same order (fresh arrays). */
    public List<double[]> objectiveVectors() {
        List<double[]> out = new ArrayList<>(size());
        for (EvaluatedCandidate e : front()) out.add(e.objectives());
        return out;
    }

    /** Number of members. */
    public int size() { return byId.size(); }

    public boolean isEmpty() { return byId.isEmpty(); }

    /** True when the members are feasible (the archive is non-empty and its violation level is 0). */
    public boolean hasFeasible() { return level == 0.0; }

    /** The members' common total violation; +infinity when empty. */
    public double violationLevel() { return level; }

    /** True when a member has this candidate id. */
    public boolean contains(String candidateId) { return byId.containsKey(candidateId); }
}
