package org.edgefront.search.strategy;

import org.edgefront.search.additive.AdditiveModel;
import org.edgefront.space.candidate.SearchSpace;

class Nsga2ContractTest extends StrategyContractTest {
    @Override
    protected SearchStrategy create(SearchSpace space, AdditiveModel model, long seed) { return new Nsga2(space, problem, 20, seed); }
}
