/**
 * ggml's storage types (the tensor types of GGUF files): {@link org.edgefront.space.ggml.GgmlType} names each by
 * its ggml id with its exact block size and a {@link org.edgefront.space.ggml.GgmlDequantizer} that decodes it bit
 * for bit as ggml does; {@link org.edgefront.space.ggml.GgmlTables} holds the formats' codebooks, transcribed from
 * llama.cpp.
 */
package org.edgefront.space.ggml;
