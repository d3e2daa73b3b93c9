package org.edgefront.evaluators.quality;

import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.edgefront.space.model.ModelArchitecture;
import org.edgefront.space.model.ModelWeights;
import org.edgefront.space.model.TensorSpec;

/**
 * The one place that maps an {@link org.edgefront.space.model.ArchitectureFamily} to its {@link ForwardPass}: the
 * pass to build and the non-linear tensors (norms, biases) it reads. A new architecture is a pass class plus
 * one case in each switch below. Stateless and thread-safe.
 */
public final class ForwardPasses {
    private ForwardPasses() {}

    /**
     * The forward pass of {@code arch} over the given float tensors: every linear tensor by canonical name and the
     * family's norms and biases ({@link #tensorNames}). The arrays are kept, not copied: the caller must not modify
     * them afterwards.
     *
     * @throws IllegalArgumentException for an architecture no pass implements, or a missing or wrongly sized tensor
     */
    public static ForwardPass of(ModelArchitecture arch, Map<String, float[]> tensors) {
        Objects.requireNonNull(arch, "architecture");
        return switch (arch.family()) {
            case LLAMA, QWEN2 -> LlamaForward.of(arch, tensors);
            case PHI2 -> PhiForward.of(arch, tensors, PhiForward.phi2RotaryDims(arch));
        };
    }

    /** The non-linear tensors (norms, biases) the pass of {@code arch} reads besides the linear ones. */
    public static List<String> tensorNames(ModelArchitecture arch) {
        return switch (arch.family()) {
            case LLAMA, QWEN2 -> LlamaForward.names(arch);
            case PHI2 -> PhiForward.names(arch);
        };
    }

    /** Reads every tensor the pass needs from {@code weights} (which the caller still owns and closes). */
    public static ForwardPass load(ModelWeights weights) throws IOException {
        return of(weights.architecture(), readAll(weights));
    }

    /** Every linear tensor, norm and bias of {@code weights} the pass reads, by canonical name. */
    public static Map<String, float[]> readAll(ModelWeights weights) throws IOException {
        ModelArchitecture a = weights.architecture();
        Map<String, float[]> t = new HashMap<>();
        for (TensorSpec s : a.linearTensors()) t.put(s.name(), weights.read(s.name()));
        for (String n : tensorNames(a)) t.put(n, weights.read(n));
        return t;
    }

    /** Every pass sizes q and the attention output by dim; models with heads x headDim != dim (Gemma-2) are simulated only. */
    static void requireFullWidthHeads(ModelArchitecture arch) {
        Objects.requireNonNull(arch, "architecture");
        if (arch.qDim() != arch.dim()) {
            throw new IllegalArgumentException("the forward pass needs heads x headDim = dim; " + arch.name() + " has "
                    + arch.heads() + " x " + arch.headDim() + " != " + arch.dim());
        }
    }
}
