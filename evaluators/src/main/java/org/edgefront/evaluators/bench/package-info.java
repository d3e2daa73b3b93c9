/**
 * Benchmarks of the evaluators that print their figures (recorded in BENCHMARKS.md): the forward pass's FLOP rate
 * beside this machine's matrix-multiply peak measured through the same ND4J/BLAS path in the same run.
 */
package org.edgefront.evaluators.bench;
