package org.edgefront.nativert;

import org.edgefront.nativert.calibration.Calibrations;
import org.edgefront.nativert.device.DeviceProfile;
import org.edgefront.nativert.device.Workload;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.edgefront.space.compress.TensorChoice;
import org.edgefront.space.model.ModelArchitecture;
import org.edgefront.space.model.TensorSpec;

/**
 * The C simulator ({@code edgefront_sim}) behind a Java API. Construction loads the native library from
 * the jar ({@link NativeLibraryLoadException} when it cannot; there is no Java fallback).
 *
 * <p>Ownership: whoever constructs a simulator closes it. The native library keeps no per-simulator
 * state or memory, so {@link #close()} only marks this object unusable; it exists so callers can treat
 * native-backed objects uniformly. Thread-safety: thread-safe; the native calls are reentrant and this
 * object's fields are immutable (concurrent callers must use their own {@link CandidateBatch}).
 */
public final class NativeSimulator implements AutoCloseable {
    private final Calibrations calibrations;
    private volatile boolean closed;

    /** A simulator with the {@link Calibrations#defaults() default} engine calibrations. */
    public NativeSimulator() { this(Calibrations.defaults()); }

    public NativeSimulator(Calibrations calibrations) {
        this.calibrations = Objects.requireNonNull(calibrations, "calibrations");
        NativeLibrary.ensureLoaded();
    }

    /** The engine calibrations used. */
    public Calibrations calibrations() { return calibrations; }

    /** The native library's version string. */
    public String version() { return NativeBridge.version(); }

    /**
     * Simulates one unpruned candidate with its per-operator breakdown.
     *
     * @param choices tensor name to choice, one per linear tensor of {@code arch}
     * @throws NativeSimulatorException when the native library rejects the input (status + message)
     * @throws IllegalArgumentException when a tensor has no choice
     */
    public SimulationResult simulate(DeviceProfile device, Workload workload, ModelArchitecture arch,
                                     Map<String, TensorChoice> choices) {
        return simulate(device, workload, arch, encodeAll(arch, choices));
    }

    /**
     * Simulates one candidate given as encoded choices (which carry the kept shapes of structured pruning) with its
     * per-operator breakdown. Removed tensors and layers that cannot attend have no entry in the breakdown.
     *
     * @param choices one per linear tensor of {@code arch}, in {@link ModelArchitecture#linearTensors()} order
     * @throws NativeSimulatorException when the native library rejects the input (status + message)
     * @throws IllegalArgumentException when the number of choices does not match the tensors
     */
    public SimulationResult simulate(DeviceProfile device, Workload workload, ModelArchitecture arch, List<EncodedChoice> choices) {
        return simulate(device, workload, ModelTensors.dense(arch), choices);
    }

    /**
     * Simulates one candidate of a model given as its tensors and what a token reads of each (a mixture of experts:
     * {@link ModelSimulation}) with its per-operator breakdown, in one native call.
     *
     * @param choices one per tensor of {@code model}, in order
     * @throws NativeSimulatorException when the native library rejects the input (status + message)
     * @throws IllegalArgumentException when the number of choices does not match the tensors
     */
    public SimulationResult simulate(DeviceProfile device, Workload workload, ModelTensors model, List<EncodedChoice> choices) {
        checkOpen();
        List<TensorSpec> ts = model.tensors();
        if (choices.size() != ts.size()) throw new IllegalArgumentException(choices.size() + " choices for " + ts.size() + " tensors");
        int[] ints = new int[ts.size() * WireLayout.CHOICE_FIELDS];
        double[] ratios = new double[ts.size()];
        long[] bytes = new long[ts.size()];
        for (int i = 0; i < ts.size(); i++) {
            EncodedChoice e = choices.get(i);
            e.writeInts(ints, i);
            ratios[i] = e.sparsityRatio();
            bytes[i] = e.weightBytes();
        }
        ModelArchitecture arch = model.architecture();
        int nOps = ts.size() + arch.layers();
        double[] out = new double[WireLayout.RESULT_FIELDS];
        double[] ops = new double[nOps * WireLayout.OP_FIELDS];
        NativeBridge.simulateOne(SimulatorEncoding.device(device, workload),
                SimulatorEncoding.calibration(calibrations.forBackend(workload.backend())), SimulatorEncoding.workload(workload),
                SimulatorEncoding.attention(arch, model.kvSharedLayers()), SimulatorEncoding.blocks(model.blocks()), SimulatorEncoding.shapes(ts),
                SimulatorEncoding.reads(model.reads()), ints, ratios, bytes, out, ops);
        List<OpCost> list = new ArrayList<>(nOps);
        for (int i = 0; i < nOps; i++) {
            int bound = (int) ops[WireLayout.Op.BOUND.at(i)];
            if (bound == BOUND_NONE) continue; // removed by structured pruning: no operator
            String name = i < ts.size() ? ts.get(i).name() : model.blockOpName(i - ts.size());
            list.add(opCost(name, ops, i));
        }
        return toResult(out, 0, list);
    }

    /** {@code EF_BOUND_NONE}: an operator that pruning removed. */
    private static final int BOUND_NONE = 3;

    /** Operator {@code i} of a flat breakdown ({@link WireLayout.Op}). */
    private static OpCost opCost(String name, double[] ops, int i) {
        return new OpCost(name, ops[WireLayout.Op.BYTES.at(i)], ops[WireLayout.Op.OPS.at(i)], ops[WireLayout.Op.TIME_S.at(i)],
                ops[WireLayout.Op.ENERGY_J.at(i)], OpCost.Bound.values()[(int) ops[WireLayout.Op.BOUND.at(i)]]);
    }

    public static List<EncodedChoice> encodeAll(ModelArchitecture arch, Map<String, TensorChoice> choices) {
        List<EncodedChoice> out = new ArrayList<>(arch.linearTensors().size());
        for (TensorSpec t : arch.linearTensors()) {
            TensorChoice c = choices.get(t.name());
            if (c == null) throw new IllegalArgumentException("no choice for tensor " + t.name());
            out.add(EncodedChoice.encode(t, c));
        }
        return out;
    }

    /**
     * The model's cost of one GEMV (one decode token) of a single {@code rows x cols} linear tensor stored as
     * {@code choice}: the per-tensor operator {@link #simulate} sums, for checking the model against timed
     * kernels ({@code edgefront calibrate-host}). Name of the returned op: {@code linear}.
     *
     * @throws NativeSimulatorException when the native library rejects the input
     */
    public OpCost linearCost(DeviceProfile device, Workload workload, int rows, int cols, TensorChoice choice) {
        checkOpen();
        TensorSpec t = new TensorSpec("blk.0.ffn_up", org.edgefront.space.model.TensorRole.UP, 0, rows, cols);
        EncodedChoice e = EncodedChoice.encode(t, choice);
        double[] out = new double[WireLayout.OP_FIELDS];
        int[] shape = new int[WireLayout.SHAPE_FIELDS];
        SimulatorEncoding.shape(shape, 0, rows, cols, SimulatorEncoding.role(t), 0);
        int[] ints = new int[WireLayout.CHOICE_FIELDS];
        e.writeInts(ints, 0);
        NativeBridge.linearCost(SimulatorEncoding.device(device, workload),
                SimulatorEncoding.calibration(calibrations.forBackend(workload.backend())), SimulatorEncoding.workload(workload),
                shape, ints, e.sparsityRatio(), e.weightBytes(), out);
        return opCost("linear", out, 0);
    }

    /**
     * Simulates the first {@code batch.size()} candidates of {@code batch} in one native call.
     *
     * @throws NativeSimulatorException when the shared inputs (device, workload, model) are invalid;
     *         invalid single candidates are reported per candidate in the result
     */
    public BatchResult simulateBatch(DeviceProfile device, Workload workload, CandidateBatch batch) {
        checkOpen();
        int n = batch.size();
        double[] out = new double[n * WireLayout.RESULT_FIELDS];
        int[] status = new int[n];
        int t = batch.architecture().linearTensors().size();
        ModelTensors dense = ModelTensors.dense(batch.architecture());
        String first = NativeBridge.simulateBatch(SimulatorEncoding.device(device, workload),
                SimulatorEncoding.calibration(calibrations.forBackend(workload.backend())), SimulatorEncoding.workload(workload),
                SimulatorEncoding.attention(batch.architecture()), SimulatorEncoding.blocks(dense.blocks()), SimulatorEncoding.shapes(dense.tensors()),
                SimulatorEncoding.reads(dense.reads()), n,
                slice(batch.choiceInts, n * t * CandidateBatch.INTS), slice(batch.ratios, n * t), slice(batch.weightBytes, n * t), out, status);
        return new BatchResult(out, status, n, first);
    }

    /** Convenience: simulates a list of choice maps in one native call. */
    public BatchResult simulateBatch(DeviceProfile device, Workload workload, ModelArchitecture arch,
                                     List<Map<String, TensorChoice>> candidates) {
        CandidateBatch b = new CandidateBatch(arch, Math.max(1, candidates.size()));
        for (int i = 0; i < candidates.size(); i++) b.set(i, candidates.get(i));
        b.size(candidates.size());
        return simulateBatch(device, workload, b);
    }

    private static int[] slice(int[] a, int n) { return a.length == n ? a : java.util.Arrays.copyOf(a, n); }

    private static double[] slice(double[] a, int n) { return a.length == n ? a : java.util.Arrays.copyOf(a, n); }

    private static long[] slice(long[] a, int n) { return a.length == n ? a : java.util.Arrays.copyOf(a, n); }

    /** Candidate {@code candidate}'s result in a flat result array ({@link WireLayout.Result}). */
    static SimulationResult toResult(double[] o, int candidate, List<OpCost> ops) {
        MemoryBreakdown m = new MemoryBreakdown((long) o[WireLayout.Result.WEIGHT_BYTES.at(candidate)],
                (long) o[WireLayout.Result.KV_CACHE_BYTES.at(candidate)], (long) o[WireLayout.Result.STATE_BYTES.at(candidate)],
                (long) o[WireLayout.Result.ACTIVATION_BYTES.at(candidate)],
                (long) o[WireLayout.Result.RUNTIME_BYTES.at(candidate)]);
        return new SimulationResult(o[WireLayout.Result.DECODE_TOK_S.at(candidate)], o[WireLayout.Result.DECODE_TOK_S_SUSTAINED.at(candidate)],
                o[WireLayout.Result.PREFILL_TOK_S.at(candidate)], o[WireLayout.Result.TTFT_S.at(candidate)],
                o[WireLayout.Result.ENERGY_J_PER_TOKEN.at(candidate)], o[WireLayout.Result.POWER_W.at(candidate)],
                o[WireLayout.Result.PREFILL_ENERGY_J.at(candidate)], m, ops);
    }

    private void checkOpen() {
        if (closed) throw new IllegalStateException("NativeSimulator is closed");
    }

    @Override
    public void close() { closed = true; }
}
