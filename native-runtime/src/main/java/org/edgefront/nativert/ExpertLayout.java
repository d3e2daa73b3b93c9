package org.edgefront.nativert;

import org.edgefront.nativert.device.*;
import org.edgefront.nativert.calibration.*;
import org.edgefront.nativert.reference.*;
import org.edgefront.nativert.tools.*;

/**
 * The mixture-of-experts part of a model's feed-forward blocks (config.json {@code num_local_experts} /
 * {@code num_experts}, {@code num_experts_per_tok}, {@code moe_intermediate_size}, shared experts). Every layer holds
 * {@code experts} routed experts (gate, up, down of {@code expertIntermediateSize} each), a router
 * ({@code experts x hidden}) and optionally always-on shared experts of {@code sharedIntermediateSize} in total. A token
 * runs {@code activeExperts} routed experts plus the shared ones. Immutable and thread-safe.
 *
 * @param experts                routed experts per layer (>= 2)
 * @param activeExperts          routed experts each token runs, 1..experts
 * @param expertIntermediateSize FFN width of one routed expert
 * @param sharedIntermediateSize total FFN width of the shared experts (0 when none)
 * @param leadingDenseLayers     the first this many blocks have a dense FFN of the model's intermediate size instead
 *                               (config.json {@code first_k_dense_replace}, GGUF {@code leading_dense_block_count}:
 *                               DeepSeek-V2/V3, GLM-4.5/4.7, Kimi); 0 when every block is a mixture of experts
 */
public record ExpertLayout(int experts, int activeExperts, int expertIntermediateSize, int sharedIntermediateSize, int leadingDenseLayers)
        implements java.io.Serializable {
    /** Every block a mixture of experts. */
    public ExpertLayout(int experts, int activeExperts, int expertIntermediateSize, int sharedIntermediateSize) {
        this(experts, activeExperts, expertIntermediateSize, sharedIntermediateSize, 0);
    }

    public ExpertLayout {
        if (leadingDenseLayers < 0) throw new IllegalArgumentException("leading dense layers must be >= 0, got " + leadingDenseLayers);
        if (experts < 2) throw new IllegalArgumentException("experts must be >= 2, got " + experts);
        if (activeExperts < 1 || activeExperts > experts) {
            throw new IllegalArgumentException("active experts " + activeExperts + " not in [1, " + experts + "]");
        }
        if (expertIntermediateSize < 1) throw new IllegalArgumentException("expert FFN width must be positive, got " + expertIntermediateSize);
        if (sharedIntermediateSize < 0) throw new IllegalArgumentException("shared FFN width must be >= 0, got " + sharedIntermediateSize);
    }

    /** True when block {@code layer} is a mixture of experts (not one of the leading dense blocks). */
    public boolean expertLayer(int layer) { return layer >= leadingDenseLayers; }

    /** FFN width one token runs per layer: the active routed experts plus the shared ones. */
    public long activeIntermediateSize() { return (long) activeExperts * expertIntermediateSize + sharedIntermediateSize; }

    /** FFN width stored per layer: every routed expert plus the shared ones. */
    public long storedIntermediateSize() { return (long) experts * expertIntermediateSize + sharedIntermediateSize; }

    /**
     * Expected number of distinct routed experts that {@code tokens} tokens touch in one layer, when each token picks
     * {@code activeExperts} of {@code experts} uniformly and independently: {@code E (1 - (1 - k/E)^T)} (the expected
     * size of the union; at T = 1 it is k, for long prompts it tends to E). Routing in trained models is not uniform,
     * so this is an upper estimate of the prefill reads.
     */
    public double expectedDistinctExperts(double tokens) {
        if (tokens <= 1) return activeExperts;
        double miss = Math.pow(1.0 - (double) activeExperts / experts, tokens);
        return Math.max(activeExperts, experts * (1.0 - miss));
    }
}
