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
     * The format's importance-weighted quantizer (what llama-quantize does with an importance matrix), or null when it has
     * none (then an importance matrix does not change how the format is quantized, as for F16 or Q8_0 in llama.cpp, or
     * EdgeFront has not implemented llama.cpp's weighted path for it).
     */
    default Weighted weighted() { return null; }

    /**
     * Row quantization weighted by an importance per input column: llama.cpp's {@code quantize_*_impl} with its
     * {@code quant_weights}, each column's mean squared activation over calibration tokens (llama-imatrix's {@code in_sum2}
     * over its counts). Same bit-exactness contract as the unweighted methods. Stateless and thread-safe.
     */
    interface Weighted {
        /** As {@link FormatCodec#roundTrip}, weighting column c of the row by {@code importance[impOff + c]}. */
        void roundTrip(float[] x, int off, int n, float[] importance, int impOff, float[] out, int outOff);

        /** As {@link FormatCodec#encode}, weighting column c of the row by {@code importance[impOff + c]}. */
        void encode(float[] x, int off, int n, float[] importance, int impOff, byte[] dst, int dstOff);
    }

    /**
     * One block's importance-weighted quantization: as {@link Block}, with the block's column importances at
     * {@code qw[qwOff..]} and the mean square of the block's whole row, {@code rowSigma2} (which llama.cpp's legacy
     * formats weight by; the i-quants compute their own over each super-block).
     */
    @FunctionalInterface
    interface WeightedBlock {
        void quantize(float[] x, int off, float[] qw, int qwOff, float rowSigma2, float[] out, int outOff, ByteBuffer pack);
    }

    /** As {@link #blocks(GgmlType, Block)}, with {@code weighted} as the format's {@link #weighted()} quantizer. */
    static FormatCodec blocks(GgmlType type, Block block, WeightedBlock weighted) {
        FormatCodec plain = blocks(type, block);
        int blockWeights = type.blockValues();
        int blockBytes = type.blockBytes();
        Weighted w = new Weighted() {
            @Override
            public void roundTrip(float[] x, int off, int n, float[] importance, int impOff, float[] out, int outOff) {
                float sigma2 = rowSigma2(x, off, n);
                for (int b = 0; b < whole(n); b += blockWeights) weighted.quantize(x, off + b, importance, impOff + b, sigma2, out, outOff + b, null);
            }

            @Override
            public void encode(float[] x, int off, int n, float[] importance, int impOff, byte[] dst, int dstOff) {
                ByteBuffer pack = ByteBuffer.wrap(dst, dstOff, whole(n) / blockWeights * blockBytes).order(ByteOrder.LITTLE_ENDIAN);
                float[] scratch = new float[blockWeights];
                float sigma2 = rowSigma2(x, off, n);
                for (int b = 0; b < n; b += blockWeights) weighted.quantize(x, off + b, importance, impOff + b, sigma2, scratch, 0, pack);
            }

            private int whole(int n) {
                if (n % blockWeights != 0) throw new IllegalArgumentException("rows of " + n + " are not whole blocks of " + blockWeights);
                return n;
            }
        };
        return new FormatCodec() {
            @Override
            public void roundTrip(float[] x, int off, int n, float[] out, int outOff) { plain.roundTrip(x, off, n, out, outOff); }

            @Override
            public void encode(float[] x, int off, int n, byte[] dst, int dstOff) { plain.encode(x, off, n, dst, dstOff); }

            @Override
            public Weighted weighted() { return w; }
        };
    }

    /** The row's mean square in float, summed in order as llama.cpp's legacy {@code quantize_row_*_impl} sums it. */
    private static float rowSigma2(float[] x, int off, int n) {
        float sum = 0;
        for (int j = 0; j < n; j++) sum += x[off + j] * x[off + j];
        return sum / n;
    }

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
