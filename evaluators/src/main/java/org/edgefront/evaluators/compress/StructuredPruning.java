package org.edgefront.evaluators.compress;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.edgefront.space.compress.StructurePlan;
import org.edgefront.space.model.ModelArchitecture;
import org.edgefront.space.model.TensorRole;
import org.edgefront.space.model.TensorSpec;

/**
 * Importance scores for structured pruning and the weight transformation that applies a {@link StructureChoice}.
 *
 * <p>Scores (higher = more important):
 * <ul>
 *   <li>query head h of layer l: {@code sum_c ||O[:, c]||^2 x n_c^2} over the head's columns c of the output
 *       projection, with {@code n_c} the calibration L2 norm of attention-output feature c (the O tensor's input
 *       norms in {@link CalibrationStats}); without statistics {@code n_c = 1} (weight magnitude only). It is the
 *       energy the head would add to the residual stream if its features were uncorrelated;</li>
 *   <li>FFN channel j: {@code ||DOWN[:, j]||^2 x n_j^2} with {@code n_j} the norm of the gated activation
 *       (DOWN's input norms); without statistics {@code ||DOWN[:, j]|| x ||UP[j, :]|| x ||GATE[j, :]||}
 *       (GATE omitted for GELU models without it);</li>
 *   <li>layers: measured, not estimated: the KL of the model with only that layer skipped
 *       ({@code quality.StructuredForward.layerDropKl});</li>
 *   <li>vocabulary: token frequency on calibration text ({@link #tokenCounts}), ties broken by the model's mean
 *       predicted probability ({@code quality.StructuredForward.tokenImportance}).</li>
 * </ul>
 * Selection keeps exactly the requested counts, the highest scores first, ties to the lower index.
 *
 * <p>Applying ({@link #mask}) zeroes what is pruned in full-size copies of the tensors: pruned heads' q rows and o
 * columns (and k/v rows of a KV group with no head left), pruned channels' gate/up rows and down columns, the o
 * and down matrices of dropped layers (the block then adds nothing to the residual stream), and the embedding and
 * untied LM-head rows of pruned tokens. Because every removed unit's only path into the residual stream is a zeroed
 * o or down column (or a skipped block), the masked model computes exactly what the physically smaller one does;
 * tests check this against physically shrunk checkpoints for channels and layers. Memory must be sized with
 * {@link StructureChoice#prunedShape}. The -inf logits of pruned tokens come from the forward pass
 * ({@code LlamaForward.withKeptVocabulary}). Stateless and thread-safe.
 */
public final class StructuredPruning {
    private StructuredPruning() {}

    /** Per layer, per query head importance (see the class comment); {@code stats} may be null. */
    public static double[][] headScores(ModelArchitecture a, Map<String, float[]> tensors, CalibrationStats stats) {
        int dim = a.dim();
        int qDim = a.qDim();   // o's columns: heads x headDim, which need not equal dim
        int hd = a.headDim();
        double[][] s = new double[a.layers()][a.heads()];
        for (int l = 0; l < a.layers(); l++) {
            String o = StructureChoice.name(TensorRole.O, l);
            float[] w = get(tensors, o, dim * qDim);
            float[] n = stats == null ? null : stats.normsFor(o);
            double[] colEnergy = new double[qDim];
            for (int r = 0; r < dim; r++) for (int c = 0; c < qDim; c++) colEnergy[c] += (double) w[r * qDim + c] * w[r * qDim + c];
            for (int h = 0; h < a.heads(); h++) {
                double e = 0;
                for (int c = h * hd; c < (h + 1) * hd; c++) e += colEnergy[c] * (n == null ? 1 : (double) n[c] * n[c]);
                s[l][h] = e;
            }
        }
        return s;
    }

    /** Per layer, per FFN channel importance (see the class comment); {@code stats} may be null. */
    public static double[][] channelScores(ModelArchitecture a, Map<String, float[]> tensors, CalibrationStats stats) {
        int dim = a.dim();
        int hid = a.hiddenDim();
        double[][] s = new double[a.layers()][hid];
        for (int l = 0; l < a.layers(); l++) {
            String d = StructureChoice.name(TensorRole.DOWN, l);
            float[] down = get(tensors, d, dim * hid);
            double[] colEnergy = new double[hid];
            for (int r = 0; r < dim; r++) for (int c = 0; c < hid; c++) colEnergy[c] += (double) down[r * hid + c] * down[r * hid + c];
            float[] n = stats == null ? null : stats.normsFor(d);
            if (n != null) {
                for (int j = 0; j < hid; j++) s[l][j] = colEnergy[j] * n[j] * n[j];
                continue;
            }
            float[] up = get(tensors, StructureChoice.name(TensorRole.UP, l), hid * dim);
            float[] gate = tensors.get(StructureChoice.name(TensorRole.GATE, l));
            for (int j = 0; j < hid; j++) {
                double v = Math.sqrt(colEnergy[j]) * rowNorm(up, j, dim);
                if (gate != null) v *= rowNorm(gate, j, dim);
                s[l][j] = v;
            }
        }
        return s;
    }

    /** How often each token id occurs in the sequences (inputs and targets alike). */
    public static long[] tokenCounts(List<int[]> sequences, int vocab) {
        long[] c = new long[vocab];
        for (int[] s : sequences) for (int t : s) {
            if (t < 0 || t >= vocab) throw new IllegalArgumentException("token " + t + " outside vocabulary of " + vocab);
            c[t]++;
        }
        return c;
    }

    /** The indices of the {@code keep} highest scores, ascending; ties keep the lower index. */
    public static int[] topK(double[] scores, int keep) {
        if (keep < 0 || keep > scores.length) throw new IllegalArgumentException("keep " + keep + " of " + scores.length);
        Integer[] idx = new Integer[scores.length];
        for (int i = 0; i < idx.length; i++) idx[i] = i;
        Arrays.sort(idx, (x, y) -> {
            int c = Double.compare(scores[y], scores[x]);
            return c != 0 ? c : Integer.compare(x, y);
        });
        int[] out = new int[keep];
        for (int i = 0; i < keep; i++) out[i] = idx[i];
        Arrays.sort(out);
        return out;
    }

    /**
     * A structure choice keeping, in every layer, {@code keptHeadsPerLayer} query heads and
     * {@code keptChannelsPerLayer} FFN channels by the given scores; dropping the {@code layersToDrop} layers with
     * the lowest {@code layerScores}; keeping the {@code keptVocab} most frequent tokens plus {@code alwaysKeep}
     * (e.g. BOS/EOS; they count towards {@code keptVocab}).
     *
     * @param layerScores  per layer importance, or null when {@code layersToDrop} is 0
     * @param tokenScores  per token importance (frequency, or {@code quality.StructuredForward.tokenImportance}), or
     *                     null when {@code keptVocab} is the vocabulary size
     */
    public static StructureChoice select(ModelArchitecture a, double[][] headScores, int keptHeadsPerLayer,
                                         double[][] channelScores, int keptChannelsPerLayer, double[] layerScores,
                                         int layersToDrop, double[] tokenScores, int keptVocab, int... alwaysKeep) {
        if (keptHeadsPerLayer < 1 || keptHeadsPerLayer > a.heads()) throw new IllegalArgumentException("kept heads " + keptHeadsPerLayer);
        if (keptChannelsPerLayer < 1 || keptChannelsPerLayer > a.hiddenDim()) throw new IllegalArgumentException("kept channels " + keptChannelsPerLayer);
        if (layersToDrop < 0 || layersToDrop >= a.layers()) throw new IllegalArgumentException("layers to drop " + layersToDrop);
        if (keptVocab < 1 || keptVocab > a.vocabSize() || keptVocab < alwaysKeep.length) throw new IllegalArgumentException("kept vocabulary " + keptVocab);
        List<int[]> heads = new ArrayList<>();
        List<int[]> channels = new ArrayList<>();
        for (int l = 0; l < a.layers(); l++) {
            heads.add(topK(headScores[l], keptHeadsPerLayer));
            channels.add(topK(channelScores[l], keptChannelsPerLayer));
        }
        boolean[] dropped = new boolean[a.layers()];
        if (layersToDrop > 0) {
            double[] neg = new double[a.layers()];
            for (int l = 0; l < neg.length; l++) neg[l] = -Objects.requireNonNull(layerScores, "layerScores")[l];
            for (int l : topK(neg, layersToDrop)) dropped[l] = true;
        }
        int[] vocab = null;
        if (keptVocab < a.vocabSize()) {
            if (Objects.requireNonNull(tokenScores, "tokenScores").length != a.vocabSize()) throw new IllegalArgumentException("token scores length");
            double[] score = tokenScores.clone();
            for (int t : alwaysKeep) score[t] = Double.POSITIVE_INFINITY;
            vocab = topK(score, keptVocab);
        }
        StructureChoice c = new StructureChoice(heads, channels, dropped, vocab);
        c.validate(a);
        return c;
    }

    /**
     * The units a count-based {@link StructurePlan} keeps, chosen by importance: per layer the
     * {@code plan.keptKvGroups} KV groups whose query heads have the highest summed {@code headScores} (all query
     * heads of a kept group stay), the {@code plan.keptChannels} highest-scoring FFN channels, the plan's dropped
     * layers, and the {@code plan.keptVocab} highest {@code tokenScores} with {@code alwaysKeep} first.
     *
     * @param tokenScores per token importance, or null when the plan keeps the whole vocabulary
     * @throws IllegalArgumentException when the plan does not fit {@code a} or keeps fewer tokens than {@code alwaysKeep}
     */
    public static StructureChoice select(ModelArchitecture a, StructurePlan plan, double[][] headScores,
                                         double[][] channelScores, double[] tokenScores, int... alwaysKeep) {
        plan.validate(a);
        int perGroup = a.heads() / a.kvHeads();
        List<int[]> heads = new ArrayList<>();
        List<int[]> channels = new ArrayList<>();
        int[] groups = plan.keptKvGroups();
        int[] kept = plan.keptChannels();
        for (int l = 0; l < a.layers(); l++) {
            double[] g = new double[a.kvHeads()];
            for (int h = 0; h < a.heads(); h++) g[h / perGroup] += headScores[l][h];
            int[] keptGroups = groups[l] == a.kvHeads() ? StructureChoice.range(a.kvHeads()) : topK(g, groups[l]);
            int[] hs = new int[keptGroups.length * perGroup];
            for (int i = 0; i < keptGroups.length; i++) for (int k = 0; k < perGroup; k++) hs[i * perGroup + k] = keptGroups[i] * perGroup + k;
            heads.add(hs);
            channels.add(kept[l] == a.hiddenDim() ? StructureChoice.range(a.hiddenDim()) : topK(channelScores[l], kept[l]));
        }
        int[] vocab = null;
        if (plan.keptVocab() < a.vocabSize()) {
            if (Objects.requireNonNull(tokenScores, "tokenScores").length != a.vocabSize()) throw new IllegalArgumentException("token scores length");
            if (plan.keptVocab() < alwaysKeep.length) throw new IllegalArgumentException("kept vocabulary " + plan.keptVocab() + " below the " + alwaysKeep.length + " tokens always kept");
            double[] score = tokenScores.clone();
            for (int t : alwaysKeep) score[t] = Double.POSITIVE_INFINITY;
            vocab = topK(score, plan.keptVocab());
        }
        StructureChoice c = new StructureChoice(heads, channels, plan.droppedLayer(), vocab);
        c.validate(a);
        return c;
    }

    /**
     * Zero-masked copies of exactly the tensors the choice changes (see the class comment), by canonical name,
     * ready for {@code LlamaForward.withOverrides}. Tensors the choice leaves alone are not in the map.
     */
    public static Map<String, float[]> mask(ModelArchitecture a, Map<String, float[]> tensors, StructureChoice c) {
        c.validate(a);
        int dim = a.dim();
        int qDim = a.qDim();   // q's rows and o's columns: heads x headDim, which need not equal dim
        int hd = a.headDim();
        int kvDim = a.kvDim();
        int hid = a.hiddenDim();
        int perGroup = a.heads() / a.kvHeads();
        Map<String, float[]> out = new HashMap<>();
        List<int[]> keptHeads = c.keptHeads();
        List<int[]> keptChannels = c.keptChannels();
        boolean[] dropped = c.droppedLayer();
        for (int l = 0; l < a.layers(); l++) {
            String o = StructureChoice.name(TensorRole.O, l);
            String d = StructureChoice.name(TensorRole.DOWN, l);
            if (dropped[l]) {
                out.put(o, new float[dim * qDim]);
                out.put(d, new float[dim * hid]);
                // Phi-2's output biases would still reach the residual stream: a skipped block adds nothing
                for (String bias : new String[] {"blk." + l + ".attn_output.bias", "blk." + l + ".ffn_down.bias"}) {
                    if (tensors.containsKey(bias)) out.put(bias, new float[dim]);
                }
                continue;
            }
            boolean[] keepHead = flags(keptHeads.get(l), a.heads());
            if (keptHeads.get(l).length < a.heads()) {
                float[] q = copy(tensors, StructureChoice.name(TensorRole.Q, l), qDim * dim);
                float[] wo = copy(tensors, o, dim * qDim);
                for (int h = 0; h < a.heads(); h++) {
                    if (keepHead[h]) continue;
                    Arrays.fill(q, h * hd * dim, (h + 1) * hd * dim, 0f);
                    for (int r = 0; r < dim; r++) Arrays.fill(wo, r * qDim + h * hd, r * qDim + (h + 1) * hd, 0f);
                }
                out.put(StructureChoice.name(TensorRole.Q, l), q);
                out.put(o, wo);
                float[] k = null;
                float[] v = null;
                for (int g = 0; g < a.kvHeads(); g++) {
                    boolean any = false;
                    for (int h = g * perGroup; h < (g + 1) * perGroup; h++) any |= keepHead[h];
                    if (any) continue;
                    if (k == null) {
                        k = copy(tensors, StructureChoice.name(TensorRole.K, l), kvDim * dim);
                        v = copy(tensors, StructureChoice.name(TensorRole.V, l), kvDim * dim);
                    }
                    Arrays.fill(k, g * hd * dim, (g + 1) * hd * dim, 0f);
                    Arrays.fill(v, g * hd * dim, (g + 1) * hd * dim, 0f);
                }
                if (k != null) {
                    out.put(StructureChoice.name(TensorRole.K, l), k);
                    out.put(StructureChoice.name(TensorRole.V, l), v);
                }
            }
            if (keptChannels.get(l).length < hid) {
                boolean[] keep = flags(keptChannels.get(l), hid);
                float[] down = copy(tensors, d, dim * hid);
                String u = StructureChoice.name(TensorRole.UP, l);
                String g = StructureChoice.name(TensorRole.GATE, l);
                float[] up = copy(tensors, u, hid * dim);
                float[] gate = tensors.containsKey(g) ? copy(tensors, g, hid * dim) : null;
                for (int j = 0; j < hid; j++) {
                    if (keep[j]) continue;
                    Arrays.fill(up, j * dim, (j + 1) * dim, 0f);
                    if (gate != null) Arrays.fill(gate, j * dim, (j + 1) * dim, 0f);
                    for (int r = 0; r < dim; r++) down[r * hid + j] = 0f;
                }
                out.put(d, down);
                out.put(u, up);
                if (gate != null) out.put(g, gate);
            }
        }
        int[] vocab = c.keptVocab();
        if (vocab != null) {
            boolean[] keep = flags(vocab, a.vocabSize());
            List<String> names = new ArrayList<>();
            names.add(StructureChoice.name(TensorRole.EMBEDDING, -1));
            if (!a.tiedEmbeddings()) names.add(StructureChoice.name(TensorRole.LM_HEAD, -1));
            for (String n : names) {
                float[] e = copy(tensors, n, a.vocabSize() * dim);
                for (int t = 0; t < keep.length; t++) if (!keep[t]) Arrays.fill(e, t * dim, (t + 1) * dim, 0f);
                out.put(n, e);
            }
        }
        return out;
    }

    /**
     * Compresses one tensor of a structurally pruned model the way the smaller model would store it: the kept rows
     * and columns are gathered into a {@link StructureChoice#prunedShape} matrix, {@link TensorCompressor#apply} runs
     * on that (so quantization groups, N:M runs and ranks follow the packed row length, and Wanda uses the kept
     * columns' norms), and the result is scattered back into a full-size array whose pruned entries are 0. Tensors
     * removed entirely (a dropped layer, no head left) come back all zero. Combine with {@link #mask} only for the
     * biases of dropped Phi-2 layers; for the weights this replaces it.
     *
     * @param stats calibration norms of the full-size tensors (Wanda), or null for magnitude pruning
     */
    public static float[] compressPruned(ModelArchitecture a, TensorSpec t, float[] weights, StructureChoice c,
                                         org.edgefront.space.compress.TensorChoice choice, CalibrationStats stats) {
        c.validate(a);
        int rows = t.rows();
        int cols = t.cols();
        if ((long) rows * cols != weights.length) throw new IllegalArgumentException("tensor " + t.name() + " has " + weights.length + " weights");
        TensorSpec packed = c.prunedShape(a, t);
        float[] out = new float[weights.length];
        if (packed == null) return out;
        int[] keptRows = StructureChoice.range(rows);
        int[] keptCols = StructureChoice.range(cols);
        int hd = a.headDim();
        int l = t.layer();
        switch (t.role()) {
            case EMBEDDING, LM_HEAD -> { if (c.keptVocab() != null) keptRows = c.keptVocab(); }
            case Q -> keptRows = expand(c.keptHeads().get(l), hd);
            case K, V -> keptRows = expand(keptGroups(a, c, l), hd);
            case O -> keptCols = expand(c.keptHeads().get(l), hd);
            case GATE, UP -> keptRows = c.keptChannels().get(l);
            case DOWN -> keptCols = c.keptChannels().get(l);
            default -> { }
        }
        if (keptRows.length != packed.rows() || keptCols.length != packed.cols()) throw new IllegalStateException("pruned shape mismatch for " + t.name());
        float[] w = new float[keptRows.length * keptCols.length];
        for (int i = 0; i < keptRows.length; i++) {
            int src = keptRows[i] * cols;
            int dst = i * keptCols.length;
            for (int j = 0; j < keptCols.length; j++) w[dst + j] = weights[src + keptCols[j]];
        }
        CalibrationStats packedStats = null;
        float[] norms = stats == null ? null : stats.normsFor(t.name());
        if (norms != null) {
            float[] kept = new float[keptCols.length];
            for (int j = 0; j < kept.length; j++) kept[j] = norms[keptCols[j]];
            packedStats = new CalibrationStats(Map.of(t.name(), kept), stats.tokens());
        }
        float[] q = TensorCompressor.apply(packed, w, choice, packedStats);
        for (int i = 0; i < keptRows.length; i++) {
            int dst = keptRows[i] * cols;
            int src = i * keptCols.length;
            for (int j = 0; j < keptCols.length; j++) out[dst + keptCols[j]] = q[src + j];
        }
        return out;
    }

    private static int[] keptGroups(ModelArchitecture a, StructureChoice c, int layer) {
        boolean[] g = new boolean[a.kvHeads()];
        int perGroup = a.heads() / a.kvHeads();
        for (int h : c.keptHeads().get(layer)) g[h / perGroup] = true;
        int n = 0;
        for (boolean b : g) if (b) n++;
        int[] out = new int[n];
        n = 0;
        for (int i = 0; i < g.length; i++) if (g[i]) out[n++] = i;
        return out;
    }

    /** Unit indices to the rows (or columns) they span: unit u covers [u * width, (u + 1) * width). */
    private static int[] expand(int[] units, int width) {
        int[] out = new int[units.length * width];
        for (int i = 0; i < units.length; i++) for (int k = 0; k < width; k++) out[i * width + k] = units[i] * width + k;
        return out;
    }

    /** One flag per index below n, true for the listed ones. */
    public static boolean[] flags(int[] kept, int n) {
        boolean[] f = new boolean[n];
        for (int i : kept) f[i] = true;
        return f;
    }

    private static double rowNorm(float[] w, int row, int cols) {
        double s = 0;
        for (int c = 0; c < cols; c++) s += (double) w[row * cols + c] * w[row * cols + c];
        return Math.sqrt(s);
    }

    private static float[] get(Map<String, float[]> t, String name, int expected) {
        float[] w = t.get(name);
        if (w == null) throw new IllegalArgumentException("tensor " + name + " missing");
        if (w.length != expected) throw new IllegalArgumentException("tensor " + name + " has " + w.length + " values, expected " + expected);
        return w;
    }

    private static float[] copy(Map<String, float[]> t, String name, int expected) { return get(t, name, expected).clone(); }
}
