package org.edgefront.space.ggml;

/**
 * Decodes whole blocks of one ggml storage type to float, exactly as ggml's {@code dequantize_row_*} does
 * (equal floats, bit for bit). Implementations are stateless and thread-safe.
 */
@FunctionalInterface
public interface GgmlDequantizer {
    /**
     * Decodes {@code blocks} consecutive blocks.
     *
     * @param src       the blocks as stored (little-endian), starting at {@code srcOffset}; the caller
     *                  guarantees {@code blocks x blockBytes} bytes are there
     * @param dst       receives {@code blocks x blockValues} floats from {@code dstOffset}
     */
    void dequantize(byte[] src, int srcOffset, int blocks, float[] dst, int dstOffset);
}
