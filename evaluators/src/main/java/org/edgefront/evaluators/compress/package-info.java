/**
 * Compressors that turn a tensor's float weights into what a compressed checkpoint would hold, dequantized
 * back to floats: round-to-nearest group quantization, llama.cpp block formats (legacy and K-quants, as
 * llama.cpp's reference quantizers do them), F16/BF16 rounding, magnitude and Wanda pruning (unstructured
 * and N:M) and truncated-SVD low rank. Entry point: {@link org.edgefront.evaluators.compress.TensorCompressor}.
 */
package org.edgefront.evaluators.compress;
