package org.edgefront.jobs.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.hadoop.util.HadoopOutputFile;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.MessageTypeParser;
import org.edgefront.space.metric.Metric;
import org.edgefront.space.model.ModelArchitecture;
import org.edgefront.space.model.TensorSpec;

/**
 * A small hand-made search directory in the layout {@code SearchJob} writes: {@code spec.json},
 * {@code front.json} and {@code evaluations.parquet} for a 2-layer Llama with tied embeddings. Three
 * front points with known choices, seeded filler evaluations, some over the memory budget, some failed.
 */
public final class SearchDirFixture {
    /** The fixture's architecture (tensor names match the points' choices). */
    public static final ModelArchitecture ARCH = ModelArchitecture.llama("fixture", 64, 128, 2, 4, 4, 256, 128, true, 1e-5, 10000, false);
    /** Memory budget (atMost, bytes): inside the data range, so drawn as a line. */
    public static final double MEMORY_BUDGET = 3.5e6;

    public static final String BEST = "a000000000000001";
    public static final String MIDDLE = "a000000000000002";
    public static final String SMALL = "a000000000000003";

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** One evaluation of the fixture. */
    public record Eval(String id, Map<String, String> choices, Map<Metric, Double> metrics, boolean feasible, boolean onFront, boolean failed) {}

    private SearchDirFixture() {}

    /** Choices giving every tensor {@code dflt}, with the overrides applied. */
    public static Map<String, String> choices(String dflt, Map<String, String> overrides) {
        Map<String, String> c = new LinkedHashMap<>();
        for (TensorSpec t : ARCH.linearTensors()) c.put(t.name(), overrides.getOrDefault(t.name(), dflt));
        return c;
    }

    /** The three front points: exact for llama.cpp (BEST, MIDDLE), and one needing --nearest (SMALL). */
    public static List<Eval> frontPoints() {
        Map<String, String> best = choices("Q8_0", Map.of("token_embd.weight", "F16", "blk.0.attn_q.weight", "int4g32",
                "blk.1.ffn_down.weight", "F16", "blk.0.ffn_up.weight", "int8g32"));
        Map<String, String> middle = choices("int4g32", Map.of("token_embd.weight", "Q8_0", "blk.0.attn_k.weight", "int4g32a",
                "blk.0.attn_v.weight", "int5g32", "blk.1.attn_v.weight", "int5g32a", "blk.1.ffn_gate.weight", "Q4_K"));
        Map<String, String> small = choices("Q4_0", Map.of("blk.0.ffn_down.weight", "int3g32", "blk.1.ffn_up.weight", "int4g32+2:4",
                "blk.1.attn_output.weight", "Q4_0+r0.5", "token_embd.weight", "Q4_0"));
        return List.of(
                new Eval(BEST, best, metrics(0.05, 5.1, 3.2e6, 1.6e6, 2.2e-3, 48, 0.021), true, true, false),
                new Eval(MIDDLE, middle, metrics(0.21, 6.0, 2.6e6, 0.9e6, 1.9e-3, 55, 0.018), true, true, false),
                new Eval(SMALL, small, metrics(0.62, 8.4, 2.2e6, 0.6e6, 1.7e-3, 61, 0.016), true, true, false));
    }

    static Map<Metric, Double> metrics(double kl, double ppl, double mem, double weights, double energy, double decode, double ttft) {
        Map<Metric, Double> m = new LinkedHashMap<>();
        m.put(Metric.MEMORY_BYTES, mem);
        m.put(Metric.WEIGHT_BYTES, weights);
        m.put(Metric.KL, kl);
        m.put(Metric.PERPLEXITY, ppl);
        m.put(Metric.TOP1_AGREEMENT, Math.max(0, 1 - kl));
        m.put(Metric.DECODE_TOK_S, decode);
        m.put(Metric.TTFT_S, ttft);
        m.put(Metric.ENERGY_J_PER_TOKEN, energy);
        // as if the fixture stood for a model of 2.5 M weights
        m.put(Metric.BITS_PER_WEIGHT, weights * 8 / 2.5e6);
        return m;
    }

    /** Every evaluation: the front, {@code filler} seeded feasible or over-budget points, and {@code failed} failures. */
    public static List<Eval> evaluations(int filler, int failed) {
        List<Eval> all = new ArrayList<>(frontPoints());
        SplittableRandom rng = new SplittableRandom(7);
        for (int i = 0; i < filler; i++) {
            double mem = 2.3e6 + rng.nextDouble() * 2.2e6;
            double kl = 0.08 + rng.nextDouble() * 1.5;
            all.add(new Eval(String.format("b%015d", i), choices(rng.nextBoolean() ? "Q4_0" : "Q8_0", Map.of()),
                    metrics(kl, 5 + 4 * kl, mem, mem / 2.2, 1.7e-3 + rng.nextDouble() * 6e-4, 45 + rng.nextDouble() * 20,
                            0.015 + rng.nextDouble() * 0.008), mem <= MEMORY_BUDGET, false, false));
        }
        for (int i = 0; i < failed; i++) all.add(new Eval(String.format("c%015d", i), choices("Q2_K", Map.of()), Map.of(), false, false, true));
        return all;
    }

    /**
     * Writes the directory.
     *
     * @param budgetJson the spec's budgets object as JSON, e.g. {@code {"memory_bytes": {"atMost": 3500000}}}
     * @param parquet    also write evaluations.parquet
     */
    public static Path write(Path dir, boolean synthetic, String budgetJson, boolean parquet, int filler, int failed) throws IOException {
        Files.createDirectories(dir);
        List<Eval> all = evaluations(filler, failed);
        ObjectNode spec = JSON.createObjectNode();
        spec.put("schemaVersion", 1);
        spec.put("name", "fixture-run");
        ObjectNode model = spec.putObject("model");
        model.put("source", synthetic ? "synthetic:tiny" : "models/fixture.bin");
        if (!synthetic) {
            model.put("tokenizer", "models/tok.bin");
            model.put("text", "models/text.txt");
        }
        spec.put("device", org.edgefront.jobs.TestPaths.device("samsung-galaxy-s23").toString());
        ArrayNode obj = spec.putArray("objectives");
        obj.add("kl").add("memory_bytes").add("energy_j_per_token");
        spec.set("budgets", JSON.readTree(budgetJson));
        Files.writeString(dir.resolve("spec.json"), JSON.writeValueAsString(spec));

        ObjectNode front = JSON.createObjectNode();
        ArrayNode pts = front.putArray("points");
        for (Eval e : all) {
            if (!e.onFront()) continue;
            ObjectNode p = pts.addObject();
            p.put("id", e.id());
            ObjectNode ch = p.putObject("choices");
            e.choices().forEach(ch::put);
            // what a search records: each choice's format at the tensor's shape after llama.cpp's fallback
            ObjectNode stored = p.putObject("stored");
            e.choices().forEach((t, label) -> stored.put(t,
                    org.edgefront.space.compress.TensorChoice.parse(label).format().effectiveFor(ARCH.tensor(t).cols()).name()));
            ObjectNode m = p.putObject("metrics");
            e.metrics().forEach((k, v) -> m.put(k.jsonName(), v));
            p.put("feasible", e.feasible());
            p.put("violation", 0.0);
            p.put("fidelity", "exact,simulated,measured:100");
        }
        ObjectNode run = front.putObject("run");
        run.put("name", "fixture-run");
        run.put("model", synthetic ? "synthetic:tiny" : "models/fixture.bin");
        run.put("model_name", "fixture");
        run.put("synthetic", synthetic);
        run.put("device", org.edgefront.jobs.TestPaths.device("samsung-galaxy-s23").toString());
        run.put("strategy", "nsga2");
        run.put("seed", 42);
        run.put("executor", "sequential");
        run.put("git_revision", "0123456789ab");
        run.put("evaluator_version", "fixture/1");
        run.put("evaluations", all.size());
        run.put("generations", 3);
        Files.writeString(dir.resolve("front.json"), JSON.writeValueAsString(front));
        if (parquet) writeParquet(dir.resolve("evaluations.parquet"), all);
        return dir;
    }

    private static void writeParquet(Path file, List<Eval> all) throws IOException {
        StringBuilder s = new StringBuilder("message evaluation {\n required binary id (STRING);\n required binary status (STRING);\n"
                + " required binary reason (STRING);\n required binary fidelity (STRING);\n required boolean feasible;\n"
                + " required double violation;\n required boolean on_front;\n required group choices (MAP) {\n"
                + "  repeated group key_value {\n   required binary key (STRING);\n   required binary value (STRING);\n  }\n }\n");
        for (Metric m : Metric.values()) s.append(" optional double ").append(m.jsonName()).append(";\n");
        MessageType schema = MessageTypeParser.parseMessageType(s.append("}\n").toString());
        SimpleGroupFactory rows = new SimpleGroupFactory(schema);
        Configuration conf = new Configuration();
        org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(file.toUri());
        try (ParquetWriter<Group> w = ExampleParquetWriter.builder(HadoopOutputFile.fromPath(p, conf)).withType(schema).withConf(conf).build()) {
            for (Eval e : all) {
                Group g = rows.newGroup().append("id", e.id()).append("status", e.failed() ? "FAILED" : "OK")
                        .append("reason", e.failed() ? "native simulator: status 3 (fixture)" : "").append("fidelity", "exact")
                        .append("feasible", e.feasible()).append("violation", e.feasible() || e.failed() ? 0.0 : 1.0).append("on_front", e.onFront());
                Group ch = g.addGroup("choices");
                e.choices().forEach((k, v) -> ch.addGroup("key_value").append("key", k).append("value", v));
                e.metrics().forEach((k, v) -> g.append(k.jsonName(), v));
                w.write(g);
            }
        }
    }

    /** Choices of a front point by id. */
    public static Map<String, String> choicesOf(String id) {
        return frontPoints().stream().filter(e -> e.id().equals(id)).findFirst().orElseThrow().choices();
    }
}
