package org.edgefront.evaluators.sensitivity;

import java.util.List;
import java.util.Objects;
import org.edgefront.evaluators.compress.TensorCompressor;
import org.edgefront.space.compress.Sparsity;
import org.edgefront.space.compress.TensorChoice;
import org.edgefront.space.model.TensorSpec;

/**
 * Quantization-error profiling without a forward pass: for one tensor and each option, the relative squared
 * weight error {@code ||W - C(W)||^2 / ||W||^2} (dimensionless) of the compressed tensor {@code C(W)}. This is
 * <em>not</em> the KL of a {@link SensitivityTable}; it is the cheap per-tensor statistic used to measure how
 * fast compression itself runs on large checkpoints (and a fallback ranking where a forward pass is too
 * expensive). Dense options are quantized row by row into a reused buffer (no full-tensor copy); sparse and
 * low-rank options go through {@link TensorCompressor#apply}. Optionally each input feature (column) is weighted by
 * the mean square of the activation entering it (llama.cpp's importance matrix), which turns the statistic into the
 * relative output error {@code E||(W - C(W)) x||^2 / E||W x||^2} under a diagonal approximation of the input
 * covariance; {@link OutputErrorProxy} builds its sensitivity estimate on that.
 *
 * <p>Stateless and thread-safe.
 */
public final class WeightErrorProfiler {
    private WeightErrorProfiler() {}

    /**
     * @param t       tensor shape
     * @param weights row-major rows x cols floats (not modified)
     * @param options the options to measure
     * @return relative squared error per option, in option order (0 for an all-zero tensor)
     */
    public static double[] relativeErrors(TensorSpec t, float[] weights, List<TensorChoice> options) {
        return relativeErrors(t, weights, options, null, null);
    }

    /**
     * As {@link #relativeErrors(TensorSpec, float[], List)} with every column weighted:
     * {@code sum_ij h_j (W - C(W))_ij^2 / sum_ij h_j W_ij^2}.
     *
     * @param columnWeights per-input-feature weights {@code h_j >= 0} (length cols; e.g. mean squared input
     *                      activation), or null for 1
     * @param stats         calibration statistics for options that need them (Wanda masks, GPTQ Hessians), or null
     */
    public static double[] relativeErrors(TensorSpec t, float[] weights, List<TensorChoice> options, float[] columnWeights,
                                          org.edgefront.evaluators.compress.CalibrationStats stats) {
        Objects.requireNonNull(t, "tensor");
        int rows = t.rows();
        int cols = t.cols();
        if ((long) rows * cols != weights.length) {
            throw new IllegalArgumentException("tensor " + t.name() + " is " + rows + "x" + cols + " but has " + weights.length + " weights");
        }
        if (columnWeights != null && columnWeights.length != cols) {
            throw new IllegalArgumentException("tensor " + t.name() + " has " + cols + " columns but " + columnWeights.length + " column weights");
        }
        double norm = 0;
        for (int i = 0; i < weights.length; i++) norm += weight(columnWeights, i % cols) * weights[i] * weights[i];
        double[] out = new double[options.size()];
        float[] row = new float[cols];
        for (int k = 0; k < options.size(); k++) {
            TensorChoice c = options.get(k);
            double err = 0;
            if (c.sparsity().kind() == Sparsity.Kind.NONE && !c.isLowRank() && !c.errorCompensated() && !c.importanceWeighted()) {
                var f = c.format().effectiveFor(cols);
                for (int r = 0; r < rows; r++) {
                    int base = r * cols;
                    TensorCompressor.quantizeRow(f, weights, base, cols, row, 0);
                    for (int i = 0; i < cols; i++) {
                        double d = weights[base + i] - row[i];
                        err += weight(columnWeights, i) * d * d;
                    }
                }
            } else {
                float[] q = TensorCompressor.apply(t, weights, c, stats);
                for (int i = 0; i < q.length; i++) {
                    double d = weights[i] - q[i];
                    err += weight(columnWeights, i % cols) * d * d;
                }
            }
            out[k] = norm == 0 ? 0 : err / norm;
        }
        return out;
    }

    private static double weight(float[] columnWeights, int col) { return columnWeights == null ? 1.0 : columnWeights[col]; }
}
