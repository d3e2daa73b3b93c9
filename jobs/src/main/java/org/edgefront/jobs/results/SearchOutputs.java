package org.edgefront.jobs.results;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.hadoop.util.HadoopOutputFile;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.MessageTypeParser;
import org.edgefront.jobs.io.AtomicFiles;
import org.edgefront.jobs.spec.SearchSpec;
import org.edgefront.search.problem.EvaluatedCandidate;
import org.edgefront.space.candidate.SearchSpace;
import org.edgefront.space.compress.TensorChoice;
import org.edgefront.space.metric.Metric;

/**
 * Writes a finished search's outputs into its directory (names in {@link RunDirectory}), each atomically:
 * {@code spec.json}, {@code front.json}
 * ({@code {"points": [{"id", "choices", "metrics", "feasible"}], ...}}) and {@code evaluations.parquet}
 * (one row per distinct evaluation, FAILED ones included). Stateless.
 */
public final class SearchOutputs {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    /** The spec leaves unset fields out (null), so a saved spec reads back as it was resolved. */
    private static final ObjectMapper SPEC = JSON.copy().setSerializationInclusion(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL);

    private SearchOutputs() {}

    /** Metadata recorded with the results so a front can be traced back to what produced it. */
    public record RunInfo(String name, String modelSource, String modelName, boolean synthetic, String device,
                          String strategy, long seed, String executor, String gitRevision, String evaluatorVersion) {}

    /** The front as the JSON object of {@code front.json}. */
    public static ObjectNode frontJson(SearchSpace space, SearchResult r, RunInfo info) {
        ObjectNode root = JSON.createObjectNode();
        ArrayNode pts = root.putArray(RunDirectory.POINTS);
        for (EvaluatedCandidate e : r.front()) pts.add(point(space, e));
        ObjectNode run = root.putObject(RunDirectory.RUN);
        run.put("name", info.name());
        run.put("model", info.modelSource());
        run.put("model_name", info.modelName());
        run.put("synthetic", info.synthetic());
        run.put("device", info.device());
        run.put("strategy", info.strategy());
        run.put("seed", info.seed());
        run.put("executor", info.executor());
        run.put("git_revision", info.gitRevision());
        run.put("evaluator_version", info.evaluatorVersion());
        run.put("evaluations", r.evaluations().size());
        run.put("feasible", r.feasibleCount());
        run.put("failed", r.failedCount());
        run.put("generations", r.generations());
        return root;
    }

    /** One point: id, per-tensor choice labels and stored formats, structural option labels and plan (when searched), metrics by JSON name, feasibility. */
    public static ObjectNode point(SearchSpace space, EvaluatedCandidate e) {
        ObjectNode p = JSON.createObjectNode();
        p.put(RunDirectory.ID, e.candidate().id());
        ObjectNode ch = p.putObject(RunDirectory.CHOICES);
        for (Map.Entry<String, TensorChoice> c : space.choices(e.candidate()).entrySet()) ch.put(c.getKey(), c.getValue().label());
        ObjectNode stored = p.putObject(RunDirectory.STORED);
        for (Map.Entry<String, String> s : space.storedFormats(e.candidate()).entrySet()) stored.put(s.getKey(), s.getValue());
        if (space.hasStructure()) {
            ObjectNode st = p.putObject(RunDirectory.STRUCTURE);
            for (Map.Entry<String, String> s : space.structureLabels(e.candidate()).entrySet()) st.put(s.getKey(), s.getValue());
            p.put(RunDirectory.STRUCTURE_PLAN, space.structurePlan(e.candidate()).label(space.architecture()));
        }
        ObjectNode m = p.putObject(RunDirectory.METRICS);
        for (Map.Entry<Metric, Double> v : e.evaluation().measurements().asMap().entrySet()) m.put(v.getKey().jsonName(), v.getValue());
        p.put(RunDirectory.FEASIBLE, e.feasible());
        p.put(RunDirectory.VIOLATION, e.totalViolation());
        p.put(RunDirectory.FIDELITY, e.evaluation().fidelity());
        return p;
    }

    /** The resolved spec as the text of {@code spec.json}. */
    public static String specJson(SearchSpec spec) {
        try {
            return SPEC.writeValueAsString(spec) + "\n";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes {@code spec.json}. */
    public static void writeSpec(Path outDir, SearchSpec spec) {
        AtomicFiles.writeString(new Path(outDir, RunDirectory.SPEC_JSON), specJson(spec));
    }

    /** Writes {@code front.json}. */
    public static void writeFront(Path outDir, SearchSpace space, SearchResult r, RunInfo info) {
        try {
            AtomicFiles.writeString(new Path(outDir, RunDirectory.FRONT_JSON), JSON.writeValueAsString(frontJson(space, r, info)) + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Parquet schema of {@code evaluations.parquet}: run facts, per-tensor choices, structural options, one nullable column per metric. */
    static MessageType parquetSchema() {
        StringBuilder b = new StringBuilder("message evaluation {\n"
                + "  required binary id (STRING);\n"
                + "  required binary status (STRING);\n"
                + "  required binary reason (STRING);\n"
                + "  required binary fidelity (STRING);\n"
                + "  required boolean feasible;\n"
                + "  required double violation;\n"
                + "  required boolean on_front;\n"
                + "  required group choices (MAP) {\n"
                + "    repeated group key_value {\n"
                + "      required binary key (STRING);\n"
                + "      required binary value (STRING);\n"
                + "    }\n"
                + "  }\n"
                + "  optional group stored (MAP) {\n"
                + "    repeated group key_value {\n"
                + "      required binary key (STRING);\n"
                + "      required binary value (STRING);\n"
                + "    }\n"
                + "  }\n"
                + "  optional group structure (MAP) {\n"
                + "    repeated group key_value {\n"
                + "      required binary key (STRING);\n"
                + "      required binary value (STRING);\n"
                + "    }\n"
                + "  }\n");
        for (Metric m : Metric.values()) b.append("  optional double ").append(m.jsonName()).append(";\n");
        return MessageTypeParser.parseMessageType(b.append("}\n").toString());
    }

    /**
     * Writes {@code evaluations.parquet} (one file, one row per distinct evaluation, FAILED ones included)
     * with the Parquet library directly, so it needs no Spark job; written to a hidden file, then renamed.
     */
    public static void writeParquet(Path outDir, SearchSpace space, SearchResult r) {
        MessageType schema = parquetSchema();
        Set<String> front = new HashSet<>();
        for (EvaluatedCandidate e : r.front()) front.add(e.candidate().id());
        Path target = new Path(outDir, RunDirectory.EVALUATIONS_PARQUET);
        Path tmp = new Path(outDir, "." + RunDirectory.EVALUATIONS_PARQUET + ".tmp-" + ProcessHandle.current().pid());
        Configuration conf = new Configuration();
        FileSystem fs = AtomicFiles.fs(target);
        try {
            fs.delete(tmp, false);
            SimpleGroupFactory rows = new SimpleGroupFactory(schema);
            try (ParquetWriter<Group> w = ExampleParquetWriter.builder(HadoopOutputFile.fromPath(tmp, conf))
                    .withType(schema).withConf(conf).withCompressionCodec(CompressionCodecName.UNCOMPRESSED).build()) {
                for (EvaluatedCandidate e : r.evaluations()) {
                    Group g = rows.newGroup()
                            .append(RunDirectory.ID, e.candidate().id())
                            .append(RunDirectory.STATUS, e.evaluation().status().name())
                            .append(RunDirectory.REASON, e.evaluation().failureReason())
                            .append(RunDirectory.FIDELITY, e.evaluation().fidelity())
                            .append(RunDirectory.FEASIBLE, e.feasible())
                            .append(RunDirectory.VIOLATION, e.totalViolation())
                            .append(RunDirectory.ON_FRONT, front.contains(e.candidate().id()));
                    Map<String, String> labels = new LinkedHashMap<>();
                    space.choices(e.candidate()).forEach((t, c) -> labels.put(t, c.label()));
                    putMap(g, RunDirectory.CHOICES, labels);
                    putMap(g, RunDirectory.STORED, space.storedFormats(e.candidate()));
                    if (space.hasStructure()) putMap(g, RunDirectory.STRUCTURE, space.structureLabels(e.candidate()));
                    for (Map.Entry<Metric, Double> v : e.evaluation().measurements().asMap().entrySet()) {
                        g.append(v.getKey().jsonName(), v.getValue());
                    }
                    w.write(g);
                }
            }
            if (fs.exists(target) && fs.getFileStatus(target).isDirectory()) fs.delete(target, true);
            AtomicFiles.replace(fs, tmp, target);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + target, e);
        }
    }

    private static void putMap(Group row, String column, Map<String, String> values) {
        Group m = row.addGroup(column);
        for (Map.Entry<String, String> e : values.entrySet()) m.addGroup("key_value").append("key", e.getKey()).append("value", e.getValue());
    }

    /** A short human summary of the front for the console. */
    public static String summary(SearchSpace space, SearchResult r, List<Metric> columns) {
        StringBuilder b = new StringBuilder();
        b.append(String.format("%d evaluations (%d feasible, %d failed), front of %d points:%n",
                r.evaluations().size(), r.feasibleCount(), r.failedCount(), r.front().size()));
        b.append(String.format("  %-16s", "id"));
        for (Metric m : columns) b.append(String.format(" %18s", m.jsonName()));
        b.append(String.format(" %8s%n", "feasible"));
        for (EvaluatedCandidate e : r.front()) {
            b.append(String.format("  %-16s", e.candidate().id()));
            for (Metric m : columns) {
                var d = e.evaluation().measurements().find(m);
                b.append(String.format(" %18s", d.isPresent() ? String.format("%.6g", d.getAsDouble()) : "-"));
            }
            b.append(String.format(" %8s%n", e.feasible()));
        }
        return b.toString();
    }
}
