package org.edgefront.evaluators.memory;

import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.edgefront.evaluators.Evaluator;
import org.edgefront.evaluators.EvaluatorFactory;
import org.edgefront.nativert.calibration.BackendCalibration;
import org.edgefront.nativert.reference.MemoryModel;
import org.edgefront.nativert.device.Workload;
import org.edgefront.space.candidate.Candidate;
import org.edgefront.space.candidate.Decision;
import org.edgefront.space.candidate.SearchSpace;
import org.edgefront.space.compress.StructurePlan;
import org.edgefront.space.compress.TensorChoice;
import org.edgefront.space.metric.Evaluation;
import org.edgefront.space.metric.Measurements;
import org.edgefront.space.metric.Metric;
import org.edgefront.space.model.ModelArchitecture;

/**
 * Exact memory of candidates ({@link MemoryModel}): {@code weight_bytes} summed per quantization block,
 * {@code kv_cache_bytes} at the workload's full context, {@code memory_bytes} = weights + KV cache +
 * activations + runtime, and {@code bits_per_weight} = 8 x weight bytes / linear parameters of the unpruned
 * model (so structured pruning shows as fewer bits per original weight). Weight bytes of every option of every
 * decision are computed once, so evaluation is a sum over decisions; a candidate that prunes structure is sized
 * tensor by tensor at its {@link StructurePlan#prunedShape pruned shapes}, with the KV cache of the kept K/V rows.
 *
 * <p>Ownership: holds no resources; {@link #close()} does nothing. Thread-safety: immutable, thread-safe.
 */
public final class MemoryEvaluator implements Evaluator {
    public static final String VERSION = "memory-evaluator/1";
    private static final Set<Metric> PROVIDES = Set.of(Metric.MEMORY_BYTES, Metric.WEIGHT_BYTES, Metric.KV_CACHE_BYTES,
            Metric.BITS_PER_WEIGHT);

    private final SearchSpace space;
    private final long[][] optionBytes;
    private final long kvBytes;
    private final int contextTokens;
    private final int kvBits;
    private final double ubatchTokens; // a sliding-window layer's cache holds its window and one micro-batch
    private final long fixedBytes;
    private final double linearParameters;

    public MemoryEvaluator(SearchSpace space, Workload workload, BackendCalibration calibration) {
        this.space = Objects.requireNonNull(space, "space");
        Objects.requireNonNull(workload, "workload");
        Objects.requireNonNull(calibration, "calibration");
        ModelArchitecture arch = space.architecture();
        List<Decision> ds = space.decisions();
        optionBytes = new long[ds.size()][];
        for (int d = 0; d < ds.size(); d++) {
            List<TensorChoice> opts = ds.get(d).options();
            optionBytes[d] = new long[opts.size()];
            for (int o = 0; o < opts.size(); o++) {
                long b = 0;
                for (String t : ds.get(d).tensors()) b = Math.addExact(b, opts.get(o).bytes(arch.tensor(t)));
                optionBytes[d][o] = b;
            }
        }
        kvBytes = MemoryModel.kvCacheBytes(arch, workload.contextTokens(), workload.kvCacheBits(), calibration.ubatchTokens());
        ubatchTokens = calibration.ubatchTokens();
        contextTokens = workload.contextTokens();
        kvBits = workload.kvCacheBits();
        fixedBytes = MemoryModel.activationBytes(arch, workload, calibration) + MemoryModel.runtimeBytes(arch, calibration);
        linearParameters = arch.linearParameterCount();
    }

    @Override
    public Set<Metric> provides() { return PROVIDES; }

    @Override
    public Evaluation evaluate(Candidate c) {
        if (!space.contains(c)) return Evaluation.failed(c.id(), "candidate " + c + " is not in the search space", VERSION);
        long w = 0;
        long kv = kvBytes;
        StructurePlan plan = space.hasStructure() ? space.structurePlan(c) : null;
        ModelArchitecture arch = space.architecture();
        if (plan != null && plan.prunes(arch)) {
            w = space.weightBytes(c);
            kv = MemoryModel.kvCacheBytes(arch, plan.keptKvRowsPerLayer(arch), contextTokens, kvBits, ubatchTokens);
        } else {
            for (int d = 0; d < optionBytes.length; d++) w += optionBytes[d][c.gene(d)];
        }
        Measurements m = Measurements.EMPTY
                .with(Metric.WEIGHT_BYTES, w)
                .with(Metric.KV_CACHE_BYTES, kv)
                .with(Metric.MEMORY_BYTES, (double) (w + kv + fixedBytes))
                .with(Metric.BITS_PER_WEIGHT, 8.0 * w / linearParameters);
        return Evaluation.ok(c.id(), m, "exact", VERSION);
    }

    @Override
    public String version() { return VERSION; }

    @Override
    public void close() {}

    /** Itself: immutable and without resources, so one instance serves every thread. */
    @Override
    public Evaluator concurrentCopy() { return this; }

    /** Builds {@link MemoryEvaluator}s; holds only serializable values. */
    public static final class Factory implements EvaluatorFactory {
        private static final long serialVersionUID = 1L;
        private final SearchSpace space;
        private final Workload workload;
        private final BackendCalibration calibration;

        public Factory(SearchSpace space, Workload workload, BackendCalibration calibration) {
            this.space = Objects.requireNonNull(space, "space");
            this.workload = Objects.requireNonNull(workload, "workload");
            this.calibration = Objects.requireNonNull(calibration, "calibration");
        }

        @Override
        public MemoryEvaluator create() { return new MemoryEvaluator(space, workload, calibration); }
    }
}
