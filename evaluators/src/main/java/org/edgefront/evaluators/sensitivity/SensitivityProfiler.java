package org.edgefront.evaluators.sensitivity;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.edgefront.evaluators.quality.QualityEvaluator;
import org.edgefront.evaluators.quality.QualityReport;
import org.edgefront.space.candidate.Decision;
import org.edgefront.space.candidate.SearchSpace;
import org.edgefront.space.candidate.StructureDecision;
import org.edgefront.space.compress.Sparsity;
import org.edgefront.space.compress.TensorChoice;
import org.edgefront.space.compress.WeightFormat;
import org.edgefront.space.model.TensorSpec;

/**
 * Builds a {@link SensitivityTable} on a {@link QualityEvaluator}: for decision {@code i} and option {@code o}
 * it measures the KL with only decision {@code i}'s tensors compressed to option {@code o} (every other tensor
 * as in the reference), reusing the evaluator's reference distributions. The original-weight option (F32,
 * dense, full rank) is 0 exactly without a forward pass; every other option costs one forward pass over the
 * evaluator's sequences. Structural decisions of the space get rows too: the KL with only that layer's (or the
 * vocabulary's) structure pruned by that option, the evaluator built for the same space. Results depend only on the evaluator's inputs and the decision, so rows measured in
 * any order or process assemble into the same table.
 *
 * <p>Ownership: borrows the evaluator (the caller closes it). Thread-safety: not thread-safe, like the evaluator.
 */
public final class SensitivityProfiler {
    private final QualityEvaluator evaluator;
    private final SearchSpace space;

    /**
     * @param evaluator measures quality; its space must have the same architecture as {@code space}
     * @param space     whose decisions and options are profiled
     */
    public SensitivityProfiler(QualityEvaluator evaluator, SearchSpace space) {
        this.evaluator = Objects.requireNonNull(evaluator, "evaluator");
        this.space = Objects.requireNonNull(space, "space");
    }

    /** The row of decision {@code i}: one KL per option, nats/token. */
    public SensitivityTable.Row profileDecision(int i) { return profileDecision(i, null); }

    /**
     * The row of decision {@code i}, reusing the entries of {@code known} (a row of the same decision name and
     * tensors measured on the same inputs, or null) whose option labels match; only the other options are measured.
     */
    public SensitivityTable.Row profileDecision(int i, SensitivityTable.Row known) {
        if (i >= space.decisions().size()) return profileStructure(i, known);
        Decision d = space.decisions().get(i);
        Map<String, SensitivityTable.Entry> reuse = new java.util.HashMap<>();
        if (known != null && known.decision().equals(d.name()) && known.tensors().equals(d.tensors())) {
            for (SensitivityTable.Entry e : known.entries()) reuse.put(e.option(), e);
        }
        Map<String, TensorSpec> specs = space.architecture().tensorsByName();
        List<SensitivityTable.Entry> entries = new ArrayList<>();
        for (TensorChoice c : d.options()) {
            long bytes = 0;
            for (String t : d.tensors()) bytes += c.bytes(specs.get(t));
            double kl;
            if (reuse.containsKey(c.label())) {
                kl = reuse.get(c.label()).klNatsPerToken();
            } else if (isOriginal(c)) {
                kl = 0.0;
            } else {
                Map<String, TensorChoice> only = new LinkedHashMap<>();
                for (String t : d.tensors()) only.put(t, c);
                QualityReport r = evaluator.measure(only);
                kl = Double.isFinite(r.klNatsPerToken()) && Double.isFinite(r.perplexity()) ? Math.max(0.0, r.klNatsPerToken())
                        : Double.POSITIVE_INFINITY;
            }
            entries.add(new SensitivityTable.Entry(c.label(), kl, bytes));
        }
        return new SensitivityTable.Row(i, d.name(), d.tensors(), entries);
    }

    /**
     * The row of structural decision {@code i} (a gene index past the tensor decisions): per option, the KL of the
     * uncompressed model with only that much of that structure pruned (option 0 keeps everything: 0 exactly).
     * Structural rows name no tensors and carry 0 bytes: what a pruned layer saves depends on its tensors' choices.
     */
    private SensitivityTable.Row profileStructure(int i, SensitivityTable.Row known) {
        StructureDecision d = space.structure().get(i - space.decisions().size());
        Map<String, SensitivityTable.Entry> reuse = new java.util.HashMap<>();
        if (known != null && known.decision().equals(d.name()) && known.tensors().isEmpty()) {
            for (SensitivityTable.Entry e : known.entries()) reuse.put(e.option(), e);
        }
        List<SensitivityTable.Entry> entries = new ArrayList<>();
        for (int o = 0; o < d.optionCount(); o++) {
            String label = d.optionLabel(o);
            double kl;
            if (reuse.containsKey(label)) {
                kl = reuse.get(label).klNatsPerToken();
            } else if (o == 0) {
                kl = 0.0;
            } else {
                int[] genes = new int[space.dimensions()];
                genes[i] = o;
                QualityReport r = evaluator.measure(Map.of(), space.structurePlan(new org.edgefront.space.candidate.Candidate(genes)));
                kl = Double.isFinite(r.klNatsPerToken()) && Double.isFinite(r.perplexity()) ? Math.max(0.0, r.klNatsPerToken())
                        : Double.POSITIVE_INFINITY;
            }
            entries.add(new SensitivityTable.Entry(label, kl, 0));
        }
        return new SensitivityTable.Row(i, d.name(), List.of(), entries);
    }

    /** The whole table, sequentially. */
    public SensitivityTable profile() {
        List<SensitivityTable.Row> rows = new ArrayList<>();
        for (int i = 0; i < space.dimensions(); i++) rows.add(profileDecision(i));
        return assemble(space, evaluator.version(), evaluator.tokens(), rows);
    }

    /**
     * The whole table, sequentially, reusing the entries of {@code known} (a table measured with the same evaluator
     * inputs, possibly over other options or decisions) wherever decision, tensors and option label match.
     *
     * @throws IllegalArgumentException when {@code known} was measured on another model or token count
     */
    public SensitivityTable profile(SensitivityTable known) {
        Map<String, SensitivityTable.Row> byName = new java.util.HashMap<>();
        if (known != null) {
            if (!known.model().equals(space.architecture().name()) || known.tokens() != evaluator.tokens()) {
                throw new IllegalArgumentException("table of " + known.model() + " on " + known.tokens() + " tokens cannot be reused for "
                        + space.architecture().name() + " on " + evaluator.tokens() + " tokens");
            }
            for (SensitivityTable.Row r : known.rows()) byName.put(r.decision(), r);
        }
        List<SensitivityTable.Row> rows = new ArrayList<>();
        for (int i = 0; i < space.dimensions(); i++) rows.add(profileDecision(i, byName.get(space.geneName(i))));
        return assemble(space, evaluator.version(), evaluator.tokens(), rows);
    }

    /**
     * A table from rows measured anywhere, in any order.
     *
     * @throws IllegalArgumentException when a decision is missing, duplicated, or a row does not fit the space
     */
    public static SensitivityTable assemble(SearchSpace space, String evaluatorVersion, long tokens, List<SensitivityTable.Row> rows) {
        List<SensitivityTable.Row> sorted = new ArrayList<>(rows);
        sorted.sort(Comparator.comparingInt(SensitivityTable.Row::index));
        for (int i = 0; i < sorted.size(); i++) {
            if (sorted.get(i).index() != i) throw new IllegalArgumentException("rows must cover decisions 0.." + (space.dimensions() - 1)
                    + " once each; position " + i + " holds decision " + sorted.get(i).index());
        }
        SensitivityTable t = new SensitivityTable(space.architecture().name(), evaluatorVersion, tokens, sorted);
        if (!t.fits(space)) throw new IllegalArgumentException("rows do not match the search space's decisions and options");
        return t;
    }

    /** True when the choice keeps the reference weights bit for bit. */
    public static boolean isOriginal(TensorChoice c) {
        return c.format().equals(WeightFormat.F32) && c.sparsity().kind() == Sparsity.Kind.NONE && !c.isLowRank();
    }
}
