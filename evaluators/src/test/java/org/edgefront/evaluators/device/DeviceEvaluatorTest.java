package org.edgefront.evaluators.device;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.math3.random.Well19937c;
import org.edgefront.evaluators.Evaluator;
import org.edgefront.nativert.device.Backend;
import org.edgefront.nativert.device.DeviceProfile;
import org.edgefront.nativert.device.DeviceProfiles;
import org.edgefront.nativert.NativeSimulator;
import org.edgefront.nativert.SimulationResult;
import org.edgefront.nativert.device.Workload;
import org.edgefront.space.candidate.Candidate;
import org.edgefront.space.candidate.Decision;
import org.edgefront.space.candidate.SearchSpace;
import org.edgefront.space.compress.TensorChoice;
import org.edgefront.space.compress.WeightFormat;
import org.edgefront.space.metric.Evaluation;
import org.edgefront.space.metric.Metric;
import org.edgefront.space.model.ModelArchitecture;
import org.edgefront.space.model.TensorSpec;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("native")
class DeviceEvaluatorTest {
    private static final ModelArchitecture ARCH =
            ModelArchitecture.llama("dev-test", 256, 704, 4, 8, 2, 1000, 2048, false, 1e-5, 1e4, true);
    private static final List<TensorChoice> OPTIONS = List.of(TensorChoice.of(WeightFormat.Q4_0), TensorChoice.of(WeightFormat.Q8_0),
            TensorChoice.of(WeightFormat.F16), TensorChoice.of(WeightFormat.Q2_K), TensorChoice.parse("F16+r0.25"));
    private static final Workload W = Workload.standard(Backend.CPU, 4);

    private static DeviceProfile device(String file) {
        return DeviceProfiles.load(Path.of("..", "configs", "devices", file).toString());
    }

    /** Per-layer q/k/v share one decision, the rest per tensor: checks grouped decisions map to tensors. */
    private static SearchSpace groupedSpace() {
        List<Decision> ds = new ArrayList<>();
        for (int l = 0; l < ARCH.layers(); l++) {
            int layer = l;
            List<String> qkv = ARCH.linearTensors().stream().filter(t -> t.layer() == layer)
                    .filter(t -> t.name().contains("attn_q") || t.name().contains("attn_k") || t.name().contains("attn_v"))
                    .map(TensorSpec::name).toList();
            ds.add(new Decision("blk." + l + ".qkv", qkv, OPTIONS));
        }
        for (TensorSpec t : ARCH.linearTensors()) {
            boolean inQkv = t.layer() >= 0 && (t.name().contains("attn_q") || t.name().contains("attn_k") || t.name().contains("attn_v"));
            if (!inQkv) ds.add(new Decision(t.name(), List.of(t.name()), OPTIONS));
        }
        return new SearchSpace(ARCH, ds);
    }

    @Test
    void batchedEvaluationsEqualDirectSimulation() {
        SearchSpace space = groupedSpace();
        DeviceProfile d = device("samsung-galaxy-s23.yaml");
        Well19937c rng = new Well19937c(2024);
        List<Candidate> cs = new ArrayList<>();
        for (int i = 0; i < 64; i++) cs.add(space.sample(rng));
        try (DeviceEvaluator ev = new DeviceEvaluator(space, d, W); NativeSimulator sim = new NativeSimulator()) {
            List<Evaluation> es = ev.evaluateAll(cs);
            assertEquals(cs.size(), es.size());
            for (int i = 0; i < cs.size(); i += 9) {
                Evaluation e = es.get(i);
                assertTrue(e.ok(), e.failureReason());
                assertEquals(cs.get(i).id(), e.candidateId());
                SimulationResult r = sim.simulate(d, W, ARCH, space.choices(cs.get(i)));
                assertEquals(r.decodeTokensPerSecond(), e.measurements().get(Metric.DECODE_TOK_S));
                assertEquals(r.prefillTokensPerSecond(), e.measurements().get(Metric.PREFILL_TOK_S));
                assertEquals(r.timeToFirstTokenSeconds(), e.measurements().get(Metric.TTFT_S));
                assertEquals(r.energyJoulesPerToken(), e.measurements().get(Metric.ENERGY_J_PER_TOKEN));
                assertEquals(r.powerWatts(), e.measurements().get(Metric.POWER_W));
                assertEquals(ev.provides(), e.measurements().asMap().keySet());
            }
        }
    }

    @Test
    void lowerBitsDecodeFasterOnTheSameDevice() {
        SearchSpace space = SearchSpace.perTensor(ARCH, OPTIONS);
        try (DeviceEvaluator ev = new DeviceEvaluator(space, device("raspberry-pi-5.yaml"), W)) {
            double q4 = ev.evaluate(space.uniform(0)).measurements().get(Metric.DECODE_TOK_S);
            double f16 = ev.evaluate(space.uniform(2)).measurements().get(Metric.DECODE_TOK_S);
            assertTrue(q4 > f16, "Q4_0 " + q4 + " <= F16 " + f16);
        }
    }

    @Test
    void nativeRejectionBecomesFailedEvaluationsWithTheMessage() {
        SearchSpace space = SearchSpace.perTensor(ARCH, OPTIONS);
        // the Raspberry Pi profile has no GPU: the native library rejects the workload
        try (DeviceEvaluator ev = new DeviceEvaluator(space, device("raspberry-pi-5.yaml"), Workload.standard(Backend.GPU, 4))) {
            List<Evaluation> es = ev.evaluateAll(List.of(space.uniform(0), space.uniform(1)));
            assertEquals(2, es.size(), "one evaluation per candidate");
            for (Evaluation e : es) {
                assertFalse(e.ok());
                assertTrue(e.failureReason().contains("no GPU"), e.failureReason());
            }
        }
    }

    @Test
    void candidateOutsideTheSpaceFailsAloneInItsBatch() {
        SearchSpace space = SearchSpace.perTensor(ARCH, OPTIONS);
        int[] bad = space.uniform(0).genes();
        bad[3] = 99;
        try (DeviceEvaluator ev = new DeviceEvaluator(space, device("samsung-galaxy-s23.yaml"), W)) {
            List<Evaluation> es = ev.evaluateAll(List.of(space.uniform(0), new Candidate(bad), space.uniform(1)));
            assertTrue(es.get(0).ok());
            assertFalse(es.get(1).ok());
            assertTrue(es.get(2).ok());
        }
    }

    @Test
    void factorySerializesAndBuildsAnEquivalentEvaluator() throws Exception {
        SearchSpace space = SearchSpace.perTensor(ARCH, OPTIONS);
        DeviceEvaluator.Factory f = DeviceEvaluator.Factory.fromProfile(space,
                Path.of("..", "configs", "devices", "samsung-galaxy-s23.yaml").toString(), W);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream o = new ObjectOutputStream(bytes)) {
            o.writeObject(f);
        }
        DeviceEvaluator.Factory back;
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            back = (DeviceEvaluator.Factory) in.readObject();
        }
        Candidate c = space.sample(new Well19937c(9));
        try (Evaluator a = f.create(); Evaluator b = back.create()) {
            assertEquals(a.evaluate(c).measurements(), b.evaluate(c).measurements());
        }
    }
}
