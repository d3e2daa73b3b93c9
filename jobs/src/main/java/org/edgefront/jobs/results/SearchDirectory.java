package org.edgefront.jobs.results;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.example.GroupReadSupport;
import org.apache.parquet.schema.GroupType;
import org.edgefront.jobs.io.AtomicFiles;
import org.edgefront.jobs.spec.SearchSpec;
import org.edgefront.nativert.device.DeviceProfile;
import org.edgefront.nativert.device.DeviceProfiles;
import org.edgefront.space.input.InvalidInputException;
import org.edgefront.space.metric.Metric;

/**
 * A finished search directory read back into typed values: the resolved spec ({@code spec.json}), the
 * front ({@code front.json}), every evaluation ({@code evaluations.parquet}) and the budgets with their
 * bounds in the metric's unit ({@code shareOfDram} resolved against the device profile's DRAM).
 * Immutable once loaded; reading goes through the Hadoop FileSystem API, so {@code dir} may be a local
 * path or any Hadoop URI.
 *
 * @param uri         the directory as given
 * @param spec        the spec the run used; null when the directory has no {@code spec.json}
 * @param run         run facts from {@code front.json}
 * @param front       front points in {@code front.json} order
 * @param evaluations every evaluation (FAILED included); the front points alone when there is no Parquet file
 * @param budgets     hard constraints with resolved bounds
 * @param notes       things the reader should know (missing files, budgets that could not be resolved)
 */
public record SearchDirectory(String uri, SearchSpec spec, RunSummary run, List<EvaluatedPoint> front,
                              List<EvaluatedPoint> evaluations, List<Budget> budgets, List<String> notes) {

    /** Result files are small; anything larger than this is not one of ours and is not read into memory. */
    static final long MAX_JSON_BYTES = 256L << 20;

    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(JsonParser.Feature.ALLOW_NON_NUMERIC_NUMBERS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    public SearchDirectory {
        front = List.copyOf(front);
        evaluations = List.copyOf(evaluations);
        budgets = List.copyOf(budgets);
        notes = List.copyOf(notes);
    }

    /**
     * One evaluated candidate.
     *
     * @param id        content id of the candidate
     * @param choices   tensor name (GGUF canonical) to choice label, in architecture order
     * @param stored    tensor name to the format actually stored at its shape after llama.cpp's fallbacks (front points
     *                  of directories written since the key existed; otherwise empty)
     * @param structure structural decision name to option label ({@code keep}, {@code drop}, {@code keep0.500}), in
     *                  space order; empty when structure was not searched
     * @param metrics   measured values in each metric's unit (absent = not measured)
     * @param feasible  OK and within every budget
     * @param violation total constraint violation (0 when feasible)
     * @param fidelity  how the figures were obtained (e.g. {@code exact,simulated,measured:1641})
     * @param onFront   member of the final front
     * @param failed    the evaluation FAILED (then metrics are usually empty)
     * @param reason    failure reason ("" when not failed)
     */
    public record EvaluatedPoint(String id, Map<String, String> choices, Map<String, String> stored, Map<String, String> structure,
                                 Map<Metric, Double> metrics, boolean feasible, double violation, String fidelity, boolean onFront,
                                 boolean failed, String reason) {
        public EvaluatedPoint {
            choices = Collections.unmodifiableMap(new LinkedHashMap<>(choices));
            stored = Collections.unmodifiableMap(new LinkedHashMap<>(stored));
            structure = Collections.unmodifiableMap(new LinkedHashMap<>(structure));
            EnumMap<Metric, Double> m = new EnumMap<>(Metric.class);
            m.putAll(metrics);
            metrics = Collections.unmodifiableMap(m);
        }

        /** The structural decisions that prune something (option other than {@code keep}), in order. */
        public Map<String, String> pruning() {
            Map<String, String> out = new LinkedHashMap<>();
            for (Map.Entry<String, String> e : structure.entrySet()) if (!"keep".equals(e.getValue())) out.put(e.getKey(), e.getValue());
            return out;
        }

        /** The value of a metric, if measured and finite. */
        public OptionalDouble metric(Metric m) {
            Double v = metrics.get(m);
            return v == null || !Double.isFinite(v) ? OptionalDouble.empty() : OptionalDouble.of(v);
        }
    }

    /**
     * Run facts recorded in {@code front.json}; absent fields are "" or 0.
     *
     * @param name run name; @param model model source; @param modelName architecture name
     * @param synthetic the weights were generated (quality numbers say nothing about a real model)
     */
    public record RunSummary(String name, String model, String modelName, boolean synthetic, String device,
                             String strategy, long seed, String executor, String gitRevision, String evaluatorVersion,
                             long evaluations, long feasible, long failed, long generations) {}

    /**
     * A budget with its bound in the metric's unit.
     *
     * @param metric     constrained metric
     * @param atMost     true for an upper bound, false for a lower bound
     * @param bound      the bound, in {@link Metric#unit()}
     * @param describe   how the spec stated it (e.g. {@code 10% of DRAM (8.00 GiB, Samsung Galaxy S23)})
     */
    public record Budget(Metric metric, boolean atMost, double bound, String describe) {
        /** True when {@code value} satisfies the budget. */
        public boolean satisfiedBy(double value) { return atMost ? value <= bound : value >= bound; }
    }

    /** The front point with this id. */
    public Optional<EvaluatedPoint> frontPoint(String id) {
        return front.stream().filter(p -> p.id().equals(id)).findFirst();
    }

    /** The budget on a metric, if the spec has one. */
    public Optional<Budget> budget(Metric m) {
        return budgets.stream().filter(b -> b.metric() == m).findFirst();
    }

    /** Reads everything the report needs. Bad or missing {@code front.json}: {@link InvalidInputException}. */
    public static SearchDirectory load(String dir) {
        Path root = AtomicFiles.path(dir);
        List<String> notes = new ArrayList<>();
        Front f = readFront(dir);
        Path specPath = new Path(root, RunDirectory.SPEC_JSON);
        SearchSpec spec = readSpec(dir);
        if (spec == null) notes.add("no spec.json in the directory: budgets are unknown and not drawn");
        List<Budget> budgets = spec == null ? List.of() : budgets(show(specPath), spec, notes);
        List<EvaluatedPoint> all;
        Path parquet = new Path(root, RunDirectory.EVALUATIONS_PARQUET);
        if (exists(parquet)) {
            all = readParquet(parquet, f.points());
        } else {
            notes.add("no evaluations.parquet: only the front points are shown");
            all = f.points();
        }
        return new SearchDirectory(dir, spec, f.run(), f.points(), all, budgets, notes);
    }

    /**
     * Reads {@code DIR/spec.json} only (what exports need for their commands).
     *
     * @return the spec, or null when the directory has no {@code spec.json}
     * @throws InvalidInputException when the file is not a search spec
     */
    public static SearchSpec readSpec(String dir) {
        Path specPath = new Path(AtomicFiles.path(dir), RunDirectory.SPEC_JSON);
        if (!exists(specPath)) return null;
        JsonNode n = readJson(specPath);
        try {
            return JSON.treeToValue(n, SearchSpec.class);
        } catch (IOException e) {
            throw new InvalidInputException(show(specPath), "(document)", "not a search spec: " + e.getMessage(), e);
        }
    }

    /** The contents of {@code front.json}: run facts and points. */
    public record Front(String file, RunSummary run, List<EvaluatedPoint> points) {
        public Front {
            points = List.copyOf(points);
        }

        /** The point with {@code id}; otherwise an {@link InvalidInputException} naming {@code field} and some valid ids. */
        public EvaluatedPoint point(String id, String field) {
            for (EvaluatedPoint p : points) if (p.id().equals(id)) return p;
            StringBuilder ids = new StringBuilder();
            int shown = 0;
            for (EvaluatedPoint p : points) {
                if (shown == 8) {
                    ids.append(", ... (").append(points.size()).append(" in all)");
                    break;
                }
                ids.append(shown++ == 0 ? "" : ", ").append(p.id());
            }
            throw new InvalidInputException(file, field, "no front point with id '" + id + "'"
                    + (points.isEmpty() ? "; the front is empty" : "; front points: " + ids));
        }
    }

    /** Reads {@code DIR/front.json} only (what exports need). */
    public static Front readFront(String dir) {
        Path p = new Path(AtomicFiles.path(dir), RunDirectory.FRONT_JSON);
        if (!exists(p)) {
            throw new InvalidInputException(show(p), "(file)", "not found: " + dir + " is not a finished EdgeFront search directory");
        }
        JsonNode root = readJson(p);
        String file = show(p);
        JsonNode pts = root.get(RunDirectory.POINTS);
        if (pts == null || !pts.isArray()) throw new InvalidInputException(file, "points", "missing or not an array");
        List<EvaluatedPoint> points = new ArrayList<>();
        for (int i = 0; i < pts.size(); i++) points.add(point(file, "points[" + i + "]", pts.get(i)));
        JsonNode r = root.path(RunDirectory.RUN);
        RunSummary run = new RunSummary(r.path("name").asText(""), r.path("model").asText(""), r.path("model_name").asText(""),
                r.path("synthetic").asBoolean(false), r.path("device").asText(""), r.path("strategy").asText(""),
                r.path("seed").asLong(0), r.path("executor").asText(""), r.path("git_revision").asText(""),
                r.path("evaluator_version").asText(""), r.path("evaluations").asLong(points.size()),
                r.path("feasible").asLong(0), r.path("failed").asLong(0), r.path("generations").asLong(0));
        return new Front(file, run, points);
    }

    private static EvaluatedPoint point(String file, String at, JsonNode n) {
        if (n == null || !n.isObject()) throw new InvalidInputException(file, at, "not an object");
        JsonNode id = n.get(RunDirectory.ID);
        if (id == null || !id.isTextual() || id.asText().isBlank()) throw new InvalidInputException(file, at + ".id", "missing or not a string");
        JsonNode ch = n.get(RunDirectory.CHOICES);
        if (ch == null || !ch.isObject()) throw new InvalidInputException(file, at + ".choices", "missing or not an object");
        Map<String, String> choices = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = ch.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getValue().isTextual()) throw new InvalidInputException(file, at + ".choices." + e.getKey(), "not a choice label string");
            choices.put(e.getKey(), e.getValue().asText());
        }
        Map<String, String> stored = labels(file, at, n, RunDirectory.STORED, "not a format label string");
        Map<String, String> structure = labels(file, at, n, RunDirectory.STRUCTURE, "not an option label string");
        Map<Metric, Double> metrics = new EnumMap<>(Metric.class);
        for (Iterator<Map.Entry<String, JsonNode>> it = n.path(RunDirectory.METRICS).fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            Metric m = metricOrNull(e.getKey());
            // metrics added by a newer EdgeFront are skipped, not errors: results outlive the code that reads them
            if (m != null && e.getValue().isNumber()) metrics.put(m, e.getValue().asDouble());
        }
        return new EvaluatedPoint(id.asText(), choices, stored, structure, metrics, n.path(RunDirectory.FEASIBLE).asBoolean(false),
                n.path(RunDirectory.VIOLATION).asDouble(0), n.path(RunDirectory.FIDELITY).asText(""), true, false, "");
    }

    /** An optional object of string labels under {@code key} ({@code at.key}); empty when absent. */
    private static Map<String, String> labels(String file, String at, JsonNode n, String key, String notText) {
        Map<String, String> out = new LinkedHashMap<>();
        JsonNode o = n.get(key);
        if (o == null) return out;
        if (!o.isObject()) throw new InvalidInputException(file, at + "." + key, "not an object");
        for (Iterator<Map.Entry<String, JsonNode>> it = o.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getValue().isTextual()) throw new InvalidInputException(file, at + "." + key + "." + e.getKey(), notText);
            out.put(e.getKey(), e.getValue().asText());
        }
        return out;
    }

    private static Metric metricOrNull(String name) {
        for (Metric m : Metric.values()) if (m.jsonName().equals(name)) return m;
        return null;
    }

    private static List<Budget> budgets(String file, SearchSpec spec, List<String> notes) {
        List<Budget> out = new ArrayList<>();
        if (spec.budgets() == null) return out;
        DeviceProfile device = null;
        String deviceProblem = null;
        for (Map.Entry<String, SearchSpec.Bound> e : spec.budgets().entrySet()) {
            Metric m = metricOrNull(e.getKey());
            SearchSpec.Bound b = e.getValue();
            if (m == null || b == null) {
                notes.add("budget '" + e.getKey() + "' in " + file + " names no known metric; not drawn");
                continue;
            }
            if (b.atMost() != null) {
                out.add(new Budget(m, true, b.atMost(), "\u2264 " + Units.format(m, b.atMost())));
            } else if (b.atLeast() != null) {
                out.add(new Budget(m, false, b.atLeast(), "\u2265 " + Units.format(m, b.atLeast())));
            } else if (b.shareOfDram() != null) {
                if (device == null && deviceProblem == null) {
                    try {
                        if (spec.device() == null) throw new InvalidInputException(file, "device", "missing");
                        device = DeviceProfiles.load(org.edgefront.jobs.spec.ClosestNames.resolveDevice(file, "device", spec.device()).uri());
                    } catch (InvalidInputException ex) {
                        deviceProblem = ex.getMessage();
                    }
                }
                if (device == null) {
                    notes.add("budget " + m.jsonName() + " = " + Units.percent(b.shareOfDram()) + " of DRAM not drawn: device profile unreadable ("
                            + deviceProblem + ")");
                    continue;
                }
                long dram = device.dram().capacityBytes();
                out.add(new Budget(m, true, b.shareOfDram() * dram, "\u2264 " + Units.percent(b.shareOfDram()) + " of DRAM ("
                        + Units.bytes(dram) + ", " + device.name() + ") = " + Units.bytes(b.shareOfDram() * dram)));
            }
        }
        return out;
    }

    /** Reads the Parquet table; front membership comes from the file, front order from {@code front.json}. */
    private static List<EvaluatedPoint> readParquet(Path p, List<EvaluatedPoint> front) {
        Map<String, EvaluatedPoint> frontById = new HashMap<>();
        for (EvaluatedPoint e : front) frontById.put(e.id(), e);
        List<EvaluatedPoint> out = new ArrayList<>();
        Configuration conf = new Configuration();
        try (ParquetReader<Group> r = ParquetReader.builder(new GroupReadSupport(), p).withConf(conf).build()) {
            Group g;
            int row = 0;
            while ((g = r.read()) != null) {
                out.add(row(show(p), row++, g));
            }
        } catch (IOException | RuntimeException e) {
            if (e instanceof InvalidInputException bad) throw bad;
            throw new InvalidInputException(show(p), "(file)", "cannot read the evaluations table: " + e.getMessage(), e);
        }
        return out;
    }

    private static EvaluatedPoint row(String file, int row, Group g) {
        GroupType t = g.getType();
        for (String col : List.of(RunDirectory.ID, RunDirectory.STATUS, RunDirectory.FEASIBLE, RunDirectory.ON_FRONT, RunDirectory.CHOICES)) {
            if (!t.containsField(col)) throw new InvalidInputException(file, col, "column missing: not an EdgeFront evaluations table");
        }
        Map<String, String> choices = map(g, RunDirectory.CHOICES);
        Map<String, String> stored = map(g, RunDirectory.STORED);
        Map<String, String> structure = map(g, RunDirectory.STRUCTURE);
        Map<Metric, Double> metrics = new EnumMap<>(Metric.class);
        for (Metric m : Metric.values()) {
            if (t.containsField(m.jsonName()) && g.getFieldRepetitionCount(m.jsonName()) > 0) metrics.put(m, g.getDouble(m.jsonName(), 0));
        }
        String status = g.getString(RunDirectory.STATUS, 0);
        return new EvaluatedPoint(g.getString(RunDirectory.ID, 0), choices, stored, structure, metrics, g.getBoolean(RunDirectory.FEASIBLE, 0),
                optDouble(g, RunDirectory.VIOLATION), optString(g, RunDirectory.FIDELITY), g.getBoolean(RunDirectory.ON_FRONT, 0),
                "FAILED".equals(status.toUpperCase(Locale.ROOT)), optString(g, RunDirectory.REASON));
    }

    /** A map column's entries in order; empty when the column is absent (older tables) or null. */
    private static Map<String, String> map(Group g, String col) {
        Map<String, String> out = new LinkedHashMap<>();
        if (!g.getType().containsField(col) || g.getFieldRepetitionCount(col) == 0) return out;
        Group m = g.getGroup(col, 0);
        for (int i = 0; i < m.getFieldRepetitionCount("key_value"); i++) {
            Group kv = m.getGroup("key_value", i);
            out.put(kv.getString("key", 0), kv.getString("value", 0));
        }
        return out;
    }

    private static double optDouble(Group g, String col) {
        return g.getType().containsField(col) && g.getFieldRepetitionCount(col) > 0 ? g.getDouble(col, 0) : 0.0;
    }

    private static String optString(Group g, String col) {
        return g.getType().containsField(col) && g.getFieldRepetitionCount(col) > 0 ? g.getString(col, 0) : "";
    }

    /** A local file as a plain path (as the user typed it), anything else as its URI. */
    static String show(Path p) {
        return "file".equals(p.toUri().getScheme()) ? p.toUri().getPath() : p.toString();
    }

    private static boolean exists(Path p) {
        try {
            return AtomicFiles.fs(p).exists(p);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot check " + p, e);
        }
    }

    private static JsonNode readJson(Path p) {
        FileSystem fs = AtomicFiles.fs(p);
        try {
            FileStatus st = fs.getFileStatus(p);
            if (st.getLen() > MAX_JSON_BYTES) {
                throw new InvalidInputException(show(p), "(file)", "is " + st.getLen() + " bytes; result files are at most " + MAX_JSON_BYTES);
            }
            return JSON.readTree(AtomicFiles.readString(p));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new InvalidInputException(show(p), "(document)", "not valid JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new InvalidInputException(show(p), "(file)", "cannot be read: " + e.getMessage(), e);
        }
    }
}
