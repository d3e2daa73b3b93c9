package org.edgefront.search.strategy;

import org.edgefront.search.additive.AdditiveModel;
import org.edgefront.space.candidate.SearchSpace;

class DpSeededContractTest extends StrategyContractTest {
    @Override
    protected SearchStrategy create(SearchSpace space, AdditiveModel model, long seed) { return new DpSeeded(space, model, seed); }

    /** Plans from the additive model, which here is the objective itself: it must close most of random search's gap. */
    @Override
    protected double requiredGapClosedOverRandom() { return 0.9; }
}
