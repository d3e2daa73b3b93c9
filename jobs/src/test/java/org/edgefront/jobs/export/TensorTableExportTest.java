package org.edgefront.jobs.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.edgefront.evaluators.ModelSource;
import org.edgefront.jobs.results.SearchOutputs;
import org.edgefront.jobs.results.SearchResult;
import org.edgefront.jobs.spec.SearchSpec;
import org.edgefront.search.problem.EvaluatedCandidate;
import org.edgefront.search.problem.Objective;
import org.edgefront.search.problem.Problem;
import org.edgefront.space.candidate.Candidate;
import org.edgefront.space.candidate.SearchSpace;
import org.edgefront.space.compress.TensorChoice;
import org.edgefront.space.metric.Evaluation;
import org.edgefront.space.metric.Measurements;
import org.edgefront.space.metric.Metric;
import org.edgefront.space.model.ModelArchitecture;
import org.edgefront.space.model.ModelWeights;
import org.edgefront.space.model.TensorSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The per-tensor CSV table: RFC 4180 records whose stored bytes add up to the point's exact weight bytes. */
class TensorTableExportTest {
    private static final List<TensorChoice> OPTIONS = List.of(TensorChoice.parse("F16"), TensorChoice.parse("Q4_0"),
            TensorChoice.parse("Q4_0+2:4"), TensorChoice.parse("int3g32"), TensorChoice.parse("Q8_0+r0.5"));

    private static String writeRun(Path dir, String modelSource, SearchSpace space, Candidate c) {
        org.apache.hadoop.fs.Path out = new org.apache.hadoop.fs.Path(dir.toUri());
        Problem problem = new Problem(List.of(Objective.minimize(Metric.WEIGHT_BYTES)), List.of());
        EvaluatedCandidate e = problem.assess(c, Evaluation.ok(c.id(), Measurements.EMPTY.with(Metric.WEIGHT_BYTES, space.weightBytes(c)), "exact", "v"));
        SearchOutputs.writeSpec(out, new SearchSpec(1, "csv", new SearchSpec.Model(modelSource, null, null), null, null, null, null,
                List.of("weight_bytes"), null, null, null));
        SearchOutputs.writeFront(out, space, new SearchResult(List.of(e), List.of(e), 1, 1, 0.1, "sequential"),
                new SearchOutputs.RunInfo("csv", modelSource, space.architecture().name(), true, "d", "random", 1, "sequential", "", "v"));
        return c.id();
    }

    private static ModelArchitecture tinyArchitecture() throws java.io.IOException {
        try (ModelWeights w = new ModelSource("synthetic:tiny").open()) {
            return w.architecture();
        }
    }

    @Test
    void rowsCarryEachTensorsChoiceAndExactStoredBytes(@TempDir Path tmp) throws Exception {
        ModelArchitecture arch = tinyArchitecture();
        SearchSpace space = SearchSpace.perTensor(arch, OPTIONS);
        int[] genes = new int[space.dimensions()];
        for (int i = 0; i < genes.length; i++) genes[i] = i % OPTIONS.size();
        Candidate c = space.candidate(genes);
        String id = writeRun(tmp.resolve("run"), "synthetic:tiny", space, c);

        Path csv = tmp.resolve("t.csv");
        Exporter.Result r = Exporter.export(tmp.resolve("run").toString(), id, Exporter.Target.CSV, csv.toString(), false);
        assertTrue(r.warnings().isEmpty(), r.warnings().toString());
        String text = Files.readString(csv);
        assertTrue(text.endsWith("\r\n") && !text.replace("\r\n", "").contains("\n"), "CRLF record ends only");
        List<String> lines = Arrays.asList(text.split("\r\n"));
        assertEquals(String.join(",", TensorTableExport.COLUMNS), lines.get(0));
        assertEquals(arch.linearTensors().size() + 1, lines.size());
        long total = 0;
        for (int i = 0; i < arch.linearTensors().size(); i++) {
            TensorSpec t = arch.linearTensors().get(i);
            TensorChoice ch = space.choices(c).get(t.name());
            String[] f = lines.get(i + 1).split(",", -1);
            assertEquals(TensorTableExport.COLUMNS.size(), f.length, lines.get(i + 1));
            assertEquals(t.name(), f[0]);
            assertEquals(t.layer() < 0 ? "" : Integer.toString(t.layer()), f[1]);
            assertEquals(ch.label(), f[2]);
            assertEquals(ch.format().name(), f[3]);
            assertEquals(ch.sparsity().label(), f[5]);
            assertEquals(Boolean.toString(ch.importanceWeighted()), f[8]);
            assertEquals(Integer.toString(t.rows()), f[9]);
            assertEquals(Integer.toString(t.cols()), f[10]);
            assertEquals(ch.format().effectiveFor(t.cols()).name(), f[11]);
            assertEquals(Long.toString(ch.bytes(t)), f[12]);
            total += Long.parseLong(f[12]);
            // Q4_0 dense: 18 bytes per 32 weights, 4.5 bits; rows that do not fit its blocks are stored as F16
            if (ch.label().equals("Q4_0")) assertEquals(f[11].equals("Q4_0") ? "4.5000" : "16.0000", f[13]);
        }
        assertEquals(space.weightBytes(c), total, "stored bytes add up to the point's weight bytes");
        assertTrue(r.command().startsWith("column -s, -t < "), r.command());
    }

    @Test
    void anUnreadableModelLeavesTheShapeColumnsEmptyWithAWarning(@TempDir Path tmp) throws Exception {
        ModelArchitecture arch = tinyArchitecture();
        SearchSpace space = SearchSpace.perTensor(arch, OPTIONS);
        String id = writeRun(tmp.resolve("run"), tmp.resolve("gone.bin").toString(), space, space.uniform(1));
        Path csv = tmp.resolve("t.csv");
        Exporter.Result r = Exporter.export(tmp.resolve("run").toString(), id, Exporter.Target.CSV, csv.toString(), false);
        assertEquals(1, r.warnings().size(), r.warnings().toString());
        assertTrue(r.warnings().get(0).startsWith("cannot read model "), r.warnings().get(0));
        List<String> lines = Files.readAllLines(csv);
        assertEquals("token_embd.weight,,Q4_0,Q4_0,4,dense,1,false,false,,,,,", lines.get(1));
    }

    @Test
    void fieldsWithCommasQuotesOrLineBreaksAreQuoted() {
        StringBuilder b = new StringBuilder();
        TensorTableExport.row(b, new ArrayList<>(List.of("a,b", "say \"hi\"", "two\nlines", "plain")));
        assertEquals("\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\",plain\r\n", b.toString());
    }

    @Test
    void theRegistryListsTheTableInTheHelpAndParsesItsName() {
        assertEquals(Exporter.Target.CSV, Exporter.Target.parse("csv"));
        assertEquals("llama-cpp, gptqmodel, yaml, csv or gguf", Exporter.Target.names());
        List<String> help = new ArrayList<>();
        new Exporter.TargetNames().forEach(help::add);
        assertTrue(help.contains("csv (a per-tensor CSV table with exact stored bytes)"), help.toString());
    }
}
