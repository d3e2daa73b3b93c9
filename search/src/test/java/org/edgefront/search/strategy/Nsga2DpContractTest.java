package org.edgefront.search.strategy;

import org.edgefront.search.additive.AdditiveModel;
import org.edgefront.space.candidate.SearchSpace;

class Nsga2DpContractTest extends StrategyContractTest {
    @Override
    protected SearchStrategy create(SearchSpace space, AdditiveModel model, long seed) {
        return Strategies.create("nsga2-dp", space, problem, seed, 20, model);
    }

    /** Plans from the additive model, which here is the objective itself: it must close most of random search's gap. */
    @Override
    protected double requiredGapClosedOverRandom() { return 0.9; }
}
