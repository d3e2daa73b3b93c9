package org.edgefront.search.strategy;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.edgefront.search.additive.AdditiveModel;
import org.edgefront.search.problem.EvaluatedCandidate;
import org.edgefront.space.candidate.Candidate;
import org.edgefront.space.candidate.SearchSpace;

/**
 * A strategy that first asks a fixed, model-derived list of candidates (in spread order, so any prefix
 * covers the whole range) and then explores around them: one decision moved to an option adjacent in the
 * model's first-objective order. Open loop: the plan does not depend on results.
 */
abstract class ModelGuidedStrategy extends AskTellStrategy {
    protected final AdditiveModel model;
    private List<Candidate> plan;
    private int next;
    /** Per decision, option indices sorted by the model's first objective (then second, then index). */
    private final int[][] byCost;
    private final int[][] rankOf;

    ModelGuidedStrategy(SearchSpace space, AdditiveModel model, long seed) {
        super(space, seed);
        if (!model.fits(space)) throw new IllegalArgumentException("additive model does not match the search space's decisions and options");
        this.model = model;
        int d = space.dimensions();
        byCost = new int[d][];
        rankOf = new int[d][];
        for (int i = 0; i < d; i++) {
            final int dec = i;
            byCost[i] = java.util.stream.IntStream.range(0, space.optionCount(i)).boxed().sorted((x, y) -> {
                int c = Double.compare(model.cost(dec, x, 0), model.cost(dec, y, 0));
                if (c != 0) return c;
                if (model.objectiveCount() > 1) c = Double.compare(model.cost(dec, x, 1), model.cost(dec, y, 1));
                return c != 0 ? c : Integer.compare(x, y);
            }).mapToInt(Integer::intValue).toArray();
            rankOf[i] = new int[byCost[i].length];
            for (int r = 0; r < byCost[i].length; r++) rankOf[i][byCost[i][r]] = r;
        }
    }

    /** The candidates to ask first, best-spread order not required (it is applied here). */
    protected abstract List<Candidate> buildPlan();

    private List<Candidate> plan() {
        if (plan == null) {
            List<Candidate> raw = buildPlan();
            int[] order = SpreadOrder.of(raw.size());
            List<Candidate> p = new ArrayList<>(raw.size());
            for (int i : order) p.add(raw.get(i));
            plan = p;
        }
        return plan;
    }

    /** Number of candidates in the plan. */
    public int planSize() { return plan().size(); }

    @Override
    protected List<Candidate> propose(int n) {
        List<Candidate> p = plan();
        List<Candidate> out = new ArrayList<>(n);
        Set<Candidate> batch = newBatchSet();
        while (out.size() < n) {
            Candidate c = null;
            while (next < p.size()) {
                Candidate x = p.get(next++);
                if (fresh(x, batch)) { c = x; break; }
            }
            if (c == null) c = neighbour(batch);
            batch.add(c);
            out.add(c);
        }
        return out;
    }

    private Candidate neighbour(Set<Candidate> batch) {
        List<Candidate> p = plan();
        if (p.isEmpty()) return freshRandom(batch);
        Candidate c = null;
        for (int t = 0; t < FRESH_TRIES; t++) {
            Candidate base = p.get(rng.nextInt(p.size()));
            int i = rng.nextInt(space.dimensions());
            int k = byCost[i].length;
            if (k < 2) continue;
            int r = rankOf[i][base.gene(i)];
            int nr = r == 0 ? 1 : r == k - 1 ? k - 2 : (rng.nextBoolean() ? r + 1 : r - 1);
            c = space.with(base, i, byCost[i][nr]);
            if (fresh(c, batch)) return c;
        }
        return c != null && fresh(c, batch) ? c : freshRandom(batch);
    }

    @Override
    protected void observe(List<EvaluatedCandidate> results) {}
}
