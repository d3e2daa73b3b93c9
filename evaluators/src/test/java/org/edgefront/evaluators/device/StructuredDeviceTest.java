package org.edgefront.evaluators.device;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.commons.math3.random.Well19937c;
import org.edgefront.nativert.device.Backend;
import org.edgefront.nativert.device.DeviceProfile;
import org.edgefront.nativert.device.DeviceProfiles;
import org.edgefront.nativert.EncodedChoice;
import org.edgefront.nativert.NativeSimulator;
import org.edgefront.nativert.SimulationResult;
import org.edgefront.nativert.device.Workload;
import org.edgefront.space.candidate.Candidate;
import org.edgefront.space.candidate.SearchSpace;
import org.edgefront.space.candidate.StructureDecision;
import org.edgefront.space.compress.StructurePlan;
import org.edgefront.space.compress.TensorChoice;
import org.edgefront.space.metric.Evaluation;
import org.edgefront.space.metric.Metric;
import org.edgefront.space.model.ModelArchitecture;
import org.edgefront.space.model.TensorSpec;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Structural decisions reach the simulator as smaller tensors, fewer attention heads and removed layers. */
@Tag("native")
class StructuredDeviceTest {
    private static final ModelArchitecture ARCH =
            ModelArchitecture.llama("dev-structure", 256, 704, 4, 8, 2, 1000, 2048, false, 1e-5, 1e4, true);
    private static final SearchSpace SPACE = SearchSpace.perTensor(ARCH, List.of(TensorChoice.parse("Q4_0"), TensorChoice.parse("Q8_0")))
            .withStructure(StructureDecision.forModel(ARCH, List.of(1.0, 0.5), List.of(1.0, 0.5), true, List.of(1.0, 0.5)));
    private static final Workload W = Workload.standard(Backend.CPU, 4);
    private static final DeviceProfile DEVICE = DeviceProfiles.load(Path.of("..", "configs", "devices", "samsung-galaxy-s24.yaml").toString());

    private static Candidate candidate(int tensorOption, int... structure) {
        int[] g = new int[SPACE.dimensions()];
        for (int i = 0; i < SPACE.decisions().size(); i++) g[i] = tensorOption;
        for (int k = 0; k < structure.length; k++) g[SPACE.decisions().size() + k] = structure[k];
        return new Candidate(g);
    }

    @Test
    void pruningStructureMakesDecodeFasterAndCheaper() {
        try (DeviceEvaluator e = new DeviceEvaluator(SPACE, DEVICE, W)) {
            Evaluation full = e.evaluate(candidate(0));
            // every layer: half the KV groups and half the channels
            Evaluation half = e.evaluate(candidate(0, 1, 1, 0, 1, 1, 0, 1, 1, 0, 1, 1, 0));
            // and two of four layers dropped
            Evaluation shallow = e.evaluate(candidate(0, 1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1, 0));
            assertTrue(full.ok() && half.ok() && shallow.ok(), full.failureReason() + half.failureReason() + shallow.failureReason());
            double f = full.measurements().get(Metric.DECODE_TOK_S);
            double h = half.measurements().get(Metric.DECODE_TOK_S);
            double s = shallow.measurements().get(Metric.DECODE_TOK_S);
            assertTrue(f < h && h < s, f + " < " + h + " < " + s);
            assertTrue(shallow.measurements().get(Metric.ENERGY_J_PER_TOKEN) < full.measurements().get(Metric.ENERGY_J_PER_TOKEN));
        }
    }

    @Test
    void batchedStructuredCandidatesMatchSingleSimulationsOfTheirPrunedShapes() {
        Well19937c rng = new Well19937c(5);
        List<Candidate> cs = new ArrayList<>();
        for (int i = 0; i < 40; i++) cs.add(SPACE.sample(rng));
        try (DeviceEvaluator e = new DeviceEvaluator(SPACE, DEVICE, W); NativeSimulator sim = new NativeSimulator()) {
            List<Evaluation> batch = e.evaluateAll(cs);
            for (int i = 0; i < cs.size(); i++) {
                Candidate c = cs.get(i);
                StructurePlan plan = SPACE.structurePlan(c);
                Map<String, TensorChoice> choices = SPACE.choices(c);
                List<EncodedChoice> enc = new ArrayList<>();
                for (TensorSpec t : ARCH.linearTensors()) enc.add(EncodedChoice.encode(t, plan.prunedShape(ARCH, t), choices.get(t.name())));
                SimulationResult r = sim.simulate(DEVICE, W, ARCH, enc);
                assertTrue(batch.get(i).ok(), batch.get(i).failureReason());
                assertEquals(r.decodeTokensPerSecond(), batch.get(i).measurements().get(Metric.DECODE_TOK_S), 1e-9 * r.decodeTokensPerSecond());
                assertEquals(r.energyJoulesPerToken(), batch.get(i).measurements().get(Metric.ENERGY_J_PER_TOKEN), 1e-9 * r.energyJoulesPerToken());
            }
        }
    }
}
