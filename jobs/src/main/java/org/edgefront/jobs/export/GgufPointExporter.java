package org.edgefront.jobs.export;

import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.hadoop.fs.Path;
import org.edgefront.jobs.spec.SearchSpec;
import org.edgefront.space.compress.TensorChoice;
import org.edgefront.space.input.InvalidInputException;

/**
 * {@code --to gguf}: the point's quantized model itself, written from the weights and tokenizer the run's spec names
 * (see {@link GgufExport}). Binary, so it writes the file rather than building text. Stateless and thread-safe.
 */
final class GgufPointExporter implements PointExporter {
    @Override
    public String description() { return "the mixed-precision GGUF itself, quantized from the searched model"; }

    @Override
    public Written write(Request r, Path out) {
        SearchSpec spec = r.spec();
        if (spec == null || spec.model() == null || spec.model().source() == null) {
            throw new InvalidInputException(r.searchDir(), "spec.json", "names no model: a GGUF is written from the searched model's weights");
        }
        Map<String, TensorChoice> choices = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : r.point().choices().entrySet()) {
            choices.put(e.getKey(), Exporter.parseChoice(r.file(), "choices." + e.getKey(), e.getValue()));
        }
        java.util.List<String> weighted = choices.entrySet().stream().filter(e -> e.getValue().importanceWeighted()).map(Map.Entry::getKey).toList();
        Map<String, float[]> importance = weighted.isEmpty() ? Map.of() : Exporter.importance(r, weighted);
        Exporter.Result written = Exporter.ggufOf(r.file(), r.pointId(), spec.model().source(), spec.model().tokenizer(), choices,
                out.toUri().toString(), r.shownOut(), importance);
        return new Written(written.command(), written.warnings());
    }
}
