package org.edgefront.evaluators.device;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.edgefront.evaluators.Evaluator;
import org.edgefront.evaluators.EvaluatorFactory;
import org.edgefront.nativert.BatchResult;
import org.edgefront.nativert.calibration.Calibrations;
import org.edgefront.nativert.CandidateBatch;
import org.edgefront.nativert.device.DeviceProfile;
import org.edgefront.nativert.device.DeviceProfiles;
import org.edgefront.nativert.EncodedChoice;
import org.edgefront.nativert.NativeSimulator;
import org.edgefront.nativert.NativeSimulatorException;
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
import org.edgefront.space.model.TensorSpec;

/**
 * Predicts decode/prefill speed, time to first token, energy per token and power of candidates of one
 * search space on one device and workload, with the native simulator: {@link #evaluateAll} makes one JNI
 * call per batch. Every option of every decision is encoded once at construction, so a batch only copies
 * numbers; a candidate that prunes structure is encoded at its pruned tensor shapes (kept rows and columns, removed
 * tensors), which the simulator turns into smaller GEMVs, fewer attention heads and a smaller KV cache. A native
 * failure becomes a FAILED evaluation carrying the native message.
 *
 * <p>Ownership: the creator closes it (closing releases the simulator). Thread-safety: not thread-safe
 * (it reuses one candidate buffer); use one per thread or task.
 */
public final class DeviceEvaluator implements Evaluator {
    /** Evaluator version recorded with each evaluation (bumped when the mapping to metrics changes). */
    public static final String VERSION = "device-evaluator/1";
    private static final Set<Metric> PROVIDES = Set.of(Metric.DECODE_TOK_S, Metric.PREFILL_TOK_S, Metric.TTFT_S,
            Metric.ENERGY_J_PER_TOKEN, Metric.POWER_W);
    /** Candidates per native call: bounds the reusable buffers (about 6 MB for a 32-layer model). */
    private static final int MAX_BATCH = 1024;

    private final SearchSpace space;
    private final DeviceProfile device;
    private final Workload workload;
    private final NativeSimulator simulator;
    /** tensors[d] = indices (in architecture order) of decision d's tensors. */
    private final int[][] tensors;
    /** encoded[d][option][k] = choice of tensors[d][k] under that option. */
    private final EncodedChoice[][][] encoded;
    private final CandidateBatch batch;
    private final ModelArchitecture arch;
    private final List<TensorSpec> tensorSpecs;
    private final String version;
    private final Calibrations calibrations;

    public DeviceEvaluator(SearchSpace space, DeviceProfile device, Workload workload) {
        this(space, device, workload, Calibrations.defaults());
    }

    public DeviceEvaluator(SearchSpace space, DeviceProfile device, Workload workload, Calibrations calibrations) {
        this.space = Objects.requireNonNull(space, "space");
        this.device = Objects.requireNonNull(device, "device");
        this.workload = Objects.requireNonNull(workload, "workload");
        this.arch = space.architecture();
        List<TensorSpec> ts = arch.linearTensors();
        this.tensorSpecs = ts;
        java.util.Map<String, Integer> index = new java.util.HashMap<>();
        for (int i = 0; i < ts.size(); i++) index.put(ts.get(i).name(), i);
        List<Decision> ds = space.decisions();
        tensors = new int[ds.size()][];
        encoded = new EncodedChoice[ds.size()][][];
        for (int d = 0; d < ds.size(); d++) {
            Decision dec = ds.get(d);
            tensors[d] = dec.tensors().stream().mapToInt(index::get).toArray();
            encoded[d] = new EncodedChoice[dec.options().size()][tensors[d].length];
            for (int o = 0; o < dec.options().size(); o++) {
                TensorChoice c = dec.options().get(o);
                for (int k = 0; k < tensors[d].length; k++) encoded[d][o][k] = EncodedChoice.encode(ts.get(tensors[d][k]), c);
            }
        }
        this.calibrations = calibrations;
        this.simulator = new NativeSimulator(calibrations);
        this.batch = new CandidateBatch(arch, MAX_BATCH);
        // the calibration is part of what a number means: a front scored for another engine is not this one
        this.version = VERSION + " (" + simulator.version() + ", " + device.name() + ", "
                + calibrations.forBackend(workload.backend()).name() + ")";
    }

    @Override
    public Set<Metric> provides() { return PROVIDES; }

    @Override
    public Evaluation evaluate(Candidate candidate) { return evaluateAll(List.of(candidate)).get(0); }

    @Override
    public List<Evaluation> evaluateAll(List<Candidate> candidates) {
        List<Evaluation> out = new ArrayList<>(candidates.size());
        for (int from = 0; from < candidates.size(); from += MAX_BATCH) {
            evaluateChunk(candidates.subList(from, Math.min(candidates.size(), from + MAX_BATCH)), out);
        }
        return out;
    }

    private void evaluateChunk(List<Candidate> chunk, List<Evaluation> out) {
        // candidates outside the space are failed here and given a valid placeholder slot in the batch
        boolean[] outside = new boolean[chunk.size()];
        for (int i = 0; i < chunk.size(); i++) {
            Candidate c = chunk.get(i);
            outside[i] = !space.contains(c);
            StructurePlan plan = !outside[i] && space.hasStructure() ? space.structurePlan(c) : null;
            if (plan != null && plan.prunes(arch)) {
                // pruned shapes differ per candidate, so these are encoded here rather than ahead
                for (int d = 0; d < tensors.length; d++) {
                    TensorChoice choice = space.decisions().get(d).options().get(c.gene(d));
                    for (int k = 0; k < tensors[d].length; k++) {
                        TensorSpec full = tensorSpecs.get(tensors[d][k]);
                        batch.set(i, tensors[d][k], EncodedChoice.encode(full, plan.prunedShape(arch, full), choice));
                    }
                }
                continue;
            }
            for (int d = 0; d < tensors.length; d++) {
                EncodedChoice[] e = encoded[d][outside[i] ? 0 : c.gene(d)];
                for (int k = 0; k < tensors[d].length; k++) batch.set(i, tensors[d][k], e[k]);
            }
        }
        batch.size(chunk.size());
        BatchResult r;
        try {
            r = simulator.simulateBatch(device, workload, batch);
        } catch (NativeSimulatorException e) {
            for (Candidate c : chunk) out.add(Evaluation.failed(c.id(), e.getMessage(), version));
            return;
        }
        for (int i = 0; i < chunk.size(); i++) {
            String id = chunk.get(i).id();
            if (outside[i]) {
                out.add(Evaluation.failed(id, "candidate " + chunk.get(i) + " is not in the search space", version));
            } else if (!r.ok(i)) {
                out.add(Evaluation.failed(id, r.failureReason(i), version));
            } else if (!Double.isFinite(r.decodeTokensPerSecond(i)) || !Double.isFinite(r.energyJoulesPerToken(i))) {
                out.add(Evaluation.failed(id, "native simulator returned a non-finite value", version));
            } else {
                Measurements m = Measurements.EMPTY
                        .with(Metric.DECODE_TOK_S, r.decodeTokensPerSecond(i))
                        .with(Metric.PREFILL_TOK_S, r.prefillTokensPerSecond(i))
                        .with(Metric.TTFT_S, r.timeToFirstTokenSeconds(i))
                        .with(Metric.ENERGY_J_PER_TOKEN, r.energyJoulesPerToken(i))
                        .with(Metric.POWER_W, r.powerWatts(i));
                out.add(Evaluation.ok(id, m, "simulated", version));
            }
        }
    }

    @Override
    public String version() { return version; }

    @Override
    public void close() { simulator.close(); }

    /** A new evaluator with its own simulator and buffers (cheap: nothing here is worth sharing but the inputs). */
    @Override
    public DeviceEvaluator concurrentCopy() { return new DeviceEvaluator(space, device, workload, calibrations); }

    /**
     * Builds {@link DeviceEvaluator}s where they run. Holds only serializable values (the space, the
     * already validated device profile, the workload, the calibrations); the native library is loaded by
     * {@link #create()} on the executor.
     */
    public static final class Factory implements EvaluatorFactory {
        private static final long serialVersionUID = 1L;
        private final SearchSpace space;
        private final DeviceProfile device;
        private final Workload workload;
        private final Calibrations calibrations;

        public Factory(SearchSpace space, DeviceProfile device, Workload workload, Calibrations calibrations) {
            this.space = Objects.requireNonNull(space, "space");
            this.device = Objects.requireNonNull(device, "device");
            this.workload = Objects.requireNonNull(workload, "workload");
            this.calibrations = Objects.requireNonNull(calibrations, "calibrations");
        }

        /** Reads and validates the profile now (on the driver), so executors never see a bad file. */
        public static Factory fromProfile(SearchSpace space, String deviceProfileUri, Workload workload) {
            return new Factory(space, DeviceProfiles.load(deviceProfileUri), workload, Calibrations.defaults());
        }

        @Override
        public DeviceEvaluator create() { return new DeviceEvaluator(space, device, workload, calibrations); }
    }
}
