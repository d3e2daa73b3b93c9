package org.edgefront.evaluators.quality;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.edgefront.evaluators.compress.StructureChoice;
import org.edgefront.evaluators.compress.StructuredPruning;
import org.edgefront.space.model.ModelArchitecture;

/**
 * Runs structurally pruned models: the {@link StructuredPruning#mask} weights swapped into a pass, plus the
 * vocabulary restriction, and the measured per-layer importance used to choose layers to drop.
 * Stateless and thread-safe.
 */
public final class StructuredForward {
    private StructuredForward() {}

    /**
     * {@code base} with the choice applied on top of whatever tensors {@code base} holds (so structure composes
     * with quantized overrides: apply quantization first, structure second).
     */
    public static ForwardPass apply(ForwardPass base, StructureChoice choice) {
        Objects.requireNonNull(choice, "choice");
        ModelArchitecture a = base.architecture();
        Map<String, float[]> tensors = new java.util.HashMap<>();
        for (var t : a.linearTensors()) tensors.put(t.name(), base.tensor(t.name()));
        for (int l = 0; l < a.layers(); l++) for (String n : base.residualBiases(l)) tensors.put(n, base.tensor(n));
        ForwardPass f = base.withOverrides(StructuredPruning.mask(a, tensors, choice));
        int[] vocab = choice.keptVocab();
        return vocab == null ? f : f.withKeptVocabulary(StructuredPruning.flags(vocab, a.vocabSize()));
    }

    /**
     * Per token, its calibration frequency plus the model's mean predicted probability of it over the calibration
     * positions (a number in [0, 1) that only orders tokens of equal count, e.g. the many never-seen byte-fallback
     * tokens, by how much mass the model would lose without them). Pass as {@code tokenCounts}-like scores to
     * {@link StructuredPruning#select}.
     */
    public static double[] tokenImportance(ForwardPass base, List<int[]> calibration) {
        int v = base.architecture().vocabSize();
        long[] counts = StructuredPruning.tokenCounts(calibration, v);
        double[] mass = new double[v];
        long[] positions = new long[1];
        base.logProbs(calibration, (s, p, lp, off) -> {
            positions[0]++;
            for (int i = 0; i < v; i++) mass[i] += Math.exp(lp[off + i]);
        });
        double[] score = new double[v];
        for (int i = 0; i < v; i++) score[i] = counts[i] + Math.min(0.999999, mass[i] / Math.max(1, positions[0]));
        return score;
    }

    /**
     * Per layer, the mean KL (nats/token) on {@code calibration} of the model with only that layer skipped: the
     * layer-importance score for {@link StructuredPruning#select} (higher = keep). Costs one pass per layer.
     */
    public static double[] layerDropKl(ForwardPass base, List<int[]> calibration) {
        ModelArchitecture a = base.architecture();
        DivergenceMeter meter = new DivergenceMeter(base, calibration);
        StructureChoice none = StructureChoice.none(a);
        double[] kl = new double[a.layers()];
        for (int l = 0; l < a.layers(); l++) {
            boolean[] drop = new boolean[a.layers()];
            drop[l] = true;
            StructureChoice c = new StructureChoice(none.keptHeads(), none.keptChannels(), drop, null);
            kl[l] = meter.measure(apply(base, c)).klNatsPerToken();
        }
        return kl;
    }
}
