/**
 * Quality of a compressed model on real text: forward passes as peers behind one interface ({@link
 * org.edgefront.evaluators.quality.ForwardPass}: {@link org.edgefront.evaluators.quality.LlamaForward} for Llama and
 * Qwen2, {@link org.edgefront.evaluators.quality.PhiForward} for Phi-2; ND4J matrix products over whole sequences
 * with a causal mask, chunked by one shared runner), chosen from the architecture family by {@link
 * org.edgefront.evaluators.quality.ForwardPasses}; the uncompressed model's {@link
 * org.edgefront.evaluators.quality.ReferenceDistribution}; and the evaluator that reports perplexity, mean per-token
 * KL to the uncompressed model and top-1 agreement ({@link org.edgefront.evaluators.quality.QualityEvaluator}).
 */
package org.edgefront.evaluators.quality;
