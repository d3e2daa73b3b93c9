/**
 * Who proposes candidates: the ask/tell {@link org.edgefront.search.strategy.SearchStrategy} interface,
 * its implementations (random, Latin hypercube, NSGA-II, EvoPress-style (1+lambda), greedy sensitivity
 * allocation, exact-DP seeding), the narrow {@link org.edgefront.search.strategy.SearchHistory} each strategy
 * keeps for itself, and the {@link org.edgefront.search.strategy.Strategies} factory.
 */
package org.edgefront.search.strategy;
