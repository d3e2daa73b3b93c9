/** Exact memory metrics of candidates: weight bytes per quantization block, KV cache, peak resident bytes. */
package org.edgefront.evaluators.memory;
