package org.edgefront.jobs.export;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.edgefront.jobs.spec.ChoicesFile;
import org.edgefront.jobs.spec.SearchSpec;
import org.edgefront.space.compress.TensorChoice;

/**
 * The EdgeFront per-tensor choices YAML ({@link ChoicesFile}) that {@code edgefront eval --config} reads back; a
 * pruned point's structure is recorded as comments. Stateless and thread-safe.
 */
final class ChoicesExport implements PointExporter.Text {
    @Override
    public String description() { return "the per-tensor choices YAML that eval --config reads"; }

    @Override
    public boolean recordsStructure() { return true; }

    @Override
    public Output export(Request r) {
        String file = r.file();
        var p = r.point();
        Map<String, TensorChoice> choices = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : p.choices().entrySet()) {
            choices.put(e.getKey(), Exporter.parseChoice(file, "choices." + e.getKey(), e.getValue()));
        }
        StringBuilder structure = new StringBuilder();
        if (!p.pruning().isEmpty()) {
            structure.append("# structural pruning of this point (units picked by importance on the search's calibration text;\n"
                    + "# `eval --config` measures the per-tensor choices below on the unpruned model):\n");
            for (Map.Entry<String, String> e : p.pruning().entrySet()) structure.append("#   ").append(e.getKey()).append(": ").append(e.getValue()).append('\n');
        }
        String text = "# EdgeFront per-tensor choices of front point " + r.pointId() + " exported from " + r.searchDir() + "\n" + structure
                + ChoicesFile.toYaml(choices);
        return new Output(text, evalCommand(r.spec(), r.shownOut()), List.of());
    }

    /** {@code edgefront eval} with the run's own model, tokenizer and text where the spec records them. */
    private static String evalCommand(SearchSpec spec, String config) {
        String model = "MODEL";
        String tokenizer = "TOKENIZER";
        String text = "TEXT";
        if (spec != null && spec.model() != null) {
            if (spec.model().source() != null && !spec.model().source().startsWith("synthetic:")) model = spec.model().source();
            if (spec.model().tokenizer() != null) tokenizer = spec.model().tokenizer();
            if (spec.model().text() != null) text = spec.model().text();
        }
        return "edgefront eval --model " + Exporter.shellQuote(model) + " --tokenizer " + Exporter.shellQuote(tokenizer) + " --text "
                + Exporter.shellQuote(text) + " --config " + Exporter.shellQuote(config);
    }
}
