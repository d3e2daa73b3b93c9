package org.edgefront.evaluators.compress;

import java.util.Map;
import java.util.Objects;

/**
 * Activation statistics from calibration text, for activation-aware pruning (Wanda: score |W_ij| x ||x_j||).
 * For each linear tensor, the L2 norm over calibration tokens of each input feature (length = the tensor's
 * cols). For a tied embedding the norms are those of the LM-head input (final-normed hidden states).
 *
 * <p>Immutable by convention: the arrays are shared, not copied; nobody may modify them after construction.
 * Thread-safe for reads.
 *
 * @param inputNorms tensor name to per-input-feature L2 norm
 * @param tokens     calibration tokens the norms were accumulated over
 * @param hessians   input Hessians for GPTQ ({@code +gptq} choices), or null when none were collected
 * @param importance an importance matrix given as such (read from a llama.cpp imatrix file), which {@link #importanceFor}
 *                   returns instead of deriving one from the norms; null to derive it
 */
public record CalibrationStats(Map<String, float[]> inputNorms, long tokens, HessianStats hessians, Map<String, float[]> importance)
        implements java.io.Serializable {
    public CalibrationStats {
        inputNorms = Map.copyOf(Objects.requireNonNull(inputNorms, "inputNorms"));
        if (importance != null) importance = Map.copyOf(importance);
        if (tokens < 0) throw new IllegalArgumentException("negative token count");
    }

    /** Norms only (no Hessians). */
    public CalibrationStats(Map<String, float[]> inputNorms, long tokens) {
        this(inputNorms, tokens, null, null);
    }

    /** Norms and Hessians, the importance matrix derived from the norms. */
    public CalibrationStats(Map<String, float[]> inputNorms, long tokens, HessianStats hessians) {
        this(inputNorms, tokens, hessians, null);
    }

    /** Only an importance matrix given as such (e.g. {@code org.edgefront.space.io.ImatrixFile#read}): no norms, no Hessians. */
    public static CalibrationStats ofImportance(Map<String, float[]> importance) {
        return new CalibrationStats(Map.of(), 0, null, Objects.requireNonNull(importance, "importance"));
    }

    /** A copy that also carries {@code h}. */
    public CalibrationStats withHessians(HessianStats h) { return new CalibrationStats(inputNorms, tokens, h, importance); }

    /**
     * The importance matrix entry of {@code tensorName}, as llama-imatrix defines it: per input feature, the mean of its
     * squared activation over the calibration tokens (norm^2 / tokens, in float); null when none were collected. These are
     * the weights of the importance-weighted quantizers ({@code +imatrix} choices) and what an exported imatrix file holds.
     */
    public float[] importanceFor(String tensorName) {
        if (importance != null) return importance.get(tensorName);
        float[] n = inputNorms.get(tensorName);
        if (n == null || tokens == 0) return null;
        float[] out = new float[n.length];
        for (int i = 0; i < n.length; i++) out[i] = n[i] * n[i] / tokens;
        return out;
    }

    /** The input-feature norms of {@code tensorName}, or null when none were collected. */
    public float[] normsFor(String tensorName) { return inputNorms.get(tensorName); }
}
