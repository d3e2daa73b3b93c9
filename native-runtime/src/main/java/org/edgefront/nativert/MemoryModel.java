package org.edgefront.nativert;

import java.util.Map;
import org.edgefront.space.compress.TensorChoice;
import org.edgefront.space.model.ModelArchitecture;
import org.edgefront.space.model.TensorSpec;

/**
 * Exact peak resident memory of a candidate, in bytes; the native simulator computes the same formulas.
 *
 * <ul>
 *   <li><b>weights</b> = sum over linear tensors of {@link TensorChoice#bytes(TensorSpec)}: whole quantization
 *       blocks with their scales/minima, sparsity bitmaps or N:M indices, both low-rank factors. A tied
 *       embedding is stored once.</li>
 *   <li><b>KV cache</b> = ceil(2 x layers x context x kvDim x kvBits / 8), kvDim = kvHeads x headDim: K and V of
 *       every layer for every position of the full context (allocated up front, as llama.cpp does).</li>
 *   <li><b>activations</b> = 4 B x (ub x (3 x dim + 2 x hiddenDim) + heads x ub x context + vocab), ub =
 *       min(prompt, ubatch): fp32 residual, normed input and attention output (3 x dim) and FFN gate and up
 *       (2 x hiddenDim) for one prefill ubatch, the attention score matrix of that ubatch over the full context
 *       (no flash attention, an upper bound), and the last token's logits.</li>
 *   <li><b>runtime</b> = the engine's fixed bytes ({@link BackendCalibration#runtimeFixedBytes()}) + 4 B x
 *       (2 x layers + 1) x dim of fp32 norm weights.</li>
 * </ul>
 * Stateless and thread-safe.
 */
public final class MemoryModel {
    private MemoryModel() {}

    /** Exact weight bytes of a candidate (every linear tensor must have a choice). */
    public static long weightBytes(ModelArchitecture arch, Map<String, TensorChoice> choices) {
        long sum = 0;
        for (TensorSpec t : arch.linearTensors()) {
            TensorChoice c = choices.get(t.name());
            if (c == null) throw new IllegalArgumentException("no choice for tensor " + t.name());
            sum = Math.addExact(sum, c.bytes(t));
        }
        return sum;
    }

    /** KV cache at {@code contextTokens}: ceil(2 x layers x context x kvDim x kvBits / 8) bytes. */
    public static long kvCacheBytes(ModelArchitecture arch, int contextTokens, int kvBits) {
        long bits = Math.multiplyExact(Math.multiplyExact(2L * arch.layers() * contextTokens, (long) arch.kvDim()), (long) kvBits);
        return (bits + 7) / 8;
    }

    /** Activation bytes (see the class comment). */
    public static long activationBytes(ModelArchitecture arch, Workload w, BackendCalibration c) {
        long ub = (long) Math.min((double) w.promptTokens(), c.ubatchTokens());
        long perUbatch = ub * (3L * arch.dim() + 2L * arch.hiddenDim());
        long scores = (long) arch.heads() * ub * w.contextTokens();
        return 4L * (perUbatch + scores + arch.vocabSize());
    }

    /** Runtime bytes (see the class comment). */
    public static long runtimeBytes(ModelArchitecture arch, BackendCalibration c) {
        return (long) c.runtimeFixedBytes() + 4L * (2L * arch.layers() + 1) * arch.dim();
    }

    /** The full breakdown. */
    public static MemoryBreakdown of(ModelArchitecture arch, Map<String, TensorChoice> choices, Workload w, BackendCalibration c) {
        return new MemoryBreakdown(weightBytes(arch, choices), kvCacheBytes(arch, w.contextTokens(), w.kvCacheBits()),
                activationBytes(arch, w, c), runtimeBytes(arch, c));
    }

    /** Mean stored bits per weight of a candidate: 8 x weight bytes / linear parameters. */
    public static double bitsPerWeight(ModelArchitecture arch, long weightBytes) {
        return 8.0 * weightBytes / arch.linearParameterCount();
    }
}
