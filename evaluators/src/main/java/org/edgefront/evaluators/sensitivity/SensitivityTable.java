package org.edgefront.evaluators.sensitivity;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.edgefront.space.candidate.Candidate;
import org.edgefront.space.candidate.Decision;
import org.edgefront.space.candidate.SearchSpace;
import org.edgefront.space.input.InvalidInputException;

/**
 * A sensitivity table: for each decision of a {@link SearchSpace} (in space order) and each of its options (in
 * option order), the mean per-token KL(reference || compressed) in nats/token measured with <em>only</em> that
 * decision's tensors compressed, every other tensor left as in the reference. The additive proxy of a candidate
 * is the sum of its options' entries ({@link #proxy(Candidate)}); the uncompressed option's entry is ~0. A space's
 * structural decisions follow its tensor decisions as rows without tensors (KL with only that structure pruned).
 *
 * <p>A measurement that failed (non-finite quality) is stored as {@link Double#POSITIVE_INFINITY} and written
 * to JSON as {@code null}. Immutable, thread-safe and serializable; JSON round trip via {@link #toJson()} and
 * {@link #fromJson(String, String)}.
 *
 * @param model            architecture name of the profiled model
 * @param evaluatorVersion version of the quality evaluator that measured the entries
 * @param tokens           predicted positions each entry was measured on
 * @param rows             one row per decision, in search-space order
 */
public record SensitivityTable(String model, String evaluatorVersion, long tokens, List<Row> rows) implements Serializable {
    /** JSON schema version written by {@link #toJson()}. */
    public static final int SCHEMA_VERSION = 1;

    public SensitivityTable {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(evaluatorVersion, "evaluatorVersion");
        rows = List.copyOf(rows);
        if (tokens < 0) throw new IllegalArgumentException("tokens must be >= 0, got " + tokens);
    }

    /**
     * One decision's measurements.
     *
     * @param index    position of the decision in the search space
     * @param decision decision name
     * @param tensors  canonical names of the tensors compressed together
     * @param entries  one per option, in option order
     */
    public record Row(int index, String decision, List<String> tensors, List<Entry> entries) implements Serializable {
        public Row {
            Objects.requireNonNull(decision, "decision");
            tensors = List.copyOf(tensors);
            entries = List.copyOf(entries);
            if (index < 0) throw new IllegalArgumentException("row index must be >= 0");
            if (entries.isEmpty()) throw new IllegalArgumentException("row " + decision + " has no entries");
        }
    }

    /**
     * One option of one decision.
     *
     * @param option          the option's choice label (e.g. {@code Q4_0})
     * @param klNatsPerToken  measured mean KL with only this decision compressed, nats/token (+infinity: failed)
     * @param weightBytes     exact stored bytes of the decision's tensors in this option
     */
    public record Entry(String option, double klNatsPerToken, long weightBytes) implements Serializable {
        public Entry {
            Objects.requireNonNull(option, "option");
            if (Double.isNaN(klNatsPerToken)) throw new IllegalArgumentException("KL of " + option + " is NaN");
            if (weightBytes < 0) throw new IllegalArgumentException("weight bytes of " + option + " are negative");
        }
    }

    /** Number of decisions. */
    public int dimensions() { return rows.size(); }

    /** KL entry of option {@code option} of decision {@code decision}, nats/token. */
    public double kl(int decision, int option) { return rows.get(decision).entries().get(option).klNatsPerToken(); }

    /** The KL entries as {@code [decision][option]} (fresh arrays). */
    /** Proxy cost of an option whose profiling failed, nats/token (far above any real per-tensor KL). */
    public static final double FAILED_PENALTY_NATS = 1e6;

    /**
     * The table as per-option costs for a planning model over {@code space}: {@link #klMatrix()} with entries that
     * failed when profiled (infinite) set to {@link #FAILED_PENALTY_NATS}, so that costs stay finite and such options
     * are never chosen over a measured one.
     *
     * @throws IllegalArgumentException when the table was not built for {@code space}
     */
    public double[][] proxyCosts(SearchSpace space) {
        if (!fits(space)) throw new IllegalArgumentException("sensitivity table of " + model + " does not fit the search space");
        double[][] kl = klMatrix();
        for (double[] row : kl) {
            for (int o = 0; o < row.length; o++) if (!Double.isFinite(row[o])) row[o] = FAILED_PENALTY_NATS;
        }
        return kl;
    }

    public double[][] klMatrix() {
        double[][] out = new double[rows.size()][];
        for (int i = 0; i < out.length; i++) {
            List<Entry> es = rows.get(i).entries();
            out[i] = new double[es.size()];
            for (int o = 0; o < es.size(); o++) out[i][o] = es.get(o).klNatsPerToken();
        }
        return out;
    }

    /**
     * The additive proxy of a candidate: the sum over decisions (in decision order) of the chosen option's KL
     * entry, nats/token. Infinite when a chosen entry failed.
     *
     * @throws IllegalArgumentException when the candidate's gene count or an option index does not fit the table
     */
    public double proxy(Candidate c) {
        if (c.size() != rows.size()) throw new IllegalArgumentException("candidate has " + c.size() + " genes, table has " + rows.size() + " decisions");
        double s = 0;
        for (int i = 0; i < rows.size(); i++) {
            List<Entry> es = rows.get(i).entries();
            int g = c.gene(i);
            if (g < 0 || g >= es.size()) throw new IllegalArgumentException("gene " + i + " = " + g + " is not an option of " + rows.get(i).decision());
            s += es.get(g).klNatsPerToken();
        }
        return s;
    }

    /** True when the table was built for this space: same decisions, tensors and option labels, in order. */
    public boolean fits(SearchSpace space) {
        if (space.dimensions() != rows.size() || !space.architecture().name().equals(model)) return false;
        int tensorRows = space.decisions().size();
        for (int i = tensorRows; i < rows.size(); i++) {
            org.edgefront.space.candidate.StructureDecision d = space.structure().get(i - tensorRows);
            Row r = rows.get(i);
            if (r.index() != i || !d.name().equals(r.decision()) || !r.tensors().isEmpty() || d.optionCount() != r.entries().size()) return false;
            for (int o = 0; o < d.optionCount(); o++) if (!d.optionLabel(o).equals(r.entries().get(o).option())) return false;
        }
        for (int i = 0; i < tensorRows; i++) {
            Decision d = space.decisions().get(i);
            Row r = rows.get(i);
            if (r.index() != i || !d.name().equals(r.decision()) || !d.tensors().equals(r.tensors())
                    || d.options().size() != r.entries().size()) return false;
            for (int o = 0; o < r.entries().size(); o++) {
                if (!d.options().get(o).label().equals(r.entries().get(o).option())) return false;
            }
        }
        return true;
    }

    // ---- JSON --------------------------------------------------------------------------------------

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** One row as a JSON object (also the per-decision checkpoint format of the profile job). */
    public static ObjectNode rowJson(Row r) {
        ObjectNode n = JSON.createObjectNode();
        n.put("index", r.index());
        n.put("decision", r.decision());
        ArrayNode ts = n.putArray("tensors");
        r.tensors().forEach(ts::add);
        ArrayNode es = n.putArray("entries");
        for (Entry e : r.entries()) {
            ObjectNode en = es.addObject();
            en.put("option", e.option());
            if (Double.isFinite(e.klNatsPerToken())) en.put("kl", e.klNatsPerToken());
            else en.putNull("kl");
            en.put("weight_bytes", e.weightBytes());
        }
        return n;
    }

    /** The JSON text of one row (exact doubles: Jackson writes the shortest round-tripping form). */
    public static String rowToJson(Row r) {
        try {
            return JSON.writeValueAsString(rowJson(r));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Parses one row written by {@link #rowToJson(Row)}.
     *
     * @throws InvalidInputException naming {@code source} and the field when the text is not a valid row
     */
    public static Row rowFromJson(String json, String source) {
        try {
            return row(JSON.readTree(json), source, "");
        } catch (JsonProcessingException e) {
            throw new InvalidInputException(source, "(json)", "not valid JSON: " + e.getOriginalMessage(), e);
        }
    }

    /** The whole table as indented JSON. */
    public String toJson() {
        ObjectNode n = JSON.createObjectNode();
        n.put("schemaVersion", SCHEMA_VERSION);
        n.put("model", model);
        n.put("evaluator_version", evaluatorVersion);
        n.put("tokens", tokens);
        n.put("quantity", "kl_nats_per_token, one decision compressed at a time");
        ArrayNode rs = n.putArray("rows");
        for (Row r : rows) rs.add(rowJson(r));
        try {
            return JSON.writeValueAsString(n);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Parses a table written by {@link #toJson()}.
     *
     * @param source file name for error messages
     * @throws InvalidInputException naming {@code source} and the field when the text is not a valid table
     */
    public static SensitivityTable fromJson(String json, String source) {
        JsonNode n;
        try {
            n = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new InvalidInputException(source, "(json)", "not valid JSON: " + e.getOriginalMessage(), e);
        }
        if (n == null || !n.isObject()) throw new InvalidInputException(source, "(root)", "must be a JSON object");
        int v = field(n, "schemaVersion", source, "").asInt(-1);
        if (v != SCHEMA_VERSION) throw new InvalidInputException(source, "schemaVersion", "must be " + SCHEMA_VERSION + ", got " + n.get("schemaVersion"));
        String model = text(n, "model", source, "");
        String version = text(n, "evaluator_version", source, "");
        JsonNode tok = field(n, "tokens", source, "");
        if (!tok.canConvertToLong() || tok.asLong() < 0) throw new InvalidInputException(source, "tokens", "must be a non-negative integer");
        JsonNode rs = field(n, "rows", source, "");
        if (!rs.isArray()) throw new InvalidInputException(source, "rows", "must be an array");
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < rs.size(); i++) {
            Row r = row(rs.get(i), source, "rows[" + i + "].");
            if (r.index() != i) throw new InvalidInputException(source, "rows[" + i + "].index", "must be " + i + ", got " + r.index());
            rows.add(r);
        }
        return new SensitivityTable(model, version, tok.asLong(), rows);
    }

    private static Row row(JsonNode n, String source, String prefix) {
        if (n == null || !n.isObject()) throw new InvalidInputException(source, prefix.isEmpty() ? "(root)" : prefix, "must be an object");
        JsonNode idx = field(n, "index", source, prefix);
        if (!idx.canConvertToInt() || idx.asInt() < 0) throw new InvalidInputException(source, prefix + "index", "must be a non-negative integer");
        String decision = text(n, "decision", source, prefix);
        JsonNode ts = field(n, "tensors", source, prefix);
        // structural rows name no tensors
        if (!ts.isArray()) throw new InvalidInputException(source, prefix + "tensors", "must be an array");
        List<String> tensors = new ArrayList<>();
        ts.forEach(t -> tensors.add(t.asText()));
        JsonNode es = field(n, "entries", source, prefix);
        if (!es.isArray() || es.isEmpty()) throw new InvalidInputException(source, prefix + "entries", "must be a non-empty array");
        List<Entry> entries = new ArrayList<>();
        for (int o = 0; o < es.size(); o++) {
            String p = prefix + "entries[" + o + "].";
            JsonNode e = es.get(o);
            if (!e.isObject()) throw new InvalidInputException(source, p, "must be an object");
            String option = text(e, "option", source, p);
            JsonNode kl = field(e, "kl", source, p);
            double k;
            if (kl.isNull()) k = Double.POSITIVE_INFINITY;
            else if (kl.isNumber() && Double.isFinite(kl.asDouble())) k = kl.asDouble();
            else throw new InvalidInputException(source, p + "kl", "must be a finite number or null");
            JsonNode b = field(e, "weight_bytes", source, p);
            if (!b.canConvertToLong() || b.asLong() < 0) throw new InvalidInputException(source, p + "weight_bytes", "must be a non-negative integer");
            entries.add(new Entry(option, k, b.asLong()));
        }
        return new Row(idx.asInt(), decision, tensors, entries);
    }

    private static JsonNode field(JsonNode n, String name, String source, String prefix) {
        JsonNode v = n.get(name);
        if (v == null) throw new InvalidInputException(source, prefix + name, "is missing");
        return v;
    }

    private static String text(JsonNode n, String name, String source, String prefix) {
        JsonNode v = field(n, name, source, prefix);
        if (!v.isTextual()) throw new InvalidInputException(source, prefix + name, "must be a string");
        return v.asText();
    }
}
