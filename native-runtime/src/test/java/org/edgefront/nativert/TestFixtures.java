package org.edgefront.nativert;

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

final class TestFixtures {
    private TestFixtures() {}

    static Path devices() { return Path.of("..", "configs", "devices"); }

    // profiles are immutable: load once per test JVM (Hadoop's FileSystem setup dominates a load)
    private static final DeviceProfile S23 = DeviceProfiles.load(devices().resolve("samsung-galaxy-s23.yaml").toString());
    private static final DeviceProfile PI5 = DeviceProfiles.load(devices().resolve("raspberry-pi-5.yaml").toString());

    static DeviceProfile s23() { return S23; }

    static DeviceProfile pi5() { return PI5; }

    /** A small Llama with grouped-query attention, untied head. */
    static ModelArchitecture smallLlama(boolean tied) {
        return ModelArchitecture.llama("test-llama", 256, 704, 4, 8, 2, 1000, 2048, tied, 1e-5, 10000, true);
    }

    static final List<TensorChoice> OPTIONS = List.of(
            TensorChoice.of(WeightFormat.F16), TensorChoice.of(WeightFormat.F32), TensorChoice.of(WeightFormat.Q8_0),
            TensorChoice.of(WeightFormat.Q4_0), TensorChoice.of(WeightFormat.Q4_K), TensorChoice.of(WeightFormat.Q2_K),
            TensorChoice.of(WeightFormat.Q6_K), TensorChoice.of(WeightFormat.parse("int3g64")),
            TensorChoice.of(WeightFormat.parse("int4g32a")),
            new TensorChoice(WeightFormat.Q8_0, Sparsity.unstructured(0.5), 1.0),
            new TensorChoice(WeightFormat.Q4_0, Sparsity.nOfM(2, 4), 1.0),
            new TensorChoice(WeightFormat.F16, Sparsity.NONE, 0.25));

    static Map<String, TensorChoice> uniform(ModelArchitecture a, TensorChoice c) {
        Map<String, TensorChoice> m = new LinkedHashMap<>();
        for (TensorSpec t : a.linearTensors()) m.put(t.name(), c);
        return m;
    }

    static Map<String, TensorChoice> random(ModelArchitecture a, SplittableRandom rng) {
        Map<String, TensorChoice> m = new LinkedHashMap<>();
        for (TensorSpec t : a.linearTensors()) m.put(t.name(), OPTIONS.get(rng.nextInt(OPTIONS.size())));
        return m;
    }
}
