package org.edgefront.space.compress;

import java.util.Arrays;
import java.util.Objects;
import org.edgefront.space.model.ModelArchitecture;
import org.edgefront.space.model.TensorSpec;

/**
 * How much of a model's structure a candidate keeps: per layer, the kept attention KV groups (each with its
 * {@code heads / kvHeads} query heads; a plain multi-head model has one head per group) and FFN intermediate
 * channels, which layers are skipped whole, and how many vocabulary entries remain. Counts only: which heads,
 * channels and tokens go is decided from importance scores where the weights are (the evaluators), so memory
 * and the simulator can size a candidate exactly without the weights.
 *
 * <p>Immutable (arrays are copied in and out) and thread-safe.
 *
 * @param keptKvGroups per layer, kept KV groups, 1..kvHeads (ignored for a dropped layer)
 * @param keptChannels per layer, kept FFN channels, 1..hiddenDim (ignored for a dropped layer)
 * @param droppedLayer per layer, true when the block is skipped (the residual stream passes through)
 * @param keptVocab    kept vocabulary entries, 1..vocabSize
 */
public record StructurePlan(int[] keptKvGroups, int[] keptChannels, boolean[] droppedLayer, int keptVocab)
        implements java.io.Serializable {

    public StructurePlan {
        Objects.requireNonNull(keptKvGroups, "keptKvGroups");
        Objects.requireNonNull(keptChannels, "keptChannels");
        Objects.requireNonNull(droppedLayer, "droppedLayer");
        if (keptKvGroups.length != droppedLayer.length || keptChannels.length != droppedLayer.length) {
            throw new IllegalArgumentException("per-layer counts disagree on the layer count");
        }
        keptKvGroups = keptKvGroups.clone();
        keptChannels = keptChannels.clone();
        droppedLayer = droppedLayer.clone();
    }

    /** Nothing pruned. */
    public static StructurePlan none(ModelArchitecture a) {
        int[] g = new int[a.layers()];
        int[] c = new int[a.layers()];
        Arrays.fill(g, a.kvHeads());
        Arrays.fill(c, a.hiddenDim());
        return new StructurePlan(g, c, new boolean[a.layers()], a.vocabSize());
    }

    /** @throws IllegalArgumentException when a count is out of range for {@code a} or the layer count differs */
    public void validate(ModelArchitecture a) {
        if (droppedLayer.length != a.layers()) throw new IllegalArgumentException("structure has " + droppedLayer.length + " layers, model " + a.layers());
        for (int l = 0; l < a.layers(); l++) {
            if (keptKvGroups[l] < 1 || keptKvGroups[l] > a.kvHeads()) throw new IllegalArgumentException("layer " + l + " keeps " + keptKvGroups[l] + " of " + a.kvHeads() + " KV groups");
            if (keptChannels[l] < 1 || keptChannels[l] > a.hiddenDim()) throw new IllegalArgumentException("layer " + l + " keeps " + keptChannels[l] + " of " + a.hiddenDim() + " FFN channels");
        }
        if (keptVocab < 1 || keptVocab > a.vocabSize()) throw new IllegalArgumentException("keeps " + keptVocab + " of " + a.vocabSize() + " vocabulary entries");
    }

    /** True when the plan removes anything from {@code a}. */
    public boolean prunes(ModelArchitecture a) {
        if (keptVocab < a.vocabSize()) return true;
        for (int l = 0; l < droppedLayer.length; l++) {
            if (droppedLayer[l] || keptKvGroups[l] < a.kvHeads() || keptChannels[l] < a.hiddenDim()) return true;
        }
        return false;
    }

    @Override
    public int[] keptKvGroups() { return keptKvGroups.clone(); }

    @Override
    public int[] keptChannels() { return keptChannels.clone(); }

    @Override
    public boolean[] droppedLayer() { return droppedLayer.clone(); }

    /** Whether layer {@code l} is skipped. */
    public boolean dropped(int layer) { return droppedLayer[layer]; }

    /** Kept KV groups of layer l (0 when dropped). */
    public int keptKvGroupCount(int layer) { return droppedLayer[layer] ? 0 : keptKvGroups[layer]; }

    /** Kept query heads of layer l (0 when dropped). */
    public int keptHeadCount(ModelArchitecture a, int layer) { return keptKvGroupCount(layer) * (a.heads() / a.kvHeads()); }

    /** Kept FFN channels of layer l (0 when dropped). */
    public int keptChannelCount(int layer) { return droppedLayer[layer] ? 0 : keptChannels[layer]; }

    /** The shape {@code t} has after pruning, or null when it is removed (see {@link #prunedShape(ModelArchitecture, TensorSpec, int, int, int, int)}). */
    public TensorSpec prunedShape(ModelArchitecture a, TensorSpec t) {
        int l = t.layer();
        if (l < 0) return prunedShape(a, t, 0, 0, 0, keptVocab);
        return prunedShape(a, t, keptHeadCount(a, l), keptKvGroupCount(l), keptChannelCount(l), keptVocab);
    }

    /**
     * The shape tensor {@code t} physically has when its layer keeps {@code keptHeads} query heads,
     * {@code keptKvGroups} KV groups and {@code keptChannels} FFN channels and the model keeps {@code keptVocab}
     * tokens: q rows, k/v rows and o columns shrink by whole heads, gate/up rows and down columns by channels,
     * embedding and LM-head rows by tokens. Null when nothing of the tensor is left (its layer is dropped, or no
     * head or channel remains). The one place both count-based plans and index-based selections size tensors.
     */
    public static TensorSpec prunedShape(ModelArchitecture a, TensorSpec t, int keptHeads, int keptKvGroups,
                                         int keptChannels, int keptVocab) {
        int hd = a.headDim();
        int rows = t.rows();
        int cols = t.cols();
        switch (t.role()) {
            case EMBEDDING, LM_HEAD -> rows = keptVocab;
            case Q -> rows = keptHeads * hd;
            case K, V -> rows = keptKvGroups * hd;
            case O -> cols = keptHeads * hd;
            case GATE, UP -> rows = keptChannels;
            case DOWN -> cols = keptChannels;
            default -> { }
        }
        if (rows == 0 || cols == 0) return null;
        if (rows == t.rows() && cols == t.cols()) return t;
        return new TensorSpec(t.name(), t.role(), t.layer(), rows, cols);
    }

    /** Per layer, the kept rows of each of K and V (what the KV cache stores per position; 0 for a dropped layer). */
    public int[] keptKvRowsPerLayer(ModelArchitecture a) {
        int[] r = new int[droppedLayer.length];
        for (int l = 0; l < r.length; l++) r[l] = keptKvGroupCount(l) * a.headDim();
        return r;
    }

    /** Linear parameters left (the embedding counted once when tied). */
    public long linearParameterCount(ModelArchitecture a) { return linearParameterCount(a, t -> prunedShape(a, t)); }

    /** Linear parameters of {@code a} when each tensor has the shape {@code pruned} gives (null = removed). */
    public static long linearParameterCount(ModelArchitecture a, java.util.function.UnaryOperator<TensorSpec> pruned) {
        long n = 0;
        for (TensorSpec t : a.linearTensors()) {
            TensorSpec p = pruned.apply(t);
            if (p != null) n += p.parameterCount();
        }
        return n;
    }

    /** A short label, e.g. {@code heads=28/40 ffn=600/860 layers=-1 vocab=300/512}. */
    public String label(ModelArchitecture a) {
        int[] heads = new int[droppedLayer.length];
        int[] channels = new int[droppedLayer.length];
        for (int l = 0; l < droppedLayer.length; l++) {
            heads[l] = keptHeadCount(a, l);
            channels[l] = keptChannelCount(l);
        }
        return label(a, heads, channels, droppedLayer, keptVocab);
    }

    /** The label of per-layer kept query heads and channels (0 for dropped layers), dropped layers and kept tokens. */
    public static String label(ModelArchitecture a, int[] keptHeads, int[] keptChannels, boolean[] dropped, int keptVocab) {
        int heads = 0;
        int channels = 0;
        int gone = 0;
        for (int l = 0; l < dropped.length; l++) {
            heads += keptHeads[l];
            channels += keptChannels[l];
            if (dropped[l]) gone++;
        }
        return "heads=" + heads + "/" + a.layers() * a.heads() + " ffn=" + channels + "/" + (long) a.layers() * a.hiddenDim()
                + " layers=-" + gone + " vocab=" + keptVocab + "/" + a.vocabSize();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof StructurePlan p && p.keptVocab == keptVocab && Arrays.equals(p.keptKvGroups, keptKvGroups)
                && Arrays.equals(p.keptChannels, keptChannels) && Arrays.equals(p.droppedLayer, droppedLayer);
    }

    @Override
    public int hashCode() {
        return ((Arrays.hashCode(keptKvGroups) * 31 + Arrays.hashCode(keptChannels)) * 31 + Arrays.hashCode(droppedLayer)) * 31 + keptVocab;
    }

    @Override
    public String toString() {
        return "StructurePlan[kvGroups=" + Arrays.toString(keptKvGroups) + ", channels=" + Arrays.toString(keptChannels)
                + ", dropped=" + Arrays.toString(droppedLayer) + ", vocab=" + keptVocab + "]";
    }
}
