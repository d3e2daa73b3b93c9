/**
 * Quality of a compressed model on real text: a Llama-family forward pass ({@link
 * org.edgefront.evaluators.quality.LlamaForward}, ND4J matrix products over whole sequences with a causal
 * mask) and the evaluator that reports perplexity, mean per-token KL to the uncompressed model and top-1
 * agreement ({@link org.edgefront.evaluators.quality.QualityEvaluator}).
 */
package org.edgefront.evaluators.quality;
