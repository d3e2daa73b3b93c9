package org.edgefront.evaluators.compress;

import java.util.Map;
import java.util.Objects;
import org.edgefront.space.model.TensorSpec;

/**
 * GPTQ calibration statistics: for each linear tensor, the Hessian of its layer-wise reconstruction
 * objective, {@code H = 2/N sum_t x_t x_t^T} over the N calibration tokens' inputs {@code x_t} to that tensor,
 * row-major {@code cols x cols} floats. Tensors that take the same input (q/k/v, gate/up) share one array.
 *
 * <p>Immutable by convention: the arrays are shared, not copied; nobody may modify them after construction.
 * Thread-safe for reads. Memory: {@code 4 cols^2} bytes per distinct input site.
 *
 * @param hessians tensor name to its Hessian
 * @param tokens   calibration tokens accumulated (N)
 */
public record HessianStats(Map<String, float[]> hessians, long tokens) implements java.io.Serializable {
    public HessianStats {
        hessians = Map.copyOf(Objects.requireNonNull(hessians, "hessians"));
        if (tokens < 0) throw new IllegalArgumentException("negative token count");
    }

    /** The Hessian of {@code tensorName}, or null when none was collected. */
    public float[] hessianFor(String tensorName) { return hessians.get(tensorName); }

    /**
     * GPTQ-quantizes tensor {@code t} with its collected Hessian ({@link Gptq#DEFAULT_DAMP}, {@link Gptq#DEFAULT_BLOCK}).
     *
     * @throws IllegalArgumentException when no Hessian was collected for the tensor
     */
    public float[] quantize(TensorSpec t, float[] weights, org.edgefront.space.compress.WeightFormat format) {
        float[] h = hessianFor(t.name());
        if (h == null) throw new IllegalArgumentException("no calibration hessian for " + t.name());
        return Gptq.quantize(t, weights, format, h);
    }
}
