/**
 * Additive objective models (per decision, per option costs that sum over decisions, e.g. exact weight
 * bytes and a sensitivity-table proxy loss) and the exact dynamic program
 * ({@link org.edgefront.search.additive.ParetoDp}) that gives their true Pareto front: the ground truth the
 * strategies are judged against and a seed population.
 */
package org.edgefront.search.additive;
