package org.edgefront.space.format;

/**
 * How one weight format turns floats into what it stores and back. Rows are quantized block by block along
 * the input dimension; callers pass a row length that is a multiple of the format's block (ask
 * {@link NamedFormat#storedFor(int)} first). Implementations are stateless and thread-safe; they never
 * modify their input.
 */
public interface FormatCodec {
    /**
     * Quantizes {@code n} weights of {@code x} from {@code off} and writes what the format stores, dequantized, to
     * {@code out} from {@code outOff}: the weights a runtime computes with.
     */
    void roundTrip(float[] x, int off, int n, float[] out, int outOff);

    /**
     * Quantizes {@code n} weights into the format's bytes as llama.cpp lays them out ({@code n / blockWeights}
     * blocks of {@code blockBytes} each) at {@code dst[dstOff..]}.
     *
     * @throws UnsupportedOperationException for formats whose byte layout is not written in Java yet
     */
    default void encode(float[] x, int off, int n, byte[] dst, int dstOff) {
        throw new UnsupportedOperationException("no Java byte encoder for this format yet");
    }

    /**
     * Dequantizes {@code n} weights stored in llama.cpp's byte layout at {@code src[srcOff..]} into {@code out}.
     *
     * @throws UnsupportedOperationException for formats whose byte layout is not written in Java yet
     */
    default void decode(byte[] src, int srcOff, int n, float[] out, int outOff) {
        throw new UnsupportedOperationException("no Java byte decoder for this format yet");
    }

    /** One block's quantize-and-dequantize: {@code blockWeights} weights from {@code x[off]} to {@code out[outOff]}. */
    @FunctionalInterface
    interface Block {
        void roundTrip(float[] x, int off, float[] out, int outOff);
    }

    /** A codec that applies {@code block} to each of the row's blocks of {@code blockWeights} weights. */
    static FormatCodec blocks(int blockWeights, Block block) {
        return (x, off, n, out, outOff) -> {
            if (n % blockWeights != 0) throw new IllegalArgumentException("rows of " + n + " are not whole blocks of " + blockWeights);
            for (int b = 0; b < n; b += blockWeights) block.roundTrip(x, off + b, out, outOff + b);
        };
    }
}
