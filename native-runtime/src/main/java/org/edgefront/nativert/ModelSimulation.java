package org.edgefront.nativert;

import org.edgefront.nativert.calibration.Calibrations;
import org.edgefront.nativert.device.DeviceProfile;
import org.edgefront.nativert.device.LayerGeometry;
import org.edgefront.nativert.device.ModelDescriptor;
import org.edgefront.nativert.device.Workload;
import org.edgefront.nativert.tools.FormatMixes;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.edgefront.space.compress.TensorChoice;
import org.edgefront.space.compress.WeightFormat;
import org.edgefront.space.model.ModelArchitecture;
import org.edgefront.space.model.TensorRole;
import org.edgefront.space.model.TensorSpec;

/**
 * Simulates a {@link ModelDescriptor} stored in one weight format (or llama.cpp mix, {@link FormatMixes}), including
 * mixtures of experts, in one native call. A dense model is its architecture's tensors, each read whole. A mixture of
 * experts ({@link ExpertLayout}) is described to the simulator by what a token reads of each tensor
 * ({@link TensorReads}, the wire's per-tensor read fractions), and the C simulator does the rest:
 * <ul>
 *   <li>memory holds every expert: the tensors are those of the {@link ModelDescriptor#storedArchitecture() stored
 *       architecture}, whose FFN tensors stack every routed expert and the shared ones, plus one router per block
 *       ({@code experts x hidden}, kept in F32 as llama.cpp converts it);</li>
 *   <li>a decode step runs the active routed experts plus the shared ones: the slice
 *       {@link ExpertLayout#activeIntermediateSize() active} / {@link ExpertLayout#storedIntermediateSize() stored} of the
 *       FFN axis (rows of gate and up, cols of down), and the router's GEMV;</li>
 *   <li>prefill computes the same per-token work and reads more weights: each micro-batch of {@code U} prompt tokens
 *       touches {@link ExpertLayout#expectedDistinctExperts(double) E (1 - (1 - k/E)^U)} distinct experts per layer in
 *       expectation, and the experts beyond the k of the decode slice are each read as one GEMV of an expert per
 *       micro-batch.</li>
 * </ul>
 * Attention and activation memory are those of the {@link ModelDescriptor#architecture() active architecture}; a model
 * with multi-head latent attention ({@link LatentAttention}) states each block's cache and query rows instead
 * ({@link BlockState#latent}), a local layer of a sliding-window model reads and caches its window only
 * ({@link BlockState#windowTokens()}), and a mixture of experts' leading dense blocks ({@link ExpertLayout#leadingDenseLayers()})
 * read their FFN whole and have no router.
 * Stateless and thread-safe (the simulator is).
 */
public final class ModelSimulation {
    private ModelSimulation() {}

    /**
     * What the simulators run for one model and format: its tensors with their reads, and one encoded choice per tensor.
     *
     * @param model   tensors, reads and attention shape
     * @param choices one per tensor of {@code model}, in order
     */
    public record Plan(ModelTensors model, List<EncodedChoice> choices) {}

    /**
     * Simulates {@code model} stored as {@code formatLabel} on {@code device}.
     *
     * @throws IllegalArgumentException  when the format label is unknown for the model
     * @throws NativeSimulatorException  when the native library rejects the input
     */
    public static SimulationResult simulate(NativeSimulator sim, DeviceProfile device, Workload workload, ModelDescriptor model,
                                            String formatLabel) {
        Plan p = plan(model, formatLabel, workload, sim.calibrations());
        return sim.simulate(device, workload, p.model(), p.choices());
    }

    /**
     * The tensors, reads and choices that describe {@code model} stored as {@code formatLabel} under {@code workload}
     * (the prefill reads depend on the prompt and on the micro-batch of the workload's backend in {@code calibrations}).
     *
     * @throws IllegalArgumentException when the format label is unknown for the model
     */
    public static Plan plan(ModelDescriptor model, String formatLabel, Workload workload, Calibrations calibrations) {
        ModelArchitecture active = model.architecture();
        if (model.perLayer()) return perLayerPlan(model, active, formatLabel, workload, calibrations);
        if (!model.moe()) {
            List<TensorSpec> ts = active.linearTensors();
            return new Plan(new ModelTensors(active, ts, java.util.Collections.nCopies(ts.size(), TensorReads.DENSE), 0, model.blockStates()),
                    NativeSimulator.encodeAll(active, FormatMixes.resolve(active, formatLabel)));
        }
        ExpertLayout e = model.experts();
        ModelArchitecture stored = model.storedArchitecture();
        Map<String, TensorChoice> storedChoices = FormatMixes.resolve(stored, formatLabel, e);
        double storedWidth = e.storedIntermediateSize();
        double decodeShare = e.activeIntermediateSize() / storedWidth;
        double expertShare = e.expertIntermediateSize() / storedWidth;
        double ubatch = calibrations.forBackend(workload.backend()).ubatchTokens();
        double extraExperts = Math.max(0.0, e.expectedDistinctExperts(Math.min(workload.promptTokens(), ubatch)) - e.activeExperts());
        TensorReads byRows = new TensorReads(decodeShare, 1.0, expertShare, extraExperts);
        TensorReads byCols = new TensorReads(1.0, decodeShare, expertShare, extraExperts);

        List<TensorSpec> tensors = new ArrayList<>(stored.linearTensors());
        List<TensorReads> reads = new ArrayList<>(tensors.size() + model.layers());
        List<EncodedChoice> choices = new ArrayList<>(tensors.size() + model.layers());
        for (TensorSpec t : tensors) {
            boolean expert = t.layer() >= 0 && e.expertLayer(t.layer()); // a leading dense block's FFN is read whole
            reads.add(!expert ? TensorReads.DENSE : switch (t.role()) {
                case GATE, UP -> byRows;   // experts stacked along the outputs
                case DOWN -> byCols;       // experts stacked along the inputs
                default -> TensorReads.DENSE;
            });
            choices.add(EncodedChoice.encode(t, storedChoices.get(t.name())));
        }
        TensorChoice f32 = TensorChoice.of(WeightFormat.F32);
        for (int l = e.leadingDenseLayers(); l < model.layers(); l++) {
            TensorSpec router = new TensorSpec("blk." + l + ".ffn_gate_inp", TensorRole.GATE, l, e.experts(), model.hiddenSize());
            tensors.add(router);
            reads.add(TensorReads.DENSE);
            choices.add(EncodedChoice.encode(router, f32));
        }
        return new Plan(new ModelTensors(active, tensors, reads, 0, model.blockStates()), choices);
    }

    /**
     * A model with per-layer geometry ({@link LayerGeometry}): its own tensors, each read whole but for the per-layer input
     * table, a lookup of one row per token (and of each micro-batch's tokens in prefill); the KV-shared blocks attend
     * without a cache of their own; a hybrid model's convolution and linear-attention blocks hold their state
     * ({@link LayerGeometry#blockStates}) instead of a KV cache.
     */
    private static Plan perLayerPlan(ModelDescriptor model, ModelArchitecture active, String formatLabel, Workload workload,
                                     Calibrations calibrations) {
        List<TensorSpec> tensors = active.linearTensors();
        double ubatch = Math.min(workload.promptTokens(), calibrations.forBackend(workload.backend()).ubatchTokens());
        List<TensorReads> reads = new ArrayList<>(tensors.size());
        for (TensorSpec t : tensors) {
            if (!LayerGeometry.isLookupTable(t)) {
                reads.add(TensorReads.DENSE);
                continue;
            }
            double row = 1.0 / t.rows();
            reads.add(new TensorReads(row, 1.0, row, Math.max(0.0, Math.min(ubatch, t.rows()) - 1.0)));
        }
        List<EncodedChoice> choices = NativeSimulator.encodeAll(active, FormatMixes.resolve(active, formatLabel));
        LayerGeometry g = model.geometry();
        return new Plan(new ModelTensors(active, tensors, reads, g.kvSharedLayers(), model.blockStates()), choices);
    }
}
