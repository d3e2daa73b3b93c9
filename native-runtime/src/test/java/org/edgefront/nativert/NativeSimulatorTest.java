package org.edgefront.nativert;

import org.edgefront.nativert.calibration.BackendCalibration;
import org.edgefront.nativert.calibration.Calibrations;
import org.edgefront.nativert.calibration.FormatCosts;
import org.edgefront.nativert.device.Backend;
import org.edgefront.nativert.device.DeviceProfile;
import org.edgefront.nativert.device.Workload;
import org.edgefront.nativert.reference.ReferenceSimulator;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.edgefront.space.compress.TensorChoice;
import org.edgefront.space.compress.WeightFormat;
import org.edgefront.space.model.ModelArchitecture;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("native")
class NativeSimulatorTest {
    @Test
    void nativeMatchesJavaReferenceOnRandomCandidates() {
        SplittableRandom rng = new SplittableRandom(42);
        ReferenceSimulator ref = new ReferenceSimulator(Calibrations.defaults());
        List<Workload> workloads = List.of(Workload.standard(Backend.CPU, 6), new Workload(64, 256, 4096, 8, 2, Backend.CPU),
                new Workload(1000, 1000, 2048, 16, 1, Backend.GPU), new Workload(128, 64, 1024, 4, 4, Backend.NPU));
        try (NativeSimulator sim = new NativeSimulator()) {
            for (boolean tied : new boolean[] {false, true}) {
                ModelArchitecture a = TestFixtures.smallLlama(tied);
                for (Workload w : workloads) {
                    for (int i = 0; i < 10; i++) {
                        Map<String, TensorChoice> c = TestFixtures.random(a, rng);
                        TestFixtures.assertSameResult(ref.simulate(TestFixtures.s23(), w, a, c), sim.simulate(TestFixtures.s23(), w, a, c));
                    }
                }
            }
        }
    }

    @Test
    void floatPathAndPerFormatCostsMatchJavaReference() {
        SplittableRandom rng = new SplittableRandom(44);
        double[] ops = new double[FormatCosts.FORMATS];
        for (int f = 0; f < ops.length; f++) ops[f] = f % 3 == 0 ? 0.0 : 0.5 + f; // some overridden, some default
        BackendCalibration d = BackendCalibration.defaultFor(Backend.CPU);
        BackendCalibration c = new BackendCalibration("t", 0.6, 0.05, 2e-6, 1.5, 8, 512, 1e6, true, 0.1, true, new FormatCosts(ops));
        Calibrations cals = new Calibrations(c, BackendCalibration.defaultFor(Backend.GPU), BackendCalibration.defaultFor(Backend.NPU));
        ReferenceSimulator ref = new ReferenceSimulator(cals);
        ModelArchitecture a = TestFixtures.smallLlama(false);
        try (NativeSimulator sim = new NativeSimulator(cals)) {
            for (int i = 0; i < 20; i++) {
                Map<String, TensorChoice> ch = TestFixtures.random(a, rng);
                Workload w = new Workload(32 + i, 16, 1024, 16, 1 + i % 4, Backend.CPU);
                TestFixtures.assertSameResult(ref.simulate(TestFixtures.s23(), w, a, ch), sim.simulate(TestFixtures.s23(), w, a, ch));
            }
            // the per-format cost changes the prediction of a compute-bound format
            Map<String, TensorChoice> q = new java.util.HashMap<>();
            for (var t : a.linearTensors()) q.put(t.name(), TensorChoice.of(org.edgefront.space.compress.WeightFormat.Q4_K));
            Workload w = new Workload(32, 16, 1024, 16, 1, Backend.CPU);
            try (NativeSimulator plain = new NativeSimulator(new Calibrations(new BackendCalibration("t", 0.6, 0.05, 2e-6, 1.5, 8, 512, 1e6,
                    true, 0.1, true), cals.gpu(), cals.npu()))) {
                assertTrue(sim.simulate(TestFixtures.s23(), w, a, q).decodeTokensPerSecond()
                        < plain.simulate(TestFixtures.s23(), w, a, q).decodeTokensPerSecond(), "Q4_K costs 10.5 ops here vs 1.5 by default");
            }
        }
    }

    @Test
    void kernelShapeTermsMatchJavaReference() {
        // api 4: serial memory + compute, per-scale cost of generic groups, profiled sparse kernels
        SplittableRandom rng = new SplittableRandom(45);
        double[] ops = new double[FormatCosts.FORMATS];
        for (int f = 0; f < ops.length; f++) ops[f] = f % 2 == 0 ? 0.0 : 1.0 + f;
        BackendCalibration c = new BackendCalibration("t", 0.6, 0.05, 2e-6, 1.5, 8, 512, 1e6, true, 0.1, true,
                new FormatCosts(ops, 12.0, 7.0, 9.0), true);
        Calibrations cals = new Calibrations(c, BackendCalibration.defaultFor(Backend.GPU), BackendCalibration.defaultFor(Backend.NPU));
        ReferenceSimulator ref = new ReferenceSimulator(cals);
        ModelArchitecture a = TestFixtures.smallLlama(true);
        try (NativeSimulator sim = new NativeSimulator(cals)) {
            for (int i = 0; i < 20; i++) {
                Map<String, TensorChoice> ch = TestFixtures.random(a, rng);
                Workload w = new Workload(16 + i, 8, 1024, 8, 1 + i % 3, Backend.CPU);
                TestFixtures.assertSameResult(ref.simulate(TestFixtures.s23(), w, a, ch), sim.simulate(TestFixtures.s23(), w, a, ch));
            }
        }
    }

    @Test
    void groupScalesAndSerialTimeAreCostedFromStoredBytes() {
        Workload w = new Workload(1, 1, 2, 16, 1, Backend.CPU);
        BackendCalibration base = new BackendCalibration("t", 1.0, 0.05, 0, 1.0, 1, 512, 0, true, 0.05, true);
        BackendCalibration scaled = new BackendCalibration("t", 1.0, 0.05, 0, 1.0, 1, 512, 0, true, 0.05, true,
                new FormatCosts(new double[FormatCosts.FORMATS], 10.0, 0, 0), false);
        BackendCalibration serial = new BackendCalibration("t", 1.0, 0.05, 0, 1.0, 1, 512, 0, true, 0.05, true,
                FormatCosts.DEFAULT, true);
        Calibrations d = Calibrations.defaults();
        TensorChoice g32 = TensorChoice.of(WeightFormat.parse("int4g32")), g32a = TensorChoice.of(WeightFormat.parse("int4g32a"));
        try (NativeSimulator b = new NativeSimulator(new Calibrations(base, d.gpu(), d.npu()));
             NativeSimulator s = new NativeSimulator(new Calibrations(scaled, d.gpu(), d.npu()));
             NativeSimulator r = new NativeSimulator(new Calibrations(serial, d.gpu(), d.npu()))) {
            double groups = 1024.0 * 1024 / 32;
            // one fp16 scale per symmetric group, a scale and a zero point per asymmetric one
            assertEquals(10.0 * groups, s.linearCost(TestFixtures.pi5(), w, 1024, 1024, g32).flops()
                    - b.linearCost(TestFixtures.pi5(), w, 1024, 1024, g32).flops(), 1e-6);
            assertEquals(20.0 * groups, s.linearCost(TestFixtures.pi5(), w, 1024, 1024, g32a).flops()
                    - b.linearCost(TestFixtures.pi5(), w, 1024, 1024, g32a).flops(), 1e-6);
            // serial: time = memory time + compute time, more than their max
            OpCost o = b.linearCost(TestFixtures.pi5(), w, 1024, 1024, TensorChoice.of(WeightFormat.F32));
            OpCost os = r.linearCost(TestFixtures.pi5(), w, 1024, 1024, TensorChoice.of(WeightFormat.F32));
            assertTrue(os.timeSeconds() > o.timeSeconds() * 1.01, os + " vs " + o);
        }
    }

    @Test
    void linearCostIsOneGemvOfTheTensor() {
        try (NativeSimulator sim = new NativeSimulator()) {
            Workload w = new Workload(1, 1, 2, 16, 1, Backend.CPU);
            OpCost q4 = sim.linearCost(TestFixtures.pi5(), w, 4096, 4096, TensorChoice.of(org.edgefront.space.compress.WeightFormat.Q4_0));
            assertEquals(4096L * 4096 / 32 * 18 + 4.0 * (4096 + 4096), q4.bytes(), 1e-6, "weights + fp32 activations in and out");
            assertTrue(q4.timeSeconds() > 0 && q4.flops() >= 2.0 * 4096 * 4096);
            OpCost f16 = sim.linearCost(TestFixtures.pi5(), w, 4096, 4096, TensorChoice.of(org.edgefront.space.compress.WeightFormat.F16));
            assertTrue(f16.timeSeconds() > q4.timeSeconds(), "F16 moves 3.6x the bytes of Q4_0 on a memory-bound core");
        }
    }

    @Test
    void batchedResultsEqualSingleCalls() {
        ModelArchitecture a = TestFixtures.smallLlama(false);
        DeviceProfile d = TestFixtures.pi5();
        Workload w = Workload.standard(Backend.CPU, 4);
        SplittableRandom rng = new SplittableRandom(3);
        List<Map<String, TensorChoice>> cands = new ArrayList<>();
        for (int i = 0; i < 300; i++) cands.add(TestFixtures.random(a, rng)); // > one native chunk of 256
        try (NativeSimulator sim = new NativeSimulator()) {
            BatchResult b = sim.simulateBatch(d, w, a, cands);
            assertEquals(300, b.size());
            for (int i = 0; i < 300; i += 37) {
                assertTrue(b.ok(i));
                SimulationResult one = sim.simulate(d, w, a, cands.get(i));
                assertEquals(one.decodeTokensPerSecond(), b.decodeTokensPerSecond(i));
                assertEquals(one.energyJoulesPerToken(), b.energyJoulesPerToken(i));
                assertEquals(one.memory(), b.result(i).memory());
            }
        }
    }

    @Test
    void lowerBitFormatDecodesFasterOnMemoryBoundCpu() {
        ModelArchitecture a = ModelArchitecture.llama("1b", 2048, 8192, 16, 32, 8, 32000, 2048, false, 1e-5, 1e4, true);
        Workload w = Workload.standard(Backend.CPU, 4);
        try (NativeSimulator sim = new NativeSimulator()) {
            double f16 = sim.simulate(TestFixtures.pi5(), w, a, TestFixtures.uniform(a, TensorChoice.of(WeightFormat.F16))).decodeTokensPerSecond();
            double q4 = sim.simulate(TestFixtures.pi5(), w, a, TestFixtures.uniform(a, TensorChoice.of(WeightFormat.Q4_0))).decodeTokensPerSecond();
            assertTrue(q4 > 2.0 * f16, "Q4_0 " + q4 + " vs F16 " + f16);
        }
    }

    @Test
    void opBreakdownCoversEveryTensorAndLayer() {
        ModelArchitecture a = TestFixtures.smallLlama(false);
        Workload w = new Workload(16, 16, 64, 16, 4, Backend.CPU);
        try (NativeSimulator sim = new NativeSimulator()) {
            SimulationResult r = sim.simulate(TestFixtures.s23(), w, a, TestFixtures.uniform(a, TensorChoice.of(WeightFormat.Q4_0)));
            assertEquals(a.linearTensors().size() + a.layers(), r.ops().size());
            assertEquals("blk.3.attn_kv", r.ops().get(r.ops().size() - 1).name());
            double step = r.ops().stream().mapToDouble(OpCost::timeSeconds).sum();
            // short run, no throttling: mean decode time per token is the sum of op times
            assertEquals(1.0 / step, r.decodeTokensPerSecond(), 1e-9 / step);
            assertTrue(r.ops().stream().anyMatch(o -> o.bound() == OpCost.Bound.OVERHEAD), "tiny ops are overhead-bound");
        }
    }

    @Test
    void gpuWorkloadOnDeviceWithoutGpuThrowsWithNativeMessage() {
        ModelArchitecture a = TestFixtures.smallLlama(false);
        try (NativeSimulator sim = new NativeSimulator()) {
            NativeSimulatorException e = assertThrows(NativeSimulatorException.class, () -> sim.simulate(TestFixtures.pi5(),
                    Workload.standard(Backend.GPU, 4), a, TestFixtures.uniform(a, TensorChoice.of(WeightFormat.Q4_0))));
            assertEquals(5, e.status());
            assertTrue(e.getMessage().contains("no GPU"), e.getMessage());
        }
    }

    @Test
    void invalidCandidateFailsAloneInBatch() {
        ModelArchitecture a = TestFixtures.smallLlama(false);
        CandidateBatch b = new CandidateBatch(a, 3);
        for (int c = 0; c < 3; c++) b.set(c, TestFixtures.uniform(a, TensorChoice.of(WeightFormat.Q4_0)));
        EncodedChoice good = b.get(1, 2);
        b.set(1, 2, new EncodedChoice(99, 0, 0.0, good.rank(), good.weightBytes(), good.keptRows(), good.keptCols()));
        b.size(3);
        try (NativeSimulator sim = new NativeSimulator()) {
            BatchResult r = sim.simulateBatch(TestFixtures.s23(), Workload.standard(Backend.CPU, 4), b);
            assertTrue(r.ok(0));
            assertFalse(r.ok(1));
            assertTrue(r.ok(2));
            assertEquals(3, r.status(1));
            assertTrue(r.failureReason(1).contains("format id 99"), r.failureReason(1));
        }
    }

    @Test
    void closedSimulatorRefusesWork() {
        NativeSimulator sim = new NativeSimulator();
        sim.close();
        ModelArchitecture a = TestFixtures.smallLlama(false);
        assertThrows(IllegalStateException.class, () -> sim.simulate(TestFixtures.s23(), Workload.standard(Backend.CPU, 1), a,
                TestFixtures.uniform(a, TensorChoice.of(WeightFormat.Q4_0))));
    }

    @Test
    void versionIsReported() {
        assertTrue(NativeLibrary.version().startsWith("edgefront-sim 1."));
    }
}
