package org.edgefront.nativert;

import org.edgefront.nativert.calibration.Calibrations;
import org.edgefront.nativert.device.Backend;
import org.edgefront.nativert.device.Workload;
import org.edgefront.nativert.reference.MemoryModel;
import org.edgefront.nativert.reference.ReferenceSimulator;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.edgefront.space.compress.TensorChoice;
import org.edgefront.space.compress.WeightFormat;
import org.edgefront.space.model.ModelArchitecture;
import org.edgefront.space.model.TensorRole;
import org.edgefront.space.model.TensorSpec;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Kept shapes of structured pruning (simulator API v3): native and Java reference, memory, validation. */
@Tag("native")
class StructuredPruningTest {
    private static final TensorChoice Q4 = TensorChoice.of(WeightFormat.Q4_0);

    private static TensorSpec shrink(TensorSpec t, int rows, int cols) {
        return new TensorSpec(t.name(), t.role(), t.layer(), rows, cols);
    }

    private static List<EncodedChoice> unpruned(ModelArchitecture a, TensorChoice c) {
        List<EncodedChoice> out = new ArrayList<>();
        for (TensorSpec t : a.linearTensors()) out.add(EncodedChoice.encode(t, c));
        return out;
    }

    @Test
    void pruningHalfTheFfnChannelsOfEveryLayerSpeedsDecodeAndCutsWeightBytes() {
        ModelArchitecture a = ModelArchitecture.llama("1b", 2048, 8192, 16, 32, 8, 32000, 2048, false, 1e-5, 1e4, true);
        List<EncodedChoice> full = unpruned(a, Q4);
        List<EncodedChoice> half = new ArrayList<>();
        long saved = 0;
        for (TensorSpec t : a.linearTensors()) {
            TensorSpec p = switch (t.role()) {
                case GATE, UP -> shrink(t, t.rows() / 2, t.cols());
                case DOWN -> shrink(t, t.rows(), t.cols() / 2);
                default -> t;
            };
            half.add(EncodedChoice.encode(t, p, Q4));
            saved += Q4.bytes(t) - Q4.bytes(p);
        }
        // Q4_0: 18 B per 32 weights; each layer drops 3 x 2048 x 4096 weights
        assertEquals(16L * 3 * 2048 * 4096 / 32 * 18, saved);
        Workload w = Workload.standard(Backend.CPU, 4);
        try (NativeSimulator sim = new NativeSimulator()) {
            SimulationResult f = sim.simulate(TestFixtures.pi5(), w, a, full);
            SimulationResult h = sim.simulate(TestFixtures.pi5(), w, a, half);
            assertEquals(f.memory().weightBytes() - saved, h.memory().weightBytes());
            assertEquals(f.memory().kvCacheBytes(), h.memory().kvCacheBytes(), "FFN pruning leaves the KV cache alone");
            assertTrue(h.decodeTokensPerSecond() > 1.3 * f.decodeTokensPerSecond(),
                    "FFN is ~2/3 of the weights read per token: " + h.decodeTokensPerSecond() + " vs " + f.decodeTokensPerSecond());
            OpCost up = h.ops().stream().filter(o -> o.name().equals("blk.0.ffn_up.weight")).findFirst().orElseThrow();
            assertEquals(4096.0 * 2048 / 32 * 18 + 4.0 * (4096 + 2048), up.bytes(), 1e-6, "kept 4096 x 2048 weights + fp32 activations");
        }
    }

    @Test
    void removedLayerHasNoAttentionOpAndKvBytesDropByOneOverLayers() {
        ModelArchitecture a = TestFixtures.smallLlama(false); // 4 layers
        List<EncodedChoice> cut = new ArrayList<>();
        for (TensorSpec t : a.linearTensors()) cut.add(EncodedChoice.encode(t, t.layer() == 1 ? null : t, Q4));
        Workload w = new Workload(16, 16, 64, 16, 4, Backend.CPU);
        try (NativeSimulator sim = new NativeSimulator()) {
            SimulationResult full = sim.simulate(TestFixtures.s23(), w, a, unpruned(a, Q4));
            SimulationResult r = sim.simulate(TestFixtures.s23(), w, a, cut);
            assertEquals(full.memory().kvCacheBytes() * 3 / 4, r.memory().kvCacheBytes());
            assertEquals(MemoryModel.kvCacheBytes(a, new int[] {a.kvDim(), 0, a.kvDim(), a.kvDim()}, 64, 16, 512), r.memory().kvCacheBytes());
            assertFalse(r.ops().stream().anyMatch(o -> o.name().startsWith("blk.1.")), "no operator of layer 1 is left");
            assertEquals(full.ops().size() - 8, r.ops().size(), "7 tensors and one attention op fewer");
            assertTrue(r.ops().stream().anyMatch(o -> o.name().equals("blk.2.attn_kv")));
            double step = r.ops().stream().mapToDouble(OpCost::timeSeconds).sum();
            assertEquals(1.0 / step, r.decodeTokensPerSecond(), 1e-9 / step, "removed ops cost no time, not even overhead");
            assertTrue(r.decodeTokensPerSecond() > full.decodeTokensPerSecond());
        }
    }

    @Test
    void nativeMatchesReferenceForRandomCandidatesWithRandomKeptShapes() {
        SplittableRandom rng = new SplittableRandom(20261121);
        ReferenceSimulator ref = new ReferenceSimulator(Calibrations.defaults());
        List<Workload> workloads = List.of(Workload.standard(Backend.CPU, 6), new Workload(64, 256, 4096, 8, 2, Backend.CPU),
                new Workload(1000, 1000, 2048, 16, 1, Backend.GPU), new Workload(128, 64, 1024, 4, 4, Backend.NPU));
        int removedSeen = 0;
        try (NativeSimulator sim = new NativeSimulator()) {
            for (boolean tied : new boolean[] {false, true}) {
                ModelArchitecture a = TestFixtures.smallLlama(tied);
                for (Workload w : workloads) {
                    for (int i = 0; i < 10; i++) {
                        List<EncodedChoice> c = new ArrayList<>();
                        for (TensorSpec t : a.linearTensors()) {
                            TensorChoice ch = TestFixtures.OPTIONS.get(rng.nextInt(TestFixtures.OPTIONS.size()));
                            int roll = rng.nextInt(10);
                            TensorSpec p = t;
                            if (roll == 0 && t.role().perLayer()) {
                                p = null; // removed
                                removedSeen++;
                            } else if (roll < 6) {
                                // rows anywhere in [1, full]; cols in whole 64-column steps so every format and N:M applies
                                int rows = 1 + rng.nextInt(t.rows());
                                int cols = t.cols() >= 64 ? 64 * (1 + rng.nextInt(t.cols() / 64)) : t.cols();
                                p = shrink(t, rows, cols);
                            }
                            c.add(EncodedChoice.encode(t, p, ch));
                        }
                        SimulationResult r = ref.simulate(TestFixtures.s23(), w, a, c);
                        SimulationResult n = sim.simulate(TestFixtures.s23(), w, a, c);
                        assertEquals(r.ops().size(), n.ops().size(), "single simulations carry the breakdown");
                        TestFixtures.assertSameResult(r, n);
                        CandidateBatch b = new CandidateBatch(a, 1);
                        b.set(0, c);
                        b.size(1);
                        BatchResult br = sim.simulateBatch(TestFixtures.s23(), w, b);
                        assertTrue(br.ok(0), br.failureReason(0));
                        assertEquals(n.decodeTokensPerSecond(), br.decodeTokensPerSecond(0));
                        assertEquals(n.memory(), br.result(0).memory());
                    }
                }
            }
        }
        assertTrue(removedSeen > 10, "the random candidates remove tensors");
    }

    @Test
    void nativeRejectsKeptRowsAboveFullRowsWithMessageNamingCandidateAndTensor() {
        ModelArchitecture a = TestFixtures.smallLlama(false);
        TensorSpec k0 = a.linearTensors().get(2); // blk.0.attn_k, 64 x 256
        EncodedChoice good = EncodedChoice.encode(k0, Q4);
        CandidateBatch b = new CandidateBatch(a, 2);
        b.set(0, unpruned(a, Q4));
        b.set(1, unpruned(a, Q4));
        b.set(1, 2, new EncodedChoice(good.formatId(), 0, 0.0, good.rank(), good.weightBytes(), k0.rows() + 1, k0.cols()));
        b.size(2);
        try (NativeSimulator sim = new NativeSimulator()) {
            BatchResult r = sim.simulateBatch(TestFixtures.s23(), Workload.standard(Backend.CPU, 4), b);
            assertTrue(r.ok(0));
            assertEquals(2, r.status(1), "EF_ERR_RANGE");
            String m = r.failureReason(1);
            assertTrue(m.contains("candidate 1") && m.contains("tensor 2") && m.contains("kept rows 65 not in [0, 64]"), m);
        }
    }

    @Test
    void nativeRejectsKeptRowsWithoutColumnsWithMessage() {
        ModelArchitecture a = TestFixtures.smallLlama(false);
        List<EncodedChoice> c = new ArrayList<>(unpruned(a, Q4));
        EncodedChoice g = c.get(5);
        c.set(5, new EncodedChoice(g.formatId(), 0, 0.0, g.rank(), g.weightBytes(), g.keptRows(), 0));
        try (NativeSimulator sim = new NativeSimulator()) {
            NativeSimulatorException e = assertThrows(NativeSimulatorException.class,
                    () -> sim.simulate(TestFixtures.s23(), Workload.standard(Backend.CPU, 4), a, c));
            assertEquals(2, e.status());
            assertTrue(e.getMessage().contains("tensor 5") && e.getMessage().contains("both 0 (removed) or both positive"), e.getMessage());
        }
    }

    @Test
    void nativeMatchesReferenceWhenHeadsTimesHeadDimDiffersFromHiddenSize() {
        // Gemma-2-like: 4 heads x 96 = 384 query rows on a 320-wide residual; memory counts the 320-wide activations and norms
        ModelArchitecture a = ModelArchitecture.of("gemma-like", org.edgefront.space.model.ArchitectureFamily.LLAMA, 320, 640, 3, 4, 2, 96,
                1000, 2048, true, 1e-6, 1e4, true);
        SplittableRandom rng = new SplittableRandom(11);
        ReferenceSimulator ref = new ReferenceSimulator(Calibrations.defaults());
        Workload w = new Workload(64, 32, 512, 16, 4, Backend.CPU);
        try (NativeSimulator sim = new NativeSimulator()) {
            for (int i = 0; i < 10; i++) {
                List<EncodedChoice> c = new ArrayList<>();
                for (TensorSpec t : a.linearTensors()) {
                    TensorChoice ch = TestFixtures.OPTIONS.get(rng.nextInt(TestFixtures.OPTIONS.size()));
                    // whole heads of Q and K/V, like head pruning
                    TensorSpec p = switch (t.role()) {
                        case Q -> shrink(t, 96 * (1 + rng.nextInt(4)), t.cols());
                        case K, V -> shrink(t, 96 * (1 + rng.nextInt(2)), t.cols());
                        default -> t;
                    };
                    c.add(EncodedChoice.encode(t, p, ch));
                }
                TestFixtures.assertSameResult(ref.simulate(TestFixtures.s23(), w, a, c), sim.simulate(TestFixtures.s23(), w, a, c));
            }
            SimulationResult full = sim.simulate(TestFixtures.s23(), w, a, unpruned(a, Q4));
            assertEquals(4L * (2 * 3 + 1) * 320, full.memory().runtimeBytes() - (long) Calibrations.defaults().cpu().runtimeFixedBytes(),
                    "fp32 norm weights are hidden-size wide");
        }
    }

    @Test
    void encodingAPrunedShapeTakesBytesRankAndFormatFromTheKeptShape() {
        TensorSpec full = new TensorSpec("blk.0.ffn_up.weight", TensorRole.UP, 0, 512, 256);
        TensorSpec half = shrink(full, 256, 256);
        EncodedChoice e = EncodedChoice.encode(full, half, Q4);
        assertEquals(256L * 256 / 32 * 18, e.weightBytes());
        assertEquals(256, e.keptRows());
        assertEquals(256, e.rank());
        // 100 kept columns are no whole Q4_K block: falls back like any other row length (Q5_0 needs 32 too, so F16)
        EncodedChoice odd = EncodedChoice.encode(full, shrink(full, 512, 100), TensorChoice.of(WeightFormat.Q4_K));
        assertEquals(EncodedChoice.formatId(WeightFormat.F16), odd.formatId());
        assertEquals(512L * 100 * 2, odd.weightBytes());
        EncodedChoice gone = EncodedChoice.encode(full, null, Q4);
        assertTrue(gone.removed());
        assertEquals(0, gone.weightBytes());
        assertEquals(0, gone.rank());
        assertEquals(0, gone.keptCols());
        assertThrows(IllegalArgumentException.class, () -> EncodedChoice.encode(full, shrink(full, 513, 256), Q4));
        assertThrows(IllegalArgumentException.class,
                () -> EncodedChoice.encode(full, new TensorSpec("blk.0.ffn_up.weight", TensorRole.GATE, 0, 256, 256), Q4));
    }

    @Test
    void keptKvRowsAtFullSizeEqualTheUnprunedKvCache() {
        ModelArchitecture a = TestFixtures.smallLlama(false);
        int[] full = new int[a.layers()];
        java.util.Arrays.fill(full, a.kvDim());
        assertEquals(MemoryModel.kvCacheBytes(a, 2048, 16, 512), MemoryModel.kvCacheBytes(a, full, 2048, 16, 512));
        full[0] = a.kvDim() / 2; // half the KV heads of one layer: 1/8 of the cache
        assertEquals(MemoryModel.kvCacheBytes(a, 2048, 16, 512) * 7 / 8, MemoryModel.kvCacheBytes(a, full, 2048, 16, 512));
        assertThrows(IllegalArgumentException.class, () -> MemoryModel.kvCacheBytes(a, new int[] {1, 2}, 2048, 16, 512));
    }
}
