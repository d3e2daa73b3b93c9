/**
 * The search benchmark: a Llama-3-8B-shaped space with additive objectives from a seeded synthetic
 * sensitivity table, every strategy's hypervolume ratio against the exact DP front, and the search overhead
 * per evaluation. Runs without Spark ({@link org.edgefront.search.bench.SearchBenchmark#main}).
 */
package org.edgefront.search.bench;
