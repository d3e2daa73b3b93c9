package org.edgefront.jobs.run;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.edgefront.evaluators.CompositeEvaluator;
import org.edgefront.evaluators.EvaluatorFactory;
import org.edgefront.evaluators.ModelSource;
import org.edgefront.evaluators.compress.CalibrationStats;
import org.edgefront.evaluators.memory.MemoryEvaluator;
import org.edgefront.evaluators.device.DeviceEvaluator;
import org.edgefront.evaluators.quality.ForwardPasses;
import org.edgefront.evaluators.quality.QualityEvaluator;
import org.edgefront.evaluators.sensitivity.MultiFidelityEvaluator;
import org.edgefront.evaluators.sensitivity.ProxyEvaluator;
import org.edgefront.jobs.spec.ResolvedSearch;
import org.edgefront.nativert.calibration.Calibrations;
import org.edgefront.search.problem.Constraint;
import org.edgefront.space.candidate.Candidate;
import org.edgefront.space.candidate.Decision;
import org.edgefront.space.compress.TensorChoice;
import org.edgefront.space.input.InvalidInputException;
import org.edgefront.space.metric.Evaluation;
import org.edgefront.space.metric.Metric;
import org.edgefront.space.model.ModelWeights;
import org.edgefront.space.synthetic.SyntheticLlama;

/**
 * Assembles the evaluator pipeline of a search (memory + device simulation + measured quality) from a
 * resolved spec, and runs the cheap checks that must pass on the driver before any job. Stateless.
 */
public final class SearchEvaluators {
    private SearchEvaluators() {}

    /**
     * The composite factory executors use: memory, device, and quality on real text or synthetic tokens.
     *
     * @param inProcess whether the evaluations run in this process (the {@code sequential} master, whatever the spec
     *                  says when the command line overrides it): each forward pass then uses every core, else one
     *                  until an executor's {@link org.edgefront.jobs.spark.EvaluatorPool} gives it the executor's cores
     */
    public static EvaluatorFactory factory(ResolvedSearch r, boolean inProcess) {
        List<EvaluatorFactory> parts = new ArrayList<>(cheapFactories(r));
        if (r.measuredQuality()) parts.add(qualityFactory(r, inProcess));
        return new CompositeEvaluator.Factory(parts);
    }

    /** Memory, device simulation and the table's proxy: microseconds per candidate, no model weights needed. */
    public static List<EvaluatorFactory> cheapFactories(ResolvedSearch r) {
        Calibrations cal = r.engine().calibrations();
        List<EvaluatorFactory> parts = new ArrayList<>(List.of(
                new MemoryEvaluator.Factory(r.space(), r.workload(), cal.forBackend(r.workload().backend())),
                new DeviceEvaluator.Factory(r.space(), r.device(), r.workload(), cal)));
        if (r.table() != null) parts.add(new ProxyEvaluator.Factory(r.table()));
        return parts;
    }

    /**
     * Measured quality on the spec's text (or synthetic token sequences for a synthetic model).
     *
     * @param inProcess as in {@link #factory(ResolvedSearch, boolean)}
     */
    public static EvaluatorFactory qualityFactory(ResolvedSearch r, boolean inProcess) {
        int threads = inProcess ? inProcessPassThreads() : 1;
        if (r.multiFidelity()) {
            List<QualityEvaluator.Factory> stages = new ArrayList<>();
            for (int size : r.stages()) stages.add(stageFactory(r, size).withThreads(threads));
            return new MultiFidelityEvaluator.Factory(r.space(), r.table(), stages, r.keep());
        }
        return stageFactory(r, r.model().synthetic() ? r.syntheticSequences() : r.paragraphs()).withThreads(threads);
    }

    /**
     * Threads for each forward pass of work that runs in this process alone (a sequential run, {@code eval},
     * {@code compare}): every available core. Spark tasks get their executor's cores, shared by its slots
     * ({@link org.edgefront.jobs.spark.EvaluatorPool}). Results do not depend on it ({@link QualityEvaluator.Factory#withThreads}).
     */
    public static int inProcessPassThreads() {
        return Runtime.getRuntime().availableProcessors();
    }

    /**
     * The importance matrix the search's {@code +imatrix} options quantized with: per tensor of {@code tensors}, the mean
     * squared input activation per column over the calibration text of the final measured stage, computed by the same
     * code as the evaluator's ({@link org.edgefront.evaluators.compress.CalibrationStats#importanceFor}), so an export
     * quantizes with exactly the values that were measured. Empty when {@code tensors} is; tensors without an input (an
     * untied embedding) are left out.
     *
     * @throws IOException when the model or text cannot be read
     */
    public static Map<String, float[]> importanceMatrix(ResolvedSearch r, Collection<String> tensors) throws IOException {
        Map<String, float[]> out = new LinkedHashMap<>();
        if (tensors.isEmpty()) return out;
        int size = r.multiFidelity() ? r.stages().get(r.stages().size() - 1) : r.model().synthetic() ? r.syntheticSequences() : r.paragraphs();
        QualityEvaluator.Inputs inputs = stageFactory(r, size).inputs();
        try (ModelWeights w = inputs.openWeights()) {
            List<int[]> calibration = inputs.calibration(w.architecture());
            if (calibration.isEmpty()) throw new IllegalStateException("+imatrix choices need calibration text (quality.calibrationParagraphs > 0)");
            CalibrationStats stats = ForwardPasses.load(w, inProcessPassThreads()).inputNorms(calibration);
            for (String t : tensors) {
                float[] imp = stats.importanceFor(t);
                if (imp != null) out.put(t, imp);
            }
        }
        return out;
    }

    /** Measured quality on {@code size} paragraphs (or synthetic sequences) from the start of the text, on one thread. */
    private static QualityEvaluator.Factory stageFactory(ResolvedSearch r, int size) {
        ModelSource model = r.model();
        if (model.synthetic()) {
            int length = Math.min(r.maxTokens(), r.architecture().maxSeqLen());
            List<int[]> tokens = List.of(SyntheticLlama.tokenSequences(r.seed(), size, length, r.architecture().vocabSize()));
            if (!r.space().hasStructure()) return QualityEvaluator.Factory.forSequences(model::open, tokens, r.space());
            // structure is ranked on calibration sequences from another seed, so they are disjoint from the evaluation ones
            List<int[]> calibration = List.of(SyntheticLlama.tokenSequences(~r.seed(), Math.max(2, size / 2), length, r.architecture().vocabSize()));
            return new QualityEvaluator.Factory(new QualityEvaluator.FixedInputs(model::open, tokens, calibration), r.space(),
                    QualityEvaluator.DEFAULT_CACHE_BYTES);
        }
        return new QualityEvaluator.Factory(new QualityEvaluator.TextInputs(model.uri(), r.tokenizerUri(), r.textUri(),
                r.paragraphOffset(), size, r.maxTokens(), r.calibrationParagraphs()), r.space(), QualityEvaluator.DEFAULT_CACHE_BYTES);
    }

    /**
     * Fails fast when a budget cannot be met by any candidate: memory budgets are checked against the
     * smallest-memory choice of every decision (memory is exact and additive over tensors). A model that cannot be
     * resident on the device at all ({@link #notResident}) is named as such, against the {@code device} field.
     */
    public static void checkBudgetsAreSatisfiable(ResolvedSearch r) {
        checkBudgetsAreSatisfiable(r, smallestMemoryBytes(r));
    }

    /** As {@link #checkBudgetsAreSatisfiable(ResolvedSearch)} with {@link #smallestMemoryBytes} of {@code r} already known. */
    public static void checkBudgetsAreSatisfiable(ResolvedSearch r, double smallest) {
        Constraint memory = null;
        for (Constraint c : r.problem().constraints()) {
            if (c.metric() == Metric.MEMORY_BYTES && c.bound() == Constraint.Bound.AT_MOST) memory = c;
        }
        if (memory == null || !(smallest > memory.limit())) return;
        String beyondDram = notResident(r, smallest);
        if (beyondDram != null) throw new InvalidInputException(r.specUri(), "device", beyondDram);
        throw new InvalidInputException(r.specUri(), "budgets.memory_bytes", String.format(
                "impossible: the smallest candidate needs %,.0f bytes (weights, KV cache at %d tokens, activations, runtime) "
                        + "but the budget is %,.0f bytes", smallest, r.workload().contextTokens(), memory.limit()));
    }

    /**
     * Why no configuration of the search's model can be resident on its device (its smallest candidate needs more
     * than the device's DRAM), or null when one can.
     *
     * @param smallestBytes {@link #smallestMemoryBytes} of {@code r}
     */
    public static String notResident(ResolvedSearch r, double smallestBytes) {
        long dram = r.device().dram().capacityBytes();
        if (!(smallestBytes > dram)) return null;
        return String.format("%s has %,d bytes of DRAM, but the smallest candidate of %s in space.options needs %,.0f bytes "
                        + "(weights, KV cache at %d tokens, activations, runtime): no configuration of this model can be resident on it",
                r.device().name(), dram, r.architecture().name(), smallestBytes, r.workload().contextTokens());
    }

    /**
     * Peak memory of the search's smallest candidate, bytes: the smallest choice of every decision and the most pruned
     * structure (NaN when the memory evaluator fails on it).
     */
    public static double smallestMemoryBytes(ResolvedSearch r) {
        int[] genes = new int[r.space().dimensions()];
        int tensorGenes = r.space().decisions().size();
        // the most pruned structure is the smallest: the lowest keep ratio of every structural decision is its last option
        for (int k = 0; k < r.space().structure().size(); k++) genes[tensorGenes + k] = r.space().optionCount(tensorGenes + k) - 1;
        for (int i = 0; i < tensorGenes; i++) {
            Decision d = r.space().decisions().get(i);
            long best = Long.MAX_VALUE;
            for (int o = 0; o < d.options().size(); o++) {
                TensorChoice ch = d.options().get(o);
                long bytes = 0;
                for (String t : d.tensors()) bytes += ch.bytes(r.architecture().tensor(t));
                if (bytes < best) {
                    best = bytes;
                    genes[i] = o;
                }
            }
        }
        Candidate smallest = r.space().candidate(genes);
        try (MemoryEvaluator m = new MemoryEvaluator.Factory(r.space(), r.workload(),
                r.engine().calibrations().forBackend(r.workload().backend())).create()) {
            Evaluation e = m.evaluate(smallest);
            return e.ok() ? e.measurements().get(Metric.MEMORY_BYTES) : Double.NaN;
        }
    }

    /** Opens the search's model (the caller closes it). */
    static ModelWeights open(ResolvedSearch r) throws IOException { return r.model().open(); }
}
