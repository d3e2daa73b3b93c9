package org.edgefront.space.candidate;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.apache.commons.math3.random.RandomGenerator;
import org.edgefront.space.compress.TensorChoice;
import org.edgefront.space.model.ModelArchitecture;
import org.edgefront.space.model.TensorSpec;

/**
 * What is searched: a list of {@link Decision}s over the linear tensors of one architecture. Every
 * linear tensor belongs to exactly one decision. Immutable and thread-safe.
 */
public final class SearchSpace implements java.io.Serializable {
    private static final long serialVersionUID = 1L;
    private final ModelArchitecture architecture;
    private final List<Decision> decisions;
    private final int[] optionCounts;

    public SearchSpace(ModelArchitecture architecture, List<Decision> decisions) {
        this.architecture = Objects.requireNonNull(architecture, "architecture");
        this.decisions = List.copyOf(decisions);
        Set<String> seen = new HashSet<>();
        Map<String, TensorSpec> byName = architecture.tensorsByName();
        for (Decision d : this.decisions) {
            for (String t : d.tensors()) {
                if (!byName.containsKey(t)) throw new IllegalArgumentException("decision " + d.name() + ": no tensor " + t + " in " + architecture.name());
                if (!seen.add(t)) throw new IllegalArgumentException("tensor " + t + " appears in two decisions");
            }
        }
        if (seen.size() != byName.size()) {
            List<String> missing = new ArrayList<>(byName.keySet());
            missing.removeAll(seen);
            throw new IllegalArgumentException("tensors without a decision: " + missing);
        }
        this.optionCounts = this.decisions.stream().mapToInt(d -> d.options().size()).toArray();
    }

    /** One decision per linear tensor, each with the same options. */
    public static SearchSpace perTensor(ModelArchitecture arch, List<TensorChoice> options) {
        List<Decision> ds = new ArrayList<>();
        for (TensorSpec t : arch.linearTensors()) ds.add(new Decision(t.name(), List.of(t.name()), options));
        return new SearchSpace(arch, ds);
    }

    public ModelArchitecture architecture() { return architecture; }

    public List<Decision> decisions() { return decisions; }

    /** Number of decisions (the genome length). */
    public int dimensions() { return decisions.size(); }

    /** Options of decision {@code i}. */
    public int optionCount(int i) { return optionCounts[i]; }

    /** Number of distinct candidates (product of option counts). */
    public BigInteger size() {
        BigInteger n = BigInteger.ONE;
        for (int c : optionCounts) n = n.multiply(BigInteger.valueOf(c));
        return n;
    }

    /** A uniformly random candidate drawn from {@code rng}. */
    public Candidate sample(RandomGenerator rng) {
        int[] g = new int[optionCounts.length];
        for (int i = 0; i < g.length; i++) g[i] = rng.nextInt(optionCounts[i]);
        return new Candidate(g);
    }

    /** The candidate taking option {@code option} in every decision (clamped to each decision's options). */
    public Candidate uniform(int option) {
        int[] g = new int[optionCounts.length];
        for (int i = 0; i < g.length; i++) g[i] = Math.min(option, optionCounts[i] - 1);
        return new Candidate(g);
    }

    /** True when the candidate has one valid option index per decision. */
    public boolean contains(Candidate c) {
        if (c.size() != optionCounts.length) return false;
        for (int i = 0; i < optionCounts.length; i++) if (c.gene(i) < 0 || c.gene(i) >= optionCounts[i]) return false;
        return true;
    }

    /**
     * The per-tensor choices of a candidate, keyed by canonical tensor name in architecture order.
     *
     * @throws IllegalArgumentException when the candidate is not in this space
     */
    public Map<String, TensorChoice> choices(Candidate c) {
        if (!contains(c)) throw new IllegalArgumentException(c + " is not in this search space");
        Map<String, TensorChoice> byTensor = new LinkedHashMap<>();
        Map<String, TensorChoice> unordered = new java.util.HashMap<>();
        for (int i = 0; i < decisions.size(); i++) {
            TensorChoice ch = decisions.get(i).options().get(c.gene(i));
            for (String t : decisions.get(i).tensors()) unordered.put(t, ch);
        }
        for (TensorSpec t : architecture.linearTensors()) byTensor.put(t.name(), unordered.get(t.name()));
        return Collections.unmodifiableMap(byTensor);
    }

    /**
     * The candidate whose choices equal {@code choices} (tensor name to choice label or choice).
     *
     * @throws IllegalArgumentException when a tensor is missing or a choice is not an option of its decision
     */
    public Candidate candidateOf(Map<String, TensorChoice> choices) {
        int[] g = new int[decisions.size()];
        for (int i = 0; i < decisions.size(); i++) {
            Decision d = decisions.get(i);
            TensorChoice first = choices.get(d.tensors().get(0));
            if (first == null) throw new IllegalArgumentException("no choice for tensor " + d.tensors().get(0));
            for (String t : d.tensors()) {
                if (!first.equals(choices.get(t))) throw new IllegalArgumentException("tensors of decision " + d.name() + " must share one choice");
            }
            int idx = d.options().indexOf(first);
            if (idx < 0) throw new IllegalArgumentException("choice " + first.label() + " is not an option of " + d.name());
            g[i] = idx;
        }
        return new Candidate(g);
    }
}
