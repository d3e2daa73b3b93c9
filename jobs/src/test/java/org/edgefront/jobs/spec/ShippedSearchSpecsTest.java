package org.edgefront.jobs.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.edgefront.jobs.TestPaths;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every search spec shipped in {@code configs/searches/} resolves as it stands (its device, model and text paths,
 * options and strategy), so a README or BENCHMARKS.md command that names one cannot fail on the spec itself.
 */
class ShippedSearchSpecsTest {
    static List<Path> shippedSpecs() throws IOException {
        try (Stream<Path> files = Files.list(TestPaths.root().resolve("configs/searches"))) {
            return files.filter(p -> p.getFileName().toString().endsWith(".yaml")).sorted().toList();
        }
    }

    @ParameterizedTest
    @MethodSource("shippedSpecs")
    void aShippedSpecResolvesWithItsNameAndAGenerationBudget(Path spec) {
        ResolvedSearch r = SearchSpecLoader.load(spec.toString(), SearchSpecLoader.Overrides.NONE);
        assertFalse(r.spec().name().isBlank(), spec + " names its run");
        assertTrue(r.generations() > 0 && r.populationSize() > 0, spec + ": " + r.generations() + " x " + r.populationSize());
    }

    @Test
    void theLargerScalingSearchDiffersOnlyInPopulationAndName() {
        // BENCHMARKS.md compares the two: the larger one must be the same search with more candidates per generation
        Path dir = TestPaths.root().resolve("configs/searches");
        SearchSpec small = SearchSpecLoader.load(dir.resolve("smollm135m-spark-scaling.yaml").toString(), SearchSpecLoader.Overrides.NONE).spec();
        SearchSpec large = SearchSpecLoader.load(dir.resolve("smollm135m-spark-scaling-96.yaml").toString(), SearchSpecLoader.Overrides.NONE).spec();
        assertEquals(small.model(), large.model());
        assertEquals(small.workload(), large.workload());
        assertEquals(small.space(), large.space());
        assertEquals(small.quality(), large.quality());
        assertEquals(small.objectives(), large.objectives());
        assertEquals(small.strategy().generations(), large.strategy().generations());
        assertEquals(2 * small.strategy().populationSize(), (int) large.strategy().populationSize());
    }
}
