/**
 * Weight formats, declared once: the registry of named formats ({@link org.edgefront.space.format.NamedFormat}: ggml
 * type, block and bytes, simulator id and cost, fallback, codec), the simulator's view of the format ids
 * ({@link org.edgefront.space.format.SimulatorFormats}), and the pure-Java codecs (llama.cpp's reference quantizers,
 * IQ4_NL, fp16/bf16 rounding). {@link org.edgefront.space.compress.WeightFormat} is the value that candidates carry;
 * it asks this registry.
 */
package org.edgefront.space.format;
