package org.edgefront.jobs.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.edgefront.jobs.CliRun;
import org.edgefront.jobs.TestPaths;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shipped example searches have budgets that bind: run (two generations, sequential) each excludes some
 * candidates, so no "excluded none" warning appears, and feasible points remain (exit 0).
 */
@Tag("slow")
class ShippedExamplesBindTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"quickstart", "stories-structure"})
    void everyBudgetOfTheExampleExcludesSomeCandidates(String name) throws IOException {
        Path root = TestPaths.root();
        String yaml = Files.readString(root.resolve("configs/searches/" + name + ".yaml"))
                .replace("../devices/", root.resolve("configs/devices") + "/")
                .replace("../../../shared/", TestPaths.shared() + "/")
                .replaceFirst("generations: \\d+", "generations: 2");
        Path spec = dir.resolve(name + ".yaml");
        Files.writeString(spec, yaml);
        CliRun r = CliRun.of("search", spec.toString(), "--master", "sequential", "--out", dir.resolve("out").toString());
        assertEquals(0, r.code(), r.err());
        assertFalse(r.err().contains("excluded none"), r.err());
    }
}
