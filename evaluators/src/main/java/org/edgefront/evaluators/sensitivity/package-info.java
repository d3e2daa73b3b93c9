/**
 * Per-tensor sensitivity tables: for each decision of a search space and each of its options, the measured
 * KL to the uncompressed model with only that decision's tensors compressed ({@link
 * org.edgefront.evaluators.sensitivity.SensitivityTable}, built by {@link
 * org.edgefront.evaluators.sensitivity.SensitivityProfiler}); the additive proxy of a candidate is the sum of
 * its entries. Also a quantization-error profiler (no forward pass) for throughput on large checkpoints, and a
 * multi-fidelity evaluator that screens by the proxy and measures promising candidates on growing token counts.
 * No Spark here: the parallel job lives in {@code org.edgefront.jobs.profile}.
 */
package org.edgefront.evaluators.sensitivity;
