package org.edgefront.nativert;

import java.util.Collections;
import java.util.List;
import java.util.Objects;
import org.edgefront.space.model.ModelArchitecture;
import org.edgefront.space.model.TensorSpec;

/**
 * What the simulators run for one model: the attention shape and activation widths ({@code architecture}), the linear
 * tensors in operator order with what a token reads of each ({@link TensorReads}), and for a hybrid model what each
 * block mixes its tokens with ({@link BlockState}). For a dense model these are the architecture's own tensors, all
 * {@link TensorReads#DENSE}, every block attending ({@link #dense}); a mixture of experts lists its stored tensors with
 * their expert slices and a router per block, a model with per-layer inputs reads one row of its per-layer table per
 * token, and a hybrid model's convolution or linear-attention blocks hold a state instead of a KV cache
 * ({@link ModelSimulation#plan}). Immutable and thread-safe.
 *
 * @param architecture   attention shape, FFN width of the activations, vocabulary and norms
 * @param tensors        the linear tensors, one operator each
 * @param reads          one per tensor
 * @param kvSharedLayers the last this many blocks attend to an earlier block's KV cache and hold none (Gemma 3n,
 *                       Gemma 4 {@code num_kv_shared_layers}); 0 for every other model; in [0, layers)
 * @param blocks         one per layer, or empty when every block attends; the KV-shared blocks attend
 */
public record ModelTensors(ModelArchitecture architecture, List<TensorSpec> tensors, List<TensorReads> reads, int kvSharedLayers,
                           List<BlockState> blocks) {
    public ModelTensors {
        Objects.requireNonNull(architecture, "architecture");
        tensors = List.copyOf(tensors);
        reads = List.copyOf(reads);
        blocks = List.copyOf(blocks);
        int layers = architecture.layers();
        if (tensors.size() != reads.size()) throw new IllegalArgumentException(reads.size() + " reads for " + tensors.size() + " tensors");
        if (kvSharedLayers < 0 || kvSharedLayers >= layers) {
            throw new IllegalArgumentException("kv-shared layers " + kvSharedLayers + " not in [0, " + layers + ")");
        }
        if (!blocks.isEmpty() && blocks.size() != layers) throw new IllegalArgumentException(blocks.size() + " blocks for " + layers + " layers");
        for (int l = layers - kvSharedLayers; l < blocks.size(); l++) {
            if (!blocks.get(l).kind().attends()) throw new IllegalArgumentException("block " + l + " is KV-shared but does not attend");
        }
    }

    /**
     * A model whose blocks all attend, the last {@code kvSharedLayers} to an earlier block's KV cache, each local block of
     * the architecture's sliding window within it ({@link #windowBlocks}).
     */
    public ModelTensors(ModelArchitecture architecture, List<TensorSpec> tensors, List<TensorReads> reads, int kvSharedLayers) {
        this(architecture, tensors, reads, kvSharedLayers, windowBlocks(architecture));
    }

    /** A model whose every block holds its own KV cache (within the architecture's sliding window on its local blocks). */
    public ModelTensors(ModelArchitecture architecture, List<TensorSpec> tensors, List<TensorReads> reads) {
        this(architecture, tensors, reads, 0);
    }

    /**
     * The blocks of an architecture whose every block attends: none (every block over the whole context) without a
     * sliding window, else one per layer, the local ones within the window ({@link BlockState#windowed}), so that a
     * search or any other simulation of a Gemma 2/3 checkpoint reads and caches what llama.cpp does.
     */
    public static List<BlockState> windowBlocks(ModelArchitecture a) {
        if (a.slidingWindow().tokens() == 0) return List.of();
        return BlockState.windowed(Collections.nCopies(a.layers(), BlockState.ATTENTION), a.slidingWindow());
    }

    /** The architecture's own tensors, each read whole (its local blocks within its sliding window). */
    public static ModelTensors dense(ModelArchitecture a) {
        return new ModelTensors(a, a.linearTensors(), Collections.nCopies(a.linearTensors().size(), TensorReads.DENSE));
    }

    /** Block {@code layer}'s token mixer. */
    public BlockState block(int layer) { return blocks.isEmpty() ? BlockState.ATTENTION : blocks.get(layer); }

    /** The breakdown's name of block {@code layer}'s own operator: {@code blk.N.attn_kv}, or its state update. */
    public String blockOpName(int layer) { return "blk." + layer + "." + block(layer).kind().opName(); }
}
