package org.edgefront.search.strategy;

import org.edgefront.search.additive.AdditiveModel;
import org.edgefront.space.candidate.SearchSpace;

class LatinHypercubeContractTest extends StrategyContractTest {
    @Override
    protected SearchStrategy create(SearchSpace space, AdditiveModel model, long seed) { return new LatinHypercube(space, seed); }
}
