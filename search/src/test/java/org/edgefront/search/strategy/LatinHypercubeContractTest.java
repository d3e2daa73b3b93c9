package org.edgefront.search.strategy;

import org.edgefront.search.additive.AdditiveModel;
import org.edgefront.space.candidate.SearchSpace;

class LatinHypercubeContractTest extends StrategyContractTest {
    @Override
    protected SearchStrategy create(SearchSpace space, AdditiveModel model, long seed) { return new LatinHypercube(space, seed); }

    /** A space-filling design, not an optimizer: it need not beat random search, but may lose at most 10% of its gap. */
    @Override
    protected double requiredGapClosedOverRandom() { return -0.1; }
}
