package org.edgefront.search.strategy;

import org.edgefront.search.additive.AdditiveModel;
import org.edgefront.space.candidate.SearchSpace;

class EvoPressContractTest extends StrategyContractTest {
    @Override
    protected SearchStrategy create(SearchSpace space, AdditiveModel model, long seed) { return new EvoPress(space, problem, 8, seed); }
}
