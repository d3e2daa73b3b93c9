package org.edgefront.space.format;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.edgefront.space.ggml.GgmlType;

/**
 * How one weight format turns floats into what it stores: the dequantized round trip the quality pass computes with,
 * and ggml's bytes that a GGUF holds. Both come from one quantization, so a file EdgeFront writes holds exactly the
 * weights it measured. Decoding bytes is the ggml type's ({@link NamedFormat#decode}). Rows are quantized block by
 * block along the input dimension; callers pass a row length that is a multiple of the format's block (ask
 * {@link NamedFormat#storedFor(int)} first). Implementations are stateless and thread-safe; they never modify their
 * input.
 */
public interface FormatCodec {
    /**
     * Quantizes {@code n} weights of {@code x} from {@code off} and writes what the format stores, dequantized, to
     * {@code out} from {@code outOff}: the weights a runtime computes with.
     */
    void roundTrip(float[] x, int off, int n, float[] out, int outOff);

    /**
     * Quantizes {@code n} weights into the format's bytes as ggml lays them out ({@code n / blockWeights} blocks of
     * {@code blockBytes} each, little-endian) at {@code dst[dstOff..]}.
     */
    void encode(float[] x, int off, int n, byte[] dst, int dstOff);

    /**
     * One block's quantization: reads {@code blockWeights} weights from {@code x[off]}, writes them dequantized to
     * {@code out[outOff]}, and when {@code pack} is not null also appends the block's ggml bytes to it.
     */
    @FunctionalInterface
    interface Block {
        void quantize(float[] x, int off, float[] out, int outOff, ByteBuffer pack);
    }

    /** A codec that applies {@code block} to each of a row's blocks of {@code type} (its weights and bytes per block). */
    static FormatCodec blocks(GgmlType type, Block block) {
        int blockWeights = type.blockValues();
        int blockBytes = type.blockBytes();
        return new FormatCodec() {
            @Override
            public void roundTrip(float[] x, int off, int n, float[] out, int outOff) {
                for (int b = 0; b < whole(n); b += blockWeights) block.quantize(x, off + b, out, outOff + b, null);
            }

            @Override
            public void encode(float[] x, int off, int n, byte[] dst, int dstOff) {
                ByteBuffer pack = ByteBuffer.wrap(dst, dstOff, whole(n) / blockWeights * blockBytes).order(ByteOrder.LITTLE_ENDIAN);
                float[] scratch = new float[blockWeights];
                for (int b = 0; b < n; b += blockWeights) block.quantize(x, off + b, scratch, 0, pack);
            }

            private int whole(int n) {
                if (n % blockWeights != 0) throw new IllegalArgumentException("rows of " + n + " are not whole blocks of " + blockWeights);
                return n;
            }
        };
    }
}
