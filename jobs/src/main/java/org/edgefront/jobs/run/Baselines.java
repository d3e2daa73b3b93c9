package org.edgefront.jobs.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.hadoop.fs.Path;
import org.edgefront.jobs.io.AtomicFiles;
import org.edgefront.nativert.tools.FormatMixes;
import org.edgefront.space.candidate.Candidate;
import org.edgefront.space.candidate.Decision;
import org.edgefront.space.candidate.SearchSpace;
import org.edgefront.space.compress.TensorChoice;
import org.edgefront.space.metric.Evaluation;
import org.edgefront.space.metric.Metric;

/**
 * The reference points a report draws beside the searched ones, measured by the run's own evaluators: every
 * option applied uniformly to every tensor (with F16, the uncompressed model) and llama.cpp's standard mixes
 * (Q2_K ... Q5_K_M, as {@code llama-quantize} assigns types per tensor) where the space can express them.
 * Structure is kept whole. Stored as {@code DIR/baselines.json}; never part of the search, its checkpoints or its
 * front. Stateless.
 */
public final class Baselines {
    /** The file name inside a search directory. */
    public static final String FILE = "baselines.json";
    /** llama.cpp's mixes drawn when the space holds their types. */
    public static final List<String> MIXES = List.of("Q2_K", "Q3_K_M", "Q4_K_M", "Q5_K_M");

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * A reference point.
     *
     * @param label   e.g. {@code uniform Q4_0}, {@code F16 (uncompressed)}, {@code llama.cpp Q4_K_M}
     * @param metrics what the run's evaluators measured (empty when the evaluation failed)
     */
    public record Point(String label, Map<Metric, Double> metrics) {}

    private Baselines() {}

    /** The labelled candidates of {@code space}: uniform options, then the mixes it can express. */
    public static Map<String, Candidate> candidates(SearchSpace space) {
        Map<String, Candidate> out = new LinkedHashMap<>();
        Set<String> labels = new LinkedHashSet<>();
        for (Decision d : space.decisions()) for (TensorChoice c : d.options()) labels.add(c.label());
        for (String l : labels) {
            Candidate c = candidate(space, t -> l);
            if (c != null) out.put(l.equals("F16") || l.equals("F32") ? l + " (uncompressed)" : "uniform " + l, c);
        }
        for (String mix : MIXES) {
            Map<String, TensorChoice> types;
            try {
                types = FormatMixes.resolve(space.architecture(), mix);
            } catch (IllegalArgumentException e) {
                continue;
            }
            Candidate c = candidate(space, t -> types.get(t) == null ? null : types.get(t).label());
            if (c != null && !out.containsValue(c)) out.put("llama.cpp " + mix, c);
        }
        return out;
    }

    /** The candidate giving each tensor {@code labelOf(tensor)}, or null when some decision has no such option. */
    private static Candidate candidate(SearchSpace space, java.util.function.Function<String, String> labelOf) {
        int[] genes = new int[space.dimensions()];
        for (int i = 0; i < space.decisions().size(); i++) {
            Decision d = space.decisions().get(i);
            String want = labelOf.apply(d.tensors().get(0));
            if (want == null) return null;
            for (String t : d.tensors()) if (!want.equals(labelOf.apply(t))) return null;
            int o = -1;
            for (int k = 0; k < d.options().size(); k++) if (d.options().get(k).label().equals(want)) o = k;
            if (o < 0) return null;
            genes[i] = o;
        }
        return new Candidate(genes);
    }

    /** Measures the baselines with {@code evaluator} (one batch) and writes {@code dir/baselines.json}. */
    public static List<Point> measureAndWrite(SearchSpace space, BatchEvaluator evaluator, Path dir) {
        Map<String, Candidate> cs = candidates(space);
        List<Point> points = new ArrayList<>();
        if (!cs.isEmpty()) {
            List<Candidate> distinct = new ArrayList<>(new LinkedHashSet<>(cs.values()));
            List<Evaluation> es = evaluator.evaluate(distinct);
            for (Map.Entry<String, Candidate> e : cs.entrySet()) {
                Evaluation ev = es.get(distinct.indexOf(e.getValue()));
                points.add(new Point(e.getKey(), ev.ok() ? ev.measurements().asMap() : Map.of()));
            }
        }
        ArrayNode arr = JSON.createArrayNode();
        for (Point p : points) {
            ObjectNode n = arr.addObject().put("label", p.label());
            ObjectNode m = n.putObject("metrics");
            p.metrics().forEach((k, v) -> {
                if (Double.isFinite(v)) m.put(k.jsonName(), v);
            });
        }
        AtomicFiles.writeString(new Path(dir, FILE), arr.toPrettyString() + "\n");
        return points;
    }

    /** The baselines of {@code dir}; empty when the run has none (older runs, sweeps) or the file is damaged. */
    public static List<Point> read(String dir) {
        Path p = new Path(AtomicFiles.path(dir), FILE);
        try {
            if (!AtomicFiles.fs(p).exists(p)) return List.of();
            List<Point> out = new ArrayList<>();
            for (JsonNode n : JSON.readTree(AtomicFiles.readString(p))) {
                Map<Metric, Double> m = new LinkedHashMap<>();
                n.path("metrics").fields().forEachRemaining(e -> {
                    try {
                        m.put(Metric.fromJsonName(e.getKey()), e.getValue().asDouble());
                    } catch (IllegalArgumentException ignored) {
                        // a metric this version does not know is not drawn
                    }
                });
                out.add(new Point(n.path("label").asText(), m));
            }
            return out;
        } catch (IOException | RuntimeException e) {
            return List.of();
        }
    }
}
