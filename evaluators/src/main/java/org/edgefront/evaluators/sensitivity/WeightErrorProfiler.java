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
 * low-rank options go through {@link TensorCompressor#apply}.
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
        Objects.requireNonNull(t, "tensor");
        int rows = t.rows();
        int cols = t.cols();
        if ((long) rows * cols != weights.length) {
            throw new IllegalArgumentException("tensor " + t.name() + " is " + rows + "x" + cols + " but has " + weights.length + " weights");
        }
        double norm = 0;
        for (float w : weights) norm += (double) w * w;
        double[] out = new double[options.size()];
        float[] row = new float[cols];
        for (int k = 0; k < options.size(); k++) {
            TensorChoice c = options.get(k);
            double err = 0;
            if (c.sparsity().kind() == Sparsity.Kind.NONE && !c.isLowRank()) {
                var f = c.format().effectiveFor(cols);
                for (int r = 0; r < rows; r++) {
                    int base = r * cols;
                    TensorCompressor.quantizeRow(f, weights, base, cols, row, 0);
                    for (int i = 0; i < cols; i++) {
                        double d = weights[base + i] - row[i];
                        err += d * d;
                    }
                }
            } else {
                float[] q = TensorCompressor.apply(t, weights, c, null);
                for (int i = 0; i < q.length; i++) {
                    double d = weights[i] - q[i];
                    err += d * d;
                }
            }
            out[k] = norm == 0 ? 0 : err / norm;
        }
        return out;
    }
}
