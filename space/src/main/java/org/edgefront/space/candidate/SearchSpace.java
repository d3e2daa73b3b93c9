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
import org.edgefront.space.compress.StructurePlan;
import org.edgefront.space.compress.TensorChoice;
import org.edgefront.space.model.ModelArchitecture;
import org.edgefront.space.model.TensorSpec;

/**
 * What is searched: a list of {@link Decision}s over the linear tensors of one architecture (every linear tensor
 * belongs to exactly one decision), optionally followed by {@link StructureDecision}s (heads, FFN channels, layers,
 * vocabulary). A candidate's genes are the tensor decisions' option indices first, then the structural ones; option
 * 0 of every structural decision keeps everything, so a space without structural decisions and one whose structural
 * genes are all 0 describe the same models. Immutable and thread-safe.
 */
public final class SearchSpace implements java.io.Serializable {
    private static final long serialVersionUID = 1L;
    /** Option labels of a space that lists none: float, the common llama.cpp formats, generic low-bit groups. */
    public static final List<String> DEFAULT_OPTIONS = List.of("F16", "Q8_0", "Q5_0", "Q4_0", "int4g32", "int3g32", "int2g32");
    private final ModelArchitecture architecture;
    private final List<Decision> decisions;
    private final List<StructureDecision> structure;
    private final int[] optionCounts;
    /** Per linear tensor in architecture order: the decision (gene) that sets it. */
    private final int[] tensorDecision;
    /** Per linear tensor in architecture order and option of its decision: {@link ContentAddress#tensor}. */
    private final long[][] tensorOptionHash;

    /** A space of per-tensor decisions only. */
    public SearchSpace(ModelArchitecture architecture, List<Decision> decisions) {
        this(architecture, decisions, List.of());
    }

    /**
     * @throws IllegalArgumentException when a tensor is missing, doubled or unknown, or a structural decision names a
     *                                  layer the model lacks or repeats a kind for one layer
     */
    public SearchSpace(ModelArchitecture architecture, List<Decision> decisions, List<StructureDecision> structure) {
        this.architecture = Objects.requireNonNull(architecture, "architecture");
        this.decisions = List.copyOf(decisions);
        this.structure = List.copyOf(structure);
        Set<String> kinds = new HashSet<>();
        for (StructureDecision s : this.structure) {
            if (s.layer() >= architecture.layers()) throw new IllegalArgumentException("structure decision " + s.name() + ": no layer " + s.layer() + " in " + architecture.name());
            if (!kinds.add(s.kind() + "@" + s.layer())) throw new IllegalArgumentException("structure decision " + s.name() + " repeats " + s.kind() + " for layer " + s.layer());
        }
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
        Map<String, Integer> decisionOf = new java.util.HashMap<>();
        for (int i = 0; i < this.decisions.size(); i++) for (String t : this.decisions.get(i).tensors()) decisionOf.put(t, i);
        List<TensorSpec> linear = architecture.linearTensors();
        this.tensorDecision = new int[linear.size()];
        this.tensorOptionHash = new long[linear.size()][];
        for (int j = 0; j < linear.size(); j++) {
            String name = linear.get(j).name();
            tensorDecision[j] = decisionOf.get(name);
            List<TensorChoice> options = this.decisions.get(tensorDecision[j]).options();
            tensorOptionHash[j] = options.stream().mapToLong(o -> ContentAddress.tensor(name, o.label())).toArray();
        }
        this.optionCounts = java.util.stream.IntStream.concat(this.decisions.stream().mapToInt(d -> d.options().size()),
                this.structure.stream().mapToInt(StructureDecision::optionCount)).toArray();
    }

    /** One decision per linear tensor, each with the same options. */
    public static SearchSpace perTensor(ModelArchitecture arch, List<TensorChoice> options) {
        List<Decision> ds = new ArrayList<>();
        for (TensorSpec t : arch.linearTensors()) ds.add(new Decision(t.name(), List.of(t.name()), options));
        return new SearchSpace(arch, ds);
    }

    public ModelArchitecture architecture() { return architecture; }

    /** The per-tensor decisions (genes 0 .. decisions().size() - 1). */
    public List<Decision> decisions() { return decisions; }

    /** The structural decisions (genes decisions().size() onwards); empty when structure is not searched. */
    public List<StructureDecision> structure() { return structure; }

    /** True when the space has structural decisions. */
    public boolean hasStructure() { return !structure.isEmpty(); }

    /** This space's tensor decisions with {@code structure} as its structural decisions. */
    public SearchSpace withStructure(List<StructureDecision> structure) { return new SearchSpace(architecture, decisions, structure); }

    /** Number of genes: tensor decisions plus structural decisions (the genome length). */
    public int dimensions() { return optionCounts.length; }

    /** The name of gene {@code i}: its tensor decision's, or past those its structural decision's. */
    public String geneName(int i) {
        return i < decisions.size() ? decisions.get(i).name() : structure.get(i - decisions.size()).name();
    }

    /** Options of decision {@code i}. */
    public int optionCount(int i) { return optionCounts[i]; }

    /** Number of distinct candidates (product of option counts). */
    public BigInteger size() {
        BigInteger n = BigInteger.ONE;
        for (int c : optionCounts) n = n.multiply(BigInteger.valueOf(c));
        return n;
    }

    /**
     * The candidate with these option indices, carrying the content address of the configuration they choose
     * ({@link ContentAddress}: per-tensor labels and structure plan, not the genes), so the same configuration has
     * the same id in any space that can express it.
     *
     * @throws IllegalArgumentException when the genes are not one valid option index per decision
     */
    public Candidate candidate(int[] genes) {
        int[] g = genes.clone();
        if (!valid(g)) throw new IllegalArgumentException("genes " + java.util.Arrays.toString(g) + " are not a candidate of this search space");
        long h = ContentAddress.SEED;
        for (int j = 0; j < tensorDecision.length; j++) h = ContentAddress.fold(h, tensorOptionHash[j][g[tensorDecision[j]]]);
        return new Candidate(g, ContentAddress.plan(h, structurePlan(g)));
    }

    /** A copy of {@code c} with decision {@code i} set to option {@code option}. */
    public Candidate with(Candidate c, int i, int option) {
        int[] g = c.genes();
        g[i] = option;
        return candidate(g);
    }

    /** A uniformly random candidate drawn from {@code rng}. */
    public Candidate sample(RandomGenerator rng) {
        int[] g = new int[optionCounts.length];
        for (int i = 0; i < g.length; i++) g[i] = rng.nextInt(optionCounts[i]);
        return candidate(g);
    }

    /**
     * The candidate taking option {@code option} in every tensor decision (clamped to each decision's options) and
     * keeping the whole structure.
     */
    public Candidate uniform(int option) {
        int[] g = new int[optionCounts.length];
        for (int i = 0; i < decisions.size(); i++) g[i] = Math.min(option, optionCounts[i] - 1);
        return candidate(g);
    }

    /** True when the candidate has one valid option index per decision. */
    public boolean contains(Candidate c) {
        if (c.size() != optionCounts.length) return false;
        for (int i = 0; i < optionCounts.length; i++) if (c.gene(i) < 0 || c.gene(i) >= optionCounts[i]) return false;
        return true;
    }

    private boolean valid(int[] g) {
        if (g.length != optionCounts.length) return false;
        for (int i = 0; i < optionCounts.length; i++) if (g[i] < 0 || g[i] >= optionCounts[i]) return false;
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
     * How much structure candidate {@code c} keeps (everything when the space has no structural decisions).
     *
     * @throws IllegalArgumentException when the candidate is not in this space
     */
    public StructurePlan structurePlan(Candidate c) {
        if (!contains(c)) throw new IllegalArgumentException(c + " is not in this search space");
        return structurePlan(c.genes());
    }

    private StructurePlan structurePlan(int[] genes) {
        StructurePlan none = StructurePlan.none(architecture);
        if (structure.isEmpty()) return none;
        int[] groups = none.keptKvGroups();
        int[] channels = none.keptChannels();
        boolean[] dropped = none.droppedLayer();
        int vocab = none.keptVocab();
        for (int k = 0; k < structure.size(); k++) {
            StructureDecision s = structure.get(k);
            int o = genes[decisions.size() + k];
            switch (s.kind()) {
                case HEADS -> groups[s.layer()] = s.keptCount(o, architecture.kvHeads());
                case FFN_CHANNELS -> channels[s.layer()] = s.keptCount(o, architecture.hiddenDim());
                case LAYER -> dropped[s.layer()] = s.keptCount(o, 1) == 0;
                case VOCAB -> vocab = s.keptCount(o, architecture.vocabSize());
            }
        }
        return new StructurePlan(groups, channels, dropped, vocab);
    }

    /**
     * Exact stored weight bytes of candidate {@code c}: each tensor's choice at the shape the candidate's structure
     * leaves it ({@link StructurePlan#prunedShape}; removed tensors cost nothing).
     *
     * @throws IllegalArgumentException when the candidate is not in this space
     */
    public long weightBytes(Candidate c) {
        StructurePlan plan = structurePlan(c);
        long b = 0;
        for (Map.Entry<String, TensorChoice> e : choices(c).entrySet()) {
            TensorSpec t = plan.prunedShape(architecture, architecture.tensor(e.getKey()));
            if (t != null) b = Math.addExact(b, e.getValue().bytes(t));
        }
        return b;
    }

    /**
     * The format each tensor of candidate {@code c} is actually stored in, by tensor name: its choice's format at the
     * shape the structure leaves it, after llama.cpp's fallback for rows that are not whole blocks
     * ({@link org.edgefront.space.compress.WeightFormat#effectiveFor}, the one rule). Removed tensors are absent.
     *
     * @throws IllegalArgumentException when the candidate is not in this space
     */
    public Map<String, String> storedFormats(Candidate c) {
        StructurePlan plan = structurePlan(c);
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, TensorChoice> e : choices(c).entrySet()) {
            TensorSpec t = plan.prunedShape(architecture, architecture.tensor(e.getKey()));
            if (t != null) out.put(e.getKey(), e.getValue().format().effectiveFor(t.cols()).name());
        }
        return Collections.unmodifiableMap(out);
    }

    /** The option labels of a candidate's structural genes, by structural decision name, in order. */
    public Map<String, String> structureLabels(Candidate c) {
        if (!contains(c)) throw new IllegalArgumentException(c + " is not in this search space");
        Map<String, String> out = new LinkedHashMap<>();
        for (int k = 0; k < structure.size(); k++) out.put(structure.get(k).name(), structure.get(k).optionLabel(c.gene(decisions.size() + k)));
        return Collections.unmodifiableMap(out);
    }

    /**
     * The candidate whose choices equal {@code choices} (tensor name to choice label or choice), keeping the whole
     * structure.
     *
     * @throws IllegalArgumentException when a tensor is missing or a choice is not an option of its decision
     */
    public Candidate candidateOf(Map<String, TensorChoice> choices) {
        int[] g = new int[optionCounts.length];
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
        return candidate(g);
    }
}
