package org.edgefront.search.strategy;

import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import org.edgefront.search.additive.AdditiveModel;
import org.edgefront.space.candidate.Candidate;
import org.edgefront.space.candidate.SearchSpace;

/**
 * Greedy sensitivity allocation (layer-wise unified compression, marginal analysis): starting from every
 * decision at its lowest-loss option (model objective 1), repeatedly apply the single move that saves
 * resource (model objective 0, e.g. bytes) at the smallest loss increase per unit saved, moving along each
 * decision's lower convex hull. Every step is one candidate; the path visits exactly the supported points
 * (the convex hull) of the additive front. The path is asked in spread order, then neighbours of it.
 * Open loop over the sensitivity model; not thread-safe.
 */
public final class GreedyAllocation extends ModelGuidedStrategy {

    /**
     * @param model objective 0 = resource to save (e.g. weight bytes), objective 1 = loss (e.g. proxy KL)
     */
    public GreedyAllocation(SearchSpace space, AdditiveModel model, long seed) {
        super(space, model, seed);
        if (model.objectiveCount() < 2) throw new IllegalArgumentException("greedy allocation needs a resource and a loss objective");
    }

    @Override
    public String name() { return "greedy"; }

    @Override
    protected List<Candidate> buildPlan() {
        int d = space.dimensions();
        int[][] hull = new int[d][];
        for (int i = 0; i < d; i++) hull[i] = lowerHull(i);
        int[] pos = new int[d];
        int[] g = new int[d];
        for (int i = 0; i < d; i++) g[i] = hull[i][0];
        List<Candidate> path = new ArrayList<>();
        path.add(space.candidate(g));
        // queue entries: {slope, decision}; ties by decision index keep the path deterministic
        PriorityQueue<double[]> q = new PriorityQueue<>((x, y) -> x[0] != y[0] ? Double.compare(x[0], y[0]) : Double.compare(x[1], y[1]));
        for (int i = 0; i < d; i++) if (hull[i].length > 1) q.add(new double[] {slope(i, hull[i][0], hull[i][1]), i});
        while (!q.isEmpty()) {
            int i = (int) q.poll()[1];
            pos[i]++;
            g[i] = hull[i][pos[i]];
            path.add(space.candidate(g));
            if (pos[i] + 1 < hull[i].length) q.add(new double[] {slope(i, hull[i][pos[i]], hull[i][pos[i] + 1]), i});
        }
        return path;
    }

    private double slope(int i, int from, int to) {
        double saved = model.cost(i, from, 0) - model.cost(i, to, 0);
        return (model.cost(i, to, 1) - model.cost(i, from, 1)) / saved;
    }

    /** Lower convex hull of decision i's (resource, loss) options, from lowest loss to lowest resource. */
    int[] lowerHull(int i) {
        int k = model.optionCount(i);
        Integer[] idx = new Integer[k];
        for (int o = 0; o < k; o++) idx[o] = o;
        // resource descending, loss ascending, index
        java.util.Arrays.sort(idx, (x, y) -> {
            int c = Double.compare(model.cost(i, y, 0), model.cost(i, x, 0));
            if (c != 0) return c;
            c = Double.compare(model.cost(i, x, 1), model.cost(i, y, 1));
            return c != 0 ? c : Integer.compare(x, y);
        });
        // start at the lowest-loss option (most resource among equals is not needed: pick least resource)
        int start = idx[0];
        for (int o : idx) {
            double lo = model.cost(i, o, 1), ls = model.cost(i, start, 1);
            if (lo < ls || (lo == ls && model.cost(i, o, 0) < model.cost(i, start, 0))) start = o;
        }
        List<Integer> h = new ArrayList<>();
        h.add(start);
        for (int o : idx) {
            if (model.cost(i, o, 0) >= model.cost(i, start, 0)) continue; // only options that save resource
            // drop the last hull point while it lies on or above the segment to o (keeps the hull convex)
            while (h.size() >= 2) {
                int a = h.get(h.size() - 2), b = h.get(h.size() - 1);
                if (slope(i, a, o) <= slope(i, a, b)) h.remove(h.size() - 1); else break;
            }
            int last = h.get(h.size() - 1);
            if (model.cost(i, o, 0) < model.cost(i, last, 0)) h.add(o);
        }
        return h.stream().mapToInt(Integer::intValue).toArray();
    }
}
