package org.edgefront.nativert;

import org.edgefront.nativert.device.*;
import org.edgefront.nativert.calibration.*;
import org.edgefront.nativert.reference.*;
import org.edgefront.nativert.tools.*;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.edgefront.space.compress.TensorChoice;
import org.edgefront.space.compress.WeightFormat;
import org.edgefront.space.model.ModelArchitecture;
import org.edgefront.space.model.TensorSpec;

/**
 * Simulates a {@link ModelDescriptor} stored in one weight format (or llama.cpp mix, {@link FormatMixes}), including
 * mixtures of experts. A dense model is one native call. For a mixture of experts ({@link ExpertLayout}):
 * <ul>
 *   <li>a decode step reads and computes what one token runs: the native simulator is given the
 *       {@link ModelDescriptor#architecture() active architecture}, whose FFN is as wide as the active routed experts
 *       plus the shared ones; the router ({@code experts x hidden}, kept in F32 as llama.cpp converts it) is one more
 *       GEMV per layer, costed by {@link NativeSimulator#linearCost};</li>
 *   <li>memory holds every expert: weight bytes are those of the {@link ModelDescriptor#storedArchitecture() stored
 *       architecture} in the same format, plus the routers;</li>
 *   <li>prefill computes the same per-token work but reads more weights: each micro-batch of {@code U} prompt tokens
 *       touches {@link ExpertLayout#expectedDistinctExperts(double) E (1 - (1 - k/E)^U)} distinct experts per layer in
 *       expectation, so the experts beyond the k the active architecture already reads are added as their GEMV read
 *       cost once per micro-batch (memory time: prefill compute is unchanged).</li>
 * </ul>
 * The native wire (api 4) has no per-tensor read fraction, which is why the expert correction lives here; a future wire
 * field "decode/prefill read fraction per tensor" would let the C side do it inside one call. Stateless and
 * thread-safe (the simulator is).
 */
public final class ModelSimulation {
    private ModelSimulation() {}

    /**
     * Simulates {@code model} stored as {@code formatLabel} on {@code device}.
     *
     * @throws IllegalArgumentException  when the format label is unknown for the model
     * @throws NativeSimulatorException  when the native library rejects the input
     */
    public static SimulationResult simulate(NativeSimulator sim, DeviceProfile device, Workload workload, ModelDescriptor model,
                                            String formatLabel) {
        ModelArchitecture active = model.architecture();
        Map<String, TensorChoice> choices = FormatMixes.resolve(active, formatLabel);
        SimulationResult r = sim.simulate(device, workload, active, choices);
        if (!model.moe()) return r;
        ExpertLayout e = model.experts();
        ModelArchitecture stored = model.storedArchitecture();
        Map<String, TensorChoice> storedChoices = FormatMixes.resolve(stored, formatLabel);
        long storedBytes = 0;
        for (TensorSpec t : stored.linearTensors()) storedBytes += storedChoices.get(t.name()).bytes(t);
        int hidden = model.hiddenSize(), layers = model.layers();
        long routerBytes = (long) layers * e.experts() * hidden * 4L;

        // decode: one router GEMV per layer
        TensorChoice f32 = TensorChoice.of(WeightFormat.F32);
        OpCost router = sim.linearCost(device, workload, e.experts(), hidden, f32);
        double decodeSeconds = 1.0 / r.decodeTokensPerSecond() + layers * router.timeSeconds();
        double decodeEnergy = r.energyJoulesPerToken() + layers * router.energyJoules();

        // prefill: the experts beyond the active ones that each micro-batch touches, read once per micro-batch
        double ubatch = sim.calibrations().forBackend(workload.backend()).ubatchTokens();
        double tokensPerBatch = Math.min(workload.promptTokens(), ubatch);
        double batches = Math.ceil(workload.promptTokens() / ubatch);
        double extraExperts = e.expectedDistinctExperts(tokensPerBatch) - e.activeExperts();
        double prefillExtraSeconds = 0, prefillExtraEnergy = 0;
        if (extraExperts > 0) {
            int w = e.expertIntermediateSize();
            for (String role : List.of("ffn_gate", "ffn_up", "ffn_down")) {
                String name = "blk.0." + role + ".weight";
                if (!stored.tensorsByName().containsKey(name)) continue; // Phi-2 family: no gate
                boolean down = role.equals("ffn_down");
                OpCost c = sim.linearCost(device, workload, down ? hidden : w, down ? w : hidden, storedChoices.get(name));
                prefillExtraSeconds += c.timeSeconds();
                prefillExtraEnergy += c.energyJoules();
            }
            double scale = batches * layers * extraExperts;
            prefillExtraSeconds *= scale;
            prefillExtraEnergy *= scale;
        }
        double ttft = r.timeToFirstTokenSeconds() + prefillExtraSeconds;
        double decode = 1.0 / decodeSeconds;
        double sustained = r.sustainedDecodeTokensPerSecond() * (decode / r.decodeTokensPerSecond());
        MemoryBreakdown m = r.memory();
        MemoryBreakdown mem = new MemoryBreakdown(storedBytes + routerBytes, m.kvCacheBytes(), m.activationBytes(), m.runtimeBytes());
        List<OpCost> ops = new ArrayList<>(r.ops());
        for (int l = 0; l < layers; l++) {
            ops.add(new OpCost("blk." + l + ".ffn_gate_inp", router.bytes(), router.flops(), router.timeSeconds(), router.energyJoules(), router.bound()));
        }
        return new SimulationResult(decode, sustained, workload.promptTokens() / ttft, ttft, decodeEnergy, decodeEnergy * decode,
                r.prefillEnergyJoules() + prefillExtraEnergy, mem, ops);
    }
}
