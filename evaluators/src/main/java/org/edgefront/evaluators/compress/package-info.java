/**
 * Compressors that turn a tensor's float weights into what a compressed checkpoint would hold, dequantized
 * back to floats: round-to-nearest group quantization, the named formats through their registry codecs
 * ({@code space.format}: llama.cpp block formats as llama.cpp's reference quantizers do them, IQ4_NL, F16/BF16
 * rounding), GPTQ, magnitude and Wanda pruning (unstructured and N:M) and truncated-SVD low rank. Entry point:
 * {@link org.edgefront.evaluators.compress.TensorCompressor}.
 */
package org.edgefront.evaluators.compress;
