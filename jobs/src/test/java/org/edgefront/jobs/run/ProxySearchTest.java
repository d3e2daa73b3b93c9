package org.edgefront.jobs.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.edgefront.evaluators.ModelSource;
import org.edgefront.evaluators.quality.QualityEvaluator;
import org.edgefront.evaluators.sensitivity.SensitivityProfiler;
import org.edgefront.evaluators.sensitivity.SensitivityTable;
import org.edgefront.jobs.TestPaths;
import org.edgefront.jobs.spec.ResolvedSearch;
import org.edgefront.jobs.spec.SearchSpecLoader;
import org.edgefront.search.problem.EvaluatedCandidate;
import org.edgefront.space.input.InvalidInputException;
import org.edgefront.space.metric.Metric;
import org.edgefront.space.model.ModelWeights;
import org.edgefront.space.synthetic.SyntheticLlama;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Searches that use a sensitivity table: the proxy as an objective and the table-planning strategies. */
class ProxySearchTest {
    @TempDir
    Path dir;

    private static final String OPTIONS = "[F16, Q8_0, Q4_0, int3g32, int2g32]";

    private Path table() throws IOException {
        String base = spec("nsga2", "measured", null, "[kl, weight_bytes]");
        ResolvedSearch r = SearchSpecLoader.load(write("base.yaml", base).toString(), SearchSpecLoader.Overrides.NONE);
        SensitivityTable t;
        try (ModelWeights w = new ModelSource("synthetic:tiny").open();
             QualityEvaluator q = new QualityEvaluator(r.space(), w, List.of(SyntheticLlama.tokenSequences(1, 2, 32, 256)))) {
            t = new SensitivityProfiler(q, r.space()).profile();
        }
        return write("sensitivity.json", t.toJson());
    }

    private Path write(String name, String text) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, text);
        return p;
    }

    private static String spec(String strategy, String mode, Path table, String objectives) {
        return "schemaVersion: 1\nname: p\nmodel: {source: 'synthetic:tiny'}\ndevice: " + TestPaths.device("samsung-galaxy-s23")
                + "\nspace: {options: " + OPTIONS + "}\nquality: {sequences: 2, maxTokens: 32, mode: " + mode
                + (table == null ? "" : ", table: " + table) + "}\nobjectives: " + objectives
                + "\nstrategy: {name: " + strategy + ", seed: 5, populationSize: 20, generations: 3}\n";
    }

    private SearchJob.Outcome run(String yaml, String out) throws IOException {
        return SearchJob.run(new SearchJob.Options(write(out + ".yaml", yaml).toString(), SearchSpecLoader.Overrides.NONE,
                dir.resolve(out).toString(), false, false, "sequential"), new PrintStream(new ByteArrayOutputStream()), null);
    }

    @Test
    void greedyOnTheTableFindsAProxyFrontWithoutMeasuringQuality() throws IOException {
        Path t = table();
        SearchJob.Outcome o = run(spec("greedy", "proxy", t, "[proxy_kl, weight_bytes]"), "greedy");
        assertTrue(o.result().front().size() >= 3, "a front of several points");
        for (EvaluatedCandidate e : o.result().front()) {
            assertTrue(e.evaluation().measurements().has(Metric.PROXY_KL));
            assertFalse(e.evaluation().measurements().has(Metric.KL), "proxy mode runs no forward pass");
            assertTrue(e.evaluation().fidelity().contains("proxy") && !e.evaluation().fidelity().contains("measured"), e.evaluation().fidelity());
        }
    }

    @Test
    void measuredSearchWithATableReportsBothProxyAndMeasuredKl() throws IOException {
        Path t = table();
        SearchJob.Outcome o = run(spec("dp", "measured", t, "[kl, weight_bytes]"), "dp");
        EvaluatedCandidate e = o.result().front().get(0);
        assertTrue(e.evaluation().measurements().has(Metric.PROXY_KL) && e.evaluation().measurements().has(Metric.KL));
    }

    @Test
    void tablePlanningStrategyWithoutATableIsRejected() {
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> run(spec("greedy", "measured", null, "[kl, weight_bytes]"), "x"));
        assertEquals("strategy.name", e.field());
    }

    @Test
    void measuredMetricsAreRejectedInProxyMode() throws IOException {
        Path t = table();
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> run(spec("nsga2", "proxy", t, "[kl, weight_bytes]"), "y"));
        assertEquals("objectives", e.field());
    }

    @Test
    void multiFidelityScreensByProxyAndOnlyFinalStageMeasurementsEnterTheFront() throws IOException {
        Path t = table();
        String yaml = spec("nsga2", "multi-fidelity", t, "[kl, weight_bytes]")
                .replace("mode: multi-fidelity", "mode: multi-fidelity, stages: [1, 2], keep: [0.5, 0.5]");
        SearchJob.Outcome o = run(yaml, "mf");
        long screened = o.result().evaluations().stream()
                .filter(e -> e.evaluation().ok() && e.evaluation().measurements().get(Metric.FIDELITY_STAGE) == 0).count();
        assertTrue(screened > 0, "some candidates were judged by the proxy only");
        assertFalse(o.result().front().isEmpty());
        for (EvaluatedCandidate e : o.result().front()) {
            assertTrue(e.feasible());
            assertEquals(2, e.evaluation().measurements().get(Metric.FIDELITY_STAGE), 0.0);
            assertTrue(e.evaluation().fidelity().contains("measured:"), e.evaluation().fidelity());
        }
    }
}
