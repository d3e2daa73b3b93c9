package org.edgefront.space.candidate;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import org.edgefront.space.model.ModelArchitecture;

/**
 * One structural dimension of a search space: how much of one kind of structure a layer (or the model) keeps.
 * Options are keep ratios; option 0 is always 1.0 (nothing pruned), so the all-zero genome of a space's
 * structural genes is the unpruned model. Which units go is not part of the decision: the evaluators choose
 * them by importance. Immutable.
 *
 * @param name       display name, e.g. {@code blk.3.heads} or {@code vocab}
 * @param kind       what is pruned
 * @param layer      the layer (0-based) for per-layer kinds, -1 for {@link Kind#VOCAB}
 * @param keepRatios options: fractions kept, the first 1.0, all in (0, 1] except {@link Kind#LAYER}, whose
 *                   options are exactly [1.0, 0.0] (keep, drop)
 */
public record StructureDecision(String name, Kind kind, int layer, List<Double> keepRatios) implements java.io.Serializable {

    /** Kinds of structure. */
    public enum Kind {
        /** Attention KV groups of one layer, with their query heads (a plain multi-head model: single heads). */
        HEADS,
        /** FFN intermediate channels of one layer (gate/up rows, down columns). */
        FFN_CHANNELS,
        /** One whole transformer block: keep or skip. */
        LAYER,
        /** Vocabulary entries: embedding rows and LM-head rows. */
        VOCAB
    }

    /**
     * FFN channel counts are rounded to multiples of this (for intermediate sizes of at least 128) so pruned
     * rows stay whole quantization blocks of 32.
     */
    public static final int CHANNEL_QUANTUM = 32;

    public StructureDecision {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(kind, "kind");
        keepRatios = List.copyOf(keepRatios);
        if (keepRatios.isEmpty() || keepRatios.get(0) != 1.0) throw new IllegalArgumentException("structure decision " + name + ": the first keep ratio must be 1.0");
        if (keepRatios.stream().distinct().count() != keepRatios.size()) throw new IllegalArgumentException("structure decision " + name + " lists a keep ratio twice");
        if (kind == Kind.LAYER) {
            if (!keepRatios.equals(List.of(1.0, 0.0))) throw new IllegalArgumentException("layer decision " + name + " has options [1.0, 0.0] (keep, drop)");
        } else {
            for (double r : keepRatios) {
                if (!(r > 0 && r <= 1)) throw new IllegalArgumentException("structure decision " + name + ": keep ratio " + r + " not in (0, 1]");
            }
        }
        if ((kind == Kind.VOCAB) != (layer < 0)) throw new IllegalArgumentException("structure decision " + name + ": layer " + layer + " does not fit kind " + kind);
    }

    /** The structural decisions of {@code a}: per layer heads, FFN channels and drop, then vocabulary (empty lists skip a kind). */
    public static List<StructureDecision> forModel(ModelArchitecture a, List<Double> headRatios, List<Double> channelRatios,
                                                   boolean dropLayers, List<Double> vocabRatios) {
        List<StructureDecision> out = new ArrayList<>();
        for (int l = 0; l < a.layers(); l++) {
            if (headRatios.size() > 1) out.add(new StructureDecision("blk." + l + ".heads", Kind.HEADS, l, headRatios));
            if (channelRatios.size() > 1) out.add(new StructureDecision("blk." + l + ".ffn_channels", Kind.FFN_CHANNELS, l, channelRatios));
            if (dropLayers) out.add(new StructureDecision("blk." + l + ".layer", Kind.LAYER, l, List.of(1.0, 0.0)));
        }
        if (vocabRatios.size() > 1) out.add(new StructureDecision("vocab", Kind.VOCAB, -1, vocabRatios));
        return List.copyOf(out);
    }

    /** Number of options. */
    public int optionCount() { return keepRatios.size(); }

    /** Label of option {@code o}: {@code keep}, {@code drop} or e.g. {@code keep0.75}. */
    public String optionLabel(int o) {
        double r = keepRatios.get(o);
        if (r == 1.0) return "keep";
        if (r == 0.0) return "drop";
        return String.format(Locale.ROOT, "keep%.3g", r);
    }

    /**
     * The count option {@code o} keeps of {@code total} units: {@code round(ratio x total)} clamped to 1..total, FFN
     * channels rounded to a multiple of {@link #CHANNEL_QUANTUM} when {@code total >= 128}; 0 for a dropped layer.
     */
    public int keptCount(int o, int total) {
        double r = keepRatios.get(o);
        if (r == 1.0) return total;
        if (r == 0.0) return 0;
        if (kind == Kind.FFN_CHANNELS && total >= 4 * CHANNEL_QUANTUM) {
            int q = (int) Math.round(r * total / CHANNEL_QUANTUM) * CHANNEL_QUANTUM;
            return Math.max(CHANNEL_QUANTUM, Math.min(total, q));
        }
        return (int) Math.max(1, Math.min(total, Math.round(r * total)));
    }
}
