package org.edgefront.nativert.device;

import org.edgefront.nativert.calibration.*;
import org.edgefront.nativert.reference.*;
import org.edgefront.nativert.tools.*;
import org.edgefront.nativert.*;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.edgefront.space.input.InvalidInputException;
import org.edgefront.space.model.ArchitectureFamily;
import org.edgefront.space.model.ModelArchitecture;
import org.edgefront.space.model.RopeScaling;
import org.edgefront.space.model.SlidingWindow;
import org.edgefront.space.model.TensorRole;
import org.edgefront.space.model.TensorSpec;

/**
 * A model's shape from its public config.json facts ({@code configs/models/*.yaml}), enough to simulate it
 * without weights. Immutable and thread-safe.
 *
 * @param file              where it was read from (for error messages)
 * @param name              display name
 * @param family            architecture family
 * @param hiddenSize        hidden size
 * @param intermediateSize  FFN size
 * @param layers            transformer blocks
 * @param heads             query heads
 * @param kvHeads           key/value heads
 * @param headDim           size of one head
 * @param vocabSize         vocabulary
 * @param maxContextTokens  trained context
 * @param tiedEmbeddings    LM head shares the embedding
 * @param aliases           names this model goes by in measurement files
 * @param experts           mixture-of-experts layout, or null for a dense model (then {@code intermediateSize} is the
 *                          FFN width; with experts it is ignored in favour of the layout's widths)
 * @param geometry          blocks that differ from one another and per-layer extras (Gemma 3n, Gemma 4), or null when
 *                          every block has the shape above; not combined with experts
 * @param latent            multi-head latent attention (DeepSeek-V2/V3, GLM-4.7-Flash), or null for attention of
 *                          {@code heads} / {@code kvHeads} heads of {@code headDim}; with it {@code kvHeads} and
 *                          {@code headDim} describe the decompressed heads (heads, qk head width); not combined with
 *                          per-layer geometry
 * @param slidingWindow     local attention on the layers it names (Gemma 2/3, gpt-oss: llama.cpp's SWA layers, which
 *                          read and cache their window only), {@link SlidingWindow#NONE} when every layer attends to the
 *                          whole context; with per-layer geometry whose global blocks have their own head shape (Gemma 4)
 *                          the window's period must name those blocks
 */
public record ModelDescriptor(String file, String name, ArchitectureFamily family, int hiddenSize, int intermediateSize,
                              int layers, int heads, int kvHeads, int headDim, int vocabSize, int maxContextTokens,
                              boolean tiedEmbeddings, List<String> aliases, ExpertLayout experts, LayerGeometry geometry,
                              LatentAttention latent, SlidingWindow slidingWindow)
        implements java.io.Serializable {
    public ModelDescriptor {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(slidingWindow, "slidingWindow");
        aliases = List.copyOf(aliases);
        if (geometry != null && slidingWindow.tokens() > 0 && !geometry.globalLayers().isEmpty()) {
            // Gemma 4: the full-attention blocks are the ones of their own head shape; the window's period must name them
            for (int l = 0; l < geometry.layers(); l++) {
                if (geometry.globalLayers().contains(l) == slidingWindow.isLocal(l)) {
                    throw new InvalidInputException(file, "slidingWindow.pattern", "block " + l + " is " + (slidingWindow.isLocal(l) ? "local" : "global")
                            + " by the window's period " + slidingWindow.pattern() + " but " + (slidingWindow.isLocal(l) ? "global" : "local") + " by its head shape");
                }
            }
        }
        if (geometry != null && experts != null) throw new InvalidInputException(file, "experts", "per-layer geometry and experts together are not supported");
        if (geometry != null && latent != null) throw new InvalidInputException(file, "kv_lora_rank", "per-layer geometry and latent attention together are not supported");
        if (geometry != null && geometry.layers() != layers) {
            throw new InvalidInputException(file, "intermediateSizes", geometry.layers() + " widths for " + layers + " layers");
        }
        if (experts != null && experts.leadingDenseLayers() > layers) {
            throw new InvalidInputException(file, "experts.leadingDenseLayers", experts.leadingDenseLayers() + " exceeds the " + layers + " layers");
        }
    }

    /** A model whose every layer attends to the whole context. */
    public ModelDescriptor(String file, String name, ArchitectureFamily family, int hiddenSize, int intermediateSize,
                           int layers, int heads, int kvHeads, int headDim, int vocabSize, int maxContextTokens,
                           boolean tiedEmbeddings, List<String> aliases, ExpertLayout experts, LayerGeometry geometry,
                           LatentAttention latent) {
        this(file, name, family, hiddenSize, intermediateSize, layers, heads, kvHeads, headDim, vocabSize, maxContextTokens,
                tiedEmbeddings, aliases, experts, geometry, latent, SlidingWindow.NONE);
    }

    /** A model without latent attention whose every layer attends to the whole context. */
    public ModelDescriptor(String file, String name, ArchitectureFamily family, int hiddenSize, int intermediateSize,
                           int layers, int heads, int kvHeads, int headDim, int vocabSize, int maxContextTokens,
                           boolean tiedEmbeddings, List<String> aliases, ExpertLayout experts, LayerGeometry geometry) {
        this(file, name, family, hiddenSize, intermediateSize, layers, heads, kvHeads, headDim, vocabSize, maxContextTokens,
                tiedEmbeddings, aliases, experts, geometry, null, SlidingWindow.NONE);
    }

    /** This model with local attention {@code w} on the layers it names. */
    public ModelDescriptor withSlidingWindow(SlidingWindow w) {
        return new ModelDescriptor(file, name, family, hiddenSize, intermediateSize, layers, heads, kvHeads, headDim, vocabSize, maxContextTokens,
                tiedEmbeddings, aliases, experts, geometry, latent, w);
    }

    /** A model whose blocks all have the same shape (dense, or a mixture of experts). */
    public ModelDescriptor(String file, String name, ArchitectureFamily family, int hiddenSize, int intermediateSize,
                           int layers, int heads, int kvHeads, int headDim, int vocabSize, int maxContextTokens,
                           boolean tiedEmbeddings, List<String> aliases, ExpertLayout experts) {
        this(file, name, family, hiddenSize, intermediateSize, layers, heads, kvHeads, headDim, vocabSize, maxContextTokens,
                tiedEmbeddings, aliases, experts, null);
    }

    /** A dense model. */
    public ModelDescriptor(String file, String name, ArchitectureFamily family, int hiddenSize, int intermediateSize,
                           int layers, int heads, int kvHeads, int headDim, int vocabSize, int maxContextTokens,
                           boolean tiedEmbeddings, List<String> aliases) {
        this(file, name, family, hiddenSize, intermediateSize, layers, heads, kvHeads, headDim, vocabSize, maxContextTokens,
                tiedEmbeddings, aliases, null, null);
    }

    /** True for a mixture-of-experts model. */
    public boolean moe() { return experts != null; }

    /** True for multi-head latent attention ({@link #latent()}). */
    public boolean latentAttention() { return latent != null; }

    /** True when the blocks differ from one another or carry per-layer extras ({@link #geometry()}). */
    public boolean perLayer() { return geometry != null; }

    /** True when {@code modelName} is this model's name or one of its aliases (case-insensitive). */
    public boolean matches(String modelName) {
        String m = modelName.trim();
        if (matchesExactly(m)) return true;
        // "llama3.2:3b (Llama-3.2-3B-Instruct)": the name before the parenthesis, or the one inside it
        int open = m.indexOf(" (");
        if (open > 0 && m.endsWith(")")) {
            return matchesExactly(m.substring(0, open).trim()) || matchesExactly(m.substring(open + 2, m.length() - 1).trim());
        }
        return false;
    }

    private boolean matchesExactly(String m) {
        if (m.equalsIgnoreCase(name)) return true;
        for (String a : aliases) if (a.equalsIgnoreCase(m)) return true;
        return false;
    }

    /**
     * The architecture one token runs, with its canonical tensor list (q has heads x headDim rows, which for Gemma-2
     * differs from the hidden size). For a mixture of experts the FFN tensors are as wide as the active routed experts
     * plus the shared ones ({@link ExpertLayout#activeIntermediateSize()}): what a decode step reads and computes.
     * {@link #storedArchitecture()} is what memory holds.
     *
     * @throws InvalidInputException when heads x headDim or the FFN width overflows
     */
    public ModelArchitecture architecture() {
        return architecture(experts == null ? intermediateSize : experts.activeIntermediateSize(), "experts.active");
    }

    /**
     * The architecture as stored: for a mixture of experts the FFN tensors hold every routed and shared expert side by
     * side ({@link ExpertLayout#storedIntermediateSize()}); the router is not a tensor of it (see
     * {@link ModelSimulation}). Equal to {@link #architecture()} for a dense model.
     */
    public ModelArchitecture storedArchitecture() {
        return architecture(experts == null ? intermediateSize : experts.storedIntermediateSize(), "experts.count");
    }

    private ModelArchitecture architecture(long ffn, String ffnField) {
        if ((long) heads * headDim > Integer.MAX_VALUE) {
            throw new InvalidInputException(file, "headDim", "heads x headDim = " + (long) heads * headDim + " is too large");
        }
        if (geometry != null) {
            // the attention header keeps the common (local) head shape; each block's Q/K/V tensors carry its own
            return withTensors(geometry.tensors(hiddenSize, heads, kvHeads, headDim, vocabSize, tiedEmbeddings), geometry.maxIntermediateSize());
        }
        if (ffn > Integer.MAX_VALUE) throw new InvalidInputException(file, ffnField, "FFN width " + ffn + " is too large");
        ModelArchitecture canonical = ModelArchitecture.of(name, family, hiddenSize, (int) ffn, layers, heads, kvHeads, headDim, vocabSize,
                maxContextTokens, tiedEmbeddings, 1e-5, 10000.0, false);
        int dense = experts == null ? 0 : experts.leadingDenseLayers();
        if (latent == null && dense == 0) return slidingWindow.tokens() == 0 ? canonical : canonical.withSlidingWindow(slidingWindow);
        // the canonical tensors, with latent attention's own projections in place of Q/K/V/O and the leading dense
        // blocks' FFN at their own width
        List<TensorSpec> t = new ArrayList<>();
        for (TensorSpec s : canonical.linearTensors()) {
            boolean attention = s.role() == TensorRole.Q || s.role() == TensorRole.K || s.role() == TensorRole.V || s.role() == TensorRole.O;
            boolean ffnOfDense = s.layer() >= 0 && s.layer() < dense && (s.role() == TensorRole.GATE || s.role() == TensorRole.UP || s.role() == TensorRole.DOWN);
            if (latent != null && attention) {
                if (s.role() == TensorRole.Q) t.addAll(latent.tensors(s.layer(), hiddenSize, heads));
            } else if (ffnOfDense) {
                boolean down = s.role() == TensorRole.DOWN;
                t.add(new TensorSpec(s.name(), s.role(), s.layer(), down ? hiddenSize : intermediateSize, down ? intermediateSize : hiddenSize));
            } else {
                t.add(s);
            }
        }
        return withTensors(t, dense > 0 ? Math.max(intermediateSize, (int) ffn) : (int) ffn);
    }

    /** An architecture of this model's header (attention shape, vocabulary, window) with the tensors {@code t}. */
    private ModelArchitecture withTensors(List<TensorSpec> t, int widestFfn) {
        return new ModelArchitecture(name, family, hiddenSize, widestFfn, layers, heads, kvHeads, vocabSize, maxContextTokens,
                tiedEmbeddings, 1e-5, 10000.0, false, t, headDim, RopeScaling.NONE, slidingWindow, 1.0 / Math.sqrt(headDim),
                ModelArchitecture.defaultRotaryDims(family, headDim), org.edgefront.space.model.LogitSoftcaps.NONE);
    }

    /**
     * The blocks' token mixers for the simulator: per layer, a latent-attention block ({@link BlockState#latent}), a
     * hybrid's own mixer or an attention block, each within its sliding window on the
     * local layers; none when every block attends to the whole context by its Q/K/V tensors (or the per-layer geometry
     * gives the blocks).
     */
    public List<BlockState> blockStates() {
        List<BlockState> kinds = geometry == null ? List.of() : geometry.blockStates(hiddenSize); // a hybrid's mixers
        if (latent == null && slidingWindow.tokens() == 0) return kinds;
        if (kinds.isEmpty()) {
            kinds = java.util.Collections.nCopies(layers, latent == null ? BlockState.ATTENTION
                    : BlockState.latent(latent.cacheRows(heads), latent.queryRows(heads)));
        }
        return BlockState.windowed(kinds, slidingWindow);
    }
}
