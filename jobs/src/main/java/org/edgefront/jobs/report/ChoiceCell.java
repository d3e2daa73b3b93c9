package org.edgefront.jobs.report;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.edgefront.space.compress.Sparsity;
import org.edgefront.space.compress.TensorChoice;
import org.edgefront.space.compress.WeightFormat;
import org.edgefront.space.model.TensorRole;

/**
 * What the heatmap shows for one tensor: its choice label, the format actually stored for its shape (llama.cpp's
 * fallback, recorded by the search as {@code stored}), the stored bits per weight and its sparsity. Bits per weight
 * are the stored format's and count every scale, minimum and sparsity index (Q4_0 = 18 bytes per 32 weights = 4.5);
 * a per-channel group's single scale per row and the size of low-rank factors depend on the tensor's shape, which a
 * search directory does not record, so those show the format's own bits (with the rank ratio in the label).
 * Immutable.
 *
 * @param tensor        GGUF tensor name
 * @param layer         block index, or -1 for the embedding and LM head
 * @param role          tensor role, or null when the name is not a known linear tensor
 * @param label         the choice label as searched
 * @param storedFormat  the format name stored for the tensor's shape; equal to the label's format when no fallback
 *                      applies or the directory does not record it
 * @param bitsPerWeight stored bits per (dense) weight position; NaN when the label cannot be parsed
 * @param sparsity      fraction of weights that are zero (0 = dense)
 * @param rankRatio     kept rank fraction (1 = not factorized)
 */
record ChoiceCell(String tensor, int layer, TensorRole role, String label, String storedFormat, double bitsPerWeight,
                  double sparsity, double rankRatio) {

    private static final Pattern BLOCK = Pattern.compile("blk\\.(\\d{1,6})\\.([a-z_]+)\\.weight");

    /** The cell of a choice whose stored format is not recorded: the label's own format. */
    static ChoiceCell of(String tensor, String label) {
        return of(tensor, label, null);
    }

    /** The cell of {@code label} stored as {@code stored} (a format name; null when not recorded). */
    static ChoiceCell of(String tensor, String label, String stored) {
        int layer = -1;
        TensorRole role = null;
        Matcher m = BLOCK.matcher(tensor);
        if (m.matches()) {
            for (TensorRole r : TensorRole.values()) {
                if (r.perLayer() && r.ggufStem().equals(m.group(2))) role = r;
            }
            if (role != null) layer = Integer.parseInt(m.group(1));
        } else if (tensor.equals("token_embd.weight")) {
            role = TensorRole.EMBEDDING;
        } else if (tensor.equals("output.weight")) {
            role = TensorRole.LM_HEAD;
        }
        TensorChoice c;
        WeightFormat format;
        try {
            c = TensorChoice.parse(label);
            format = stored == null ? c.format() : WeightFormat.parse(stored);
        } catch (IllegalArgumentException e) {
            return new ChoiceCell(tensor, layer, role, label, stored == null ? "?" : stored, Double.NaN, 0, 1);
        }
        return new ChoiceCell(tensor, layer, role, label, format.name(), bitsPerWeight(format, c.sparsity()), c.sparsity().ratio(),
                c.rankRatio());
    }

    /** Stored bits per weight position of choice {@code c} in its own format (no fallback). */
    static double bitsPerWeight(TensorChoice c) {
        return bitsPerWeight(c.format(), c.sparsity());
    }

    /** Stored bits per weight position of a dense-shaped tensor in {@code format} (see the type's note on shape-dependent parts). */
    static double bitsPerWeight(WeightFormat format, Sparsity s) {
        double dense = format.bitsPerWeight();
        return switch (s.kind()) {
            case NONE -> dense;
            // kept weights in the format plus a 1-bit-per-position bitmap
            case UNSTRUCTURED -> (1 - s.ratio()) * dense + 1.0;
            // kept weights plus ceil(log2 m) index bits per kept weight
            case N_M -> {
                double kept = (double) s.n() / s.m();
                int idxBits = 32 - Integer.numberOfLeadingZeros(s.m() - 1);
                yield kept * (dense + idxBits);
            }
        };
    }

    /** The format part of the label (before any {@code +}). */
    String formatLabel() {
        int plus = label.indexOf('+');
        return plus < 0 ? label : label.substring(0, plus);
    }

    /** True when llama.cpp stores another format than the one searched (a fallback for this shape). */
    boolean fellBack() {
        return !storedFormat.equalsIgnoreCase(formatLabel());
    }

    /** The sparsity/low-rank part of the label, or "dense". */
    String structureLabel() {
        int plus = label.indexOf('+');
        return plus < 0 ? "dense" : label.substring(plus + 1);
    }
}
