package org.edgefront.jobs.results;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Iterator;
import java.util.Map;
import org.edgefront.space.candidate.Candidate;
import org.edgefront.space.metric.Evaluation;
import org.edgefront.space.metric.EvaluationStatus;
import org.edgefront.space.metric.Measurements;
import org.edgefront.space.metric.Metric;

/**
 * JSON form of a candidate with its evaluation, used by checkpoints. Metric values round-trip
 * exactly (Jackson writes the shortest repr that parses back to the same double). Stateless.
 */
final class EvaluationCodec {
    private EvaluationCodec() {}

    static ObjectNode encode(ObjectMapper json, Candidate c, Evaluation e) {
        ObjectNode n = json.createObjectNode();
        n.put(RunDirectory.ID, c.id());
        ArrayNode g = n.putArray(RunDirectory.GENES);
        for (int v : c.genes()) g.add(v);
        n.put(RunDirectory.STATUS, e.status().name());
        n.put(RunDirectory.REASON, e.failureReason());
        n.put(RunDirectory.FIDELITY, e.fidelity());
        n.put(RunDirectory.VERSION, e.evaluatorVersion());
        ObjectNode m = n.putObject(RunDirectory.METRICS);
        for (Map.Entry<Metric, Double> v : e.measurements().asMap().entrySet()) m.put(v.getKey().jsonName(), v.getValue());
        return n;
    }

    static Candidate candidate(JsonNode n) {
        JsonNode g = n.get(RunDirectory.GENES);
        int[] genes = new int[g.size()];
        for (int i = 0; i < genes.length; i++) genes[i] = g.get(i).asInt();
        return Candidate.withId(genes, n.get(RunDirectory.ID).asText());
    }

    static Evaluation evaluation(JsonNode n) {
        Measurements m = Measurements.EMPTY;
        for (Iterator<Map.Entry<String, JsonNode>> it = n.get(RunDirectory.METRICS).fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> f = it.next();
            m = m.with(Metric.fromJsonName(f.getKey()), f.getValue().asDouble());
        }
        return new Evaluation(n.get(RunDirectory.ID).asText(), EvaluationStatus.valueOf(n.get(RunDirectory.STATUS).asText()), m,
                n.get(RunDirectory.REASON).asText(), n.get(RunDirectory.FIDELITY).asText(), n.get(RunDirectory.VERSION).asText());
    }
}
