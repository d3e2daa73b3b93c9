package org.edgefront.evaluators.compress;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.edgefront.space.compress.StructurePlan;
import org.edgefront.space.model.ModelArchitecture;
import org.edgefront.space.model.TensorRole;
import org.edgefront.space.model.TensorSpec;

/**
 * Structured pruning of a whole model: which query heads, FFN channels, layers and vocabulary entries remain.
 *
 * <p>Attention under grouped-query attention: query heads are pruned individually within their KV groups; a
 * KV group whose query heads are all pruned is removed too (its K and V rows). So for a model with
 * {@code heads == kvHeads} pruning a head removes its q, k, v rows and o columns; with GQA a head costs only its
 * q rows and o columns until its whole group goes. Indices are sorted, distinct and in range.
 *
 * <p>A dropped layer is skipped whole (the residual stream passes through); its head and channel lists are
 * ignored. Pruned vocabulary entries lose their embedding row and (when untied) LM-head row and can never be
 * predicted. Immutable (arrays are copied in and out) and thread-safe.
 *
 * @param keptHeads    per layer, the kept query-head indices (ascending)
 * @param keptChannels per layer, the kept FFN intermediate channels (ascending)
 * @param droppedLayer per layer, true when the block is skipped
 * @param keptVocab    the kept token ids (ascending), or null when the whole vocabulary is kept
 */
public record StructureChoice(List<int[]> keptHeads, List<int[]> keptChannels, boolean[] droppedLayer, int[] keptVocab)
        implements java.io.Serializable {

    public StructureChoice {
        Objects.requireNonNull(keptHeads, "keptHeads");
        Objects.requireNonNull(keptChannels, "keptChannels");
        Objects.requireNonNull(droppedLayer, "droppedLayer");
        if (keptHeads.size() != droppedLayer.length || keptChannels.size() != droppedLayer.length) {
            throw new IllegalArgumentException("per-layer lists disagree on the layer count");
        }
        List<int[]> h = new ArrayList<>();
        for (int[] a : keptHeads) h.add(sortedDistinct(a, "kept heads"));
        List<int[]> c = new ArrayList<>();
        for (int[] a : keptChannels) c.add(sortedDistinct(a, "kept channels"));
        keptHeads = List.copyOf(h);
        keptChannels = List.copyOf(c);
        droppedLayer = droppedLayer.clone();
        keptVocab = keptVocab == null ? null : sortedDistinct(keptVocab, "kept vocabulary");
    }

    /** Nothing pruned. */
    public static StructureChoice none(ModelArchitecture a) {
        List<int[]> h = new ArrayList<>();
        List<int[]> c = new ArrayList<>();
        for (int l = 0; l < a.layers(); l++) {
            h.add(range(a.heads()));
            c.add(range(a.hiddenDim()));
        }
        return new StructureChoice(h, c, new boolean[a.layers()], null);
    }

    /** @throws IllegalArgumentException when an index is out of range for {@code a} or the layer count differs */
    public void validate(ModelArchitecture a) {
        if (droppedLayer.length != a.layers()) throw new IllegalArgumentException("structure has " + droppedLayer.length + " layers, model " + a.layers());
        for (int l = 0; l < a.layers(); l++) {
            check(keptHeads.get(l), a.heads(), "head of layer " + l);
            check(keptChannels.get(l), a.hiddenDim(), "FFN channel of layer " + l);
        }
        if (keptVocab != null) {
            check(keptVocab, a.vocabSize(), "token");
            if (keptVocab.length == 0) throw new IllegalArgumentException("vocabulary pruning keeps no token");
        }
    }

    public List<int[]> keptHeads() { return keptHeads.stream().map(int[]::clone).toList(); }

    public List<int[]> keptChannels() { return keptChannels.stream().map(int[]::clone).toList(); }

    @Override
    public boolean[] droppedLayer() { return droppedLayer.clone(); }

    @Override
    public int[] keptVocab() { return keptVocab == null ? null : keptVocab.clone(); }

    /** Kept query heads of layer l (0 when the layer is dropped). */
    public int keptHeadCount(int layer) { return droppedLayer[layer] ? 0 : keptHeads.get(layer).length; }

    /** Kept FFN channels of layer l (0 when the layer is dropped). */
    public int keptChannelCount(int layer) { return droppedLayer[layer] ? 0 : keptChannels.get(layer).length; }

    /** KV groups of layer l with at least one kept query head (0 when the layer is dropped). */
    public int keptKvGroupCount(ModelArchitecture a, int layer) {
        if (droppedLayer[layer]) return 0;
        boolean[] g = new boolean[a.kvHeads()];
        int perGroup = a.heads() / a.kvHeads();
        for (int h : keptHeads.get(layer)) g[h / perGroup] = true;
        int n = 0;
        for (boolean b : g) if (b) n++;
        return n;
    }

    /** Kept vocabulary entries. */
    public int keptVocabCount(ModelArchitecture a) { return keptVocab == null ? a.vocabSize() : keptVocab.length; }

    /**
     * The shape tensor {@code t} physically has after pruning (rows and cols shrunk), or null when the tensor is
     * removed entirely (a dropped layer, or no head / channel / group left). This is what memory accounting
     * should size with {@code TensorChoice.bytes}; quality is measured on zero-masked full-size weights, which
     * compute the same function.
     */
    public TensorSpec prunedShape(ModelArchitecture a, TensorSpec t) {
        int l = t.layer();
        if (l < 0) return StructurePlan.prunedShape(a, t, 0, 0, 0, keptVocabCount(a));
        return StructurePlan.prunedShape(a, t, keptHeadCount(l), keptKvGroupCount(a, l), keptChannelCount(l), keptVocabCount(a));
    }

    /** Linear parameters left after pruning (the embedding counted once when tied). */
    public long linearParameterCount(ModelArchitecture a) { return StructurePlan.linearParameterCount(a, t -> prunedShape(a, t)); }

    /** A short label, e.g. {@code heads=28/40 ffn=600/860 layers=-1 vocab=300/512}. */
    public String label(ModelArchitecture a) {
        int[] heads = new int[droppedLayer.length];
        int[] channels = new int[droppedLayer.length];
        for (int l = 0; l < droppedLayer.length; l++) {
            heads[l] = keptHeadCount(l);
            channels[l] = keptChannelCount(l);
        }
        return StructurePlan.label(a, heads, channels, droppedLayer, keptVocabCount(a));
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof StructureChoice s)) return false;
        if (!Arrays.equals(droppedLayer, s.droppedLayer) || !Arrays.equals(keptVocab, s.keptVocab)) return false;
        for (int l = 0; l < droppedLayer.length; l++) {
            if (!Arrays.equals(keptHeads.get(l), s.keptHeads.get(l)) || !Arrays.equals(keptChannels.get(l), s.keptChannels.get(l))) return false;
        }
        return true;
    }

    @Override
    public int hashCode() {
        int h = Arrays.hashCode(droppedLayer) * 31 + Arrays.hashCode(keptVocab);
        for (int l = 0; l < droppedLayer.length; l++) h = h * 31 + Arrays.hashCode(keptHeads.get(l)) * 17 + Arrays.hashCode(keptChannels.get(l));
        return h;
    }

    @Override
    public String toString() {
        return "StructureChoice[dropped=" + Arrays.toString(droppedLayer) + ", vocab=" + (keptVocab == null ? "all" : keptVocab.length) + "]";
    }

    static int[] range(int n) {
        int[] r = new int[n];
        for (int i = 0; i < n; i++) r[i] = i;
        return r;
    }

    private static int[] sortedDistinct(int[] a, String what) {
        Objects.requireNonNull(a, what);
        int[] s = a.clone();
        Arrays.sort(s);
        for (int i = 1; i < s.length; i++) if (s[i] == s[i - 1]) throw new IllegalArgumentException(what + ": index " + s[i] + " repeated");
        return s;
    }

    private static void check(int[] idx, int bound, String what) {
        for (int i : idx) if (i < 0 || i >= bound) throw new IllegalArgumentException(what + " index " + i + " outside 0.." + (bound - 1));
    }

    /** Canonical tensor name. */
    static String name(TensorRole role, int layer) { return TensorSpec.canonicalName(role, layer); }
}
