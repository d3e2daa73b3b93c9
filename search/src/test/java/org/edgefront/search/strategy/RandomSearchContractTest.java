package org.edgefront.search.strategy;

import org.edgefront.search.additive.AdditiveModel;
import org.edgefront.space.candidate.SearchSpace;

class RandomSearchContractTest extends StrategyContractTest {
    @Override
    protected SearchStrategy create(SearchSpace space, AdditiveModel model, long seed) { return new RandomSearch(space, seed); }

    /** Random search is the baseline the other strategies must beat. */
    @Override
    protected double requiredGapClosedOverRandom() { return Double.NaN; }
}
