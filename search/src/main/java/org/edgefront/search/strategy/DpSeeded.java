package org.edgefront.search.strategy;

import java.util.ArrayList;
import java.util.List;
import org.edgefront.search.additive.AdditiveModel;
import org.edgefront.search.additive.ParetoDp;
import org.edgefront.space.candidate.Candidate;
import org.edgefront.space.candidate.SearchSpace;

/**
 * Asks the exact front of a two-objective additive model ({@link ParetoDp}) in spread order, then
 * neighbours of it. When the evaluation is the additive model itself this is the true front; when it is a
 * measured quality, this is the proxy's front used as a seed population. The DP runs on the first ask.
 * Not thread-safe.
 */
public final class DpSeeded extends ModelGuidedStrategy {
    public DpSeeded(SearchSpace space, AdditiveModel model, long seed) {
        super(space, model, seed);
        if (model.objectiveCount() != 2) throw new IllegalArgumentException("the DP strategy needs a 2-objective additive model");
    }

    @Override
    public String name() { return "dp"; }

    @Override
    protected List<Candidate> buildPlan() {
        ParetoDp.Front f = ParetoDp.solve(model);
        List<Candidate> out = new ArrayList<>(f.size());
        for (int p = 0; p < f.size(); p++) out.add(space.candidate(f.genes(p)));
        return out;
    }
}
