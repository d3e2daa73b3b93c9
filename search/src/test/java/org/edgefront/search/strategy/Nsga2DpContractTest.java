package org.edgefront.search.strategy;

import org.edgefront.search.additive.AdditiveModel;
import org.edgefront.space.candidate.SearchSpace;

class Nsga2DpContractTest extends StrategyContractTest {
    @Override
    protected SearchStrategy create(SearchSpace space, AdditiveModel model, long seed) {
        return Strategies.create("nsga2-dp", space, problem, seed, 20, model);
    }
}
