package org.edgefront.nativert;

import org.edgefront.nativert.device.DeviceProfile;
import org.edgefront.nativert.device.DeviceProfiles;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.edgefront.space.compress.Sparsity;
import org.edgefront.space.compress.TensorChoice;
import org.edgefront.space.compress.WeightFormat;
import org.edgefront.space.model.ModelArchitecture;
import org.edgefront.space.model.TensorSpec;

public final class TestFixtures {
    private TestFixtures() {}

    public static Path devices() { return Path.of("..", "configs", "devices"); }

    // profiles are immutable: load once per test JVM (Hadoop's FileSystem setup dominates a load)
    private static final DeviceProfile S23 = DeviceProfiles.load(devices().resolve("samsung-galaxy-s23.yaml").toString());
    private static final DeviceProfile PI5 = DeviceProfiles.load(devices().resolve("raspberry-pi-5.yaml").toString());

    public static DeviceProfile s23() { return S23; }

    public static DeviceProfile pi5() { return PI5; }

    /** A small Llama with grouped-query attention, untied head. */
    public static ModelArchitecture smallLlama(boolean tied) {
        return ModelArchitecture.llama("test-llama", 256, 704, 4, 8, 2, 1000, 2048, tied, 1e-5, 10000, true);
    }

    public static final List<TensorChoice> OPTIONS = List.of(
            TensorChoice.of(WeightFormat.F16), TensorChoice.of(WeightFormat.F32), TensorChoice.of(WeightFormat.Q8_0),
            TensorChoice.of(WeightFormat.Q4_0), TensorChoice.of(WeightFormat.Q4_K), TensorChoice.of(WeightFormat.Q2_K),
            TensorChoice.of(WeightFormat.Q6_K), TensorChoice.of(WeightFormat.parse("int3g64")),
            TensorChoice.of(WeightFormat.parse("int4g32a")),
            new TensorChoice(WeightFormat.Q8_0, Sparsity.unstructured(0.5), 1.0),
            new TensorChoice(WeightFormat.Q4_0, Sparsity.nOfM(2, 4), 1.0),
            new TensorChoice(WeightFormat.F16, Sparsity.NONE, 0.25));

    public static Map<String, TensorChoice> uniform(ModelArchitecture a, TensorChoice c) {
        Map<String, TensorChoice> m = new LinkedHashMap<>();
        for (TensorSpec t : a.linearTensors()) m.put(t.name(), c);
        return m;
    }

    public static Map<String, TensorChoice> random(ModelArchitecture a, SplittableRandom rng) {
        Map<String, TensorChoice> m = new LinkedHashMap<>();
        for (TensorSpec t : a.linearTensors()) m.put(t.name(), OPTIONS.get(rng.nextInt(OPTIONS.size())));
        return m;
    }

    /** Native and Java reference simulators compute the same equations in double precision: agree to 1e-9 relative. */
    public static final double REL_TOL = 1e-9;

    private static void close(double expected, double actual, String what) {
        org.junit.jupiter.api.Assertions.assertEquals(expected, actual, Math.abs(expected) * REL_TOL, what);
    }

    /**
     * Every figure of two simulation results agrees to {@link #REL_TOL}, memory exactly, and the per-op breakdown when
     * the second result has one (batched simulations carry none).
     */
    public static void assertSameResult(SimulationResult ref, SimulationResult nat) {
        close(ref.decodeTokensPerSecond(), nat.decodeTokensPerSecond(), "decode");
        close(ref.sustainedDecodeTokensPerSecond(), nat.sustainedDecodeTokensPerSecond(), "sustained");
        close(ref.prefillTokensPerSecond(), nat.prefillTokensPerSecond(), "prefill");
        close(ref.timeToFirstTokenSeconds(), nat.timeToFirstTokenSeconds(), "ttft");
        close(ref.energyJoulesPerToken(), nat.energyJoulesPerToken(), "energy");
        close(ref.powerWatts(), nat.powerWatts(), "power");
        close(ref.prefillEnergyJoules(), nat.prefillEnergyJoules(), "prefill energy");
        org.junit.jupiter.api.Assertions.assertEquals(ref.memory(), nat.memory());
        if (nat.ops().isEmpty()) return;
        org.junit.jupiter.api.Assertions.assertEquals(ref.ops().size(), nat.ops().size());
        for (int i = 0; i < ref.ops().size(); i++) {
            OpCost r = ref.ops().get(i), n = nat.ops().get(i);
            org.junit.jupiter.api.Assertions.assertEquals(r.name(), n.name());
            org.junit.jupiter.api.Assertions.assertEquals(r.bound(), n.bound(), r.name());
            close(r.bytes(), n.bytes(), r.name() + " bytes");
            close(r.flops(), n.flops(), r.name() + " flops");
            close(r.timeSeconds(), n.timeSeconds(), r.name() + " time");
            close(r.energyJoules(), n.energyJoules(), r.name() + " energy");
        }
    }
}
