/**
 * What a search optimizes: typed {@link org.edgefront.search.problem.Objective}s and
 * {@link org.edgefront.search.problem.Constraint}s (hard budgets), the
 * {@link org.edgefront.search.problem.Problem} that turns an evaluation into minimization-form objective
 * values plus a total constraint violation, and the resulting
 * {@link org.edgefront.search.problem.EvaluatedCandidate}.
 */
package org.edgefront.search.problem;
