package org.edgefront.evaluators.compress;

import java.util.Objects;
import org.edgefront.space.compress.Sparsity;
import org.edgefront.space.compress.TensorChoice;
import org.edgefront.space.compress.WeightFormat;
import org.edgefront.space.format.FormatCodec;
import org.edgefront.space.format.NamedFormat;
import org.edgefront.space.model.TensorSpec;

/**
 * Applies a {@link TensorChoice} to a tensor's float weights and returns what the compressed tensor
 * holds, dequantized: the weights a runtime would compute with. Weights are row-major {@code rows x cols};
 * quantization groups run along {@code cols} (the input dimension).
 *
 * <p>Order of operations, mirroring {@link TensorChoice#bytes(TensorSpec)}:
 * <ol>
 *   <li>dense: every row is quantized in {@code format.effectiveFor(cols)} (llama.cpp's fallback when the
 *       row is not a multiple of the block);</li>
 *   <li>sparse: the mask (magnitude, or Wanda when {@code stats} has norms for the tensor) is chosen on
 *       the float weights, the kept weights of each row are packed densely and quantized in
 *       {@code format.effectiveFor(kept)}, pruned weights are exactly 0;</li>
 *   <li>low rank: truncated SVD to {@code choice.rank(t)}, both factors quantized (A's rows have length k,
 *       B's rows length cols, each with its own fallback), and the product A B returned.</li>
 * </ol>
 * Stateless and thread-safe; never modifies its input.
 */
public final class TensorCompressor {
    private TensorCompressor() {}

    /**
     * @param t       the tensor's shape
     * @param weights row-major rows x cols floats (not modified)
     * @param choice  the compression
     * @param stats   calibration statistics for Wanda scoring, or null for magnitude pruning
     * @return a new rows x cols array of dequantized weights
     * @throws IllegalArgumentException when {@code weights} does not have rows x cols entries
     */
    public static float[] apply(TensorSpec t, float[] weights, TensorChoice choice, CalibrationStats stats) {
        Objects.requireNonNull(t, "tensor");
        Objects.requireNonNull(weights, "weights");
        Objects.requireNonNull(choice, "choice");
        int rows = t.rows();
        int cols = t.cols();
        if ((long) rows * cols != weights.length) {
            throw new IllegalArgumentException("tensor " + t.name() + " is " + rows + "x" + cols + " but has " + weights.length + " weights");
        }
        if (choice.isLowRank()) {
            int k = choice.rank(t);
            LowRank.Factors f = LowRank.factor(weights, rows, cols, k);
            float[] a = quantizeMatrix(choice.format(), f.a(), rows, k);
            float[] b = quantizeMatrix(choice.format(), f.b(), k, cols);
            return LowRank.multiply(a, b, rows, k, cols);
        }
        if (choice.errorCompensated()) {
            float[] h = stats == null || stats.hessians() == null ? null : stats.hessians().hessianFor(t.name());
            if (h == null) {
                throw new IllegalStateException(t.name() + ": " + choice.label() + " needs calibration activations (GPTQ Hessians); "
                        + "give the evaluator calibration text");
            }
            return Gptq.quantize(t, weights, choice.format(), h);
        }
        if (choice.importanceWeighted()) {
            float[] importance = stats == null ? null : stats.importanceFor(t.name());
            if (importance == null) {
                throw new IllegalStateException(t.name() + ": " + choice.label() + " needs an importance matrix from calibration activations; "
                        + "give the evaluator calibration text");
            }
            return quantizeMatrix(choice.format(), weights, rows, cols, importance);
        }
        Sparsity s = choice.sparsity();
        if (s.kind() == Sparsity.Kind.NONE) return quantizeMatrix(choice.format(), weights, rows, cols);
        boolean[] keep = Pruner.mask(weights, rows, cols, s, stats == null ? null : stats.normsFor(t.name()));
        int kept = s.keptPerRow(cols);
        WeightFormat f = choice.format().effectiveFor(Math.max(kept, 1));
        float[] packed = new float[kept];
        float[] packedOut = new float[kept];
        float[] out = new float[weights.length];
        for (int r = 0; r < rows; r++) {
            int base = r * cols;
            int n = 0;
            for (int c = 0; c < cols; c++) if (keep[base + c]) packed[n++] = weights[base + c];
            if (n != kept) throw new IllegalStateException("mask kept " + n + " of " + cols + ", expected " + kept);
            quantizeRow(f, packed, 0, kept, packedOut, 0);
            n = 0;
            for (int c = 0; c < cols; c++) if (keep[base + c]) out[base + c] = packedOut[n++];
        }
        return out;
    }

    /** Quantizes every row of a rows x cols matrix in {@code format.effectiveFor(cols)}; returns a new array. */
    public static float[] quantizeMatrix(WeightFormat format, float[] w, int rows, int cols) {
        WeightFormat f = format.effectiveFor(cols);
        float[] out = new float[w.length];
        for (int r = 0; r < rows; r++) quantizeRow(f, w, r * cols, cols, out, r * cols);
        return out;
    }

    /**
     * Quantizes every row of a rows x cols matrix in {@code format.effectiveFor(cols)} as llama-quantize does with an
     * importance matrix whose entry for this tensor is {@code importance} (one value per column): with the stored
     * format's weighted quantizer, or its plain one where llama.cpp's ignores the matrix (a float fallback).
     */
    public static float[] quantizeMatrix(WeightFormat format, float[] w, int rows, int cols, float[] importance) {
        if (importance.length != cols) throw new IllegalArgumentException("importance of " + importance.length + " values for " + cols + " columns");
        WeightFormat f = format.effectiveFor(cols);
        FormatCodec.Weighted weighted = f.named() == null || f.named().codec() == null ? null : f.named().codec().weighted();
        if (weighted == null) return quantizeMatrix(f, w, rows, cols);
        float[] out = new float[w.length];
        for (int r = 0; r < rows; r++) weighted.roundTrip(w, r * cols, cols, importance, 0, out, r * cols);
        return out;
    }

    /**
     * As {@link #encodeRow(WeightFormat, WeightFormat, float[], int, int)} with an importance matrix entry
     * ({@link #quantizeMatrix(WeightFormat, float[], int, int, float[])}).
     */
    public static byte[] encodeRow(WeightFormat format, WeightFormat stored, float[] x, int off, int n, float[] importance) {
        FormatCodec.Weighted weighted = stored.named() == null || stored.named().codec() == null ? null : stored.named().codec().weighted();
        if (weighted == null) return encodeRow(format, stored, x, off, n);
        if (!format.effectiveFor(n).equals(stored)) throw new IllegalArgumentException(format.name() + " on rows of " + n + " is not stored as " + stored.name());
        byte[] bytes = new byte[Math.toIntExact(stored.rowBytes(n))];
        weighted.encode(x, off, n, importance, 0, bytes, 0);
        return bytes;
    }

    /**
     * Quantizes one row of {@code n} weights in format {@code f}, which must apply to {@code n}
     * (use {@link WeightFormat#effectiveFor(int)} first), writing dequantized values to {@code out}.
     */
    public static void quantizeRow(WeightFormat f, float[] x, int off, int n, float[] out, int outOff) {
        NamedFormat named = f.named();
        if (named != null && !named.quantizable()) TensorChoice.of(f).requireQuantizable(); // fails naming the format
        if (named != null) named.codec().roundTrip(x, off, n, out, outOff);
        else GroupQuantizer.quantizeRow(f, x, off, n, out, outOff);
    }

    /**
     * The bytes of one row of {@code n} weights as a GGUF stores it in the ggml format {@code stored}: for a float or
     * llama.cpp format {@code stored} must be {@code format.effectiveFor(n)} (llama.cpp's reference quantizer, bit
     * for bit); for a generic int4g32/int5g32/int8g32[a] format, the llama.cpp format with the same blocks, holding
     * EdgeFront's own codes. Little-endian.
     *
     * @throws IllegalArgumentException when {@code stored} cannot hold {@code format} exactly
     */
    public static byte[] encodeRow(WeightFormat format, WeightFormat stored, float[] x, int off, int n) {
        if (format.kind() == WeightFormat.Kind.INT_GROUP) return GroupQuantizer.encodeRow(format, stored, x, off, n);
        if (!format.effectiveFor(n).equals(stored)) throw new IllegalArgumentException(format.name() + " on rows of " + n + " is not stored as " + stored.name());
        TensorChoice.of(stored).requireQuantizable(); // fails naming the format
        byte[] bytes = new byte[Math.toIntExact(stored.rowBytes(n))];
        stored.named().codec().encode(x, off, n, bytes, 0);
        return bytes;
    }
}
