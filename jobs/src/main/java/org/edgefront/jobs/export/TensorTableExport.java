package org.edgefront.jobs.export;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.edgefront.evaluators.ModelSource;
import org.edgefront.space.compress.TensorChoice;
import org.edgefront.space.input.InvalidInputException;
import org.edgefront.space.model.ModelArchitecture;
import org.edgefront.space.model.ModelWeights;
import org.edgefront.space.model.TensorSpec;

/**
 * A per-tensor table of one front point as RFC 4180 CSV (header row, CRLF line ends, fields with a comma, quote or
 * line break quoted), for spreadsheets and data-frame tools: tensor, layer, choice label, its format, nominal bits,
 * sparsity, kept rank ratio and GPTQ flag, and, read from the run's model header, the tensor's shape, the format
 * actually stored for that shape (llama.cpp's fallback, {@link org.edgefront.space.compress.WeightFormat#effectiveFor}),
 * its exact stored bytes and bits per weight. When the model cannot be opened the shape columns stay empty (with a warning).
 * Stateless and thread-safe.
 */
final class TensorTableExport implements PointExporter.Text {
    /** The columns, in order. */
    static final List<String> COLUMNS = List.of("tensor", "layer", "choice", "format", "format_bits", "sparsity", "rank_ratio", "gptq",
            "imatrix", "rows", "cols", "stored_format", "stored_bytes", "bits_per_weight");
    private static final Pattern LAYER = Pattern.compile("blk\\.(\\d+)\\..*");

    @Override
    public String description() { return "a per-tensor CSV table with exact stored bytes"; }

    @Override
    public Output export(Request r) {
        List<String> warnings = new ArrayList<>();
        ModelArchitecture arch = architecture(r, warnings);
        StringBuilder b = new StringBuilder();
        row(b, COLUMNS);
        for (Map.Entry<String, String> e : r.point().choices().entrySet()) {
            String name = e.getKey();
            TensorChoice c = Exporter.parseChoice(r.file(), "choices." + name, e.getValue());
            Matcher m = LAYER.matcher(name);
            TensorSpec t = arch == null ? null : arch.tensorsByName().get(name);
            if (arch != null && t == null) warnings.add("tensor " + name + " is not in " + arch.name() + ": its shape columns are empty");
            long bytes = t == null ? 0 : c.bytes(t);
            row(b, List.of(name, m.matches() ? m.group(1) : "", c.label(), c.format().name(), Integer.toString(c.format().bits()),
                    c.sparsity().label(), number(c.rankRatio()), Boolean.toString(c.errorCompensated()),
                    Boolean.toString(c.importanceWeighted()),
                    t == null ? "" : Integer.toString(t.rows()), t == null ? "" : Integer.toString(t.cols()),
                    t == null ? "" : c.format().effectiveFor(t.cols()).name(), t == null ? "" : Long.toString(bytes),
                    t == null ? "" : String.format(Locale.ROOT, "%.4f", 8.0 * bytes / ((double) t.rows() * t.cols()))));
        }
        return new Output(b.toString(), "column -s, -t < " + Exporter.shellQuote(r.shownOut()), warnings);
    }

    /** The run's model architecture from its header, or null (with a warning) when the spec or model is unavailable. */
    private static ModelArchitecture architecture(Request r, List<String> warnings) {
        String uri = r.spec() == null || r.spec().model() == null ? null : r.spec().model().source();
        if (uri == null) {
            warnings.add("no model recorded in the run's spec.json: shape and stored columns are empty");
            return null;
        }
        try (ModelWeights w = new ModelSource(uri).open()) {
            return w.architecture();
        } catch (IOException | InvalidInputException | IllegalArgumentException e) {
            warnings.add("cannot read model " + uri + " (" + e.getMessage() + "): shape and stored columns are empty");
            return null;
        }
    }

    private static String number(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
    }

    /** One CSV record: fields joined by commas, quoted when RFC 4180 requires it, ended by CRLF. */
    static void row(StringBuilder b, List<String> fields) {
        for (int i = 0; i < fields.size(); i++) {
            String f = fields.get(i);
            if (i > 0) b.append(',');
            if (f.indexOf(',') >= 0 || f.indexOf('"') >= 0 || f.indexOf('\n') >= 0 || f.indexOf('\r') >= 0) {
                b.append('"').append(f.replace("\"", "\"\"")).append('"');
            } else {
                b.append(f);
            }
        }
        b.append("\r\n");
    }
}
