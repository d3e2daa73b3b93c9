package org.edgefront.jobs.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;
import org.edgefront.jobs.TestPaths;
import org.edgefront.jobs.export.Exporter;
import org.edgefront.jobs.results.SearchDirectory;
import org.edgefront.jobs.spark.EvaluatorPool;
import org.edgefront.jobs.spark.SparkSessions;
import org.edgefront.jobs.spec.SearchSpecLoader;
import org.edgefront.space.input.InvalidInputException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** End-to-end search on the synthetic model: Spark equals sequential (with and without structure), resume equals uninterrupted. */
@Tag("spark")
class SearchJobTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static SparkSession spark;

    @TempDir
    Path dir;

    @BeforeAll
    static void startSpark() {
        spark = SparkSessions.create("edgefront-test", "local[2]", false);
    }

    @AfterAll
    static void stopSpark() {
        EvaluatorPool.closeAll();
        spark.stop();
    }

    private Path spec(int generations) throws IOException {
        Path p = dir.resolve("spec.yaml");
        Files.writeString(p, "schemaVersion: 1\nname: t\nmodel: {source: 'synthetic:tiny'}\n"
                + "device: " + TestPaths.device("samsung-galaxy-s23") + "\n"
                + "space: {options: [F16, Q8_0, Q4_0, int3g32, int2g32]}\n"
                + "quality: {sequences: 3, maxTokens: 48}\n"
                + "objectives: [kl, memory_bytes]\n"
                + "strategy: {name: nsga2, seed: 11, populationSize: 10, generations: " + generations + "}\n");
        return p;
    }

    private SearchJob.Outcome run(Path spec, Path out, String master, boolean resume) {
        PrintStream log = new PrintStream(new ByteArrayOutputStream());
        return SearchJob.run(new SearchJob.Options(spec.toString(), SearchSpecLoader.Overrides.NONE, out.toString(),
                resume, false, master), log, spark);
    }

    private static JsonNode points(Path out) throws IOException {
        return JSON.readTree(out.resolve("front.json").toFile()).get("points");
    }

    @Test
    void unsetPartitionsGiveFourTasksPerSlotSoFastSlotsTakeMoreWork() {
        var sc = org.apache.spark.api.java.JavaSparkContext.fromSparkContext(spark.sparkContext());
        assertEquals(2, sc.defaultParallelism());
        assertEquals(8, SparkSessions.partitions(sc, 0, 100), "4 tasks for each of local[2]'s 2 slots");
        assertEquals(3, SparkSessions.partitions(sc, 0, 3), "never more tasks than items");
        assertEquals(5, SparkSessions.partitions(sc, 5, 100), "execution.partitions wins");
        assertEquals(1, SparkSessions.partitions(sc, 0, 0));
    }

    @Test
    void sparkSearchGivesTheSameFrontAsSequentialWithTheSameSeed() throws IOException {
        Path s = spec(3);
        SearchJob.Outcome seq = run(s, dir.resolve("seq"), "sequential", false);
        SearchJob.Outcome par = run(s, dir.resolve("spark"), "local[2]", false);
        assertTrue(par.result().executor().startsWith("spark"), par.result().executor());
        assertEquals(seq.result().evaluations().size(), par.result().evaluations().size());
        assertEquals(points(dir.resolve("seq")), points(dir.resolve("spark")));
        assertTrue(points(dir.resolve("seq")).size() >= 2, "a two-objective front of several points");
    }

    @Test
    void frontJsonHasChoicesForEveryTensorAndTheContractMetrics() throws IOException {
        run(spec(2), dir.resolve("o"), "sequential", false);
        JsonNode p = points(dir.resolve("o")).get(0);
        assertEquals(16, p.get("id").asText().length());
        assertFalse(p.get("choices").isEmpty());
        for (String m : List.of("memory_bytes", "kl", "perplexity", "decode_tok_s", "energy_j_per_token")) {
            assertTrue(p.get("metrics").has(m), "missing metric " + m);
        }
        assertTrue(p.get("feasible").isBoolean());
        assertTrue(JSON.readTree(dir.resolve("o/front.json").toFile()).get("run").get("synthetic").asBoolean());
    }

    @Test
    void everyEvaluationIsWrittenAsParquet() {
        SearchJob.Outcome o = run(assertDoesNotThrowSpec(2), dir.resolve("p"), "sequential", false);
        int rows = 0;
        int onFront = 0;
        org.apache.hadoop.fs.Path file = new org.apache.hadoop.fs.Path(dir.resolve("p/evaluations.parquet").toUri());
        try (var reader = org.apache.parquet.hadoop.ParquetReader.builder(new org.apache.parquet.hadoop.example.GroupReadSupport(), file).build()) {
            for (org.apache.parquet.example.data.Group g = reader.read(); g != null; g = reader.read()) {
                rows++;
                if (g.getBoolean("on_front", 0)) onFront++;
                assertEquals(o.search().architecture().linearTensors().size(), g.getGroup("choices", 0).getFieldRepetitionCount("key_value"));
                assertTrue(g.getDouble("memory_bytes", 0) > 0);
            }
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        assertEquals(o.result().evaluations().size(), rows);
        assertEquals(o.result().front().size(), onFront);
    }

    private Path assertDoesNotThrowSpec(int g) {
        try {
            return spec(g);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void resumeAfterLosingLaterGenerationsFinishesWithTheUninterruptedFront() throws IOException {
        Path s = spec(4);
        run(s, dir.resolve("full"), "sequential", false);
        run(s, dir.resolve("cut"), "sequential", false);
        // simulate a crash after generation 2: later checkpoints and every output are gone
        try (Stream<Path> files = Files.list(dir.resolve("cut/state"))) {
            for (Path f : files.toList()) if (f.getFileName().toString().compareTo("gen-000002.json") >= 0) Files.delete(f);
        }
        Files.delete(dir.resolve("cut/front.json"));
        SearchJob.Outcome resumed = run(s, dir.resolve("cut"), "sequential", true);
        assertTrue(resumed.result().newlyEvaluated() > 0, "the lost generations were evaluated again");
        assertTrue(resumed.result().newlyEvaluated() < resumed.result().evaluations().size(), "checkpointed ones were not");
        assertEquals(points(dir.resolve("full")), points(dir.resolve("cut")));
    }

    @Test
    void existingOutputIsNeverSilentlyOverwritten() throws IOException {
        Path s = spec(1);
        run(s, dir.resolve("x"), "sequential", false);
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> run(s, dir.resolve("x"), "sequential", false));
        assertEquals("--out", e.field());
    }

    @Test
    void resumeWithADifferentSpecIsRejected() throws IOException {
        run(spec(1), dir.resolve("y"), "sequential", false);
        Path other = spec(2);
        assertThrows(InvalidInputException.class, () -> run(other, dir.resolve("y"), "sequential", true));
    }

    private Path structureSpec() throws IOException {
        Path p = dir.resolve("spec.yaml");
        Files.writeString(p, "schemaVersion: 1\nname: s\nmodel: {source: 'synthetic:tiny'}\n"
                + "device: " + TestPaths.device("samsung-galaxy-s23") + "\n"
                + "space: {options: [Q8_0, Q4_0], structure: {heads: [0.5], ffnChannels: [0.5], dropLayers: true, vocabulary: [0.75]}}\n"
                + "quality: {sequences: 3, maxTokens: 32}\n"
                + "objectives: [kl, weight_bytes]\n"
                + "strategy: {name: nsga2, seed: 5, populationSize: 12, generations: 3}\n");
        return p;
    }

    @Test
    void sparkAndSequentialStructureSearchesGiveTheSameFrontWithPrunedPoints() throws IOException {
        Path s = structureSpec();
        SearchJob.Outcome seq = run(s, dir.resolve("seq"), "sequential", false);
        run(s, dir.resolve("spark"), "local[2]", false);
        JsonNode a = JSON.readTree(dir.resolve("seq/front.json").toFile()).get("points");
        JsonNode b = JSON.readTree(dir.resolve("spark/front.json").toFile()).get("points");
        assertEquals(a, b);
        assertEquals(0, seq.result().failedCount(), "no evaluation may fail");
        boolean pruned = false;
        for (JsonNode p : a) {
            assertTrue(p.has("structure") && p.has("structure_plan"), p.toString());
            assertTrue(p.get("metrics").has("dropped_mass"), "vocabulary is searched, so dropped mass is measured");
            for (JsonNode v : p.get("structure")) pruned |= !v.asText().equals("keep");
        }
        assertTrue(pruned, "pruning saves weight bytes, so some front point prunes structure: " + a);

        // the evaluations table carries the structural options too, and a pruned point cannot go to llama.cpp
        SearchDirectory d = SearchDirectory.load(dir.resolve("seq").toString());
        assertTrue(d.evaluations().stream().anyMatch(e -> !e.pruning().isEmpty()));
        String prunedId = d.front().stream().filter(e -> !e.pruning().isEmpty()).findFirst().orElseThrow().id();
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> Exporter.export(dir.resolve("seq").toString(), prunedId,
                Exporter.Target.LLAMA_CPP, dir.resolve("types.txt").toString(), false));
        assertEquals("--point", e.field());
        assertFalse(Files.exists(dir.resolve("types.txt")));
        Exporter.export(dir.resolve("seq").toString(), prunedId, Exporter.Target.YAML, dir.resolve("point.yaml").toString(), false);
        assertTrue(Files.readString(dir.resolve("point.yaml")).contains("# structural pruning of this point"));
    }
}
