package org.edgefront.evaluators.quality;

import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.edgefront.evaluators.Evaluator;
import org.edgefront.evaluators.EvaluatorFactory;
import org.edgefront.evaluators.compress.CalibrationStats;
import org.edgefront.evaluators.compress.StructureChoice;
import org.edgefront.evaluators.compress.StructuredPruning;
import org.edgefront.evaluators.compress.TensorCompressor;
import org.edgefront.space.candidate.Candidate;
import org.edgefront.space.candidate.SearchSpace;
import org.edgefront.space.candidate.StructureDecision;
import org.edgefront.space.compress.StructurePlan;
import org.edgefront.space.compress.Sparsity;
import org.edgefront.space.compress.TensorChoice;
import org.edgefront.space.compress.WeightFormat;
import org.edgefront.space.input.InvalidInputException;
import org.edgefront.space.io.ModelLoader;
import org.edgefront.space.io.TextCorpus;
import org.edgefront.space.metric.Evaluation;
import org.edgefront.space.metric.Measurements;
import org.edgefront.space.metric.Metric;
import org.edgefront.space.model.ModelArchitecture;
import org.edgefront.space.model.ModelWeights;
import org.edgefront.space.model.TensorSpec;

/**
 * Measures the quality of compressed candidates on fixed token sequences: perplexity, mean per-token
 * KL(reference || compressed) in nats/token and top-1 agreement with the uncompressed model.
 *
 * <p>At construction it reads every tensor into the heap (a model above {@link ForwardPasses#RESIDENT_MATRIX_BYTES}
 * built by the {@link Factory} is streamed from its checkpoint instead, see {@link ForwardPasses#open}, and its
 * compressed tensors are produced layer by layer), builds the architecture's {@link ForwardPass}
 * ({@link ForwardPasses#of}), runs the uncompressed model once and keeps the {@link ReferenceDistribution}
 * ({@code predictedTokens x vocab} floats; 40 MB for 200 stories260K paragraphs). Per candidate it compresses
 * each tensor with {@link TensorCompressor} (results kept in a {@link CompressedTensorCache} per tensor and choice
 * label, up to a byte bound, least recently used evicted), swaps the compressed tensors into the forward pass
 * and compares, running only the layers from the first changed one on the reference's recorded layer states
 * (incremental evaluation: a sensitivity row of layer l costs the layers from l on plus the LM head). Compression errors and
 * non-finite results come back as FAILED evaluations with the reason.
 *
 * <p>Ownership: the evaluator does not keep the {@link ModelWeights} it was built from (the caller closes
 * them), except a streamed checkpoint the {@link Factory} opened, which {@link #close()} closes; {@link #close()}
 * drops the caches; with concurrent copies ({@link #concurrentCopy}) both happen when the last of them closes.
 * Thread-safety: in practice one evaluator per thread (a Spark task borrows one); its copies for other threads share
 * the model, reference and cache, which are read-only or thread-safe.
 */
public final class QualityEvaluator implements Evaluator {
    /** Recorded with every evaluation. */
    public static final String VERSION = "quality-llama/1";
    /**
     * Default bound of the compressed-tensor cache: an eighth of the maximum heap of the JVM the evaluator is built in
     * (resolved there, so an executor's own heap counts; 768 MB under {@code bin/edgefront}'s 6 GB). It holds a whole
     * 135M-parameter candidate (0.54 GB of floats), so a search's repeated choices are not compressed again; the
     * earlier fixed 256 MiB held half of one and recompressed the rest on every evaluation.
     */
    public static final long DEFAULT_CACHE_BYTES = -1;

    private final SearchSpace space;
    private final ModelArchitecture arch;
    private final Map<String, TensorSpec> specs;
    private final ForwardPass base;
    private final CalibrationStats calibration;
    /** The compressed-tensor cache and checkpoint this evaluator shares with its concurrent copies. */
    private final Shared shared;
    private volatile boolean closed;

    /** Importance scores that pick which heads, channels and tokens a structural plan keeps; null without structure. */
    private final StructureScores structureScores;

    private final ReferenceDistribution reference;
    /** The threads new compressed tensors are made on: the base pass's own ({@link ForwardPasses#workers}). */
    private final PassWorkers compression;

    /**
     * What an evaluator shares with its concurrent copies ({@link #concurrentCopy}) besides the immutable pass, reference
     * and calibration: the compressed-tensor cache and, for a streamed pass, the open checkpoint, both released when
     * the last of them closes. Thread-safe.
     */
    private static final class Shared {
        final CompressedTensorCache cache;
        /**
         * The checkpoint a streamed pass reads from ({@link ForwardPasses#open}), owned here; null when the pass holds
         * its tensors. Set once by the factory before the evaluator is handed out.
         */
        volatile AutoCloseable ownedWeights;
        private int users = 1;

        Shared(CompressedTensorCache cache) { this.cache = cache; }

        /** One more user; false once the last one has left (nothing is left to share). */
        synchronized boolean join() {
            if (users == 0) return false;
            users++;
            return true;
        }

        /** One user fewer; the last one releases the cache and the checkpoint. */
        void leave() {
            synchronized (this) {
                if (users == 0 || --users > 0) return;
            }
            cache.clear();
            AutoCloseable w = ownedWeights;
            ownedWeights = null;
            if (w != null) {
                try {
                    w.close();
                } catch (Exception e) {
                    // the evaluation results are complete; a failed close of a read-only checkpoint loses nothing
                }
            }
        }
    }

    /** An evaluator with magnitude pruning (no calibration) and the default cache bound. */
    public QualityEvaluator(SearchSpace space, ModelWeights weights, List<int[]> sequences) throws IOException {
        this(space, weights, sequences, null, DEFAULT_CACHE_BYTES);
    }

    /**
     * As {@link #QualityEvaluator(SearchSpace, ModelWeights, List)} with each forward pass spread over {@code passThreads}
     * threads ({@link ForwardPass#withThreads}: the same results on any count).
     */
    public QualityEvaluator(SearchSpace space, ModelWeights weights, List<int[]> sequences, int passThreads) throws IOException {
        this(space, ForwardPasses.load(weights, passThreads), sequences, null, DEFAULT_CACHE_BYTES, null);
    }

    /**
     * As {@link #QualityEvaluator(SearchSpace, ModelWeights, List, int)}, its {@code +imatrix} choices quantized with the
     * importance matrix {@code importance} (tensor name to per-column values, e.g. a llama.cpp imatrix file that a GGUF
     * was quantized with) instead of one from calibration text.
     */
    public static QualityEvaluator withImportanceMatrix(SearchSpace space, ModelWeights weights, List<int[]> sequences, int passThreads,
                                                        Map<String, float[]> importance) throws IOException {
        return new QualityEvaluator(space, ForwardPasses.load(weights, passThreads), sequences, CalibrationStats.ofImportance(importance),
                DEFAULT_CACHE_BYTES, null);
    }

    /**
     * As {@link #QualityEvaluator(SearchSpace, ModelWeights, List, int)}, or {@link #withImportanceMatrix} when
     * {@code importance} is not null, scoring only the predictions made at positions {@code scoredFrom} and later of each
     * sequence, the tokens before being context: llama-perplexity's windows ({@code scoredFrom = n_ctx / 2}), so that
     * EdgeFront's figures are taken over the very positions llama.cpp's are; 0 scores every position, as the two
     * constructors it stands for do.
     */
    public static QualityEvaluator scoringFrom(SearchSpace space, ModelWeights weights, List<int[]> sequences, int passThreads,
                                               Map<String, float[]> importance, int scoredFrom) throws IOException {
        return new QualityEvaluator(space, ForwardPasses.load(weights, passThreads), sequences,
                importance == null ? null : CalibrationStats.ofImportance(importance), DEFAULT_CACHE_BYTES, null, scoredFrom);
    }

    /**
     * @param space       the search space whose candidates {@link #evaluate(Candidate)} takes; its architecture
     *                    must be the weights' architecture
     * @param weights     the uncompressed model (read fully here; still owned and closed by the caller)
     * @param sequences   evaluation token sequences (each at least 2 tokens to predict anything)
     * @param calibration activation norms for Wanda pruning, from text disjoint from {@code sequences}; null
     *                    for magnitude pruning
     * @param cacheBytes  bound on the bytes of cached compressed tensors (0 disables the cache; {@link #DEFAULT_CACHE_BYTES}
     *                    for an eighth of the heap)
     * @throws IllegalArgumentException when the space does not fit the model or the sequences are unusable
     */
    public QualityEvaluator(SearchSpace space, ModelWeights weights, List<int[]> sequences, CalibrationStats calibration,
                            long cacheBytes) throws IOException {
        this(space, ForwardPasses.load(weights), sequences, calibration, cacheBytes, null);
    }

    /**
     * An evaluator whose pruning is activation-aware (Wanda): input-feature norms are collected by running the
     * uncompressed model over {@code calibration}, which must be text disjoint from {@code sequences}; an empty
     * list means magnitude pruning. Other parameters as in the main constructor.
     */
    public static QualityEvaluator calibrated(SearchSpace space, ModelWeights weights, List<int[]> sequences,
                                              List<int[]> calibration, long cacheBytes) throws IOException {
        return calibrated(space, ForwardPasses.load(weights), sequences, calibration, cacheBytes);
    }

    /** As {@link #calibrated(SearchSpace, ModelWeights, List, List, long)} on a pass already built (read whole or streamed). */
    private static QualityEvaluator calibrated(SearchSpace space, ForwardPass base, List<int[]> sequences,
                                               List<int[]> calibration, long cacheBytes) {
        CalibrationStats stats = calibration.isEmpty() ? null : base.inputNorms(calibration);
        java.util.Set<String> gptq = new java.util.LinkedHashSet<>();
        for (org.edgefront.space.candidate.Decision d : space.decisions()) {
            if (d.options().stream().anyMatch(TensorChoice::errorCompensated)) gptq.addAll(d.tensors());
        }
        boolean imatrix = space.decisions().stream().anyMatch(d -> d.options().stream().anyMatch(TensorChoice::importanceWeighted));
        if (imatrix && stats == null) {
            throw new IllegalArgumentException("+imatrix options need calibration text for their importance matrix (calibration paragraphs > 0)");
        }
        if (!gptq.isEmpty()) {
            if (stats == null) throw new IllegalArgumentException("+gptq options need calibration text (calibration paragraphs > 0)");
            stats = stats.withHessians(HessianCollector.collect(base, calibration, gptq));
        }
        StructureScores scores = null;
        if (space.hasStructure()) {
            if (stats == null) throw new IllegalArgumentException("structural decisions need calibration text (calibration paragraphs > 0) to rank heads, channels and tokens");
            scores = StructureScores.of(base, stats, calibration,
                    space.structure().stream().anyMatch(d -> d.kind() == StructureDecision.Kind.VOCAB));
        }
        return new QualityEvaluator(space, base, sequences, stats, cacheBytes, scores);
    }

    /**
     * What ranks the units a {@link StructurePlan} keeps (see {@link StructuredPruning#select(ModelArchitecture,
     * StructurePlan, double[][], double[][], double[], int...)}): activation-weighted head and channel scores,
     * token frequency on the calibration text (null when the vocabulary is not searched) and the tokens that start
     * calibration sequences (BOS), which are never pruned. Immutable once built.
     */
    record StructureScores(double[][] heads, double[][] channels, double[] tokens, int[] alwaysKeep) {
        static StructureScores of(ForwardPass base, CalibrationStats stats, List<int[]> calibration, boolean vocab) {
            ModelArchitecture a = base.architecture();
            // the pass's own map: a streamed pass reads each output and down projection once here, holding none
            Map<String, float[]> t = base.tensors();
            int[] first = calibration.stream().filter(s -> s.length > 0).mapToInt(s -> s[0]).distinct().sorted().toArray();
            return new StructureScores(StructuredPruning.headScores(a, t, stats), StructuredPruning.channelScores(a, t, stats),
                    vocab ? StructuredForward.tokenImportance(base, calibration) : null, first);
        }

        StructureChoice select(ModelArchitecture a, StructurePlan plan) {
            return StructuredPruning.select(a, plan, heads, channels, tokens, alwaysKeep);
        }
    }

    private QualityEvaluator(SearchSpace space, ForwardPass base, List<int[]> sequences, CalibrationStats calibration,
                             long cacheBytes, StructureScores structureScores) {
        this(space, base, sequences, calibration, cacheBytes, structureScores, 0);
    }

    private QualityEvaluator(SearchSpace space, ForwardPass base, List<int[]> sequences, CalibrationStats calibration,
                             long cacheBytes, StructureScores structureScores, int scoredFrom) {
        this.space = Objects.requireNonNull(space, "space");
        this.arch = base.architecture();
        if (!space.architecture().tensorsByName().keySet().equals(arch.tensorsByName().keySet())
                || space.architecture().dim() != arch.dim() || space.architecture().vocabSize() != arch.vocabSize()) {
            throw new IllegalArgumentException("search space of " + space.architecture().name() + " does not fit model " + arch.name());
        }
        this.specs = arch.tensorsByName();
        this.calibration = calibration;
        this.shared = new Shared(new CompressedTensorCache(cacheBytes < 0 ? Runtime.getRuntime().maxMemory() / 8 : cacheBytes));
        this.base = base;
        this.compression = ForwardPasses.workers(base);
        this.structureScores = structureScores;
        if (space.hasStructure() && structureScores == null) throw new IllegalArgumentException("structural decisions need calibration text: build the evaluator with QualityEvaluator.calibrated");
        this.reference = new ReferenceDistribution(base, sequences, ReferenceDistribution.defaultStateBytes(), scoredFrom);
    }

    /** A copy for another thread: everything shared, see {@link #concurrentCopy}. */
    private QualityEvaluator(QualityEvaluator o) {
        this.space = o.space;
        this.arch = o.arch;
        this.specs = o.specs;
        this.calibration = o.calibration;
        this.shared = o.shared;
        this.base = o.base;
        this.compression = o.compression;
        this.structureScores = o.structureScores;
        this.reference = o.reference;
    }

    /**
     * A second evaluator for another thread that shares this one's model, reference distribution, calibration and
     * compressed-tensor cache (every one of them read-only or thread-safe), so that Spark task slots of one executor
     * hold the model and reference once and build them once. Its forward passes run on the same pass threads; results
     * equal this evaluator's. Null once this evaluator is closed.
     */
    @Override
    public QualityEvaluator concurrentCopy() {
        if (closed || !shared.join()) return null;
        return new QualityEvaluator(this);
    }

    /** Quality of the uncompressed model (KL 0, agreement 1). */
    public QualityReport reference() { return reference.reference(); }

    /** Predicted positions per evaluation. */
    public long tokens() { return reference.predicted(); }

    @Override
    public Set<Metric> provides() {
        Set<Metric> m = EnumSet.of(Metric.KL, Metric.PERPLEXITY, Metric.TOP1_AGREEMENT);
        if (structureScores != null && structureScores.tokens() != null) m.add(Metric.DROPPED_MASS);
        return m;
    }

    @Override
    public Evaluation evaluate(Candidate candidate) {
        String id = candidate.id();
        try {
            if (!space.contains(candidate)) return Evaluation.failed(id, "candidate is not in the search space", VERSION);
            QualityReport r = measure(space.choices(candidate), space.structurePlan(candidate));
            if (!Double.isFinite(r.perplexity()) || !Double.isFinite(r.klNatsPerToken()) || !Double.isFinite(r.top1Agreement())) {
                return Evaluation.failed(id, "non-finite quality (perplexity " + r.perplexity() + ", kl " + r.klNatsPerToken() + ")", VERSION);
            }
            Measurements m = Measurements.EMPTY
                    .with(Metric.KL, r.klNatsPerToken())
                    .with(Metric.PERPLEXITY, r.perplexity())
                    .with(Metric.TOP1_AGREEMENT, r.top1Agreement());
            if (provides().contains(Metric.DROPPED_MASS)) m = m.with(Metric.DROPPED_MASS, r.droppedReferenceMass());
            return Evaluation.ok(id, m, "measured:" + r.tokens(), VERSION);
        } catch (RuntimeException e) {
            return Evaluation.failed(id, "quality evaluation failed: " + e, VERSION);
        }
    }

    /**
     * Quality with the given per-tensor choices (tensors not named stay uncompressed; F32 dense full-rank
     * choices are the original weights). May return non-finite values when a compression destroys the model;
     * {@link #evaluate(Candidate)} turns those into FAILED evaluations.
     *
     * @throws IllegalArgumentException for an unknown tensor name
     */
    public QualityReport measure(Map<String, TensorChoice> choices) {
        return measure(choices, null);
    }

    /**
     * Quality with the given per-tensor choices on a structurally pruned model: the plan's units are picked by
     * importance ({@link StructureScores}), each tensor is compressed at its pruned shape and scattered back
     * ({@link StructuredPruning#compressPruned}), dropped Phi-2 blocks lose their output biases too, and a pruned
     * vocabulary is measured over the kept tokens (see {@link QualityReport#droppedReferenceMass()}).
     *
     * @param plan the structure kept, or null (or a plan that prunes nothing) for the whole model
     * @throws IllegalArgumentException for an unknown tensor name, or a pruning plan in an evaluator built for a
     *                                  space without structural decisions
     */
    public QualityReport measure(Map<String, TensorChoice> choices, StructurePlan plan) {
        StructureChoice structure = null;
        if (plan != null && plan.prunes(arch)) {
            if (structureScores == null) throw new IllegalArgumentException("this evaluator was built without structural decisions");
            structure = structureScores.select(arch, plan);
        }
        Map<String, float[]> overrides = new HashMap<>();
        List<Map.Entry<TensorSpec, TensorChoice>> toCompress = new java.util.ArrayList<>();
        // a streamed pass gets its compressed (and pruned) tensors when each layer runs, never all at once
        boolean lazy = shared.ownedWeights != null;
        Map<String, java.util.function.Supplier<float[]>> deferred = new HashMap<>();
        StructureChoice kept = structure;
        for (String name : choices.keySet()) {
            if (!specs.containsKey(name)) throw new IllegalArgumentException("no tensor " + name + " in " + arch.name());
        }
        for (TensorSpec t : arch.linearTensors()) {
            TensorChoice c = choices.get(t.name());
            if (structure != null && structure.prunedShape(arch, t) != t) {
                // pruned tensors change even when their choice keeps the original weights
                TensorChoice pc = c == null ? ORIGINAL : c;
                if (lazy) deferred.put(t.name(), () -> prunedCompressed(t, pc, kept));
                else overrides.put(t.name(), prunedCompressed(t, pc, structure));
                continue;
            }
            if (c == null || isIdentity(c)) continue;
            if (lazy) deferred.put(t.name(), () -> compressed(t, c));
            else toCompress.add(Map.entry(t, c));
        }
        compressAll(toCompress, overrides);
        if (structure != null) {
            for (int l = 0; l < arch.layers(); l++) {
                if (!plan.dropped(l)) continue;
                // a skipped block adds nothing to the residual stream, biases included
                for (String bias : base.residualBiases(l)) overrides.put(bias, new float[arch.dim()]);
            }
        }
        if (!deferred.isEmpty()) {
            Map<String, float[]> eager = overrides;
            java.util.Set<String> names = new java.util.HashSet<>(eager.keySet());
            names.addAll(deferred.keySet());
            overrides = TensorViews.computed(names, n -> eager.containsKey(n) ? eager.get(n) : deferred.get(n).get());
        }
        ForwardPass f = base.withOverrides(overrides);
        boolean[] keptTokens = structure == null || structure.keptVocab() == null ? null : StructuredPruning.flags(structure.keptVocab(), arch.vocabSize());
        if (keptTokens != null) f = f.withKeptVocabulary(keptTokens);
        // only the layers from the first replaced tensor on are recomputed, on the reference's recorded states
        return reference.compare(f, keptTokens, base.firstChangedLayer(overrides.keySet()));
    }

    /** A tensor of a pruned model compressed at its pruned shape, cached by choice and kept units. */
    private float[] prunedCompressed(TensorSpec t, TensorChoice c, StructureChoice structure) {
        int l = t.layer();
        String units = l < 0 ? java.util.Arrays.toString(structure.keptVocab())
                : structure.droppedLayer()[l] ? "dropped"
                : switch (t.role()) {
                    case Q, K, V, O -> java.util.Arrays.toString(structure.keptHeads().get(l));
                    case GATE, UP, DOWN -> java.util.Arrays.toString(structure.keptChannels().get(l));
                    default -> "";
                };
        return shared.cache.get(t.name() + '|' + c.label() + '|' + units,
                () -> StructuredPruning.compressPruned(arch, t, base.tensor(t.name()), structure, c, calibration));
    }

    /** The original weights: F32, dense, full rank. */
    private static final TensorChoice ORIGINAL = TensorChoice.of(WeightFormat.F32);

    private static boolean isIdentity(TensorChoice c) {
        return c.format().equals(WeightFormat.F32) && c.sparsity().kind() == Sparsity.Kind.NONE && !c.isLowRank();
    }

    private float[] compressed(TensorSpec t, TensorChoice c) {
        return shared.cache.get(cacheKey(t, c), () -> TensorCompressor.apply(t, base.tensor(t.name()), c, calibration));
    }

    /** The cache key of a whole (unpruned) tensor compressed by a choice. */
    private static String cacheKey(TensorSpec t, TensorChoice c) { return t.name() + '|' + c.label(); }

    /**
     * Each tensor compressed by its choice into {@code overrides}: cached ones from the cache, the others compressed on
     * the pass's threads (each tensor alone, so the result does not depend on them) and then cached in tensor order.
     */
    private void compressAll(List<Map.Entry<TensorSpec, TensorChoice>> todo, Map<String, float[]> overrides) {
        List<Integer> missing = new java.util.ArrayList<>();
        for (int i = 0; i < todo.size(); i++) {
            var e = todo.get(i);
            float[] hit = shared.cache.getIfPresent(cacheKey(e.getKey(), e.getValue()));
            if (hit != null) overrides.put(e.getKey().name(), hit);
            else missing.add(i);
        }
        float[][] made = new float[missing.size()][];
        compression.forEach(missing.size(), (j, thread) -> {
            var e = todo.get(missing.get(j));
            made[j] = TensorCompressor.apply(e.getKey(), base.tensor(e.getKey().name()), e.getValue(), calibration);
        });
        for (int j = 0; j < made.length; j++) {
            var e = todo.get(missing.get(j));
            float[] w = made[j];
            overrides.put(e.getKey().name(), shared.cache.get(cacheKey(e.getKey(), e.getValue()), () -> w));
        }
    }

    /** Compressed tensors currently cached (for tests and diagnostics). */
    public int cachedTensors() { return shared.cache.size(); }

    @Override
    public String version() { return VERSION; }

    @Override
    public void close() {
        synchronized (this) {
            if (closed) return;
            closed = true;
        }
        shared.leave();
    }

    // ---- factory ----------------------------------------------------------------------------------

    /** Opens a model; serializable so a factory can ship it to executors. */
    @FunctionalInterface
    public interface WeightsSupplier extends Serializable {
        /** Opens the weights; the caller closes them. */
        ModelWeights open() throws IOException;
    }

    /** Where the evaluation tokens and model come from, as serializable configuration. */
    public interface Inputs extends Serializable {
        /** Opens the model; the caller closes it. */
        ModelWeights openWeights() throws IOException;

        /** The evaluation sequences for a model of this architecture. */
        List<int[]> sequences(ModelArchitecture arch) throws IOException;

        /** Calibration sequences for Wanda pruning, disjoint from the evaluation ones; empty for magnitude pruning. */
        default List<int[]> calibration(ModelArchitecture arch) throws IOException { return List.of(); }
    }

    /**
     * A checkpoint (any format {@link ModelLoader} opens), a llama2.c tokenizer and a text file: paragraphs
     * {@code [paragraphOffset, paragraphOffset + paragraphCount)} of the text, each encoded with BOS and cut to
     * {@code maxTokens} (the protocol in the shared models README), are the evaluation sequences; the next
     * {@code calibrationParagraphs} paragraphs (0 for none) calibrate Wanda pruning, disjoint by construction.
     */
    public record TextInputs(String modelUri, String tokenizerUri, String textUri, int paragraphOffset, int paragraphCount,
                             int maxTokens, int calibrationParagraphs) implements Inputs {
        public TextInputs {
            Objects.requireNonNull(modelUri, "modelUri");
            Objects.requireNonNull(tokenizerUri, "tokenizerUri");
            Objects.requireNonNull(textUri, "textUri");
            if (paragraphOffset < 0) throw new InvalidInputException("-", "paragraph offset", "must be >= 0, got " + paragraphOffset);
            if (paragraphCount < 1) throw new InvalidInputException("-", "paragraphs", "must be >= 1, got " + paragraphCount);
            if (maxTokens < 2) throw new InvalidInputException("-", "max tokens", "must be >= 2, got " + maxTokens);
            if (calibrationParagraphs < 0) throw new InvalidInputException("-", "calibration paragraphs", "must be >= 0, got " + calibrationParagraphs);
        }

        /** Evaluation text only, magnitude pruning. */
        public TextInputs(String modelUri, String tokenizerUri, String textUri, int paragraphOffset, int paragraphCount, int maxTokens) {
            this(modelUri, tokenizerUri, textUri, paragraphOffset, paragraphCount, maxTokens, 0);
        }

        @Override
        public ModelWeights openWeights() throws IOException { return ModelLoader.open(modelUri); }

        @Override
        public List<int[]> sequences(ModelArchitecture arch) throws IOException {
            return paragraphsEncoded(arch, paragraphOffset, paragraphCount);
        }

        @Override
        public List<int[]> calibration(ModelArchitecture arch) throws IOException {
            if (calibrationParagraphs == 0) return List.of();
            return paragraphsEncoded(arch, paragraphOffset + paragraphCount, calibrationParagraphs);
        }

        private List<int[]> paragraphsEncoded(ModelArchitecture arch, int from, int count) throws IOException {
            List<String> p = TextCorpus.paragraphs(textUri);
            if (from + count > p.size()) {
                throw new InvalidInputException(textUri, "paragraphs", "asked for paragraphs " + from + ".."
                        + (from + count - 1) + " (evaluation then calibration) but the text has " + p.size());
            }
            org.edgefront.space.tokenizer.Tokenizer tok = org.edgefront.space.tokenizer.Tokenizers.load(tokenizerUri, arch.vocabSize());
            return TextCorpus.encode(tok, p.subList(from, from + count), maxTokens);
        }
    }

    /**
     * A model from any serializable supplier (e.g. a synthetic model), fixed evaluation token sequences and
     * optional calibration sequences (disjoint from the evaluation ones; empty for magnitude pruning).
     */
    public record FixedInputs(WeightsSupplier weights, List<int[]> tokens, List<int[]> calibrationTokens) implements Inputs {
        public FixedInputs {
            Objects.requireNonNull(weights, "weights");
            tokens = copy(tokens);
            calibrationTokens = copy(calibrationTokens);
        }

        /** Evaluation sequences only. */
        public FixedInputs(WeightsSupplier weights, List<int[]> tokens) { this(weights, tokens, List.of()); }

        private static List<int[]> copy(List<int[]> seqs) {
            List<int[]> copy = new ArrayList<>();
            for (int[] s : seqs) copy.add(s.clone());
            return List.copyOf(copy);
        }

        @Override
        public ModelWeights openWeights() throws IOException { return weights.open(); }

        @Override
        public List<int[]> sequences(ModelArchitecture arch) { return tokens; }

        @Override
        public List<int[]> calibration(ModelArchitecture arch) { return calibrationTokens; }
    }

    /**
     * Builds a {@link QualityEvaluator} where it runs; holds only serializable configuration and loads
     * the model and text in {@link #create()}. The caller of {@code create()} owns the evaluator.
     */
    public static final class Factory implements EvaluatorFactory {
        private static final long serialVersionUID = 1L;
        private final Inputs inputs;
        private final SearchSpace space;
        private final long cacheBytes;
        /** Models whose linear tensors take more float bytes are streamed from the checkpoint ({@link ForwardPasses#open}). */
        private final long residentMatrixBytes;
        /** Threads each forward pass spreads over ({@link ForwardPass#withThreads}); results do not depend on it. */
        private final int passThreads;

        public Factory(Inputs inputs, SearchSpace space, long cacheBytes) {
            this(inputs, space, cacheBytes, ForwardPasses.RESIDENT_MATRIX_BYTES, 1);
        }

        /** As the main constructor with the size above which the evaluator streams its model (tests stream tiny models). */
        Factory(Inputs inputs, SearchSpace space, long cacheBytes, long residentMatrixBytes) {
            this(inputs, space, cacheBytes, residentMatrixBytes, 1);
        }

        private Factory(Inputs inputs, SearchSpace space, long cacheBytes, long residentMatrixBytes, int passThreads) {
            if (passThreads < 1) throw new IllegalArgumentException("passThreads must be >= 1, got " + passThreads);
            this.inputs = Objects.requireNonNull(inputs, "inputs");
            this.space = Objects.requireNonNull(space, "space");
            this.cacheBytes = cacheBytes;
            this.residentMatrixBytes = residentMatrixBytes;
            this.passThreads = passThreads;
        }

        /**
         * This factory with each forward pass of its evaluators spread over {@code threads} threads: every core for work
         * in one process (a sequential run), the executor's cores in a Spark task (shared by its slots through
         * {@link #concurrentCopy}). Results are the same on any count.
         */
        @Override
        public Factory withThreads(int threads) {
            return new Factory(inputs, space, cacheBytes, residentMatrixBytes, threads);
        }

        /** Threads each forward pass of this factory's evaluators spreads over. */
        public int passThreads() { return passThreads; }

        /** A factory over a checkpoint, llama2.c tokenizer and text (see {@link TextInputs}). */
        public static Factory forText(String modelUri, String tokenizerUri, String textUri, int paragraphOffset,
                                      int paragraphCount, int maxTokens, SearchSpace space) {
            return new Factory(new TextInputs(modelUri, tokenizerUri, textUri, paragraphOffset, paragraphCount, maxTokens, 0),
                    space, DEFAULT_CACHE_BYTES);
        }

        /** A factory over a supplied model (e.g. synthetic) and fixed token sequences. */
        public static Factory forSequences(WeightsSupplier weights, List<int[]> tokens, SearchSpace space) {
            return new Factory(new FixedInputs(weights, tokens), space, DEFAULT_CACHE_BYTES);
        }

        public Inputs inputs() { return inputs; }

        /**
         * Loads the model and text and builds the evaluator (reference pass included).
         *
         * @throws UncheckedIOException when the model or text cannot be read
         */
        @Override
        public QualityEvaluator create() {
            try {
                ModelWeights w = inputs.openWeights();
                ModelArchitecture a = w.architecture();
                if (!ForwardPasses.streams(a, residentMatrixBytes)) {
                    try (w) {
                        return calibrated(space, ForwardPasses.load(w, passThreads), inputs.sequences(a), inputs.calibration(a), cacheBytes);
                    }
                }
                // a model above ForwardPasses.RESIDENT_MATRIX_BYTES: the evaluator streams from, and owns, the checkpoint
                try {
                    QualityEvaluator e = calibrated(space, ForwardPasses.open(w, residentMatrixBytes, ForwardPasses.defaultPinnedBytes()).withThreads(passThreads), inputs.sequences(a), inputs.calibration(a), cacheBytes);
                    e.shared.ownedWeights = w;
                    return e;
                } catch (IOException | RuntimeException | Error e) {
                    w.close();
                    throw e;
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot load quality inputs " + inputs, e);
            }
        }
    }
}
