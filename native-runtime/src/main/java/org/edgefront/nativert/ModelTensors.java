package org.edgefront.nativert;

import java.util.Collections;
import java.util.List;
import java.util.Objects;
import org.edgefront.space.model.ModelArchitecture;
import org.edgefront.space.model.TensorSpec;

/**
 * What the simulators run for one model: the attention shape and activation widths ({@code architecture}), the linear
 * tensors in operator order with what a token reads of each ({@link TensorReads}). For a dense model these are the
 * architecture's own tensors, all {@link TensorReads#DENSE} ({@link #dense}); a mixture of experts lists its stored
 * tensors with their expert slices and a router per block, and a model with per-layer inputs reads one row of its
 * per-layer table per token ({@link ModelSimulation#plan}). Immutable and thread-safe.
 *
 * @param architecture   attention shape, FFN width of the activations, vocabulary and norms
 * @param tensors        the linear tensors, one operator each
 * @param reads          one per tensor
 * @param kvSharedLayers the last this many blocks attend to an earlier block's KV cache and hold none (Gemma 3n,
 *                       Gemma 4 {@code num_kv_shared_layers}); 0 for every other model; in [0, layers)
 */
public record ModelTensors(ModelArchitecture architecture, List<TensorSpec> tensors, List<TensorReads> reads, int kvSharedLayers) {
    public ModelTensors {
        Objects.requireNonNull(architecture, "architecture");
        tensors = List.copyOf(tensors);
        reads = List.copyOf(reads);
        if (tensors.size() != reads.size()) throw new IllegalArgumentException(reads.size() + " reads for " + tensors.size() + " tensors");
        if (kvSharedLayers < 0 || kvSharedLayers >= architecture.layers()) {
            throw new IllegalArgumentException("kv-shared layers " + kvSharedLayers + " not in [0, " + architecture.layers() + ")");
        }
    }

    /** A model whose every block holds its own KV cache. */
    public ModelTensors(ModelArchitecture architecture, List<TensorSpec> tensors, List<TensorReads> reads) {
        this(architecture, tensors, reads, 0);
    }

    /** The architecture's own tensors, each read whole. */
    public static ModelTensors dense(ModelArchitecture a) {
        return new ModelTensors(a, a.linearTensors(), Collections.nCopies(a.linearTensors().size(), TensorReads.DENSE));
    }
}
